// Compiles a resolved AST into JS closures. Each expression becomes (env) => Value and each
// statement (env) => control code, with variable access pre-resolved to array slots.
import type { Arg, Binding, Clause, Expr, FileAST, FuncDef, Stmt } from './ast';
import { callValue, toStarlarkError, type Slot } from './call';
import { StarlarkError } from './errors';
import { charge } from './meter';
import { forEach, isIterable, loopNotIterable, toArray } from './iter';
import { callMethod, findMethodFn, getAttr, setAttr } from './methods';
import { binary, equals, index, repr, setIndex, slice, unary } from './ops';
import { clauseNodes, exprNodes, stepsFor, stmtSteps } from './cost';
import { concat } from './strings';
import { nearest } from './spell';
import type { StackFrame, ThreadImpl } from './thread';
import {
  Builtin,
  Dict,
  EvalError,
  List,
  MANDATORY,
  RangeValue,
  StarlarkFunction,
  Tuple,
  checkSize,
  MAX_STRING_LEN,
  truth,
  typeName,
  type Cell,
  type FunctionCode,
  type ModuleState,
  type Value,
} from './values';

interface P {
  line: number;
  col: number;
}

export class Env {
  declare ret: Value;
  declare readonly locals: Slot[];
  declare readonly free: Cell[];
  declare readonly thread: ThreadImpl;
  declare readonly sf: StackFrame;
  constructor(locals: Slot[], free: Cell[], thread: ThreadImpl, sf: StackFrame) {
    this.ret = null;
    this.locals = locals;
    this.free = free;
    this.thread = thread;
    this.sf = sf;
  }
}

type EF = (e: Env) => Value;
type SF = (e: Env) => number;
type Assign = (e: Env, v: Value) => void;

const NO_KWARGS: Array<[string, Value]> = [];
const NORMAL = 0;
const BREAK = 1;
const CONTINUE = 2;
const RETURN = 3;

export interface CompileEnv {
  file: string;
  module: ModuleState;
  lookupPredeclared(name: string): Value;
  load?: (module: string, thread: ThreadImpl) => Record<string, Value>;
}

/** Returns a runner for the module's top-level code. */
export function compileFile(ast: FileAST, cenv: CompileEnv): (thread: ThreadImpl) => void {
  const c = new Compiler(cenv);
  const body = c.block(ast.stmts);
  const numLocals = ast.numLocals ?? 0;
  const cellSlots = ast.cellSlots ?? [];
  return (thread) => {
    const locals: Slot[] = new Array(numLocals);
    for (const s of cellSlots) locals[s] = { v: undefined };
    const sf: StackFrame = { fn: '<toplevel>', file: cenv.file, pos: { line: 1, col: 1 } };
    thread.stack.push(sf);
    try {
      body(new Env(locals, [], thread, sf));
    } catch (err) {
      throw toStarlarkError(err, thread);
    } finally {
      thread.stack.pop();
    }
  };
}

/** Budget/cancel check from a loop: the frame's position becomes the loop's. */
/** Steps a list, tuple or dict display costs on top of its elements (see the 'list' case). */
const ALLOC_STEPS = 3;

function checkAt(e: Env, t: ThreadImpl, p: P): void {
  e.sf.pos = p;
  t.check();
}

class Compiler {
  private globals: Array<Value | undefined>;
  constructor(private cenv: CompileEnv) {
    this.globals = cenv.module.globals;
  }

