// Attributes and built-in methods of string, bytes, list, dict and set.
import { positional, unpackArgs } from './args';
import { builtinError, chargeInputs, chargeResult } from './call';
import { StarlarkError } from './errors';
import { nearest } from './spell';
import { forEach, forEachStep, toArray } from './iter';
import { equals, outOfRange, repr, str, strLen, toIndexInt } from './ops';
import { charge, chargeScan } from './meter';
import { BytesElems, StringIterable } from './strelems';
import { byteOffsetOf, isAscii, unitIndexOf, utf8Bytes } from './strings';
import type { ThreadImpl } from './thread';
import {
  Builtin,
  Bytes,
  Dict,
  EvalError,
  HostObject,
  List,
  StarlarkSet,
  Struct,
  Tuple,
  RangeValue,
  MAX_LIST_LEN,
  checkSize,
  typeName,
  type Call,
  type Value,
} from './values';

/**
 * A built-in method. Each table is selected by the receiver's type, so implementations declare
 * their concrete receiver (string, List, ...); method syntax makes the parameter bivariant.
 */
export type MethodFn = { impl(recv: Value, c: Call): Value }['impl'];

export function findMethod(recv: Value, name: string): Builtin | undefined {
  const m = findMethodFn(recv, name);
  return m ? new Builtin(name, (c) => m(recv, c), recv) : undefined;
}

/** The implementation of recv.name(...), without allocating a bound method. */
export function findMethodFn(recv: Value, name: string): MethodFn | undefined {
  if (typeof recv === 'string') return stringTable.get(name);
  if (recv instanceof List) return listTable.get(name);
  if (recv instanceof Dict) return dictTable.get(name);
  if (recv instanceof StarlarkSet) return setTable.get(name);
  if (recv instanceof Bytes) return bytesTable.get(name);
  return undefined;
}

/** Calls a method implementation, reporting failures as `Error in NAME: ...`. */
export function callMethod(m: MethodFn, recv: Value, name: string, args: Value[], kwargs: Array<[string, Value]>, thread: ThreadImpl): Value {
  try {
    chargeInputs(recv, args);
    return chargeResult(m(recv, { name, args, kwargs, thread }), thread);
  } catch (err) {
    if (err instanceof StarlarkError) throw err;
    let converted: unknown = err;
    try {
      converted = builtinError(name, err, thread);
    } catch {
      // near a stack overflow: let a shallower frame convert it
    }
    throw converted;
  }
}

function methodTable(recv: Value): Record<string, MethodFn> | undefined {
  if (typeof recv === 'string') return stringMethods;
  if (recv instanceof List) return listMethods;
  if (recv instanceof Dict) return dictMethods;
  if (recv instanceof StarlarkSet) return setMethods;
  if (recv instanceof Bytes) return bytesMethods;
  return undefined;
}

export function getAttr(x: Value, name: string): Value {
  if (x instanceof Struct) {
    if (Object.prototype.hasOwnProperty.call(x.fields, name)) return x.fields[name];
    throw new EvalError(`struct has no .${name} attribute${didYouMean(name, Object.keys(x.fields))}`);
  }
  if (x instanceof HostObject) {
    const v = x.attr(name);
    if (v !== undefined) return v;
    throw new EvalError(`${x.typeName} has no .${name} field or method${didYouMean(name, x.attrNames())}`);
  }
  const m = findMethod(x, name);
  if (m) return m;
  throw new EvalError(`${typeName(x)} has no .${name} field or method${didYouMean(name, attrNames(x))}`);
}

function didYouMean(name: string, candidates: string[]): string {
  const n = nearest(name, candidates);
  return n ? ` (did you mean .${n}?)` : '';
}

export function hasAttr(x: Value, name: string): boolean {
  if (x instanceof Struct) return Object.prototype.hasOwnProperty.call(x.fields, name);
  if (x instanceof HostObject) return x.attr(name) !== undefined;
  const t = methodTable(x);
  return !!t && Object.prototype.hasOwnProperty.call(t, name);
}

export function attrNames(x: Value): string[] {
  if (x instanceof Struct) return Object.keys(x.fields).sort();
  if (x instanceof HostObject) return x.attrNames().slice().sort();
  const t = methodTable(x);
  return t ? Object.keys(t).sort() : [];
}

