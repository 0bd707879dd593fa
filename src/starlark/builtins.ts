// The universe: built-in functions and constants available to every module.
import { positional, unpackArgs } from './args';
import { callValue } from './call';
import { forEachStep, toArray } from './iter';
import { attrNames, dictUpdate, getAttr, hasAttr, toBytes } from './methods';
import { compare, floatToInt, repr, str, strLen } from './ops';
import { charge, chargeDigits, chargeScan } from './meter';
import { StringIterable } from './strelems';
import { codePointAtUnit, fromUtf8, toValidText } from './strings';
import type { ThreadImpl } from './thread';
import {
  Builtin,
  Bytes,
  Dict,
  Float,
  List,
  RangeValue,
  StarlarkSet,
  Struct,
  Tuple,
  normInt,
  truth,
  typeName,
  type Call,
  type Value,
} from './values';

function b(name: string, fn: (c: Call) => Value): [string, Builtin] {
  return [name, new Builtin(name, fn)];
}

function one(c: Call): Value {
  return positional(c, 1, 1)[0];
}

function thread(c: Call): ThreadImpl {
  return c.thread as ThreadImpl;
}

function lenOf(x: Value): number | undefined {
  if (typeof x === 'string') return strLen(x);
  if (x instanceof List || x instanceof Tuple) return x.elems.length;
  if (x instanceof Dict || x instanceof StarlarkSet) return x.size;
  if (x instanceof Bytes) return x.bytes.length;
  if (x instanceof RangeValue) return x.len;
  if (x instanceof StringIterable && x.indexable) return x.len;
  return undefined;
}

function parseIntLiteral(s: string, base: number, fn: string): number | bigint {
  const bad = (): Error => new Error(`${fn}: invalid literal with base ${base}: ${repr(s)}`.replace(`${fn}: invalid literal with base`, `invalid literal for int() with base`));
  let t = s.trim().replace(/_/g, (m, i: number, all: string) => (i > 0 && i < all.length - 1 ? '' : m));
  let neg = false;
  if (t.startsWith('+') || t.startsWith('-')) {
    neg = t[0] === '-';
    t = t.slice(1);
  }
  const lower = t.toLowerCase();
  let b = base;
  const prefix = lower.slice(0, 2);
  const prefixBase = prefix === '0x' ? 16 : prefix === '0o' ? 8 : prefix === '0b' ? 2 : 0;
  if (prefixBase) {
    if (b === 0 || b === prefixBase) {
      b = prefixBase;
      t = t.slice(2);
    }
  } else if (b === 0) {
    if (lower.length > 1 && lower[0] === '0') {
      if (/^0+$/.test(lower)) return 0;
      throw bad();
    }
    b = 10;
  }
  if (t === '') throw bad();
  // charged before parsing: a 16M-digit string is refused by the budget, not parsed for minutes
  chargeScan(t.length);
  chargeDigits(t.length);
  // other bases go 13 digits at a time, each step multiplying the whole value: quadratic
  if (PREFIX[b] === undefined) charge(Math.ceil((t.length / 13) ** 2 / 64));
  const v = parseDigits(t.toLowerCase(), b);
  if (v === undefined) throw bad();
  return normInt(neg ? -v : v);
}

const DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz';
const PREFIX: Record<number, string> = { 2: '0b', 8: '0o', 10: '', 16: '0x' };

/**
 * Digits (lower case, no sign or prefix) in base b, or undefined if one is invalid. Linear-time paths: V8's
 * BigInt parser for bases 2/8/10/16, 13-digit chunks otherwise (a digit-at-a-time loop is quadratic).
 */
function parseDigits(t: string, b: number): bigint | undefined {
  for (let i = 0; i < t.length; i++) {
    const d = DIGITS.indexOf(t[i]);
    if (d < 0 || d >= b) return undefined;
  }
  const prefix = PREFIX[b];
  if (prefix !== undefined) return BigInt(prefix + t);
  let v = 0n;
  for (let i = 0; i < t.length; i += 13) {
    const chunk = t.slice(i, i + 13);
    v = v * BigInt(b) ** BigInt(chunk.length) + BigInt(parseInt(chunk, b));
  }
  return v;
}

