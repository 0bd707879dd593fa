// Tilt's shlex module: quote(s), as Python's shlex.quote (single quotes unless the word is already safe).
import { Builtin, Struct, type Value } from '../starlark';
import { str, unpack } from './args';

export function shellQuote(s: string): string {
  if (s === '') return "''";
  if (/^[\w@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'"'"'`)}'`;
}

export function shlexModule(): Value {
  return new Struct({ quote: new Builtin('shlex.quote', (call) => shellQuote(str(unpack(call, ['s']).s, 's'))) });
}