  block(stmts: Stmt[]): SF {
    const fs = stmts.map((s) => this.stmt(s));
    if (fs.length === 0) return () => NORMAL;
    // Every statement costs a step (charged when the block is entered), so a loop whose body is a thousand
    // statements spends a thousand steps per iteration, not one; a statement with a large expression costs more
    // (cost.ts).
    let n = 0;
    for (const s of stmts) n += stmtSteps(s);
    const p: P = stmts[0];
    if (fs.length === 1) {
      // loops and calls already charge a step per body run
      const [a] = fs;
      if (n === 1) return a;
      const extra = n - 1;
      return (e) => {
        const t = e.thread;
        if ((t.steps += extra) >= t.nextCheck) checkAt(e, t, p);
        return a(e);
      };
    }
    if (fs.length === 2) {
      const [a, b] = fs;
      return (e) => {
        const t = e.thread;
        if ((t.steps += n) >= t.nextCheck) checkAt(e, t, p);
        return a(e) || b(e);
      };
    }
    return (e) => {
      const t = e.thread;
      if ((t.steps += n) >= t.nextCheck) checkAt(e, t, p);
      for (let i = 0; i < fs.length; i++) {
        const r = fs[i](e);
        if (r !== NORMAL) return r;
      }
      return NORMAL;
    };
  }

  private stmt(s: Stmt): SF {
    const p: P = s;
    switch (s.k) {
      case 'expr': {
        const x = this.expr(s.x);
        return (e) => {
          x(e);
          return NORMAL;
        };
      }
      case 'assign':
        return s.op === '=' ? this.assignStmt(s.lhs, s.rhs) : this.augAssign(s.op.slice(0, -1), s.lhs, s.rhs, p);
      case 'def': {
        const mk = this.func(s.fn);
        const set = this.target(s.name);
        return (e) => {
          set(e, mk(e));
          return NORMAL;
        };
      }
      case 'if': {
        const cond = this.expr(s.cond);
        const then = this.block(s.then);
        const els = this.block(s.else);
        return (e) => (truth(cond(e)) ? then(e) : els(e));
      }
      case 'for':
        return this.forStmt(s.vars, s.iter, s.body, p);
      case 'while': {
        const cond = this.expr(s.cond);
        const body = this.block(s.body);
        const steps = stepsFor(exprNodes(s.cond)); // the condition runs once per iteration
        return (e) => {
          const t = e.thread;
          while (truth(cond(e))) {
            if ((t.steps += steps) >= t.nextCheck) checkAt(e, t, p);
            const r = body(e);
            if (r === BREAK) break;
            if (r === RETURN) return r;
          }
          return NORMAL;
        };
      }
      case 'return': {
        if (!s.x) {
          return (e) => {
            e.ret = null;
            return RETURN;
          };
        }
        const x = this.expr(s.x);
        return (e) => {
          e.ret = x(e);
          return RETURN;
        };
      }
      case 'break':
        return () => BREAK;
      case 'continue':
        return () => CONTINUE;
      case 'pass':
        return () => NORMAL;
      case 'load':
        return this.loadStmt(s.module, s.names, p);
    }
  }

  private loadStmt(module: string, names: Array<[Expr & { k: 'ident' }, string]>, p: P): SF {
    const targets = names.map(([id, orig]) => [this.target(id), orig] as const);
    return (e) => {
      e.sf.pos = p;
      const load = this.cenv.load;
      if (!load) throw new EvalError(`load not implemented by this application`);
      let m: Record<string, Value>;
      try {
        m = load(module, e.thread);
      } catch (err) {
        if (err instanceof StarlarkError) throw err;
        throw new EvalError(`cannot load ${module}: ${err instanceof Error ? err.message : String(err)}`);
      }
      for (const [set, orig] of targets) {
        if (!Object.prototype.hasOwnProperty.call(m, orig) || m[orig] === undefined) {
          const hint = nearest(orig, Object.keys(m).filter((k) => !k.startsWith('_')));
          throw new EvalError(`load: name ${orig} not found in module ${module}${hint ? ` (did you mean ${hint}?)` : ''}`);
        }
        set(e, m[orig]);
      }
      return NORMAL;
    };
  }

