// Calling values: argument binding (starlark-go's setArgs), builtins, and error conversion.
import { StarlarkError } from './errors';
import { charge, chargeScan } from './meter';
import { nearest } from './spell';
import { repr } from './ops';
import { escapesExist, norm } from './strings';
import type { Thread, ThreadImpl } from './thread';
import { Builtin, Dict, EvalError, List, MANDATORY, StarlarkFunction, Tuple, typeName, type Cell, type Value } from './values';

export type Slot = Value | Cell | undefined;

/** Calls any callable value from the evaluator or a builtin. */
export function callValue(f: Value, args: Value[], kwargs: Array<[string, Value]> | null, thread: ThreadImpl): Value {
  if (f instanceof StarlarkFunction) return callFunction(f, args, kwargs, thread);
  if (f instanceof Builtin) return callBuiltin(f, args, kwargs ?? [], thread);
  throw new EvalError(`invalid call of non-function (${typeName(f)})`);
}

export function callFunction(fn: StarlarkFunction, args: Value[], kwargs: Array<[string, Value]> | null, thread: ThreadImpl): Value {
  const code = fn.code;
  const locals: Slot[] = new Array(code.numLocals);
  if ((kwargs === null || kwargs.length === 0) && args.length === code.numParams && !code.hasVarargs && !code.hasKwargs) {
    for (let i = 0; i < args.length; i++) locals[i] = args[i];
  } else {
    setArgs(fn, locals, args, kwargs ?? []);
  }
  return fn.invoke(fn, locals, thread);
}

function setArgs(fn: StarlarkFunction, locals: Slot[], args: Value[], kwargs: Array<[string, Value]>): void {
  const code = fn.code;
  const name = code.name;
  const total = code.numParams + (code.hasVarargs ? 1 : 0) + (code.hasKwargs ? 1 : 0);
  if (total === 0) {
    const n = args.length + kwargs.length;
    if (n > 0) throw new EvalError(`function ${name} accepts no arguments (${n} given)`);
    return;
  }
  const nparams = code.numParams;
  let kwdict: Dict | undefined;
  if (code.hasKwargs) {
    kwdict = new Dict();
    locals[nparams + (code.hasVarargs ? 1 : 0)] = kwdict;
  }
  const nonkwonly = nparams - code.numKwonly;
  let n = args.length;
  if (args.length > nonkwonly) {
    if (!code.hasVarargs) {
      const atMost = fn.defaults.length > code.numKwonly ? 'at most ' : '';
      throw new EvalError(`function ${name} accepts ${atMost}${nonkwonly} positional argument${nonkwonly === 1 ? '' : 's'} (${args.length} given)`);
    }
    n = nonkwonly;
  }
  for (let i = 0; i < n; i++) locals[i] = args[i];
  if (code.hasVarargs) locals[nparams] = new Tuple(args.slice(n));
  const params = code.params;
  for (const [k, v] of kwargs) {
    const i = params.indexOf(k);
    if (i >= 0 && i < nparams) {
      if (locals[i] !== undefined) throw new EvalError(`function ${name} got multiple values for parameter "${k}"`);
      locals[i] = v;
      continue;
    }
    if (!kwdict) {
      const hint = nearest(k, params.slice(0, nparams));
      throw new EvalError(`function ${name} got an unexpected keyword argument ${k}${hint ? ` (did you mean ${hint}?)` : ''}`);
    }
    const old = kwdict.size;
    kwdict.set(k, v);
    if (kwdict.size === old) throw new EvalError(`function ${name} got multiple values for parameter "${k}"`);
  }
  if (n < nparams || code.numKwonly > 0) {
    const m = nparams - fn.defaults.length;
    const missing: string[] = [];
    let i: number;
    for (i = n; i < m; i++) if (locals[i] === undefined) missing.push(params[i]);
    for (; i < nparams; i++) {
      if (locals[i] === undefined) {
        const d = fn.defaults[i - m];
        if (d === MANDATORY) {
          missing.push(params[i]);
          continue;
        }
        locals[i] = d;
      }
    }
    if (missing.length > 0) throw new EvalError(`function ${name} missing ${missing.length} argument${missing.length > 1 ? 's' : ''} (${missing.join(', ')})`);
  }
}

