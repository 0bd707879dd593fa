// Operators, equality/ordering, str/repr, indexing and slicing.
import {
  encodeKey,
  Builtin,
  Bytes,
  Dict,
  EvalError,
  Float,
  HostObject,
  List,
  RangeValue,
  StarlarkFunction,
  StarlarkSet,
  Struct,
  Tuple,
  normInt,
  typeName,
  truth,
  checkSize,
  MAX_LIST_LEN,
  MAX_STRING_LEN,
  type Value,
} from './values';
import { charge, chargeDigits, chargeScan } from './meter';
import { StrBuf } from './strbuf';
import { StringIterable } from './strelems';
import { byteChar, byteLen, byteView, concat, escapeByteAt, fromUtf8, norm, utf8Bytes } from './strings';

// ---- numbers -------------------------------------------------------------------------------------

export function addInt(a: number | bigint, b: number | bigint): number | bigint {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    if (Number.isSafeInteger(r)) return r;
  }
  return normInt(BigInt(a) + BigInt(b));
}
export function subInt(a: number | bigint, b: number | bigint): number | bigint {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a - b;
    if (Number.isSafeInteger(r)) return r;
  }
  return normInt(BigInt(a) - BigInt(b));
}
export function mulInt(a: number | bigint, b: number | bigint): number | bigint {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a * b;
    if (Number.isSafeInteger(r)) return r === 0 ? 0 : r;
  }
  const x = BigInt(a);
  const y = BigInt(b);
  // Repeated squaring would grind for minutes before V8's BigInt limit: cap products at MAX_INT_BITS.
  if (typeof a === 'bigint' && typeof b === 'bigint' && bitLength(x) + bitLength(y) > MAX_INT_BITS) {
    throw new EvalError(`int too large: the product would have about ${bitLength(x) + bitLength(y)} bits (limit ${MAX_INT_BITS})`);
  }
  const r = x * y;
  const bits = bitLength(r);
  if (bits > MAX_INT_BITS) throw new EvalError(`int too large: the product has about ${bits} bits (limit ${MAX_INT_BITS})`);
  charge(bits >>> 6); // big products cost in proportion to their size
  return normInt(r);
}
const MAX_INT_BITS = 1 << 20;
/** About how many decimal digits a bigint has (from its hex length: cheap, unlike decimal conversion). */
function bigDigits(v: bigint): number {
  return Math.ceil(bitLength(v) * 0.30103);
}
function bitLength(v: bigint): number {
  return (v < 0n ? -v : v).toString(16).length * 4;
}
function floorDivInt(a: number | bigint, b: number | bigint): number | bigint {
  if (b === 0 || b === 0n) throw new EvalError('floored division by zero');
  if (typeof a === 'number' && typeof b === 'number' && exactDiv(a, b)) return Math.floor(a / b) + 0;
  return normInt(bigFloorDiv(BigInt(a), BigInt(b)));
}
// Number division may round for large operands; only trust it when both are small.
function exactDiv(a: number, b: number): boolean {
  return Math.abs(a) < 2 ** 52 && Math.abs(b) < 2 ** 52;
}
function bigFloorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}
function modInt(a: number | bigint, b: number | bigint): number | bigint {
  if (b === 0 || b === 0n) throw new EvalError('integer modulo by zero');
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a % b;
    return r !== 0 && (r < 0) !== (b < 0) ? r + b : r + 0;
  }
  const A = BigInt(a);
  const B = BigInt(b);
  const r = A % B;
  return normInt(r !== 0n && (r < 0n) !== (B < 0n) ? r + B : r);
}

export function toFloat(v: Value): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Float) return v.value;
  return undefined;
}

function floatMod(x: number, y: number): number {
  if (y === 0) throw new EvalError('floating-point modulo by zero');
  let r = x % y;
  if (r !== 0 && (r < 0) !== (y < 0)) r += y;
  return r;
}

/** int(float) with truncation; errors on inf/nan. */
export function floatToInt(f: number): number | bigint {
  if (!Number.isFinite(f)) throw new EvalError(`cannot convert float ${fmtFloat(f)} to integer`);
  const t = Math.trunc(f);
  return Number.isSafeInteger(t) ? t + 0 : normInt(BigInt(t));
}

// ---- binary operators ----------------------------------------------------------------------------