  private forStmt(vars: Expr, iterX: Expr, bodyStmts: Stmt[], p: P): SF {
    const iter = this.expr(iterX);
    const set = this.target(vars);
    const body = this.block(bodyStmts);
    return (e) => {
      const it = iter(e);
      const t = e.thread;
      if (it instanceof RangeValue) {
        for (let k = 0; k < it.len; k++) {
          if (++t.steps >= t.nextCheck) checkAt(e, t, p);
          set(e, it.start + k * it.step);
          const r = body(e);
          if (r === BREAK) break;
          if (r === RETURN) return r;
        }
        return NORMAL;
      }
      if (it instanceof List && !it.frozen) {
        const elems = it.elems;
        it.iterating++;
        try {
          for (let k = 0; k < elems.length; k++) {
            if (++t.steps >= t.nextCheck) checkAt(e, t, p);
            set(e, elems[k]);
            const r = body(e);
            if (r === BREAK) break;
            if (r === RETURN) return r;
          }
        } finally {
          it.iterating--;
        }
        return NORMAL;
      }
      e.sf.pos = p;
      if (!isIterable(it)) throw loopNotIterable(it);
      let result = NORMAL;
      forEach(it, (x) => {
        if (++t.steps >= t.nextCheck) checkAt(e, t, p);
        set(e, x);
        const r = body(e);
        if (r === BREAK) return true;
        if (r === RETURN) {
          result = RETURN;
          return true;
        }
        return false;
      });
      return result;
    };
  }

  private assignStmt(lhs: Expr, rhs: Expr): SF {
    const x = this.expr(rhs);
    if (lhs.k === 'ident' && lhs.b) {
      const b = lhs.b;
      if (b.scope === 'local' && !b.captured) {
        const i = b.index;
        return (e) => {
          e.locals[i] = x(e);
          return NORMAL;
        };
      }
      if (b.scope === 'global') {
        const g = this.globals;
        const i = b.index;
        return (e) => {
          g[i] = x(e);
          return NORMAL;
        };
      }
    }
    const set = this.target(lhs);
    return (e) => {
      set(e, x(e));
      return NORMAL;
    };
  }

  /** An assignment target: identifier, index, attribute or (nested) tuple/list of targets. */
  target(t: Expr): Assign {
    const p: P = t;
    switch (t.k) {
      case 'ident': {
        const b = t.b!;
        switch (b.scope) {
          case 'local': {
            const i = b.index;
            if (b.captured) return (e, v) => void ((e.locals[i] as Cell).v = v);
            return (e, v) => void (e.locals[i] = v);
          }
          case 'free': {
            const i = b.index;
            return (e, v) => void (e.free[i].v = v);
          }
          case 'global': {
            const g = this.globals;
            const i = b.index;
            return (_e, v) => void (g[i] = v);
          }
          default:
            throw new StarlarkError('resolve', `cannot assign to ${t.name}`, { file: this.cenv.file, ...p });
        }
      }
      case 'index': {
        const x = this.expr(t.x);
        const i = this.expr(t.i);
        return (e, v) => {
          const xv = x(e);
          const iv = i(e);
          e.sf.pos = p;
          setIndex(xv, iv, v);
        };
      }
      case 'dot': {
        const x = this.expr(t.x);
        const name = t.name;
        return (e, v) => {
          const xv = x(e);
          e.sf.pos = p;
          setAttr(xv, name, v);
        };
      }
      case 'tuple':
      case 'list': {
        const sets = t.elems.map((el) => this.target(el));
        const n = sets.length;
        return (e, v) => {
          let arr: Value[];
          if (v instanceof Tuple || v instanceof List) arr = v.elems;
          else {
            e.sf.pos = p;
            if (typeof v === 'string' || v === null || typeof v !== 'object' || v instanceof Builtin || v instanceof StarlarkFunction) {
              throw new EvalError(`got ${typeNameOf(v)} in sequence assignment`);
            }
            try {
              arr = toArray(v);
            } catch {
              throw new EvalError(`got ${typeNameOf(v)} in sequence assignment`);
            }
          }
          if (arr.length !== n) {
            e.sf.pos = p;
            throw new EvalError(`too ${arr.length > n ? 'many' : 'few'} values to unpack (got ${arr.length}, want ${n})`);
          }
          for (let k = 0; k < n; k++) sets[k](e, arr[k]);
        };
      }
      default:
        throw new StarlarkError('syntax', 'cannot assign to expression', { file: this.cenv.file, ...p });
    }
  }