export function setAttr(x: Value, name: string, _v: Value): void {
  if (x instanceof Struct) throw new EvalError(`cannot set .${name} field of struct`);
  throw new EvalError(`can't assign to .${name} field of ${typeName(x)}`);
}


// ---- strings ----------------------------------------------------------------------------------


function argStr(v: Value | undefined, fn: string, what = 'argument'): string {
  if (typeof v !== 'string') throw new Error(`${fn}: for parameter ${what}: got ${v === undefined ? 'None' : typeName(v)}, want string`);
  return v;
}

/** Byte offsets <-> JS string positions for non-ASCII strings. */
function byteToCharIndex(s: string, b: number): number {
  return unitIndexOf(s, b);
}
function charToByteIndex(s: string, i: number): number {
  return byteOffsetOf(s, i);
}

/** Resolves optional start/end (byte offsets, may be negative/None) to a JS substring window. */
function window(s: string, start: Value | undefined, end: Value | undefined): [number, number] {
  const n = strLen(s);
  let a = start === undefined || start === null ? 0 : toIndexInt(start, 'start');
  let b = end === undefined || end === null ? n : toIndexInt(end, 'end');
  if (a < 0) a = Math.max(0, a + n);
  if (b < 0) b = Math.max(0, b + n);
  a = Math.min(a, n);
  b = Math.min(b, n);
  return [byteToCharIndex(s, a), byteToCharIndex(s, Math.max(a, b))];
}

function finder(s: string, c: Call, last: boolean): number {
  const [sub, start, end] = positional(c, 1, 3);
  const needle = argStr(sub, c.name, 'sub');
  const [a, b] = window(s, start, end);
  const hay = s.slice(a, b);
  const i = last ? hay.lastIndexOf(needle) : hay.indexOf(needle);
  return i < 0 ? -1 : charToByteIndex(s, a + i);
}

function isSpace(ch: string): boolean {
  return /\s/.test(ch);
}

function splitWhitespace(s: string, max: number, fromRight: boolean): string[] {
  const out: string[] = [];
  if (!fromRight) {
    let i = 0;
    const n = s.length;
    while (i < n) {
      while (i < n && isSpace(s[i])) i++;
      if (i >= n) break;
      if (max >= 0 && out.length === max) {
        out.push(s.slice(i));
        return out;
      }
      let j = i;
      while (j < n && !isSpace(s[j])) j++;
      out.push(s.slice(i, j));
      i = j;
    }
    return out;
  }
  let i = s.length;
  while (i > 0) {
    while (i > 0 && isSpace(s[i - 1])) i--;
    if (i <= 0) break;
    if (max >= 0 && out.length === max) {
      out.push(s.slice(0, i));
      break;
    }
    let j = i;
    while (j > 0 && !isSpace(s[j - 1])) j--;
    out.push(s.slice(j, i));
    i = j;
  }
  return out.reverse();
}

function stripChars(s: string, chars: Value | undefined, left: boolean, right: boolean, fn: string): string {
  if (chars === undefined || chars === null) {
    let a = 0;
    let b = s.length;
    if (left) while (a < b && isSpace(s[a])) a++;
    if (right) while (b > a && isSpace(s[b - 1])) b--;
    return s.slice(a, b);
  }
  const set = argStr(chars, fn, 'chars');
  let a = 0;
  let b = s.length;
  if (left) while (a < b && set.includes(s[a])) a++;
  if (right) while (b > a && set.includes(s[b - 1])) b--;
  return s.slice(a, b);
}

function prefixArg(v: Value, fn: string): string[] {
  if (typeof v === 'string') return [v];
  if (v instanceof Tuple) return v.elems.map((e) => argStr(e, fn));
  throw new Error(`${fn}: got ${typeName(v)}, want string or tuple of strings`);
}

function casedTest(s: string, upper: boolean): boolean {
  let cased = false;
  for (const ch of s) {
    const lo = ch.toLowerCase();
    const up = ch.toUpperCase();
    if (lo === up) continue;
    if (upper ? ch !== up : ch !== lo) return false;
    cased = true;
  }
  return cased;
}