export function binary(op: string, x: Value, y: Value): Value {
  switch (op) {
    case '+':
      if (typeof x === 'number' && typeof y === 'number') {
        const r = x + y;
        if (Number.isSafeInteger(r)) return r;
        return normInt(BigInt(x) + BigInt(y));
      }
      if (typeof x === 'string' && typeof y === 'string') {
        if (x.length + y.length > MAX_STRING_LEN) checkSize(x.length + y.length, 'string');
        return concat(x, y);
      }
      if ((typeof x === 'bigint' || typeof x === 'number') && (typeof y === 'bigint' || typeof y === 'number')) return addInt(x, y);
      if (x instanceof List && y instanceof List) {
        checkSize(x.elems.length + y.elems.length, 'list');
        charge(x.elems.length + y.elems.length); // a copy: 1 step per element, like a builtin's result
        return new List(x.elems.concat(y.elems));
      }
      if (x instanceof Tuple && y instanceof Tuple) {
        checkSize(x.elems.length + y.elems.length, 'tuple');
        charge(x.elems.length + y.elems.length);
        return new Tuple(x.elems.concat(y.elems));
      }
      if (x instanceof Bytes && y instanceof Bytes) {
        checkSize(x.bytes.length + y.bytes.length, 'bytes');
        const r = new Uint8Array(x.bytes.length + y.bytes.length);
        r.set(x.bytes);
        r.set(y.bytes, x.bytes.length);
        return new Bytes(r);
      }
      return numOp(op, x, y, (a, b) => a + b);
    case '-':
      if (typeof x === 'number' && typeof y === 'number') {
        const r = x - y;
        if (Number.isSafeInteger(r)) return r;
      }
      if (isIntV(x) && isIntV(y)) return subInt(x, y);
      if (x instanceof StarlarkSet && y instanceof StarlarkSet) {
        const s = new StarlarkSet();
        for (const e of x.values()) if (!y.has(e)) s.add(e);
        return s;
      }
      return numOp(op, x, y, (a, b) => a - b);
    case '*':
      if (isIntV(x) && isIntV(y)) return mulInt(x, y);
      if (isIntV(y)) {
        const r = repeat(x, y);
        if (r !== undefined) return r;
      }
      if (isIntV(x)) {
        const r = repeat(y, x);
        if (r !== undefined) return r;
      }
      return numOp(op, x, y, (a, b) => a * b);
    case '/': {
      const a = toFloat(x);
      const b = toFloat(y);
      if (a === undefined || b === undefined || typeof x === 'boolean' || typeof y === 'boolean') throw unknownBinary(op, x, y);
      if (b === 0) throw new EvalError('floating-point division by zero');
      if (isIntV(x) && isIntV(y) && (typeof x === 'bigint' || typeof y === 'bigint')) return new Float(bigDivToFloat(BigInt(x), BigInt(y)));
      return new Float(a / b);
    }
    case '//':
      if (isIntV(x) && isIntV(y)) return floorDivInt(x, y);
      return numOp(op, x, y, (a, b) => {
        if (b === 0) throw new EvalError('floored division by zero');
        return Math.floor(a / b);
      });
    case '%':
      if (isIntV(x) && isIntV(y)) return modInt(x, y);
      if (typeof x === 'string') return norm(percentFormat(x, y));
      return numOp(op, x, y, floatMod);
    case '|':
      if (isIntV(x) && isIntV(y)) return typeof x === 'number' && typeof y === 'number' && isSmall(x) && isSmall(y) ? x | y : normInt(BigInt(x) | BigInt(y));
      if (x instanceof StarlarkSet && y instanceof StarlarkSet) {
        const s = new StarlarkSet();
        for (const e of x.values()) s.add(e);
        for (const e of y.values()) s.add(e);
        return s;
      }
      if (x instanceof Dict && y instanceof Dict) {
        const d = new Dict();
        for (const [k, v] of x.entries()) d.set(k, v);
        for (const [k, v] of y.entries()) d.set(k, v);
        return d;
      }
      throw unknownBinary(op, x, y);
    case '&':
      if (isIntV(x) && isIntV(y)) return typeof x === 'number' && typeof y === 'number' && isSmall(x) && isSmall(y) ? x & y : normInt(BigInt(x) & BigInt(y));
      if (x instanceof StarlarkSet && y instanceof StarlarkSet) {
        const s = new StarlarkSet();
        for (const e of x.values()) if (y.has(e)) s.add(e);
        return s;
      }
      throw unknownBinary(op, x, y);
    case '^':
      if (isIntV(x) && isIntV(y)) return typeof x === 'number' && typeof y === 'number' && isSmall(x) && isSmall(y) ? x ^ y : normInt(BigInt(x) ^ BigInt(y));
      if (x instanceof StarlarkSet && y instanceof StarlarkSet) {
        const s = new StarlarkSet();
        for (const e of x.values()) if (!y.has(e)) s.add(e);
        for (const e of y.values()) if (!x.has(e)) s.add(e);
        return s;
      }
      throw unknownBinary(op, x, y);
    case '<<':
    case '>>': {
      if (!isIntV(x) || !isIntV(y)) throw unknownBinary(op, x, y);
      if (y < 0) throw new EvalError(`negative shift count: ${y}`);
      if (op === '<<') {
        if (y >= MAX_INT_BITS) throw new EvalError(`shift count too large: ${y}`);
        return normInt(BigInt(x) << BigInt(y));
      }
      return normInt(BigInt(x) >> BigInt(y));
    }
    case 'in':
      return contains(y, x);
    case 'not in':
      return !contains(y, x);
    case '==':
      return equals(x, y);
    case '!=':
      return !equals(x, y);
    case '<':
    case '<=':
    case '>':
    case '>=':
      if (x instanceof StarlarkSet && y instanceof StarlarkSet) return setCompare(op, x, y);
      return op === '<' ? compare(op, x, y) < 0 : op === '<=' ? compare(op, x, y) <= 0 : op === '>' ? compare(op, x, y) > 0 : compare(op, x, y) >= 0;
  }
  throw unknownBinary(op, x, y);
}