  private augAssign(op: string, lhs: Expr, rhs: Expr, p: P): SF {
    const y = this.expr(rhs);
    const apply = (e: Env, xv: Value, yv: Value): Value => {
      e.sf.pos = p;
      if (op === '+' && xv instanceof List) {
        // list += iterable extends in place
        xv.mutable('apply += to');
        const add = yv instanceof List || yv instanceof Tuple ? yv.elems.slice() : toArray(yv);
        xv.mutable('apply += to');
        checkSize(xv.elems.length + add.length, 'list');
        charge(add.length); // a copy: 1 step per element, like extend
        for (const a of add) xv.elems.push(a);
        return xv;
      }
      if (op === '|' && xv instanceof Dict && yv instanceof Dict) {
        // dict |= dict updates in place (an alias sees it), as starlark-go does
        for (const [k, v] of yv.entries()) xv.set(k, v);
        return xv;
      }
      return binary(op, xv, yv);
    };
    if (lhs.k === 'index') {
      const x = this.expr(lhs.x);
      const i = this.expr(lhs.i);
      return (e) => {
        const xv = x(e);
        const iv = i(e);
        e.sf.pos = p;
        const cur = index(xv, iv);
        const r = apply(e, cur, y(e));
        e.sf.pos = p;
        setIndex(xv, iv, r);
        return NORMAL;
      };
    }
    if (lhs.k === 'dot') {
      const x = this.expr(lhs.x);
      const name = lhs.name;
      return (e) => {
        const xv = x(e);
        e.sf.pos = p;
        const r = apply(e, getAttr(xv, name), y(e));
        e.sf.pos = p;
        setAttr(xv, name, r);
        return NORMAL;
      };
    }
    const get = this.expr(lhs);
    const set = this.target(lhs);
    if (op === '+' && lhs.k === 'ident' && lhs.b?.scope === 'local' && !lhs.b.captured) {
      // Fast path for counters and accumulators: `total += i` on a plain local.
      const i = lhs.b.index;
      return (e) => {
        const xv = get(e);
        const yv = y(e);
        if (typeof xv === 'number' && typeof yv === 'number') {
          const r = xv + yv;
          if (Number.isSafeInteger(r)) {
            e.locals[i] = r;
            return NORMAL;
          }
        }
        e.locals[i] = apply(e, xv, yv);
        return NORMAL;
      };
    }
    return (e) => {
      set(e, apply(e, get(e), y(e)));
      return NORMAL;
    };
  }

  // ---- expressions ---------------------------------------------------------------------------

