// Iteration protocol: which values are iterable, and how loops guard against mutation.
import { BytesElems, StringIterable } from './strelems';
import type { Thread, ThreadImpl } from './thread';
import { Dict, EvalError, List, MAX_LIST_LEN, RangeValue, StarlarkSet, Tuple, typeName, type Value } from './values';

export function isIterable(v: Value): boolean {
  return v instanceof List || v instanceof Tuple || v instanceof Dict || v instanceof StarlarkSet || v instanceof RangeValue || v instanceof StringIterable || v instanceof BytesElems;
}

/** A snapshot of the elements of an iterable (dict: keys). */
export function toArray(v: Value): Value[] {
  if (v instanceof List || v instanceof Tuple) return v.elems.slice();
  if (v instanceof Dict) return v.keys();
  if (v instanceof StarlarkSet) return v.values();
  if (v instanceof RangeValue) {
    if (v.len > MAX_LIST_LEN) throw new EvalError(`range too large to materialize (${v.len} elements; limit ${MAX_LIST_LEN})`);
    const out = new Array<Value>(v.len);
    for (let i = 0; i < v.len; i++) out[i] = v.at(i);
    return out;
  }
  if (v instanceof StringIterable || v instanceof BytesElems) return v.toArray();
  throw notIterable(v);
}

/** A for loop or comprehension over a non-iterable (starlark-go's interpreter wording). */
export function loopNotIterable(v: Value): EvalError {
  return new EvalError(`${typeName(v)} value is not iterable`);
}

export function notIterable(v: Value): EvalError {
  // starlark-go's wording (users search for it): `list: for parameter 1: got int, want iterable`
  return new EvalError(`got ${typeName(v)}, want iterable`);
}

/**
 * Runs fn for each element, marking mutable collections as being iterated so that mutation
 * fails with "cannot ... during iteration". fn returns true to stop early.
 */
export function forEach(v: Value, fn: (x: Value) => boolean | void): void {
  if (v instanceof RangeValue) {
    for (let i = 0; i < v.len; i++) if (fn(v.at(i))) return;
    return;
  }
  if (v instanceof Tuple) {
    for (const x of v.elems) if (fn(x)) return;
    return;
  }
  if (v instanceof StringIterable || v instanceof BytesElems) return v.forEach(fn);
  if (v instanceof List || v instanceof Dict || v instanceof StarlarkSet) {
    const elems = v instanceof List ? v.elems : v instanceof Dict ? v.keys() : v.values();
    if (v.frozen) {
      for (let i = 0; i < elems.length; i++) if (fn(elems[i])) return;
      return;
    }
    v.iterating++;
    try {
      for (let i = 0; i < elems.length; i++) if (fn(elems[i])) return;
    } finally {
      v.iterating--;
    }
    return;
  }
  throw notIterable(v);
}

/** forEach for builtins: each element costs a step, so `all(range(10**12))` hits the budget instead of hanging. */
export function forEachStep(v: Value, thread: Thread, fn: (x: Value) => boolean | void): void {
  const t = thread as ThreadImpl;
  forEach(v, (x) => {
    if (++t.steps >= t.nextCheck) t.check();
    return fn(x);
  });
}