/** Go's unicode.ToTitle for one rune: the digraphs have title forms distinct from upper case. */
const TITLE_DIGRAPH: Record<number, number> = { 0x1c4: 0x1c5, 0x1c5: 0x1c5, 0x1c6: 0x1c5, 0x1c7: 0x1c8, 0x1c8: 0x1c8, 0x1c9: 0x1c8, 0x1ca: 0x1cb, 0x1cb: 0x1cb, 0x1cc: 0x1cb, 0x1f1: 0x1f2, 0x1f2: 0x1f2, 0x1f3: 0x1f2 };

/** A one-rune case mapping (Go maps rune to rune; JS may expand 'ß' to 'SS', which Go leaves alone). */
function oneRune(ch: string, mapped: string): string {
  return [...mapped].length === 1 ? mapped : ch;
}

/** Go's unicode.ToUpper / ToLower for one rune (simple mappings), where JS's full mapping differs. */
function upperRune(ch: string): string {
  const cp = ch.codePointAt(0)!;
  // Greek with ypogegrammeni: Go maps to the prosgegrammeni capital; JS expands to two letters
  if ((cp >= 0x1f80 && cp <= 0x1f87) || (cp >= 0x1f90 && cp <= 0x1f97) || (cp >= 0x1fa0 && cp <= 0x1fa7)) return String.fromCodePoint(cp + 8);
  if (cp === 0x1fb3 || cp === 0x1fc3 || cp === 0x1ff3) return String.fromCodePoint(cp + 9);
  return oneRune(ch, ch.toUpperCase());
}
function lowerRune(ch: string): string {
  return ch === '\u0130' ? 'i' : oneRune(ch, ch.toLowerCase());
}

/**
 * strings.ToUpper / ToLower: rune by rune, without JS's expansions ('ß' → 'SS') or final-sigma context. JS's
 * whole-string mapping is the same whenever neither can occur (checked cheaply), and builds no rope.
 */
function mapCase(s: string, upper: boolean): string {
  chargeScan(s.length);
  if (upper) {
    const fast = s.toUpperCase();
    if (fast.length === s.length && !YPOGEGRAMMENI.test(s)) return fast;
  } else if (!SIGMA_OR_DOTTED_I.test(s)) return s.toLowerCase();
  return mapRunes(s, upper ? upperRune : lowerRune);
}
const YPOGEGRAMMENI = /[\u1f80-\u1faf\u1fb3\u1fc3\u1ff3]/;
const SIGMA_OR_DOTTED_I = /[\u03a3\u0130]/;

/** Maps each rune, joining in chunks (appending rune by rune would build a rope of millions of nodes). */
function mapRunes(s: string, f: (ch: string, prev: string) => string): string {
  const chunks: string[] = [];
  let part: string[] = [];
  let prev = '';
  for (const ch of s) {
    prev = f(ch, prev);
    part.push(prev);
    if (part.length === 4096) {
      chunks.push(part.join(''));
      part = [];
    }
  }
  chunks.push(part.join(''));
  return chunks.join('');
}

function titleCase(s: string): string {
  charge(s.length >>> 1); // a callback per word (up to one per 2 chars) or per rune: charged like loop steps
  // ASCII: a cased rune is a letter, so title-casing is per run of letters
  if (isAscii(s)) return s.replace(/[A-Za-z]+/g, (w) => w[0].toUpperCase() + w.slice(1).toLowerCase());
  let prevCased = false;
  return mapRunes(s, (ch) => {
    const cp = ch.codePointAt(0)!;
    const r = prevCased ? lowerRune(ch) : TITLE_DIGRAPH[cp] !== undefined ? String.fromCodePoint(TITLE_DIGRAPH[cp]) : upperRune(ch);
    prevCased = r.toLowerCase() !== r.toUpperCase();
    return r;
  });
}