  expr(x: Expr): EF {
    const p: P = x;
    switch (x.k) {
      case 'ident':
        return this.ident(x.name, x.b!, p);
      case 'lit': {
        const v = x.value;
        return () => v;
      }
      // A new list, tuple or dict costs ALLOC_STEPS: its memory is what the budget must bound (20M steps of
      // `x = [x]` would otherwise hold 20M lists, more than the loader's heap, and grind in GC before dying).
      case 'list': {
        const elems = x.elems.map((el) => this.expr(el));
        const p: P = x;
        return (e) => {
          const t = e.thread;
          if ((t.steps += ALLOC_STEPS) >= t.nextCheck) checkAt(e, t, p);
          return new List(evalAll(elems, e));
        };
      }
      case 'tuple': {
        const elems = x.elems.map((el) => this.expr(el));
        if (elems.length === 0) {
          const empty = new Tuple([]);
          return () => empty;
        }
        const p: P = x;
        return (e) => {
          const t = e.thread;
          if ((t.steps += ALLOC_STEPS) >= t.nextCheck) checkAt(e, t, p);
          return new Tuple(evalAll(elems, e));
        };
      }
      case 'dict': {
        const keyFs = x.entries.map(([k]) => this.expr(k));
        const valFs = x.entries.map(([, v]) => this.expr(v));
        const keyPos: P[] = x.entries.map(([k]) => k);
        const n = keyFs.length;
        const dp: P = x;
        return (e) => {
          const t = e.thread;
          if ((t.steps += ALLOC_STEPS) >= t.nextCheck) checkAt(e, t, dp);
          const d = new Dict();
          for (let i = 0; i < n; i++) {
            const k = keyFs[i](e);
            const v = valFs[i](e);
            e.sf.pos = keyPos[i];
            const old = d.size;
            d.set(k, v);
            if (d.size === old) throw new EvalError(`duplicate key: ${reprOf(k)}`);
          }
          return d;
        };
      }
      case 'comp':
        return this.comprehension(x.dict, x.body, x.value, x.clauses);
      case 'unary': {
        const a = this.expr(x.x);
        const op = x.op;
        if (op === 'not') return (e) => !truth(a(e));
        return (e) => {
          const v = a(e);
          if (op === '-' && typeof v === 'number' && v !== 0) return -v;
          e.sf.pos = p;
          return unary(op, v);
        };
      }
      case 'binary':
        return this.binaryExpr(x.op, this.expr(x.x), this.expr(x.y), p);
      case 'cond': {
        const c = this.expr(x.cond);
        const a = this.expr(x.then);
        const b = this.expr(x.else);
        return (e) => (truth(c(e)) ? a(e) : b(e));
      }
      case 'lambda':
        return this.func(x.fn);
      case 'call':
        return this.call(x.fn, x.args, p);
      case 'index': {
        const a = this.expr(x.x);
        const i = this.expr(x.i);
        return (e) => {
          const av = a(e);
          const iv = i(e);
          if (av instanceof List && typeof iv === 'number' && iv >= 0 && iv < av.elems.length) return av.elems[iv];
          e.sf.pos = p;
          return index(av, iv);
        };
      }
      case 'slice': {
        const a = this.expr(x.x);
        const lo = x.lo ? this.expr(x.lo) : undefined;
        const hi = x.hi ? this.expr(x.hi) : undefined;
        const st = x.step ? this.expr(x.step) : undefined;
        return (e) => {
          const av = a(e);
          const l = lo?.(e);
          const h = hi?.(e);
          const s = st?.(e);
          e.sf.pos = p;
          return slice(av, l, h, s);
        };
      }
      case 'dot': {
        const a = this.expr(x.x);
        const name = x.name;
        return (e) => {
          const av = a(e);
          e.sf.pos = p;
          return getAttr(av, name);
        };
      }
    }
  }

  private ident(name: string, b: Binding, p: P): EF {
    switch (b.scope) {
      case 'local': {
        const i = b.index;
        if (b.captured) {
          return (e) => {
            const v = (e.locals[i] as Cell).v;
            if (v === undefined) {
              e.sf.pos = p;
              throw new EvalError(`local variable ${name} referenced before assignment`);
            }
            return v;
          };
        }
        return (e) => {
          const v = e.locals[i] as Value | undefined;
          if (v === undefined) {
            e.sf.pos = p;
            throw new EvalError(`local variable ${name} referenced before assignment`);
          }
          return v;
        };
      }
      case 'free': {
        const i = b.index;
        return (e) => {
          const v = e.free[i].v;
          if (v === undefined) {
            e.sf.pos = p;
            throw new EvalError(`local variable ${name} referenced before assignment`);
          }
          return v;
        };
      }
      case 'global': {
        const g = this.globals;
        const i = b.index;
        return (e) => {
          const v = g[i];
          if (v === undefined) {
            e.sf.pos = p;
            throw new EvalError(`global variable ${name} referenced before assignment`);
          }
          return v;
        };
      }
      default: {
        const v = this.cenv.lookupPredeclared(name);
        return () => v;
      }
    }
  }

