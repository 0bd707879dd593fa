// Static name resolution (like starlark-go's resolve package): every identifier becomes a
// local slot, a captured free variable, a module global, a predeclared or a universal name.
import type { Arg, Binding, Clause, Expr, FileAST, FuncDef, Ident, Stmt } from './ast';
import { StarlarkError } from './errors';
import { nearest } from './spell';

interface FnCtx {
  numLocals: number;
  freeFrom: Binding[];
  freeByName: Map<string, Binding>;
  cellSlots: number[];
  isModule: boolean;
}

interface Block {
  parent: Block | null;
  fn: FnCtx;
  bindings: Map<string, Binding>;
}

export interface ResolveEnv {
  isPredeclared(name: string): boolean;
  isUniversal(name: string): boolean;
  /** Predeclared and universal names (only used for "did you mean" hints). */
  names(): string[];
}

/** Resolves a parsed file in place. Returns the global names (slot order) and which of them came from load. */
export function resolveFile(ast: FileAST, env: ResolveEnv): { globals: string[]; loaded: Set<string> } {
  return new Resolver(ast.file, env).run(ast);
}

class Resolver {
  private globals = new Map<string, Binding>();
  private globalNames: string[] = [];
  private loaded = new Set<string>();
  private loops = 0;
  private inFunction = false;

  constructor(
    private file: string,
    private env: ResolveEnv,
  ) {}

  private err(msg: string, n: { line: number; col: number }): never {
    throw new StarlarkError('resolve', msg, { file: this.file, line: n.line, col: n.col });
  }

  run(ast: FileAST): { globals: string[]; loaded: Set<string> } {
    const top: FnCtx = { numLocals: 0, freeFrom: [], freeByName: new Map(), cellSlots: [], isModule: true };
    const moduleBlock: Block = { parent: null, fn: top, bindings: this.globals };
    // Pre-declare every name bound at top level so functions may refer to later globals.
    const names: Ident[] = [];
    for (const s of ast.stmts) collectBindings(s, names, true);
    for (const id of names) this.declareGlobal(id.name);
    for (const s of ast.stmts) this.stmt(s, moduleBlock, true);
    ast.numLocals = top.numLocals;
    ast.cellSlots = top.cellSlots;
    ast.globals = this.globalNames;
    return { globals: this.globalNames, loaded: this.loaded };
  }

  private declareGlobal(name: string): Binding {
    let b = this.globals.get(name);
    if (!b) {
      b = { scope: 'global', index: this.globalNames.length };
      this.globals.set(name, b);
      this.globalNames.push(name);
    }
    return b;
  }

  private stmt(s: Stmt, blk: Block, topLevel: boolean): void {
    switch (s.k) {
      case 'expr':
        this.expr(s.x, blk);
        return;
      case 'assign':
        this.expr(s.rhs, blk);
        if (s.op !== '=') this.expr(s.lhs, blk);
        else this.bindTargets(s.lhs, blk);
        return;
      case 'def':
        this.func(s.fn, blk);
        this.bindTargets(s.name, blk);
        return;
      case 'if':
        this.expr(s.cond, blk);
        for (const x of s.then) this.stmt(x, blk, false);
        for (const x of s.else) this.stmt(x, blk, false);
        return;
      case 'for':
        this.expr(s.iter, blk);
        this.bindTargets(s.vars, blk);
        this.loops++;
        for (const x of s.body) this.stmt(x, blk, false);
        this.loops--;
        return;
      case 'while':
        this.expr(s.cond, blk);
        this.loops++;
        for (const x of s.body) this.stmt(x, blk, false);
        this.loops--;
        return;
      case 'return':
        if (!this.inFunction) this.err('return statement not within a function', s);
        if (s.x) this.expr(s.x, blk);
        return;
      case 'break':
      case 'continue':
        if (this.loops === 0) this.err(`${s.k} not in a loop`, s);
        return;
      case 'pass':
        return;
      case 'load':
        if (this.inFunction) this.err('load statement within a function', s);
        if (!topLevel) this.err('load statement not at top level', s);
        for (const [local, orig] of s.names) {
          if (orig.startsWith('_')) this.err(`load: names with leading underscores are not exported: ${orig}`, local);
          this.loaded.add(local.name);
          this.bindTargets(local, blk);
        }
        return;
    }
  }

  private bindTargets(e: Expr, blk: Block): void {
    switch (e.k) {
      case 'ident': {
        const b = blk.bindings.get(e.name);
        if (!b) this.err(`internal error: unbound target ${e.name}`, e);
        e.b = b;
        return;
      }
      case 'tuple':
      case 'list':
        for (const x of e.elems) this.bindTargets(x, blk);
        return;
      default:
        this.expr(e, blk); // index/dot targets evaluate their operands
    }
  }