const stringMethods: Record<string, MethodFn> = {
  capitalize: (s: string, c) => {
    positional(c, 0, 0);
    if (!s.length) return s;
    const first = String.fromCodePoint(s.codePointAt(0)!);
    const cp = first.codePointAt(0)!;
    return (TITLE_DIGRAPH[cp] !== undefined ? String.fromCodePoint(TITLE_DIGRAPH[cp]) : upperRune(first)) + mapCase(s.slice(first.length), false);
  },
  count: (s: string, c) => {
    const [sub, start, end] = positional(c, 1, 3);
    const needle = argStr(sub, c.name, 'sub');
    const [a, b] = window(s, start, end);
    const hay = s.slice(a, b);
    if (needle === '') return strLen(hay) + 1;
    let n = 0;
    for (let i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, i + needle.length)) n++;
    return n;
  },
  elems: (s: string, c) => (positional(c, 0, 0), new StringIterable(s, 'elems')),
  elem_ords: (s: string, c) => (positional(c, 0, 0), new StringIterable(s, 'elem_ords')),
  codepoints: (s: string, c) => (positional(c, 0, 0), new StringIterable(s, 'codepoints')),
  codepoint_ords: (s: string, c) => (positional(c, 0, 0), new StringIterable(s, 'codepoint_ords')),
  endswith: (s: string, c) => {
    const [suf, start, end] = positional(c, 1, 3);
    const [a, b] = window(s, start, end);
    const sub = s.slice(a, b);
    return prefixArg(suf, c.name).some((p) => sub.endsWith(p));
  },
  startswith: (s: string, c) => {
    const [pre, start, end] = positional(c, 1, 3);
    const [a, b] = window(s, start, end);
    const sub = s.slice(a, b);
    return prefixArg(pre, c.name).some((p) => sub.startsWith(p));
  },
  find: (s: string, c) => finder(s, c, false),
  rfind: (s: string, c) => finder(s, c, true),
  index: (s: string, c) => {
    const i = finder(s, c, false);
    if (i < 0) throw new Error(`${c.name}: substring not found`);
    return i;
  },
  rindex: (s: string, c) => {
    const i = finder(s, c, true);
    if (i < 0) throw new Error(`${c.name}: substring not found`);
    return i;
  },
  format: (s: string, c) => strFormat(s, c),
  isalnum: (s: string, c) => (positional(c, 0, 0), s.length > 0 && /^[\p{L}\p{N}]+$/u.test(s)),
  isalpha: (s: string, c) => (positional(c, 0, 0), s.length > 0 && /^\p{L}+$/u.test(s)),
  isdigit: (s: string, c) => (positional(c, 0, 0), s.length > 0 && /^\p{Nd}+$/u.test(s)),
  islower: (s: string, c) => (positional(c, 0, 0), casedTest(s, false)),
  isupper: (s: string, c) => (positional(c, 0, 0), casedTest(s, true)),
  isspace: (s: string, c) => (positional(c, 0, 0), s.length > 0 && /^\s+$/.test(s)),
  istitle: (s: string, c) => {
    positional(c, 0, 0);
    let cased = false;
    let prevCased = false;
    for (const ch of s) {
      const isUp = ch !== ch.toLowerCase();
      const isLo = ch !== ch.toUpperCase();
      if (isUp) {
        if (prevCased) return false;
        cased = true;
        prevCased = true;
      } else if (isLo) {
        if (!prevCased) return false;
        prevCased = true;
      } else prevCased = false;
    }
    return cased;
  },
  join: (s: string, c) => {
    const [it] = positional(c, 1, 1);
    const parts: string[] = [];
    forEachStep(it, c.thread, (x) => {
      if (typeof x !== 'string') throw new Error(`${c.name}: in list, want string, got ${typeName(x)}`);
      parts.push(x);
    });
    return parts.join(s);
  },
  lower: (s: string, c) => (positional(c, 0, 0), mapCase(s, false)),
  upper: (s: string, c) => (positional(c, 0, 0), mapCase(s, true)),
  title: (s: string, c) => (positional(c, 0, 0), titleCase(s)),
  strip: (s: string, c) => stripChars(s, positional(c, 0, 1)[0], true, true, c.name),
  lstrip: (s: string, c) => stripChars(s, positional(c, 0, 1)[0], true, false, c.name),
  rstrip: (s: string, c) => stripChars(s, positional(c, 0, 1)[0], false, true, c.name),
  partition: (s: string, c) => {
    const sep = argStr(positional(c, 1, 1)[0], c.name);
    if (sep === '') throw new Error(`${c.name}: empty separator`);
    const i = s.indexOf(sep);
    return i < 0 ? new Tuple([s, '', '']) : new Tuple([s.slice(0, i), sep, s.slice(i + sep.length)]);
  },
  rpartition: (s: string, c) => {
    const sep = argStr(positional(c, 1, 1)[0], c.name);
    if (sep === '') throw new Error(`${c.name}: empty separator`);
    const i = s.lastIndexOf(sep);
    return i < 0 ? new Tuple(['', '', s]) : new Tuple([s.slice(0, i), sep, s.slice(i + sep.length)]);
  },
  removeprefix: (s: string, c) => {
    const p = argStr(positional(c, 1, 1)[0], c.name);
    return s.startsWith(p) ? s.slice(p.length) : s;
  },
  removesuffix: (s: string, c) => {
    const p = argStr(positional(c, 1, 1)[0], c.name);
    return p !== '' && s.endsWith(p) ? s.slice(0, s.length - p.length) : s;
  },
  replace: (s: string, c) => {
    const [o, n, cnt] = positional(c, 2, 3);
    const old = argStr(o, c.name, 'old');
    const nw = argStr(n, c.name, 'new');
    let count = cnt === undefined ? -1 : toIndexInt(cnt, `${c.name}: count`);
    if (count < 0) count = Infinity;
    // Pieces are joined in chunks: appending one by one builds a rope with a node per occurrence, and V8's
    // replaceAll collects every match index first (millions for a long string: either way the heap runs out).
    // Each occurrence costs a step, like a loop iteration. old == '' inserts at every code point boundary.
    const chunks: string[] = [];
    let part: string[] = [];
    let i = 0;
    let k = 0;
    while (k < count) {
      let j: number;
      if (old === '') {
        if (i > s.length) break;
        j = i;
      } else {
        j = s.indexOf(old, i);
        if (j < 0) break;
      }
      part.push(s.slice(i, j), nw);
      if (old === '') {
        const cp = s.codePointAt(j);
        const w = cp === undefined ? 1 : cp > 0xffff ? 2 : 1;
        if (j < s.length) part.push(s.slice(j, j + w));
        i = j + w;
      } else i = j + old.length;
      k++;
      if (part.length >= 4096) {
        charge(part.length >>> 1);
        chunks.push(part.join(''));
        part = [];
      }
    }
    charge(part.length >>> 1);
    if (i < s.length) part.push(s.slice(i));
    chunks.push(part.join(''));
    return chunks.join('');
  },
  split: (s: string, c) => splitImpl(s, c, false),
  rsplit: (s: string, c) => splitImpl(s, c, true),
  splitlines: (s: string, c) => {
    const { keepends } = unpackArgs(c, ['keepends?']);
    if (keepends !== undefined && typeof keepends !== 'boolean') throw new Error(`${c.name}: for parameter keepends: got ${typeName(keepends)}, want bool`);
    const keep = keepends === true;
    const out: string[] = [];
    let i = 0;
    while (i < s.length) {
      let j = i;
      while (j < s.length && s[j] !== '\n' && s[j] !== '\r') j++;
      let end = j;
      if (j < s.length) end = s[j] === '\r' && s[j + 1] === '\n' ? j + 2 : j + 1;
      out.push(keep ? s.slice(i, end) : s.slice(i, j));
      i = end;
    }
    return new List(out);
  },
};

