// Helpers for extensions that forward to regular builtins.
import { Builtin, type Call, type Value } from '../../starlark';
import type { Builtins } from './types';

/** Calls builtin `name` with the given arguments, on the caller's thread. */
export function invoke(b: Builtins, name: string, call: Call, args: Value[], kwargs: Array<[string, Value]>): Value {
  const fn = b[name];
  if (!(fn instanceof Builtin)) throw new Error(`internal: no builtin ${name}`);
  return fn.fn({ name, args, kwargs, thread: call.thread });
}

/** Splits kwargs into the ones this extension consumes and the rest (forwarded). */
export function splitKwargs(call: Call, own: string[]): { own: Call; rest: Array<[string, Value]> } {
  const mine = call.kwargs.filter(([k]) => own.includes(k));
  const rest = call.kwargs.filter(([k]) => !own.includes(k));
  return { own: { ...call, kwargs: mine }, rest };
}
