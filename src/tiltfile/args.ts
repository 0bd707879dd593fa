// Argument conversion for Tilt builtins: Starlark values to typed JS, with Tilt-style messages.
// Builtins throw plain Errors; the interpreter prefixes "Error in NAME:" and the call position.
import { Dict, List, Tuple, Bytes, Float, typeName, unpackArgs, type Call, type Value } from '../starlark';
import { Blob } from './values';

export type Args = Record<string, Value | undefined>;

export function unpack(call: Call, names: string[]): Args {
  return unpackArgs(call, names);
}

/** True when the argument was not given or was None. */
export function absent(v: Value | undefined): v is undefined | null {
  return v === undefined || v === null;
}

export function wrongType(param: string, v: Value, want: string): Error {
  return new Error(`for parameter "${param}": got ${typeName(v)}, want ${want}`);
}

export function str(v: Value | undefined, param: string, def = ''): string {
  if (absent(v)) return def;
  if (typeof v === 'string') return v;
  if (v instanceof Blob) return v.text;
  throw wrongType(param, v, 'string');
}

export function optStr(v: Value | undefined, param: string): string | undefined {
  if (absent(v)) return undefined;
  return str(v, param);
}

export function bool(v: Value | undefined, param: string, def = false): boolean {
  if (absent(v)) return def;
  if (typeof v === 'boolean') return v;
  throw wrongType(param, v, 'bool');
}

export function int(v: Value | undefined, param: string, def = 0): number {
  if (absent(v)) return def;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') throw new Error(`for parameter "${param}": ${v} out of range`);
  throw wrongType(param, v, 'int');
}

export function num(v: Value | undefined, param: string, def = 0): number {
  if (v instanceof Float) return v.value;
  return int(v, param, def);
}

/** Elements of a list or tuple; any other value as a one-element list (Tilt's starlarkValueOrSequenceToSlice). */
export function seq(v: Value | undefined): Value[] {
  if (absent(v)) return [];
  if (v instanceof List || v instanceof Tuple) return v.elems;
  return [v];
}

/** A string or a sequence of strings. */
export function strList(v: Value | undefined, param: string): string[] {
  if (absent(v)) return [];
  if (typeof v === 'string') return [v];
  if (v instanceof List || v instanceof Tuple) {
    return v.elems.map((e) => {
      if (typeof e !== 'string') throw new Error(`for parameter "${param}": got ${typeName(v)} containing ${typeName(e)}, want list of strings`);
      return e;
    });
  }
  throw wrongType(param, v, 'string or list of strings');
}

/** A string or list of strings; a bare string stays a shell command, a list is argv (Tilt's StringOrStringList cmds). */
export function command(v: Value | undefined, param: string): { command: string[]; shell: boolean } {
  if (absent(v)) return { command: [], shell: false };
  if (typeof v === 'string') return v === '' ? { command: [], shell: false } : { command: [v], shell: true };
  if (v instanceof Blob) return { command: [v.text], shell: true };
  return { command: strList(v, param), shell: false };
}

export function strDict(v: Value | undefined, param: string): Record<string, string> {
  if (absent(v)) return {};
  if (!(v instanceof Dict)) throw wrongType(param, v, 'dict');
  const out: Record<string, string> = {};
  for (const [k, val] of v.entries()) {
    if (typeof k !== 'string') throw new Error(`for parameter "${param}": keys must be strings; got ${typeName(k)}`);
    if (typeof val === 'string') out[k] = val;
    else if (typeof val === 'number' || typeof val === 'boolean' || typeof val === 'bigint') out[k] = String(val);
    else throw new Error(`for parameter "${param}": value for key "${k}" must be a string; got ${typeName(val)}`);
  }
  return out;
}

export function bytesToString(v: Value): string | undefined {
  if (typeof v === 'string') return v;
  if (v instanceof Blob) return v.text;
  if (v instanceof Bytes) return Buffer.from(v.bytes).toString('utf8');
  return undefined;
}