function splitImpl(s: string, c: Call, fromRight: boolean): Value {
  const { sep, maxsplit } = unpackArgs(c, ['sep?', 'maxsplit?']);
  const max = maxsplit === undefined || maxsplit === null ? -1 : toIndexInt(maxsplit, `${c.name}: maxsplit`);
  if (sep === undefined || sep === null) return new List(splitWhitespace(s, max, fromRight));
  const d = argStr(sep, c.name, 'sep');
  if (d === '') throw new Error(`${c.name}: empty separator`);
  if (max < 0) {
    // Count (and pay for) the pieces before allocating them: a 2^27-piece result must fail cleanly and fast.
    let pieces = 1;
    for (let i = s.indexOf(d); i >= 0 && pieces <= MAX_LIST_LEN; i = s.indexOf(d, i + d.length)) {
      if ((++pieces & 1023) === 0) charge(1024);
    }
    if (pieces > MAX_LIST_LEN) throw new Error(`${c.name}: result too large (more than ${MAX_LIST_LEN} elements)`);
    const parts = s.split(d);
    if (parts.length > MAX_LIST_LEN) throw new Error(`${c.name}: result too large (more than ${MAX_LIST_LEN} elements)`);
    return new List(parts);
  }
  const out: string[] = [];
  if (!fromRight) {
    let rest = s;
    while (out.length < max) {
      const i = rest.indexOf(d);
      if (i < 0) break;
      out.push(rest.slice(0, i));
      rest = rest.slice(i + d.length);
    }
    out.push(rest);
    return new List(out);
  }
  let rest = s;
  while (out.length < max) {
    const i = rest.lastIndexOf(d);
    if (i < 0) break;
    out.push(rest.slice(i + d.length));
    rest = rest.slice(0, i);
  }
  out.push(rest);
  return new List(out.reverse());
}

