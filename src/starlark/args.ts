// Argument unpacking and JS<->Starlark conversion helpers for hosts and builtins.
import { Builtin, Bytes, Dict, Float, HostObject, List, StarlarkFunction, StarlarkSet, Struct, Tuple, typeName, type Call, type Value } from './values';
import { charge } from './meter';
import { nearest } from './spell';

interface ParamSpec {
  name: string;
  optional: boolean;
  kwonly: boolean;
}
interface ParsedSpec {
  spec: string[];
  params: ParamSpec[];
  npos: number;
}
/** Parsed specs by first entry; hosts usually pass a fresh but identical array literal per call. */
const specCache = new Map<string, ParsedSpec[]>();

function sameSpec(a: string[], b: string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function parseSpec(spec: string[]): ParsedSpec {
  const key = spec.length > 0 ? spec[0] : '';
  let bucket = specCache.get(key);
  if (bucket) {
    for (const p of bucket) if (sameSpec(p.spec, spec)) return p;
  } else {
    bucket = [];
    specCache.set(key, bucket);
  }
  const params: ParamSpec[] = [];
  let kwonly = false;
  for (const s of spec) {
    if (s === '*') {
      kwonly = true;
      continue;
    }
    const optional = s.endsWith('?');
    params.push({ name: optional ? s.slice(0, -1) : s, optional, kwonly });
  }
  const parsed = { spec: spec.slice(), params, npos: params.filter((p) => !p.kwonly).length };
  bucket.push(parsed);
  return parsed;
}

/**
 * Binds positional and keyword arguments to names. `x?` marks an optional parameter; a `*`
 * entry makes the following names keyword-only. Errors read like starlark-go's UnpackArgs.
 */
export function unpackArgs(call: Call, spec: string[]): Record<string, Value | undefined> {
  const name = call.name;
  const { params, npos } = parseSpec(spec);
  const out: Record<string, Value | undefined> = {};
  if (call.args.length > npos) throw new Error(`${name}: got ${call.args.length} arguments, want at most ${npos}`);
  for (let i = 0; i < call.args.length; i++) out[params[i].name] = call.args[i];
  for (const [k, v] of call.kwargs) {
    let p: ParamSpec | undefined;
    for (const q of params) {
      if (q.name === k) {
        p = q;
        break;
      }
    }
    if (!p) {
      const hint = nearest(k, params.map((q) => q.name));
      throw new Error(`${name}: unexpected keyword argument "${k}"${hint ? ` (did you mean ${hint}?)` : ''}`);
    }
    if (out[k] !== undefined) throw new Error(`${name}: got multiple values for keyword argument "${k}"`);
    out[k] = v;
  }
  for (const p of params) {
    if (!p.optional && out[p.name] === undefined) throw new Error(`${name}: missing argument for ${p.name}`);
  }
  return out;
}

/** Checks a positional-only signature (used by built-in methods). */
export function positional(call: Call, min: number, max: number): Value[] {
  if (call.kwargs.length > 0) throw new Error(`${call.name}: unexpected keyword arguments`);
  const n = call.args.length;
  if (n < min) throw new Error(`${call.name}: got ${n} argument${n === 1 ? '' : 's'}, want ${min === max ? '' : 'at least '}${min}`);
  if (n > max) throw new Error(`${call.name}: got ${n} arguments, want ${min === max ? '' : 'at most '}${max}`);
  return call.args;
}

export function asString(v: Value | undefined, what: string): string {
  if (typeof v !== 'string') throw new Error(`for parameter ${what}: got ${v === undefined ? 'nothing' : typeName(v)}, want string`);
  return v;
}

export function asInt(v: Value | undefined, what: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') throw new Error(`for parameter ${what}: ${v} out of range`);
  throw new Error(`for parameter ${what}: got ${v === undefined ? 'nothing' : typeName(v)}, want int`);
}

export function asBool(v: Value | undefined, what: string): boolean {
  if (typeof v !== 'boolean') throw new Error(`for parameter ${what}: got ${v === undefined ? 'nothing' : typeName(v)}, want bool`);
  return v;
}

/** A string, or a list/tuple of strings, as a string array. */
export function asStringList(v: Value | undefined, what: string): string[] {
  if (typeof v === 'string') return [v];
  if (v instanceof List || v instanceof Tuple) {
    return v.elems.map((e, i) => {
      if (typeof e !== 'string') throw new Error(`for parameter ${what}: element ${i} is ${typeName(e)}, want string`);
      return e;
    });
  }
  throw new Error(`for parameter ${what}: got ${v === undefined ? 'nothing' : typeName(v)}, want string or list of strings`);
}

export type JSValue = null | boolean | number | bigint | string | JSValue[] | { [k: string]: JSValue } | Value;

/** Deeper values are refused by toJS: host code (YAML/JSON encoders) recurses over the result. */
export const MAX_TOJS_DEPTH = 1000;

/**
 * Converts a Starlark value to plain JS (None→null, list/tuple→array, dict/struct→object, Float→number).
 * A list or dict that contains itself, or nesting deeper than MAX_TOJS_DEPTH, is an error (plain JS data
 * cannot be cyclic, and the host's own recursion over it must not overflow the stack).
 */
export function toJS(v: Value): JSValue {
  return toJSDepth(v, 0, new Set());
}

function toJSDepth(v: Value, depth: number, onPath: Set<object>): JSValue {
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof Float) return v.value;
  if (!(v instanceof List || v instanceof Tuple || v instanceof StarlarkSet || v instanceof Dict || v instanceof Struct)) return v;
  if (depth >= MAX_TOJS_DEPTH) throw new Error(`value nested too deeply (more than ${MAX_TOJS_DEPTH} levels)`);
  if (onPath.has(v)) throw new Error(`cannot convert a ${typeName(v)} that contains itself`);
  onPath.add(v);
  charge(lengthOf(v)); // a JS value per element: encode_json/encode_yaml of a million elements in a loop
  const d = depth + 1;
  let r: JSValue;
  if (v instanceof List || v instanceof Tuple) r = v.elems.map((e) => toJSDepth(e, d, onPath));
  else if (v instanceof StarlarkSet) r = v.values().map((e) => toJSDepth(e, d, onPath));
  else {
    const o: { [k: string]: JSValue } = {};
    if (v instanceof Dict) {
      for (const [k, x] of v.entries()) o[typeof k === 'string' ? k : String(toJSDepth(k, d, onPath))] = toJSDepth(x, d, onPath);
    } else {
      for (const k of Object.keys(v.fields)) o[k] = toJSDepth(v.fields[k], d, onPath);
    }
    r = o;
  }
  onPath.delete(v);
  return r;
}