function parseFloatLiteral(s: string): number {
  const t = s.trim().toLowerCase();
  if (/^[+-]?(inf|infinity)$/.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/.test(t)) return NaN;
  if (!/^[+-]?(\d+\.?\d*([e][+-]?\d+)?|\.\d+([e][+-]?\d+)?)$/.test(t)) throw new Error(`invalid float literal: ${s}`);
  const f = Number(t);
  if (!Number.isFinite(f)) throw new Error('floating-point number too large');
  return f;
}

function fnv1a(b: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i], 0x01000193) >>> 0;
  return h;
}

function javaHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

function minmax(c: Call, sign: number): Value {
  const { key, default: dflt } = Object.fromEntries(c.kwargs) as Record<string, Value>;
  for (const [k] of c.kwargs) if (k !== 'key' && k !== 'default') throw new Error(`${c.name}: unexpected keyword argument "${k}"`);
  if (c.args.length === 0) throw new Error(`${c.name}: got 0 arguments, want at least 1`);
  const items = c.args.length === 1 ? toArray(c.args[0]) : c.args;
  if (items.length === 0) {
    if (dflt !== undefined) return dflt;
    throw new Error(`${c.name}: argument is an empty sequence`);
  }
  const t = thread(c);
  const keyOf = (x: Value): Value => (key === undefined || key === null ? x : callValue(key, [x], null, t));
  charge(items.length); // a comparison per element, like `x in l`
  let best = items[0];
  let bestKey = keyOf(best);
  for (let i = 1; i < items.length; i++) {
    const k = keyOf(items[i]);
    if (compare(sign > 0 ? '>' : '<', k, bestKey) * sign > 0) {
      best = items[i];
      bestKey = k;
    }
  }
  return best;
}

function rangeArg(v: Value, what: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') throw new Error(`range: ${what} argument out of range`);
  throw new Error(`range: for parameter ${what}: got ${typeName(v)}, want int`);
}