/** str.format: {} {0} {name} {{ }} and !s/!r conversions (no format specs, like starlark-go). */
function strFormat(s: string, c: Call): string {
  let out = '';
  let auto = 0;
  let mode: 'auto' | 'manual' | undefined;
  let i = 0;
  while (i < s.length) {
    const ch = s[i];
    if (ch === '}') {
      if (s[i + 1] === '}') {
        out += '}';
        i += 2;
        continue;
      }
      throw new Error(`format: single '}' in format`);
    }
    if (ch !== '{') {
      out += ch;
      i++;
      continue;
    }
    if (s[i + 1] === '{') {
      out += '{';
      i += 2;
      continue;
    }
    const close = s.indexOf('}', i);
    if (close < 0) throw new Error(`format: unmatched '{' in format`);
    let field = s.slice(i + 1, close);
    i = close + 1;
    let conv = 's';
    const bang = field.indexOf('!');
    if (bang >= 0) {
      conv = field.slice(bang + 1);
      field = field.slice(0, bang);
      if (conv !== 's' && conv !== 'r') throw new Error(`format: unknown conversion "${conv}"`);
    }
    if (field.includes(':')) throw new Error('format spec features not supported in replacement fields');
    let arg: Value;
    if (field === '') {
      if (mode === 'manual') throw new Error('format: cannot switch from manual field specification to automatic field numbering');
      mode = 'auto';
      if (auto >= c.args.length) throw new Error('format: tuple index out of range');
      arg = c.args[auto++];
    } else if (/^\d+$/.test(field)) {
      if (mode === 'auto') throw new Error('format: cannot switch from automatic field numbering to manual field specification');
      mode = 'manual';
      const k = parseInt(field, 10);
      if (k >= c.args.length) throw new Error('format: tuple index out of range');
      arg = c.args[k];
    } else {
      if (field.includes('.')) throw new Error(`format: attribute syntax x.y is not supported in replacement fields: ${field}`);
      if (field.includes('[')) throw new Error(`format: element syntax a[i] is not supported in replacement fields: ${field}`);
      const kv = c.kwargs.find(([k]) => k === field);
      if (!kv) throw new Error(`format: keyword ${field} not found`);
      arg = kv[1];
    }
    out += conv === 'r' ? repr(arg) : str(arg);
  }
  return out;
}

// ---- bytes ------------------------------------------------------------------------------------

const bytesMethods: Record<string, MethodFn> = {
  elems: (b: Bytes, c) => (positional(c, 0, 0), new BytesElems(b.bytes)),
};

export function toBytes(v: Value, fn: string): Bytes {
  if (v instanceof Bytes) return v;
  if (typeof v === 'string') return new Bytes(Uint8Array.from(utf8Bytes(v)));
  const out: number[] = [];
  forEach(v, (x) => {
    if (typeof x !== 'number' || x < 0 || x > 255) throw new Error(`${fn}: at index ${out.length}, ${repr(x)} out of range (want value in unsigned 8-bit range)`);
    out.push(x);
  });
  return new Bytes(Uint8Array.from(out));
}

// ---- list -------------------------------------------------------------------------------------