function lengthOf(v: List | Tuple | StarlarkSet | Dict | Struct): number {
  if (v instanceof List || v instanceof Tuple) return v.elems.length;
  if (v instanceof Struct) return Object.keys(v.fields).length;
  return v.size;
}

/** Converts plain JS data to Starlark (object→Dict, array→List, integer→int, other number→Float). */
export function fromJS(x: unknown): Value {
  if (x === null || x === undefined) return null;
  switch (typeof x) {
    case 'boolean':
    case 'string':
      return x;
    case 'bigint':
      return x >= -9007199254740991n && x <= 9007199254740991n ? Number(x) : x;
    case 'number':
      if (Number.isSafeInteger(x)) return x;
      return Number.isInteger(x) ? BigInt(x) : new Float(x);
  }
  if (Array.isArray(x)) {
    charge(x.length); // a Starlark value per element (decode_json/decode_yaml)
    return new List(x.map(fromJS));
  }
  if (
    x instanceof HostObject || x instanceof Float || x instanceof List || x instanceof Tuple || x instanceof Dict ||
    x instanceof Struct || x instanceof StarlarkSet || x instanceof Bytes || x instanceof Builtin || x instanceof StarlarkFunction
  ) {
    return x;
  }
  if (typeof x === 'object') {
    const d = new Dict();
    const entries = Object.entries(x as Record<string, unknown>);
    charge(entries.length);
    for (const [k, v] of entries) d.set(k, fromJS(v));
    return d;
  }
  throw new Error(`cannot convert ${typeof x} to a Starlark value`);
}