  private binaryExpr(op: string, a: EF, b: EF, p: P): EF {
    switch (op) {
      case 'and':
        return (e) => {
          const x = a(e);
          return truth(x) ? b(e) : x;
        };
      case 'or':
        return (e) => {
          const x = a(e);
          return truth(x) ? x : b(e);
        };
      case '+':
        return (e) => {
          const x = a(e);
          const y = b(e);
          if (typeof x === 'number' && typeof y === 'number') {
            const r = x + y;
            if (Number.isSafeInteger(r)) return r;
          } else if (typeof x === 'string' && typeof y === 'string' && x.length + y.length <= MAX_STRING_LEN) return concat(x, y);
          e.sf.pos = p;
          return binary(op, x, y);
        };
      case '-':
        return (e) => {
          const x = a(e);
          const y = b(e);
          if (typeof x === 'number' && typeof y === 'number') {
            const r = x - y;
            if (Number.isSafeInteger(r)) return r;
          }
          e.sf.pos = p;
          return binary(op, x, y);
        };
      case '<':
        return (e) => {
          const x = a(e);
          const y = b(e);
          if (typeof x === 'number' && typeof y === 'number') return x < y;
          e.sf.pos = p;
          return binary(op, x, y);
        };
      case '<=':
        return (e) => {
          const x = a(e);
          const y = b(e);
          if (typeof x === 'number' && typeof y === 'number') return x <= y;
          e.sf.pos = p;
          return binary(op, x, y);
        };
      case '>':
        return (e) => {
          const x = a(e);
          const y = b(e);
          if (typeof x === 'number' && typeof y === 'number') return x > y;
          e.sf.pos = p;
          return binary(op, x, y);
        };
      case '>=':
        return (e) => {
          const x = a(e);
          const y = b(e);
          if (typeof x === 'number' && typeof y === 'number') return x >= y;
          e.sf.pos = p;
          return binary(op, x, y);
        };
      case '*':
        return (e) => {
          const x = a(e);
          const y = b(e);
          if (typeof x === 'number' && typeof y === 'number') {
            const r = x * y;
            if (Number.isSafeInteger(r)) return r === 0 ? 0 : r;
          }
          e.sf.pos = p;
          return binary(op, x, y);
        };
      case '%':
        return (e) => {
          const x = a(e);
          const y = b(e);
          // non-negative operands: JS % already floors
          if (typeof x === 'number' && typeof y === 'number' && x >= 0 && y > 0) return x % y;
          e.sf.pos = p;
          return binary(op, x, y);
        };
      case '==':
        return (e) => {
          const x = a(e);
          const y = b(e);
          // lists compare element-wise (cycles); long strings through equals, which charges the comparison
          if (x === y && (typeof x !== 'object' || x === null) && (typeof x !== 'string' || x.length < 64)) return true;
          e.sf.pos = p;
          return equals(x, y);
        };
      case '!=':
        return (e) => {
          const x = a(e);
          const y = b(e);
          if (x === y && (typeof x !== 'object' || x === null) && (typeof x !== 'string' || x.length < 64)) return false;
          e.sf.pos = p;
          return !equals(x, y);
        };
      default:
        return (e) => {
          const x = a(e);
          const y = b(e);
          e.sf.pos = p;
          return binary(op, x, y);
        };
    }
  }

  private comprehension(isDict: boolean, body: Expr, value: Expr | undefined, clauses: Clause[]): EF {
    const k = this.expr(body);
    const v = value ? this.expr(value) : undefined;
    const kp: P = body;
    type Emit = (e: Env, acc: List | Dict) => void;
    let inner: Emit = v
      ? (e, acc) => {
          const kv = k(e);
          const vv = v(e);
          e.sf.pos = kp;
          (acc as Dict).set(kv, vv);
        }
      : (e, acc) => void (acc as List).elems.push(k(e));
    for (let i = clauses.length - 1; i >= 0; i--) {
      const c = clauses[i];
      const next = inner;
      if (c.k === 'if') {
        const cond = this.expr(c.cond);
        inner = (e, acc) => {
          if (truth(cond(e))) next(e, acc);
        };
      } else {
        const iter = this.expr(c.iter);
        const set = this.target(c.vars);
        const p: P = c;
        const steps = stepsFor(clauseNodes(clauses, i, body, value)); // per element
        inner = (e, acc) => {
          const it = iter(e);
          const t = e.thread;
          if (it instanceof RangeValue) {
            for (let j = 0; j < it.len; j++) {
              if ((t.steps += steps) >= t.nextCheck) checkAt(e, t, p);
              set(e, it.start + j * it.step);
              next(e, acc);
            }
            return;
          }
          e.sf.pos = p;
          if (!isIterable(it)) throw loopNotIterable(it);
          forEach(it, (x) => {
            if ((t.steps += steps) >= t.nextCheck) checkAt(e, t, p);
            set(e, x);
            next(e, acc);
          });
        };
      }
    }
    const run = inner;
    return (e) => {
      const acc = isDict ? new Dict() : new List();
      run(e, acc);
      return acc;
    };
  }