const listMethods: Record<string, MethodFn> = {
  append: (l: List, c) => {
    const [x] = positional(c, 1, 1);
    l.mutable('append to');
    l.elems.push(x);
    return null;
  },
  clear: (l: List, c) => {
    positional(c, 0, 0);
    l.mutable('clear');
    l.elems.length = 0;
    return null;
  },
  extend: (l: List, c) => {
    const [x] = positional(c, 1, 1);
    l.mutable('extend');
    const add = toArray(x);
    checkSize(l.elems.length + add.length, 'list');
    charge(add.length); // a copy: 1 step per element
    for (const e of add) l.elems.push(e);
    return null;
  },
  index: (l: List, c) => {
    const [x, start, end] = positional(c, 1, 3);
    const n = l.elems.length;
    let a = start === undefined || start === null ? 0 : toIndexInt(start, 'start');
    let b = end === undefined || end === null ? n : toIndexInt(end, 'end');
    if (a < 0) a = Math.max(0, a + n);
    if (b < 0) b = Math.max(0, b + n);
    // each comparison costs a step, like `x in l`
    for (let i = a; i < Math.min(b, n); i++) {
      if (equals(l.elems[i], x)) {
        charge(i - a + 1);
        return i;
      }
    }
    charge(Math.max(0, Math.min(b, n) - a));
    throw new Error(`${c.name}: value not in list`);
  },
  insert: (l: List, c) => {
    const [i, x] = positional(c, 2, 2);
    l.mutable('insert into');
    const n = l.elems.length;
    let k = toIndexInt(i, 'index');
    if (k < 0) k += n;
    k = Math.min(Math.max(k, 0), n);
    chargeScan(n - k); // the elements after k move: insert(0, x) on a long list is not one step's work
    l.elems.splice(k, 0, x);
    return null;
  },
  pop: (l: List, c) => {
    const [i] = positional(c, 0, 1);
    const n = l.elems.length;
    let k = i === undefined ? n - 1 : toIndexInt(i, 'index');
    const orig = i === undefined ? k : k;
    if (k < 0) k += n;
    if (k < 0 || k >= n) throw new Error(`${c.name}: ${outOfRange(orig, n, l).message}`);
    l.mutable('pop from');
    chargeScan(n - k);
    return l.elems.splice(k, 1)[0];
  },
  remove: (l: List, c) => {
    const [x] = positional(c, 1, 1);
    l.mutable('remove from');
    const i = l.elems.findIndex((e) => equals(e, x));
    charge(i < 0 ? l.elems.length : i + 1); // each comparison costs a step
    if (i < 0) throw new Error(`${c.name}: element not found`);
    chargeScan(l.elems.length - i);
    l.elems.splice(i, 1);
    return null;
  },
};

// ---- dict -------------------------------------------------------------------------------------

export function dictUpdate(d: Dict, args: Value[], kwargs: Array<[string, Value]>, fn: string): void {
  if (args.length > 1) throw new Error(`${fn}: got ${args.length} arguments, want at most 1`);
  if (args.length === 1) {
    const src = args[0];
    if (src instanceof Dict) {
      // copying entries (dict(x), d.update(x)): a hash insertion costs about 8 loop steps (measured)
      charge(8 * src.size);
      for (const [k, v] of src.entries()) d.set(k, v);
    } else {
      let i = 0;
      forEach(src, (pair) => {
        charge(8);
        let kv: Value[];
        try {
          kv = toArray(pair);
        } catch {
          throw new Error(`${fn}: dictionary update sequence element #${i} is not iterable (${typeName(pair)})`);
        }
        if (kv.length !== 2) throw new Error(`${fn}: dictionary update sequence element #${i} has length ${kv.length}, want 2`);
        d.set(kv[0], kv[1]);
        i++;
      });
    }
  }
  for (const [k, v] of kwargs) d.set(k, v);
}