/** Set ordering is inclusion: < proper subset, <= subset, > proper superset, >= superset. */
function setCompare(op: string, x: StarlarkSet, y: StarlarkSet): boolean {
  const subset = (a: StarlarkSet, b: StarlarkSet): boolean => {
    if (a.size > b.size) return false;
    charge(a.size);
    for (const e of a.values()) if (!b.has(e)) return false;
    return true;
  };
  switch (op) {
    case '<':
      return x.size < y.size && subset(x, y);
    case '<=':
      return subset(x, y);
    case '>':
      return x.size > y.size && subset(y, x);
    default:
      return subset(y, x);
  }
}

function isSmall(n: number): boolean {
  return n >= -0x80000000 && n <= 0x7fffffff;
}

function isIntV(v: Value): v is number | bigint {
  return typeof v === 'number' || typeof v === 'bigint';
}

function bigDivToFloat(a: bigint, b: bigint): number {
  // Good enough: divide via numbers, falling back to scaled bigint division when either overflows.
  const fa = Number(a);
  const fb = Number(b);
  if (Number.isFinite(fa) && Number.isFinite(fb)) return fa / fb;
  const q = a / b;
  return Number(q) + Number(a - q * b) / fb;
}

function numOp(op: string, x: Value, y: Value, f: (a: number, b: number) => number): Value {
  if ((x instanceof Float || isIntV(x)) && (y instanceof Float || isIntV(y))) {
    return new Float(f(intToFloat(x), intToFloat(y)));
  }
  throw unknownBinary(op, x, y);
}

/** An int operand of a float operation; ints beyond the float range are an error, as in starlark-go. */
function intToFloat(v: number | bigint | Float): number {
  if (v instanceof Float) return v.value;
  const f = Number(v);
  if (!Number.isFinite(f)) throw new EvalError('int too large to convert to float');
  return f;
}

export function unknownBinary(op: string, x: Value, y: Value): EvalError {
  return new EvalError(`unknown binary op: ${typeName(x)} ${op} ${typeName(y)}`);
}

function repeat(seq: Value, n: number | bigint): Value | undefined {
  const len = typeof seq === 'string' ? seq.length : seq instanceof List || seq instanceof Tuple ? seq.elems.length : seq instanceof Bytes ? seq.bytes.length : -1;
  if (len < 0) return undefined;
  // starlark-go takes a non-empty sequence's count as an int32: a larger one is refused before any size check.
  if (len > 0 && (typeof n === 'bigint' || n > 0x7fffffff || n < -0x80000000)) throw new EvalError(`repeat count ${n} too large`);
  const k = typeof n === 'bigint' || n < 0 ? 0 : n;
  const kind = typeof seq === 'string' ? 'string' : seq instanceof Bytes ? 'bytes' : seq instanceof List ? 'list' : 'tuple';
  const max = kind === 'string' || kind === 'bytes' ? MAX_STRING_LEN : MAX_LIST_LEN;
  // the string limit is in UTF-8 bytes (a non-ASCII character is up to 4 of them, but one or two JS units)
  const size = typeof seq === 'string' ? byteLen(seq) : len;
  if (size * k > max) throw new EvalError(`excessive repeat (${size} * ${n} elements; a ${kind} may hold at most ${max})`);
  // the copy costs its size; a new string 1 step per 8 bytes like builtin results, so a loop cannot hold many
  charge(kind === 'string' || kind === 'bytes' ? Math.floor((size * k) / 8) : len * k);
  if (typeof seq === 'string') return norm(seq.repeat(k));
  if (seq instanceof Bytes) {
    const r = new Uint8Array(len * k);
    for (let i = 0; i < k; i++) r.set(seq.bytes, i * len);
    return new Bytes(r);
  }
  const src = (seq as List | Tuple).elems;
  const out = new Array<Value>(len * k);
  for (let i = 0, j = 0; i < k; i++) for (let m = 0; m < len; m++) out[j++] = src[m];
  return seq instanceof List ? new List(out) : new Tuple(out);
}

export function unary(op: string, x: Value): Value {
  switch (op) {
    case 'not':
      return !truth(x);
    case '-':
      if (typeof x === 'number') return x === 0 ? 0 : -x;
      if (typeof x === 'bigint') return normInt(-x);
      if (x instanceof Float) return new Float(-x.value);
      break;
    case '+':
      if (isIntV(x) || x instanceof Float) return x;
      break;
    case '~':
      if (typeof x === 'number' && isSmall(x)) return ~x;
      if (isIntV(x)) return normInt(~BigInt(x));
      break;
  }
  throw new EvalError(`unknown unary op: ${op}${typeName(x)}`);
}