  private func(fn: FuncDef, blk: Block): void {
    // Defaults are evaluated in the enclosing scope at definition time.
    const seen = new Set<string>();
    let sawStar = false;
    let sawKwargs = false;
    let sawOptional = false;
    let kwonlyAfterStar = 0;
    let bareStar: { line: number; col: number } | undefined;
    for (const p of fn.params) {
      if (sawKwargs) this.err('parameter may not follow **kwargs', p);
      if (p.name) {
        if (seen.has(p.name.name)) this.err(`duplicate parameter: ${p.name.name}`, p.name);
        seen.add(p.name.name);
      }
      switch (p.kind) {
        case 'normal':
          if (sawStar) kwonlyAfterStar++;
          else if (sawOptional) this.err('required parameter may not follow optional', p);
          break;
        case 'default':
          this.expr(p.dflt!, blk);
          if (sawStar) kwonlyAfterStar++;
          sawOptional = true;
          break;
        case 'star':
          if (sawStar) this.err('multiple * parameters not allowed', p);
          sawStar = true;
          if (!p.name) bareStar = p;
          break;
        case 'starstar':
          sawKwargs = true;
          break;
      }
    }
    if (bareStar && kwonlyAfterStar === 0) this.err('bare * must be followed by keyword-only parameters', bareStar);

    const ctx: FnCtx = { numLocals: 0, freeFrom: [], freeByName: new Map(), cellSlots: [], isModule: false };
    const fblk: Block = { parent: blk, fn: ctx, bindings: new Map() };
    // Parameter slots: named params in order, then *args, then **kwargs.
    const ordered = [...fn.params.filter((p) => p.kind === 'normal' || p.kind === 'default'), ...fn.params.filter((p) => p.kind === 'star' && p.name), ...fn.params.filter((p) => p.kind === 'starstar')];
    for (const p of ordered) {
      const b: Binding = { scope: 'local', index: ctx.numLocals++, captured: false };
      fblk.bindings.set(p.name!.name, b);
      p.name!.b = b;
    }
    const names: Ident[] = [];
    for (const s of fn.body) collectBindings(s, names, false);
    for (const id of names) {
      if (!fblk.bindings.has(id.name)) fblk.bindings.set(id.name, { scope: 'local', index: ctx.numLocals++, captured: false });
    }
    const saved = [this.inFunction, this.loops] as const;
    this.inFunction = true;
    this.loops = 0;
    for (const s of fn.body) this.stmt(s, fblk, false);
    [this.inFunction, this.loops] = saved;
    fn.numLocals = ctx.numLocals;
    fn.freeFrom = ctx.freeFrom;
    fn.cellSlots = ctx.cellSlots;
    // cellSlots are filled lazily as inner functions capture; read at compile time (after resolution).
  }

  private use(id: Ident, blk: Block): void {
    id.b = this.lookup(id.name, blk, id);
  }

  private lookup(name: string, blk: Block, at: Ident, origin: Block = blk): Binding {
    let b: Block | null = blk;
    while (b && b.fn === blk.fn) {
      const x = b.bindings.get(name);
      if (x) return x;
      b = b.parent;
    }
    if (!b) {
      if (this.env.isPredeclared(name)) return { scope: 'predeclared', name };
      if (this.env.isUniversal(name)) return { scope: 'universal', name };
      const hint = nearest(name, this.visibleNames(origin));
      return this.err(`undefined: ${name}${hint ? ` (did you mean ${hint}?)` : ''}`, at);
    }
    const cached = blk.fn.freeByName.get(name);
    if (cached) return cached;
    const outer = this.lookup(name, b, at, origin);
    if (outer.scope === 'local' || outer.scope === 'free') {
      if (outer.scope === 'local' && !outer.captured) {
        outer.captured = true;
        b.fn.cellSlots.push(outer.index);
      }
      const fb: Binding = { scope: 'free', index: blk.fn.freeFrom.length };
      blk.fn.freeFrom.push(outer);
      blk.fn.freeByName.set(name, fb);
      return fb;
    }
    return outer;
  }

  /** Every name visible from blk (for spelling suggestions). */
  private visibleNames(blk: Block): string[] {
    const out: string[] = [];
    for (let b: Block | null = blk; b; b = b.parent) out.push(...b.bindings.keys());
    out.push(...this.env.names());
    return out;
  }