const dictMethods: Record<string, MethodFn> = {
  clear: (d: Dict, c) => (positional(c, 0, 0), d.clear(), null),
  get: (d: Dict, c) => {
    const [k, dflt] = positional(c, 1, 2);
    const v = d.get(k); // unhashable keys throw here
    if (v === undefined) return dflt === undefined ? null : dflt;
    return v;
  },
  items: (d: Dict, c) => (positional(c, 0, 0), new List(d.entries().map(([k, v]) => new Tuple([k, v])))),
  keys: (d: Dict, c) => (positional(c, 0, 0), new List(d.keys())),
  values: (d: Dict, c) => (positional(c, 0, 0), new List(d.values())),
  pop: (d: Dict, c) => {
    const [k, dflt] = positional(c, 1, 2);
    const v = d.delete(k);
    if (v !== undefined) return v;
    if (dflt !== undefined) return dflt;
    throw new Error(`${c.name}: missing key`);
  },
  popitem: (d: Dict, c) => {
    positional(c, 0, 0);
    const e = d.entries()[0];
    if (!e) throw new Error(`${c.name}: empty dict`);
    d.delete(e[0]);
    return new Tuple([e[0], e[1]]);
  },
  setdefault: (d: Dict, c) => {
    const [k, dflt] = positional(c, 1, 2);
    const v = d.get(k);
    if (v !== undefined) return v;
    const nv = dflt === undefined ? null : dflt;
    d.set(k, nv);
    return nv;
  },
  update: (d: Dict, c) => (dictUpdate(d, c.args, c.kwargs, c.name), null),
};

// ---- set --------------------------------------------------------------------------------------

/** A range too large to hold fails fast (the size error) instead of hashing millions of ints first. */
function hugeRangeCheck(v: Value): Value {
  if (v instanceof RangeValue && v.len > MAX_LIST_LEN) toArray(v);
  return v;
}

function setFrom(v: Value): StarlarkSet {
  const s = new StarlarkSet();
  // toArray: a huge range is a clean error instead of a hang.
  for (const x of toArray(v)) s.add(x);
  return s;
}

const setMethods: Record<string, MethodFn> = {
  add: (s: StarlarkSet, c) => (s.add(positional(c, 1, 1)[0]), null),
  clear: (s: StarlarkSet, c) => (positional(c, 0, 0), s.clear(), null),
  discard: (s: StarlarkSet, c) => {
    const [x] = positional(c, 1, 1);
    if (s.has(x)) s.delete(x); // as starlark-go: a missing element is fine even when frozen
    return null;
  },
  remove: (s: StarlarkSet, c) => {
    const [x] = positional(c, 1, 1);
    if (!s.delete(x)) throw new Error(`${c.name}: missing key`); // delete checks frozen first
    return null;
  },
  pop: (s: StarlarkSet, c) => {
    positional(c, 0, 0);
    const v = s.values()[0];
    if (v === undefined) throw new Error(`${c.name}: empty set`);
    s.delete(v);
    return v;
  },
  union: (s: StarlarkSet, c) => {
    const r = setFrom(new List(s.values()));
    for (const a of positional(c, 0, Infinity)) forEachStep(hugeRangeCheck(a), c.thread, (x) => void r.add(x));
    return r;
  },
  intersection: (s: StarlarkSet, c) => {
    let r = setFrom(new List(s.values()));
    for (const a of positional(c, 0, Infinity)) {
      const o = setFrom(a);
      const n = new StarlarkSet();
      for (const x of r.values()) if (o.has(x)) n.add(x);
      r = n;
    }
    return r;
  },
  difference: (s: StarlarkSet, c) => {
    const r = setFrom(new List(s.values()));
    for (const a of positional(c, 0, Infinity)) forEachStep(a, c.thread, (x) => void (r.has(x) && r.delete(x)));
    return r;
  },
  symmetric_difference: (s: StarlarkSet, c) => {
    const o = setFrom(positional(c, 1, 1)[0]);
    const r = new StarlarkSet();
    for (const x of s.values()) if (!o.has(x)) r.add(x);
    for (const x of o.values()) if (!s.has(x)) r.add(x);
    return r;
  },
  issubset: (s: StarlarkSet, c) => {
    const o = setFrom(positional(c, 1, 1)[0]);
    return s.values().every((x) => o.has(x));
  },
  issuperset: (s: StarlarkSet, c) => {
    const o = setFrom(positional(c, 1, 1)[0]);
    return o.values().every((x) => s.has(x));
  },
};

const stringTable = new Map(Object.entries(stringMethods));
const listTable = new Map(Object.entries(listMethods));
const dictTable = new Map(Object.entries(dictMethods));
const setTable = new Map(Object.entries(setMethods));
const bytesTable = new Map(Object.entries(bytesMethods));