export function contains(coll: Value, x: Value): boolean {
  if (typeof coll === 'string') {
    if (typeof x !== 'string') throw new EvalError(`'in <string>' requires string as left operand, not ${typeName(x)}`);
    chargeScan(coll.length);
    return coll.includes(x);
  }
  if (coll instanceof List || coll instanceof Tuple) {
    const a = coll.elems;
    for (let i = 0; i < a.length; i++) {
      if (equals(a[i], x)) {
        charge(i + 1);
        return true;
      }
    }
    charge(a.length);
    return false;
  }
  if (coll instanceof Dict) return coll.get(x) !== undefined;
  if (coll instanceof StarlarkSet) return coll.has(x);
  if (coll instanceof RangeValue) {
    // starlark-go: an integral float is looked up as that int; other non-numbers are an error
    if (x instanceof Float) {
      if (!Number.isInteger(x.value)) return false;
      x = x.value;
    }
    if (!isIntV(x)) throw new EvalError(`'in <range>' requires integer as left operand, not ${typeName(x)}`);
    // arithmetic, not a search: ranges can be 10**12 long
    const n = Number(x);
    if (!Number.isSafeInteger(n)) return false;
    const off = n - coll.start;
    if (off % coll.step !== 0) return false;
    const k = off / coll.step;
    return k >= 0 && k < coll.len;
  }
  if (coll instanceof Bytes) {
    let needle: Uint8Array;
    if (x instanceof Bytes) needle = x.bytes;
    else if (isIntV(x)) {
      const b = Number(x);
      if (b < 0 || b > 255) throw new EvalError(`int in bytes: ${b} out of range`);
      needle = Uint8Array.of(b);
    } else throw new EvalError(`'in bytes' requires bytes or int as left operand, not ${typeName(x)}`);
    return indexOfBytes(coll.bytes, needle, 0) >= 0;
  }
  throw new EvalError(`unknown binary op: ${typeName(x)} in ${typeName(coll)}`);
}

export function indexOfBytes(h: Uint8Array, n: Uint8Array, from: number): number {
  // Node's native search (not a naive double loop, quadratic on b"a" * 2^20 in b"a" * 2^21), charged as a scan
  chargeScan(h.length - from);
  if (n.length === 0) return from <= h.length ? from : -1;
  return Buffer.from(h.buffer, h.byteOffset, h.length).indexOf(Buffer.from(n.buffer, n.byteOffset, n.length), from);
}

// ---- equality and ordering -----------------------------------------------------------------------

/** starlark-go's CompareLimit: comparisons recurse at most this deep (so cyclic values fail instead of looping). */
const COMPARE_LIMIT = 10;

function tooDeep(): EvalError {
  return new EvalError('comparison exceeded maximum recursion depth');
}

export function equals(x: Value, y: Value): boolean {
  if (typeof x === 'string') {
    // two distinct 2^27-character strings with the same text compare byte by byte
    if (typeof y === 'string' && x.length === y.length) chargeScan(x.length);
    return x === y;
  }
  return eqDepth(x, y, COMPARE_LIMIT);
}

function eqDepth(x: Value, y: Value, depth: number): boolean {
  if (depth < 1) throw tooDeep();
  // Identity is equality except for sequences and mappings, which starlark-go compares element-wise (so a
  // cyclic list compared with itself reaches the depth limit, as there).
  if (x === y && !(x instanceof List || x instanceof Tuple || x instanceof Dict || x instanceof Struct)) return true;
  switch (typeof x) {
    case 'number':
    case 'bigint':
      if (y instanceof Float) return floatCmp(Number(x), y.value) === 0 && (typeof x === 'number' || BigInt(y.value) === x);
      return false;
    case 'string':
    case 'boolean':
      return false;
  }
  if (x === null || y === null) return false;
  if (x instanceof Float) {
    if (y instanceof Float) return floatCmp(x.value, y.value) === 0;
    if (isIntV(y)) return eqDepth(y, x, depth);
    return false;
  }
  if (x instanceof List) return y instanceof List && seqEqual(x.elems, y.elems, depth);
  if (x instanceof Tuple) return y instanceof Tuple && seqEqual(x.elems, y.elems, depth);
  if (x instanceof Dict) {
    if (!(y instanceof Dict) || x.size !== y.size) return false;
    for (const [k, v] of x.entries()) {
      charge(1);
      const w = y.get(k);
      if (w === undefined || !eqDepth(v, w, depth - 1)) return false;
    }
    return true;
  }
  if (x instanceof StarlarkSet) {
    if (!(y instanceof StarlarkSet) || x.size !== y.size) return false;
    for (const e of x.values()) if (!y.has(e)) return false;
    return true;
  }
  if (x instanceof Bytes) {
    if (!(y instanceof Bytes) || x.bytes.length !== y.bytes.length) return false;
    chargeScan(x.bytes.length);
    for (let i = 0; i < x.bytes.length; i++) if (x.bytes[i] !== y.bytes[i]) return false;
    return true;
  }
  if (x instanceof Struct) {
    if (!(y instanceof Struct)) return false;
    const ka = Object.keys(x.fields);
    const kb = Object.keys(y.fields);
    if (ka.length !== kb.length) return false;
    for (const k of ka) if (!(k in y.fields) || !eqDepth(x.fields[k], y.fields[k], depth - 1)) return false;
    return true;
  }
  if (x instanceof Builtin) return y instanceof Builtin && x.recv !== undefined && x.name === y.name && x.recv === y.recv;
  if (x instanceof HostObject) return x.equals(y);
  return false;
}

