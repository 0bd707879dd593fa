// Public API of the Starlark interpreter (contract: README.md).
import { UNIVERSE } from './builtins';
import { callValue } from './call';
import { compileFile } from './compile';
import { StarlarkError } from './errors';
import { parse } from './parser';
import { resolveFile } from './resolver';
import { meter } from './meter';
import { ThreadImpl, type Thread } from './thread';
import { freezeAll, StarlarkFunction, Builtin, typeName, type ModuleState, type Value } from './values';

export { StarlarkError, type Frame, type Pos, type ErrorKind } from './errors';
export { createThread, type Thread } from './thread';
/** Hosts charge the running evaluation's step budget for work their builtins do (no-op outside one). */
export { charge } from './meter';
export {
  Float,
  Bytes,
  List,
  Tuple,
  Dict,
  StarlarkSet,
  StarlarkFunction,
  Builtin,
  Struct,
  HostObject,
  RangeValue,
  typeName,
  truth,
  freeze,
  type Value,
  type Call,
  type BuiltinFn,
} from './values';
export { unpackArgs, asString, asInt, asBool, asStringList, toJS, fromJS, type JSValue } from './args';
export { str, repr } from './ops';
export { structBuiltin, UNIVERSE } from './builtins';
export { parse } from './parser';
export { tokenize, type Token } from './scanner';

export interface ExecOptions {
  filename: string;
  source: string;
  predeclared: Record<string, Value>;
  thread?: Thread;
  load?: (module: string, thread: Thread) => Record<string, Value>;
  print?: (msg: string, thread: Thread) => void;
  maxSteps?: number;
  cancel?: Int32Array;
}

/** Parses, resolves and runs one module; returns its globals (frozen). */
export function execFile(opts: ExecOptions): { globals: Map<string, Value> } {
  const thread = opts.thread ?? new ThreadImpl('main');
  if (!(thread instanceof ThreadImpl)) throw new TypeError('execFile: thread must come from createThread()');
  // A nested evaluation (a load) prints through its own callback only while it runs.
  const nested = thread.stack.length > 0;
  const saved = thread.printFn;
  const savedMeter = meter.thread;
  if (opts.print) thread.printFn = opts.print;
  meter.thread = thread;
  try {
    return execOn(thread, opts);
  } finally {
    meter.thread = savedMeter;
    if (nested) thread.printFn = saved;
  }
}

function execOn(thread: ThreadImpl, opts: ExecOptions): { globals: Map<string, Value> } {
  thread.setBudget(opts.maxSteps, opts.cancel);

  const predeclared = opts.predeclared;
  const ast = guardDepth(opts.filename, () => parse(opts.source, opts.filename));
  const { globals: names, loaded } = guardDepth(opts.filename, () => resolveFile(ast, {
    isPredeclared: (n) => Object.prototype.hasOwnProperty.call(predeclared, n) && predeclared[n] !== undefined,
    isUniversal: (n) => UNIVERSE.has(n),
    names: () => [...Object.keys(predeclared), ...UNIVERSE.keys()],
  }));
  const module: ModuleState = { globals: new Array<Value | undefined>(names.length), names, file: opts.filename };
  const run = guardDepth(opts.filename, () => compileFile(ast, {
    file: opts.filename,
    module,
    lookupPredeclared: (n) => (Object.prototype.hasOwnProperty.call(predeclared, n) && predeclared[n] !== undefined ? predeclared[n] : UNIVERSE.get(n)!),
    load: opts.load ? (m, t) => opts.load!(m, t) : undefined,
  }));
  try {
    run(thread);
  } catch (err) {
    if (err instanceof StarlarkError) throw err;
    const msg = err instanceof RangeError ? 'Starlark stack overflow (recursion too deep)' : err instanceof Error ? err.message : String(err);
    throw new StarlarkError('runtime', msg, { file: opts.filename, line: 1, col: 1 }, [{ file: opts.filename, line: 1, col: 1, fn: '<toplevel>' }]);
  }

  const globals = new Map<string, Value>();
  names.forEach((n, i) => {
    const v = module.globals[i];
    if (v !== undefined && !loaded.has(n)) globals.set(n, v);
  });
  freezeAll(module.globals);
  return { globals };
}

/** Pathologically nested source overflows the JS stack in the recursive parser: report it as a syntax error. */
function guardDepth<T>(file: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof RangeError) throw new StarlarkError('syntax', 'program too deeply nested', { file, line: 1, col: 1 });
    throw err;
  }
}

/** Calls a Starlark callable (function or builtin) from host code, e.g. a callback a Tiltfile passed in. */
export function call(thread: Thread, fn: Value, args: Value[] = [], kwargs: Array<[string, Value]> = []): Value {
  if (!(thread instanceof ThreadImpl)) throw new TypeError('call: thread must come from createThread()');
  if (!(fn instanceof StarlarkFunction) && !(fn instanceof Builtin)) throw new TypeError(`call: ${typeName(fn)} is not callable`);
  const savedMeter = meter.thread;
  meter.thread = thread;
  try {
    return callValue(fn, args, kwargs, thread);
  } finally {
    meter.thread = savedMeter;
  }
}

/** Cancels the evaluation running on thread at its next step check (e.g. from a builtin). */
export function cancelThread(thread: Thread, reason: string): void {
  if (!(thread instanceof ThreadImpl)) throw new TypeError('cancelThread: thread must come from createThread()');
  thread.cancel(reason);
}