  private call(fnX: Expr, args: Arg[], p: P): EF {
    const simple = args.every((a) => a.kind === 'pos');
    const posArgs = args.filter((a) => a.kind === 'pos').map((a) => this.expr(a.value));
    const named = args.filter((a) => a.kind === 'named').map((a) => [a.name!, this.expr(a.value)] as const);
    const star = args.find((a) => a.kind === 'star');
    const starF = star ? this.expr(star.value) : undefined;
    const starstar = args.find((a) => a.kind === 'starstar');
    const starstarF = starstar ? this.expr(starstar.value) : undefined;

    const evalArgs = (e: Env): [Value[], Array<[string, Value]> | null] => {
      const pos = evalAll(posArgs, e);
      let kw: Array<[string, Value]> | null = null;
      if (named.length > 0) {
        kw = new Array<[string, Value]>(named.length);
        for (let i = 0; i < named.length; i++) kw[i] = [named[i][0], named[i][1](e)];
      }
      if (starF) {
        const sv = starF(e);
        e.sf.pos = p;
        let more: Value[];
        if (sv instanceof List || sv instanceof Tuple) more = sv.elems;
        else {
          try {
            more = toArray(sv);
          } catch {
            throw new EvalError(`argument after * must be iterable, not ${typeNameOf(sv)}`);
          }
        }
        // copied one by one (a spread of a million elements overflows the JS stack), and charged per element
        charge(more.length);
        for (let i = 0; i < more.length; i++) pos.push(more[i]);
      }
      if (starstarF) {
        const kv = starstarF(e);
        e.sf.pos = p;
        if (!(kv instanceof Dict)) throw new EvalError(`argument after ** must be a mapping, not ${typeNameOf(kv)}`);
        kw ??= [];
        charge(kv.size);
        // a set, not a search of kw per key: f(**d) with 200,000 keys was quadratic within one step
        const seen = new Set(kw.map(([n]) => n));
        for (const [k, v] of kv.entries()) {
          if (typeof k !== 'string') throw new EvalError(`keywords must be strings, not ${typeNameOf(k)}`);
          if (seen.has(k)) throw new EvalError(`got multiple values for keyword argument "${k}"`);
          seen.add(k);
          kw.push([k, v]);
        }
      }
      return [pos, kw];
    };

    // Method calls (x.name(...)) skip allocating a bound method.
    if (fnX.k === 'dot') {
      const recvF = this.expr(fnX.x);
      const name = fnX.name;
      return (e) => {
        const recv = recvF(e);
        const m = findMethodFn(recv, name);
        if (m) {
          if (simple) {
            const pos = evalAll(posArgs, e);
            e.sf.pos = p;
            return callMethod(m, recv, name, pos, NO_KWARGS, e.thread);
          }
          const [pos, kw] = evalArgs(e);
          e.sf.pos = p;
          return callMethod(m, recv, name, pos, kw ?? NO_KWARGS, e.thread);
        }
        e.sf.pos = { line: fnX.line, col: fnX.col };
        const f = getAttr(recv, name);
        const [pos, kw] = simple ? [evalAll(posArgs, e), null] : evalArgs(e);
        e.sf.pos = p;
        return callValue(f, pos, kw, e.thread);
      };
    }
    const fnF = this.expr(fnX);
    if (simple) {
      const n = posArgs.length;
      if (n === 0) {
        return (e) => {
          const f = fnF(e);
          e.sf.pos = p;
          return callValue(f, [], null, e.thread);
        };
      }
      if (n === 1) {
        const a0 = posArgs[0];
        return (e) => {
          const f = fnF(e);
          const args = [a0(e)];
          e.sf.pos = p;
          return callValue(f, args, null, e.thread);
        };
      }
      return (e) => {
        const f = fnF(e);
        const args = new Array<Value>(n);
        for (let i = 0; i < n; i++) args[i] = posArgs[i](e);
        e.sf.pos = p;
        return callValue(f, args, null, e.thread);
      };
    }
    return (e) => {
      const f = fnF(e);
      const [pos, kw] = evalArgs(e);
      e.sf.pos = p;
      return callValue(f, pos, kw, e.thread);
    };
  }