  private expr(e: Expr, blk: Block): void {
    switch (e.k) {
      case 'ident':
        this.use(e, blk);
        return;
      case 'lit':
        return;
      case 'list':
      case 'tuple':
        for (const x of e.elems) this.expr(x, blk);
        return;
      case 'dict':
        for (const [k, v] of e.entries) {
          this.expr(k, blk);
          this.expr(v, blk);
        }
        return;
      case 'comp':
        this.comp(e.clauses, e.body, e.value, blk);
        return;
      case 'unary':
        this.expr(e.x, blk);
        return;
      case 'binary':
        this.expr(e.x, blk);
        this.expr(e.y, blk);
        return;
      case 'cond':
        this.expr(e.cond, blk);
        this.expr(e.then, blk);
        this.expr(e.else, blk);
        return;
      case 'lambda':
        this.func(e.fn, blk);
        return;
      case 'call':
        this.expr(e.fn, blk);
        this.args(e.args, blk);
        return;
      case 'index':
        this.expr(e.x, blk);
        this.expr(e.i, blk);
        return;
      case 'slice':
        this.expr(e.x, blk);
        if (e.lo) this.expr(e.lo, blk);
        if (e.hi) this.expr(e.hi, blk);
        if (e.step) this.expr(e.step, blk);
        return;
      case 'dot':
        this.expr(e.x, blk);
        return;
    }
  }

  private args(args: Arg[], blk: Block): void {
    let phase = 0; // 0 positional, 1 named, 2 *args, 3 **kwargs
    let names: string[] | undefined;
    for (const a of args) {
      switch (a.kind) {
        case 'pos':
          if (phase === 1) this.err('positional argument may not follow named', a);
          if (phase >= 2) this.err(`positional argument may not follow ${phase === 2 ? '*args' : '**kwargs'}`, a);
          break;
        case 'named':
          if (phase >= 3) this.err('keyword argument may not follow **kwargs', a);
          if (names?.includes(a.name!)) this.err(`keyword argument "${a.name}" is repeated`, a);
          (names ??= []).push(a.name!);
          if (phase < 1) phase = 1;
          break;
        case 'star':
          if (phase >= 2) this.err(phase === 2 ? 'multiple *args not allowed' : '*args may not follow **kwargs', a);
          phase = 2;
          break;
        case 'starstar':
          if (phase === 3) this.err('multiple **kwargs not allowed', a);
          phase = 3;
          break;
      }
      this.expr(a.value, blk);
    }
  }

  private comp(clauses: Clause[], body: Expr, value: Expr | undefined, blk: Block): void {
    const first = clauses[0] as Clause & { k: 'for' };
    this.expr(first.iter, blk);
    const cblk: Block = { parent: blk, fn: blk.fn, bindings: new Map() };
    const bindVars = (vars: Expr): void => {
      const ids: Ident[] = [];
      collectTargetIdents(vars, ids);
      for (const id of ids) {
        if (!cblk.bindings.has(id.name)) cblk.bindings.set(id.name, { scope: 'local', index: blk.fn.numLocals++, captured: false });
      }
      this.bindTargets(vars, cblk);
    };
    // As in starlark-go, every clause's variables belong to the comprehension block and uses are resolved
    // against the whole block: in `[x for _ in [3] for x in x]` the second iterable is the local x (unbound).
    for (const c of clauses) if (c.k === 'for') bindVars(c.vars);
    for (let i = 1; i < clauses.length; i++) {
      const c = clauses[i];
      this.expr(c.k === 'for' ? c.iter : c.cond, cblk);
    }
    this.expr(body, cblk);
    if (value) this.expr(value, cblk);
  }
}

function collectTargetIdents(e: Expr, out: Ident[]): void {
  if (e.k === 'ident') out.push(e);
  else if (e.k === 'tuple' || e.k === 'list') for (const x of e.elems) collectTargetIdents(x, out);
}

/** Names bound by a statement in its function block (not descending into nested functions). */
function collectBindings(s: Stmt, out: Ident[], _top: boolean): void {
  switch (s.k) {
    case 'assign':
      if (s.op === '=') collectTargetIdents(s.lhs, out);
      else if (s.lhs.k === 'ident') out.push(s.lhs);
      return;
    case 'def':
      out.push(s.name);
      return;
    case 'for':
      collectTargetIdents(s.vars, out);
      for (const x of s.body) collectBindings(x, out, _top);
      return;
    case 'while':
      for (const x of s.body) collectBindings(x, out, _top);
      return;
    case 'if':
      for (const x of s.then) collectBindings(x, out, _top);
      for (const x of s.else) collectBindings(x, out, _top);
      return;
    case 'load':
      for (const [id] of s.names) out.push(id);
      return;
  }
}