export const UNIVERSE: Map<string, Value> = new Map<string, Value>([
  ['None', null],
  ['True', true],
  ['False', false],
  b('abs', (c) => {
    const x = one(c);
    if (typeof x === 'number') return Math.abs(x);
    if (typeof x === 'bigint') return x < 0n ? normInt(-x) : x;
    if (x instanceof Float) return new Float(Math.abs(x.value));
    throw new Error(`abs: got ${typeName(x)}, want int or float`);
  }),
  b('all', (c) => {
    let r = true;
    forEachStep(one(c), c.thread, (x) => {
      if (!truth(x)) {
        r = false;
        return true;
      }
      return false;
    });
    return r;
  }),
  b('any', (c) => {
    let r = false;
    forEachStep(one(c), c.thread, (x) => {
      if (truth(x)) {
        r = true;
        return true;
      }
      return false;
    });
    return r;
  }),
  b('bool', (c) => {
    const [x] = positional(c, 0, 1);
    return x === undefined ? false : truth(x);
  }),
  b('bytes', (c) => toBytes(one(c), 'bytes')),
  b('dict', (c) => {
    const d = new Dict();
    dictUpdate(d, c.args, c.kwargs, 'dict');
    return d;
  }),
  b('dir', (c) => new List(attrNames(one(c)))),
  b('enumerate', (c) => {
    const { iterable, start } = unpackArgs(c, ['iterable', 'start?']);
    let i = start === undefined ? 0 : (start as number);
    if (typeof i !== 'number') throw new Error(`enumerate: for parameter start: got ${typeName(i)}, want int`);
    return new List(toArray(iterable!).map((x) => new Tuple([i++, x])));
  }),
  b('fail', (c) => {
    let sep = ' ';
    for (const [k, v] of c.kwargs) {
      if (k !== 'sep') throw new Error(`fail: unexpected keyword argument "${k}"`);
      if (typeof v !== 'string') throw new Error(`fail: for parameter sep: got ${typeName(v)}, want string`);
      sep = v;
    }
    throw new Error(c.args.map(str).join(sep));
  }),
  b('chr', (c) => {
    const [i] = positional(c, 1, 1);
    if (typeof i !== 'number' && typeof i !== 'bigint') throw new Error(`chr: got ${typeName(i)}, want int`);
    if (i < 0) throw new Error(`chr: Unicode code point ${i} out of range (<0)`);
    if (i > 0x10ffff) throw new Error(`chr: Unicode code point ${i} out of range (>0x10FFFF)`);
    const n = Number(i);
    return n >= 0xd800 && n <= 0xdfff ? '\ufffd' : String.fromCodePoint(n);
  }),
  b('ord', (c) => {
    const [x] = positional(c, 1, 1);
    if (typeof x === 'string') {
      const n = strLen(x);
      if (x.length === 0 || n === 0) throw new Error(`ord: string encodes 0 Unicode code points, want 1`);
      const [cp, units] = codePointAtUnit(x, 0);
      if (units !== x.length) {
        let count = 0;
        for (let i = 0; i < x.length; count++) i += codePointAtUnit(x, i)[1];
        throw new Error(`ord: string encodes ${count} Unicode code points, want 1`);
      }
      return cp;
    }
    if (x instanceof Bytes) {
      if (x.bytes.length !== 1) throw new Error(`ord: bytes has length ${x.bytes.length}, want 1`);
      return x.bytes[0];
    }
    throw new Error(`ord: got ${typeName(x)}, want string or bytes`);
  }),
  b('float', (c) => {
    const [x] = positional(c, 0, 1);
    if (x === undefined) return new Float(0);
    if (x instanceof Float) return x;
    if (typeof x === 'number') return new Float(x);
    if (typeof x === 'bigint') {
      const f = Number(x);
      if (!Number.isFinite(f)) throw new Error('float: int too large to convert to float');
      return new Float(f);
    }
    if (typeof x === 'boolean') return new Float(x ? 1 : 0);
    if (typeof x === 'string') return new Float(parseFloatLiteral(x));
    throw new Error(`float: got ${typeName(x)}, want number or string`);
  }),
  b('getattr', (c) => {
    const [x, name, dflt] = positional(c, 2, 3);
    if (typeof name !== 'string') throw new Error(`getattr: for parameter name: got ${typeName(name)}, want string`);
    try {
      return getAttr(x, name);
    } catch (err) {
      if (dflt !== undefined) return dflt;
      throw err;
    }
  }),
  b('hasattr', (c) => {
    const [x, name] = positional(c, 2, 2);
    if (typeof name !== 'string') throw new Error(`hasattr: for parameter name: got ${typeName(name)}, want string`);
    return hasAttr(x, name);
  }),
  b('hash', (c) => {
    const x = one(c);
    // starlark-go: Java's String.hashCode over the text (raw bytes count as U+FFFD), FNV-1a over bytes.
    if (typeof x === 'string') {
      chargeScan(x.length);
      return javaHash(toValidText(x));
    }
    if (x instanceof Bytes) {
      chargeScan(x.bytes.length);
      return fnv1a(x.bytes);
    }
    throw new Error(`hash: got ${typeName(x)}, want string or bytes`);
  }),
  b('int', (c) => {
    const { x, base } = unpackArgs(c, ['x', 'base?']);
    if (typeof x === 'string') {
      const bs = base === undefined ? 10 : base;
      if (typeof bs !== 'number' || (bs !== 0 && (bs < 2 || bs > 36))) throw new Error('int: base must be an integer >= 2 && <= 36');
      return parseIntLiteral(x, bs, 'int');
    }
    if (base !== undefined) throw new Error('int: can\'t convert non-string with explicit base');
    if (typeof x === 'number' || typeof x === 'bigint') return x;
    if (typeof x === 'boolean') return x ? 1 : 0;
    if (x instanceof Float) return floatToInt(x.value);
    throw new Error(`int: got ${typeName(x!)}, want int, float, bool or string`);
  }),
  b('len', (c) => {
    const x = one(c);
    const n = lenOf(x);
    if (n === undefined) throw new Error(`len: value of type ${typeName(x)} has no len`);
    return n;
  }),
  b('list', (c) => {
    const [x] = positional(c, 0, 1);
    return new List(x === undefined ? [] : toArray(x));
  }),
  b('max', (c) => minmax(c, 1)),
  b('min', (c) => minmax(c, -1)),
  b('print', (c) => {
    let sep = ' ';
    for (const [k, v] of c.kwargs) {
      if (k !== 'sep') throw new Error(`print: unexpected keyword argument "${k}"`);
      if (typeof v !== 'string') throw new Error(`print: for parameter sep: got ${typeName(v)}, want string`);
      sep = v;
    }
    c.thread.print(c.args.map(str).join(sep));
    return null;
  }),
  b('range', (c) => {
    const args = positional(c, 1, 3);
    let start = 0;
    let stop: number;
    let step = 1;
    if (args.length === 1) stop = rangeArg(args[0], 'stop');
    else {
      start = rangeArg(args[0], 'start');
      stop = rangeArg(args[1], 'stop');
      if (args.length === 3) step = rangeArg(args[2], 'step');
    }
    if (step === 0) throw new Error('range: step argument must not be zero');
    return new RangeValue(start, stop, step);
  }),
  b('repr', (c) => repr(one(c))),
  b('reversed', (c) => new List(toArray(one(c)).reverse())),
  b('set', (c) => {
    const [x] = positional(c, 0, 1);
    const s = new StarlarkSet();
    if (x instanceof RangeValue) toArray(x); // a huge range: the clean size error, not minutes of hashing
    if (x !== undefined) forEachStep(x, c.thread, (e) => void s.add(e));
    return s;
  }),
  b('sorted', (c) => {
    const { iterable, key, reverse } = unpackArgs(c, ['iterable', '*', 'key?', 'reverse?']);
    const items = toArray(iterable!);
    const t = thread(c);
    const keys = key === undefined || key === null ? items : items.map((x) => callValue(key, [x], null, t));
    const idx = items.map((_, i) => i);
    const rev = reverse !== undefined && truth(reverse);
    idx.sort((i, j) => {
      charge(1);
      const r = compare('<', keys[i], keys[j]);
      return rev ? -r : r;
    });
    return new List(idx.map((i) => items[i]));
  }),
  b('str', (c) => {
    const [x] = positional(c, 0, 1);
    if (x === undefined) return '';
    if (x instanceof Bytes) return toValidText(fromUtf8(x.bytes)); // invalid bytes become U+FFFD, one each
    return str(x);
  }),
  b('tuple', (c) => {
    const [x] = positional(c, 0, 1);
    if (x instanceof Tuple) return x;
    return new Tuple(x === undefined ? [] : toArray(x));
  }),
  b('type', (c) => typeName(one(c))),
  b('zip', (c) => {
    if (c.kwargs.length > 0) throw new Error('zip: unexpected keyword arguments');
    const arrs = c.args.map((a) => toArray(a));
    // no spread: zip(*l) of a million lists would overflow the JS stack
    const n = arrs.length === 0 ? 0 : arrs.reduce((m, a) => Math.min(m, a.length), Infinity);
    const out: Value[] = [];
    for (let i = 0; i < n; i++) out.push(new Tuple(arrs.map((a) => a[i])));
    return new List(out);
  }),
]);

/** `struct(**kwargs)`: not universal in Starlark; hosts predeclare it (Tilt does). */
export const structBuiltin = new Builtin('struct', (c) => {
  if (c.args.length > 0) throw new Error(`struct: unexpected positional arguments`);
  const fields: Record<string, Value> = {};
  for (const [k, v] of c.kwargs) fields[k] = v;
  return new Struct(fields);
});