  /** Compiles a def/lambda; the returned closure creates the function value at runtime. */
  private func(fn: FuncDef): EF {
    const named = fn.params.filter((pa) => pa.kind === 'normal' || pa.kind === 'default');
    const starIdx = fn.params.findIndex((pa) => pa.kind === 'star');
    const varargs = fn.params.find((pa) => pa.kind === 'star' && pa.name);
    const kwargs = fn.params.find((pa) => pa.kind === 'starstar');
    const numKwonly = starIdx < 0 ? 0 : fn.params.slice(starIdx + 1).filter((pa) => pa.kind === 'normal' || pa.kind === 'default').length;
    const code: FunctionCode = {
      name: fn.name,
      file: this.cenv.file,
      pos: { line: fn.line, col: fn.col },
      params: [...named.map((pa) => pa.name!.name), ...(varargs ? [varargs.name!.name] : []), ...(kwargs ? [kwargs.name!.name] : [])],
      numParams: named.length,
      numKwonly,
      hasVarargs: !!varargs,
      hasKwargs: !!kwargs,
      numLocals: fn.numLocals ?? 0,
    };
    // Defaults (starlark-go layout): trailing optional positional params, then every keyword-only param.
    const firstKwonly = named.length - numKwonly;
    const m = firstKwonly - named.slice(0, firstKwonly).filter((pa) => pa.kind === 'default').length;
    const defaultFs = named.slice(m).map((pa) => (pa.dflt ? this.expr(pa.dflt) : undefined));
    const freeFrom = fn.freeFrom ?? [];
    const cellSlots = fn.cellSlots ?? [];
    // Bodies compile on first call: Tiltfile libraries define many functions that never run.
    let body: SF | undefined;
    const module = this.cenv.module;
    const file = this.cenv.file;
    const name = fn.name;
    const defPos = code.pos;

    const invoke = (f: StarlarkFunction, locals: Slot[], thread: ThreadImpl): Value => {
      for (let i = 0; i < cellSlots.length; i++) {
        const s = cellSlots[i];
        locals[s] = { v: locals[s] as Value | undefined };
      }
      const sf: StackFrame = { fn: name, file, pos: defPos };
      thread.stack.push(sf);
      try {
        if (++thread.steps >= thread.nextCheck) thread.check();
        const env = new Env(locals, f.freevars, thread, sf);
        body ??= this.block(fn.body);
        return body(env) === RETURN ? env.ret : null;
      } catch (err) {
        throw toStarlarkError(err, thread);
      } finally {
        thread.stack.pop();
      }
    };

    return (e) => {
      const defaults = defaultFs.map((d) => (d ? d(e) : MANDATORY));
      const free: Cell[] = freeFrom.map((b) => (b.scope === 'local' ? (e.locals[b.index] as Cell) : e.free[(b as { index: number }).index]));
      return new StarlarkFunction(code, defaults, free, module, invoke);
    };
  }
}

function evalAll(fs: EF[], e: Env): Value[] {
  const n = fs.length;
  const out = new Array<Value>(n);
  for (let i = 0; i < n; i++) out[i] = fs[i](e);
  return out;
}

const typeNameOf = typeName;
const reprOf = repr;