function seqEqual(a: Value[], b: Value[], depth: number): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    charge(1);
    if (!eqDepth(a[i], b[i], depth - 1)) return false;
  }
  return true;
}

/** Total order on floats used by starlark-go: NaN is greater than everything and equal to itself. */
function floatCmp(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) return 0;
  const na = Number.isNaN(a);
  const nb = Number.isNaN(b);
  return na && nb ? 0 : na ? 1 : -1;
}

function numCmp(x: number | bigint | Float, y: number | bigint | Float): number {
  if (typeof x !== 'object' && typeof y !== 'object') return x < y ? -1 : x > y ? 1 : 0;
  const a = x instanceof Float ? x.value : x;
  const b = y instanceof Float ? y.value : y;
  if (typeof a === 'number' && typeof b === 'number') return floatCmp(a, b);
  // int vs float with one side a bigint: JS compares number/bigint exactly.
  if (Number.isNaN(a as number)) return 1;
  if (Number.isNaN(b as number)) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Three-way comparison for ordered operators; throws for unordered/mismatched types. */
export function compare(op: string, x: Value, y: Value): number {
  return cmpDepth(op, x, y, COMPARE_LIMIT);
}

function cmpDepth(op: string, x: Value, y: Value, depth: number): number {
  if (depth < 1) throw tooDeep();
  if ((isIntV(x) || x instanceof Float) && (isIntV(y) || y instanceof Float)) return numCmp(x, y);
  if (typeof x === 'string' && typeof y === 'string') return compareStrings(x, y);
  if (typeof x === 'boolean' && typeof y === 'boolean') return Number(x) - Number(y);
  if ((x instanceof List && y instanceof List) || (x instanceof Tuple && y instanceof Tuple)) {
    const a = x.elems;
    const b = y.elems;
    for (let i = 0; i < a.length && i < b.length; i++) {
      charge(1);
      if (!eqDepth(a[i], b[i], depth - 1)) return cmpDepth(op, a[i], b[i], depth - 1);
    }
    return a.length - b.length;
  }
  if (x instanceof Bytes && y instanceof Bytes) {
    const a = x.bytes;
    const b = y.bytes;
    chargeScan(Math.min(a.length, b.length));
    for (let i = 0; i < a.length && i < b.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
    return a.length - b.length;
  }
  if (typeName(x) === typeName(y)) throw new EvalError(`${typeName(x)} ${op} ${typeName(y)} not implemented`);
  throw new EvalError(`${typeName(x)} ${op} ${typeName(y)} not implemented`);
}

/**
 * Strings order by their UTF-8 bytes, as Go's do. UTF-16 code-unit order agrees below U+D800; past the first
 * difference at or above it (a surrogate pair against U+E000..U+FFFF, or a raw byte's escape) compare the bytes.
 */
function compareStrings(x: string, y: string): number {
  const n = Math.min(x.length, y.length);
  let i = 0;
  while (i < n && x.charCodeAt(i) === y.charCodeAt(i)) i++;
  chargeScan(i);
  if (i === n) return x.length - y.length;
  const a = x.charCodeAt(i);
  const b = y.charCodeAt(i);
  if (a < 0xd800 && b < 0xd800) return a - b;
  const h = x.charCodeAt(i - 1);
  if (i > 0 && h >= 0xd800 && h <= 0xdbff) i--; // never split a surrogate pair
  return Buffer.compare(utf8Bytes(x.slice(i)), utf8Bytes(y.slice(i)));
}

// ---- str / repr ----------------------------------------------------------------------------------

export function fmtFloat(f: number): string {
  if (Number.isNaN(f)) return 'nan';
  if (f === Infinity) return '+inf';
  if (f === -Infinity) return '-inf';
  const s = goFormatG(f);
  return /[.e]/.test(s) || s.includes('n') ? s : s + '.0';
}

/** Go's strconv.FormatFloat(f, 'g', -1, 64): shortest digits, exponent form when exp < -4 || exp >= 6. */
export function goFormatG(f: number): string {
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(f.toExponential())!;
  const sign = m[1];
  const digits = m[2] + (m[3] ?? '');
  const exp = parseInt(m[4], 10);
  if (exp < -4 || exp >= 6) {
    const frac = digits.slice(1);
    const es = (exp < 0 ? '-' : '+') + String(Math.abs(exp)).padStart(2, '0');
    return `${sign}${digits[0]}${frac ? '.' + frac : ''}e${es}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return sign + digits + '0'.repeat(exp + 1 - digits.length);
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

export function str(v: Value): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (v instanceof HostObject) return v.str();
  return repr(v);
}

export function repr(v: Value): string {
  switch (typeof v) {
    case 'string':
      return quote(v);
    case 'number':
      return String(v);
  }
  if (!isComposite(v)) return leafRepr(v);
  const out = new StrBuf(MAX_STRING_LEN, 'string');
  writeRepr(out, v);
  return out.toString();
}

function isComposite(v: Value): v is List | Tuple | Dict | StarlarkSet | Struct {
  return v instanceof List || v instanceof Tuple || v instanceof Dict || v instanceof StarlarkSet || v instanceof Struct;
}

function leafRepr(v: Value): string {
  if (v === null) return 'None';
  switch (typeof v) {
    case 'boolean':
      return v ? 'True' : 'False';
    case 'number':
      return String(v);
    case 'bigint':
      chargeDigits(bigDigits(v));
      return String(v);
    case 'string':
      return quote(v);
  }
  if (v instanceof Float) return fmtFloat(v.value);
  if (v instanceof StarlarkFunction) return `<function ${v.name}>`;
  if (v instanceof Builtin) return v.recv !== undefined ? `<built-in method ${v.name} of ${typeName(v.recv)} value>` : `<built-in function ${v.name}>`;
  if (v instanceof Bytes) return bytesRepr(v.bytes);
  return (v as HostObject).repr();
}

/** Text between items of a composite being printed (struct field labels). */
class Label {
  constructor(readonly s: string) {}
}

/** One composite being printed: its items, the next one, and how to separate and close them. */
interface ReprFrame {
  obj: object;
  items: ReadonlyArray<Value | Label>;
  i: number;
  /** 'seq': ", " between items; 'dict': alternating ": " and ", "; 'struct': ", " before each label. */
  kind: 'seq' | 'dict' | 'struct';
  close: string;
}

/**
 * repr of composites with an explicit stack (nesting depth cannot overflow the JS stack), one step charged
 * per value (an exponentially shared structure hits the budget or the size limit, never hangs), and
 * starlark-go's cycle marks: a list or dict inside itself prints as [...] / {...}.
 */
function writeRepr(out: StrBuf, root: Value): void {
  const onPath = new Set<object>();
  const stack: ReprFrame[] = [];
  const open = (v: List | Tuple | Dict | StarlarkSet | Struct): void => {
    if ((v instanceof List || v instanceof Dict) && onPath.has(v)) {
      out.add(v instanceof List ? '[...]' : '{...}');
      return;
    }
    if (v instanceof List || v instanceof Tuple) {
      out.add(v instanceof List ? '[' : '(');
      const close = v instanceof List ? ']' : v.elems.length === 1 ? ',)' : ')';
      stack.push({ obj: v, items: v.elems, i: 0, kind: 'seq', close });
    } else if (v instanceof Dict) {
      out.add('{');
      const items: Value[] = [];
      v.forEach((k, x) => {
        items.push(k, x);
      });
      stack.push({ obj: v, items, i: 0, kind: 'dict', close: '}' });
    } else if (v instanceof StarlarkSet) {
      out.add('set([');
      stack.push({ obj: v, items: v.values(), i: 0, kind: 'seq', close: '])' });
    } else {
      out.add('struct(');
      const items: Array<Value | Label> = [];
      for (const k of Object.keys(v.fields).sort()) items.push(new Label(k + ' = '), v.fields[k]);
      stack.push({ obj: v, items, i: 0, kind: 'struct', close: ')' });
    }
    if (v instanceof List || v instanceof Dict) onPath.add(v);
  };
  const emit = (v: Value): void => {
    charge(8); // building text costs several interpreter steps' worth per value (measured against a loop step)
    if (isComposite(v)) open(v);
    else out.add(leafRepr(v));
  };
  emit(root);
  while (stack.length > 0) {
    const f = stack[stack.length - 1];
    if (f.i >= f.items.length) {
      out.add(f.close);
      if (f.obj instanceof List || f.obj instanceof Dict) onPath.delete(f.obj);
      stack.pop();
      continue;
    }
    const i = f.i++;
    const item = f.items[i];
    if (item instanceof Label) {
      if (i > 0) out.add(', ');
      out.add(item.s);
      continue;
    }
    if (i > 0 && f.kind !== 'struct') out.add(f.kind === 'dict' && i % 2 === 1 ? ': ' : ', ');
    emit(item);
  }
}

/** Go's single-character escapes, shared by string and bytes literals. */
const ESCAPES: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 34: '\\"', 92: '\\\\' };

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** Go-style double-quoted string literal (syntax.Quote): raw bytes as \xNN, non-printable runes as \u/\U. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

export function quote(s: string): string {
  if (PLAIN.test(s)) {
    if (s.length >= 64) charge(s.length >>> 4); // one regex scan
    return '"' + s + '"';
  }
  charge(s.length); // character-by-character work: charged like a loop over it (repr(repr(...)) doubles each time)
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      const esc = ESCAPES[c];
      if (esc !== undefined) out += esc;
      else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
      else out += s[i];
      continue;
    }
    const b = escapeByteAt(s, i);
    if (b >= 0) {
      out += '\\x' + b.toString(16);
      continue;
    }
    const cp = s.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd';
    else if (PRINTABLE.test(ch)) out += ch;
    else out += cp > 0xffff ? '\\U' + cp.toString(16).padStart(8, '0') : '\\u' + cp.toString(16).padStart(4, '0');
    if (cp > 0xffff) i++;
  }
  return out + '"';
}

/** As starlark-go: the bytes quoted like a string, so valid UTF-8 shows as text and other bytes as \\xNN. */
function bytesRepr(b: Uint8Array): string {
  return 'b' + quote(fromUtf8(b));
}

// ---- % formatting --------------------------------------------------------------------------------

function percentFormat(format: string, x: Value): string {
  let out = '';
  let index = 0;
  const nargs = x instanceof Tuple ? x.elems.length : 1;
  let i = 0;
  while (true) {
    const j = format.indexOf('%', i);
    if (j < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, j);
    i = j + 1;
    if (format[i] === '%') {
      out += '%';
      i++;
      continue;
    }
    let arg: Value;
    if (format[i] === '(') {
      const close = format.indexOf(')', i);
      if (close < 0) throw new EvalError('incomplete format key');
      const key = format.slice(i + 1, close);
      if (!(x instanceof Dict)) throw new EvalError('format requires a mapping');
      const v = x.get(key);
      if (v === undefined) throw new EvalError(`key not found: ${key}`);
      arg = v;
      i = close + 1;
    } else {
      if (index >= nargs) throw new EvalError('not enough arguments for format string');
      arg = x instanceof Tuple ? x.elems[index] : x;
    }
    if (i >= format.length) throw new EvalError('incomplete format');
    const c = format[i];
    switch (c) {
      case 's':
        out += str(arg);
        break;
      case 'r':
        out += repr(arg);
        break;
      case 'd':
      case 'i':
      case 'o':
      case 'x':
      case 'X': {
        let n: number | bigint;
        if (isIntV(arg)) n = arg;
        else if (arg instanceof Float) n = floatToInt(arg.value);
        else throw new EvalError(`%${c} format requires integer: ${typeName(arg)}`);
        const radix = c === 'o' ? 8 : c === 'x' || c === 'X' ? 16 : 10;
        if (radix === 10 && typeof n === 'bigint') chargeDigits(bigDigits(n));
        let s = n.toString(radix);
        if (c === 'X') s = s.toUpperCase();
        out += s;
        break;
      }
      case 'e':
      case 'f':
      case 'g':
      case 'E':
      case 'F':
      case 'G': {
        const f = toFloat(arg);
        if (f === undefined || typeof arg === 'boolean') throw new EvalError(`%${c} format requires float, not ${typeName(arg)}`);
        out += formatFloatConv(f, c, 6);
        break;
      }
      case 'c':
        if (isIntV(arg)) {
          const n = Number(arg);
          if (n < 0 || n > 0x10ffff) throw new EvalError(`%c format requires a valid Unicode code point, got ${n}`);
          out += String.fromCodePoint(n);
        } else if (typeof arg === 'string') {
          if ([...arg].length !== 1) throw new EvalError('%c format requires a single-character string');
          out += arg;
        } else throw new EvalError(`%c format requires int or single-character string, not ${typeName(arg)}`);
        break;
      default:
        throw new EvalError(`unknown conversion %${c}`);
    }
    i++;
    index++;
  }
  if (index < nargs && !(format.includes('%(') && x instanceof Dict)) throw new EvalError('too many arguments for format string');
  return out;
}

/** Go's %e %f %g (and upper-case forms) with the given precision. */
export function formatFloatConv(f: number, conv: string, prec: number): string {
  const lower = conv.toLowerCase();
  let s: string;
  // starlark-go: non-finite values print as nan/+inf/-inf whatever the conversion
  if (!Number.isFinite(f)) return Number.isNaN(f) ? 'nan' : f > 0 ? '+inf' : '-inf';
  const neg0 = Object.is(f, -0) ? '-' : '';
  if (lower === 'f') s = neg0 + (Math.abs(f) < 1e21 ? f.toFixed(prec) : BigInt(f).toString() + (prec > 0 ? '.' + '0'.repeat(prec) : ''));
  else if (lower === 'e') {
    s = neg0 + f.toExponential(prec).replace(/e([+-])(\d)$/, 'e$10$2');
  } else {
    // %g is str(float): shortest form, always with a '.' or an exponent
    s = goFormatG(f);
    if (!/[.e]/.test(s)) s += '.0';
  }
  return conv === lower ? s : s.toUpperCase();
}

// ---- indexing and slicing ------------------------------------------------------------------------

export function outOfRange(i: number, n: number, x: Value): EvalError {
  if (n === 0) return new EvalError(`index ${i} out of range: empty ${typeName(x)}`);
  return new EvalError(`${typeName(x)} index ${i} out of range [${-n}:${n - 1}]`);
}

export function toIndexInt(v: Value, what: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return v > 0n ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
  throw new EvalError(`${what}: got ${typeName(v)}, want int`);
}

export function index(x: Value, i: Value): Value {
  if (x instanceof List || x instanceof Tuple) {
    const n = x.elems.length;
    let k = toIndexInt(i, `${typeName(x)} index`);
    const orig = k;
    if (k < 0) k += n;
    if (k < 0 || k >= n) throw outOfRange(orig, n, x);
    return x.elems[k];
  }
  if (x instanceof Dict) {
    const v = x.get(i);
    if (v === undefined) {
      if (typeof i !== 'string' && !isIntV(i) && i !== null && typeof i !== 'boolean' && !(i instanceof Float) && !(i instanceof Tuple)) {
        // surface "unhashable type" for list/dict keys
        encodeKey(i);
      }
      throw new EvalError(`key ${repr(i)} not in dict`);
    }
    return v;
  }
  if (typeof x === 'string') {
    let k = toIndexInt(i, 'string index');
    const v = byteView(x);
    const n = v === null ? x.length : v.length;
    const orig = k;
    if (k < 0) k += n;
    if (k < 0 || k >= n) throw outOfRange(orig, n, x);
    return v === null ? x[k] : byteChar(v[k]);
  }
  if (x instanceof Bytes) {
    let k = toIndexInt(i, 'bytes index');
    const n = x.bytes.length;
    const orig = k;
    if (k < 0) k += n;
    if (k < 0 || k >= n) throw outOfRange(orig, n, x);
    return new Bytes(x.bytes.slice(k, k + 1)); // a one-byte bytes, as starlark-go (not an int)
  }
  if (x instanceof StringIterable && x.indexable) {
    let k = toIndexInt(i, `${x.typeName} index`);
    const n = x.len;
    const orig = k;
    if (k < 0) k += n;
    if (k < 0 || k >= n) throw outOfRange(orig, n, x);
    return x.at(k);
  }
  if (x instanceof RangeValue) {
    let k = toIndexInt(i, 'range index');
    const orig = k;
    if (k < 0) k += x.len;
    if (k < 0 || k >= x.len) throw outOfRange(orig, x.len, x);
    return x.at(k);
  }
  throw new EvalError(`unhandled index operation ${typeName(x)}[${typeName(i)}]`);
}

export function setIndex(x: Value, i: Value, v: Value): void {
  if (x instanceof List) {
    x.mutable('assign to element of');
    const n = x.elems.length;
    let k = toIndexInt(i, 'list index');
    const orig = k;
    if (k < 0) k += n;
    if (k < 0 || k >= n) throw outOfRange(orig, n, x);
    x.elems[k] = v;
    return;
  }
  if (x instanceof Dict) {
    x.set(i, v);
    return;
  }
  throw new EvalError(`${typeName(x)} value does not support item assignment`);
}

/** Resolves Python slice bounds to a list of indices; returns [start, stop, step, count]. */
export function sliceIndices(n: number, lo: Value | undefined, hi: Value | undefined, st: Value | undefined): [number, number, number] {
  let step = 1;
  if (st !== undefined && st !== null) {
    step = toIndexInt(st, 'slice step');
    if (step === 0) throw new EvalError('zero is not a valid slice step');
  }
  const conv = (v: Value | undefined, dflt: number): number => {
    if (v === undefined || v === null) return dflt;
    let k = toIndexInt(v, 'slice index');
    if (k < 0) k += n;
    if (step > 0) return Math.min(Math.max(k, 0), n);
    return Math.min(Math.max(k, -1), n - 1);
  };
  const start = conv(lo, step > 0 ? 0 : n - 1);
  const stop = conv(hi, step > 0 ? n : -1);
  return [start, stop, step];
}

function sliceArray<T>(a: ArrayLike<T>, start: number, stop: number, step: number): T[] {
  const out: T[] = [];
  if (step > 0) for (let i = start; i < stop; i += step) out.push(a[i]);
  else for (let i = start; i > stop; i += step) out.push(a[i]);
  return out;
}

export function slice(x: Value, lo: Value | undefined, hi: Value | undefined, st: Value | undefined): Value {
  if (x instanceof List || x instanceof Tuple) {
    const [a, b, s] = sliceIndices(x.elems.length, lo, hi, st);
    const r = s === 1 ? x.elems.slice(a, Math.max(a, b)) : sliceArray(x.elems, a, b, s);
    charge(r.length); // a copy: 1 step per element
    return x instanceof List ? new List(r) : new Tuple(r);
  }
  if (typeof x === 'string') {
    const v = byteView(x);
    const [a, b, s] = sliceIndices(v === null ? x.length : v.length, lo, hi, st);
    // like a builtin's new string: 1 step per 8 characters (per character when stepping one by one)
    const n = s > 0 ? Math.max(0, b - a) : Math.max(0, a - b);
    if (s !== 1) charge(Math.ceil(n / Math.abs(s)));
    else if (n >= 64) charge(n >>> 3);
    if (v === null) return s === 1 ? x.slice(a, Math.max(a, b)) : sliceArray(x, a, b, s).join('');
    if (s === 1) return fromUtf8(v.subarray(a, Math.max(a, b)));
    return fromUtf8(Uint8Array.from(sliceArray(v, a, b, s)));
  }
  if (x instanceof Bytes) {
    const [a, b, s] = sliceIndices(x.bytes.length, lo, hi, st);
    charge(Math.ceil(Math.max(0, s > 0 ? b - a : a - b) / Math.abs(s)));
    return new Bytes(Uint8Array.from(sliceArray(x.bytes, a, b, s)));
  }
  if (x instanceof RangeValue) {
    const [a, b, s] = sliceIndices(x.len, lo, hi, st);
    const start = x.at(a);
    const stop = x.start + b * x.step;
    return new RangeValue(start, stop, x.step * s);
  }
  throw new EvalError(`invalid slice operand ${typeName(x)}`);
}

/** len(s) in UTF-8 bytes. */
export function strLen(s: string): number {
  return byteLen(s);
}