export function callBuiltin(b: Builtin, args: Value[], kwargs: Array<[string, Value]>, thread: ThreadImpl): Value {
  let r: Value | undefined;
  try {
    chargeInputs(b.recv, args);
    r = b.fn({ name: b.name, args, kwargs, thread: thread as Thread });
    if (r !== undefined) r = chargeResult(r, thread);
  } catch (err) {
    if (err instanceof StarlarkError) throw err;
    let converted: unknown = err;
    try {
      converted = builtinError(b.name, err, thread);
    } catch {
      // near a stack overflow: let a shallower frame convert it
    }
    throw converted;
  }
  return r === undefined ? null : r;
}

/** Charges for the input a builtin or method scans: s.split(), s.count(), "x".join(...) on long strings. */
export function chargeInputs(recv: Value | undefined, args: Value[]): void {
  if (typeof recv === 'string' && recv.length >= 64) chargeScan(recv.length);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (typeof a === 'string' && a.length >= 64) chargeScan(a.length);
  }
}

/**
 * Charges the step budget for the elements a builtin materialised (list(range(n)), sorted(x), s.split()...),
 * so a loop of cheap-looking calls cannot do unbounded work per step.
 */
export function chargeResult(r: Value, thread: ThreadImpl): Value {
  if (r instanceof List || r instanceof Tuple) {
    thread.steps += r.elems.length;
    if (thread.steps >= thread.nextCheck) thread.check();
  } else if (typeof r === 'string') {
    // a new string costs its size (1 step per 8 chars), so a loop cannot pile up huge strings within the budget
    if (r.length >= 64) charge(r.length >>> 3);
    // raw bytes put side by side (join, replace, format) may now spell a character: one representation
    if (escapesExist()) return norm(r);
  }
  return r;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    // V8's allocation limits: report them as what they are, not as JS internals. No regexes here: this runs
    // near stack overflows, where compiling a regex for the first time aborts the process.
    if (err instanceof RangeError) {
      const m = err.message;
      if (m === 'Invalid string length') return 'string too large (exceeds the JavaScript string size limit)';
      if (m.startsWith('Invalid array length') || m.startsWith('Invalid typed array length') || m.startsWith('Array buffer allocation failed')) {
        return 'value too large (exceeds the JavaScript array size limit)';
      }
      if (m === 'Map maximum size exceeded') return 'dict or set too large (exceeds the JavaScript Map size limit)';
    }
    return err.message;
  }
  return String(err);
}

/** `Error in NAME: msg` (a leading `NAME: ` in msg is not repeated, like starlark-go). */
export function builtinError(name: string, err: unknown, thread: ThreadImpl): StarlarkError {
  let msg = errorMessage(err);
  if (err instanceof RangeError && /call stack/.test(msg)) msg = 'Starlark stack overflow (recursion too deep)';
  if (msg.startsWith(name + ': ')) msg = msg.slice(name.length + 2);
  const frames = thread.frames();
  const top = frames[frames.length - 1];
  return new StarlarkError('runtime', `Error in ${name}: ${msg}`, { file: top?.file ?? '<builtin>', line: top?.line ?? 0, col: top?.col ?? 0 }, frames, name);
}

/**
 * Converts an error escaping a Starlark frame into a StarlarkError carrying the current stack.
 * Near a JS stack overflow the conversion itself may overflow: the original error is then
 * returned unchanged and converted by a shallower frame.
 */
export function toStarlarkError(err: unknown, thread: ThreadImpl): unknown {
  if (err instanceof StarlarkError) return err;
  try {
    return convertError(err, thread);
  } catch {
    return err;
  }
}

function convertError(err: unknown, thread: ThreadImpl): StarlarkError {
  let msg = errorMessage(err);
  if (err instanceof RangeError && /call stack/.test(msg)) msg = 'Starlark stack overflow (recursion too deep)';
  else if (!(err instanceof EvalError) && !(err instanceof Error)) msg = repr(String(err));
  const frames = thread.frames();
  const top = frames[frames.length - 1];
  return new StarlarkError('runtime', msg, { file: top?.file ?? '<unknown>', line: top?.line ?? 0, col: top?.col ?? 0 }, frames);
}
