// Starlark strings are byte strings (starlark-go: len, indexing and slicing count UTF-8 bytes), kept as JS
// strings so the host API stays plain text. Valid UTF-8 is held as the ordinary UTF-16 text it encodes; a byte
// that is not part of a valid UTF-8 sequence (what "世"[0] or "世"[:1] produce) is held as the lone surrogate
// U+DC80+byte (Python's "surrogateescape"). So every byte string has exactly one representation: text strings
// are exactly what hosts expect, ASCII is identical, and only strings with raw bytes look unusual.
import { isUtf8 } from 'node:buffer';
import { chargeScan } from './meter';

/** Set once any raw-byte string exists: until then joins and concatenations skip renormalisation. */
let sawEscape = false;

export function escapesExist(): boolean {
  return sawEscape;
}

const ESC_BASE = 0xdc00;

/** The one-byte string for byte b (an escape for b >= 0x80, which alone is never valid UTF-8). */
export function byteChar(b: number): string {
  if (b < 0x80) return String.fromCharCode(b);
  sawEscape = true;
  return String.fromCharCode(ESC_BASE + b);
}

/** Whether code unit i of s is a raw-byte escape (a lone low surrogate in U+DC80..U+DCFF). */
function isEscapeAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (c < 0xdc80 || c > 0xdcff) return false;
  if (i === 0) return true;
  const p = s.charCodeAt(i - 1);
  return p < 0xd800 || p > 0xdbff;
}

const NON_ASCII = /[^\x00-\x7f]/;

export function isAscii(s: string): boolean {
  return !NON_ASCII.test(s);
}

/** UTF-8 length of one code point / escape starting at code unit i, and how many code units it spans. */
function unitBytes(s: string, i: number): [number, number] {
  const c = s.charCodeAt(i);
  if (c < 0x80) return [1, 1];
  if (c < 0x800) return [2, 1];
  if (c >= 0xd800 && c <= 0xdbff) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return [4, 2];
    return [3, 1]; // lone high surrogate: encoded as U+FFFD
  }
  if (c >= 0xdc80 && c <= 0xdcff) return [1, 1]; // raw byte (lone low surrogate here)
  return [3, 1];
}

/** The UTF-8 bytes of a string (escapes become their raw byte). */
export function utf8Bytes(s: string): Uint8Array {
  if (!sawEscape || !hasEscape(s)) return Buffer.from(s, 'utf8');
  const out = Buffer.allocUnsafe(s.length * 3);
  let n = 0;
  let runStart = 0;
  for (let i = 0; i < s.length; i++) {
    if (isEscapeAt(s, i)) {
      if (i > runStart) n += out.write(s.slice(runStart, i), n, 'utf8');
      out[n++] = s.charCodeAt(i) - ESC_BASE;
      runStart = i + 1;
    }
  }
  if (runStart < s.length) n += out.write(s.slice(runStart), n, 'utf8');
  return out.subarray(0, n);
}

const LONE_ESC = /[\udc80-\udcff]/u;

function hasEscape(s: string): boolean {
  return LONE_ESC.test(s);
}

/** Decodes bytes: valid UTF-8 as text, each byte of an invalid sequence as its escape (Go's decoding rules). */
export function fromUtf8(b: Uint8Array): string {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.length);
  if (isUtf8(buf)) return buf.toString('utf8');
  sawEscape = true;
  let out = '';
  let i = 0;
  let runStart = 0;
  while (i < b.length) {
    const n = validSeqLen(b, i);
    if (n > 0) {
      i += n;
      continue;
    }
    if (i > runStart) out += buf.toString('utf8', runStart, i);
    out += String.fromCharCode(ESC_BASE + b[i]);
    i++;
    runStart = i;
  }
  if (runStart < b.length) out += buf.toString('utf8', runStart, b.length);
  return out;
}

/** Length of the valid UTF-8 sequence at i, or 0 (Go's utf8.DecodeRune acceptance ranges). */
function validSeqLen(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c < 0x80) return 1;
  const cont = (j: number, lo = 0x80, hi = 0xbf): boolean => j < b.length && b[j] >= lo && b[j] <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(i + 1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    const lo = c === 0xe0 ? 0xa0 : 0x80;
    const hi = c === 0xed ? 0x9f : 0xbf;
    return cont(i + 1, lo, hi) && cont(i + 2) ? 3 : 0;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    const lo = c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xf4 ? 0x8f : 0xbf;
    return cont(i + 1, lo, hi) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  }
  return 0;
}

/**
 * Re-establishes the single representation after bytes were put side by side (concatenation, join, %):
 * escapes that now form a valid UTF-8 sequence become that character.
 */
export function norm(s: string): string {
  if (!sawEscape || !hasEscape(s)) return s;
  return fromUtf8(utf8Bytes(s));
}

/** x + y, renormalising only when an escape meets an escape at the seam. */
export function concat(x: string, y: string): string {
  const r = x + y;
  if (sawEscape && x.length > 0 && y.length > 0 && isEscapeAt(x, x.length - 1) && isEscapeAt(y, 0)) return norm(r);
  return r;
}

// A few recently used long strings and their bytes: a loop indexing one long non-ASCII string stays linear.
const CACHE_MIN = 256;
const cacheKeys: string[] = [];
const cacheVals: Array<Uint8Array | null> = [];

/** null when s is ASCII (bytes are its code units), else its UTF-8 bytes. */
export function byteView(s: string): Uint8Array | null {
  if (s.length < CACHE_MIN) return isAscii(s) ? null : utf8Bytes(s);
  for (let i = 0; i < cacheKeys.length; i++) if (cacheKeys[i] === s) return cacheVals[i];
  chargeScan(s.length);
  const v = isAscii(s) ? null : utf8Bytes(s);
  if (cacheKeys.length >= 4) {
    cacheKeys.shift();
    cacheVals.shift();
  }
  cacheKeys.push(s);
  cacheVals.push(v);
  return v;
}

/** len(s): UTF-8 bytes. */
export function byteLen(s: string): number {
  const v = byteView(s);
  return v === null ? s.length : v.length;
}

/** The substring of bytes [a, b) (byte offsets, 0 <= a <= b <= len). */
export function byteSlice(s: string, a: number, b: number): string {
  const v = byteView(s);
  if (v === null) return s.slice(a, b);
  return fromUtf8(v.subarray(a, b));
}

/** Byte offset of code unit index i of s. */
export function byteOffsetOf(s: string, i: number): number {
  const v = byteView(s);
  if (v === null) return i;
  let n = 0;
  for (let j = 0; j < i; ) {
    const [bytes, units] = unitBytes(s, j);
    n += bytes;
    j += units;
  }
  return n;
}

/** Code unit index of byte offset b of s (b at a character boundary, or rounded down into the escape run). */
export function unitIndexOf(s: string, b: number): number {
  const v = byteView(s);
  if (v === null) return b;
  let n = 0;
  let j = 0;
  while (j < s.length && n < b) {
    const [bytes, units] = unitBytes(s, j);
    n += bytes;
    j += units;
  }
  return j;
}

/** Code points as Go's utf8 decoding yields them: an escape (invalid byte) is U+FFFD. */
export function codePointAtUnit(s: string, i: number): [cp: number, units: number] {
  if (isEscapeAt(s, i)) return [0xfffd, 1];
  const cp = s.codePointAt(i)!;
  if (cp >= 0xd800 && cp <= 0xdfff) return [0xfffd, 1];
  return [cp, cp > 0xffff ? 2 : 1];
}

/** Whether code unit i starts a raw-byte escape (for quoting). */
export function escapeByteAt(s: string, i: number): number {
  return isEscapeAt(s, i) ? s.charCodeAt(i) - ESC_BASE : -1;
}

/** Replaces escapes with U+FFFD: text for places that must be valid Unicode (hash, host output). */
export function toValidText(s: string): string {
  if (!sawEscape || !hasEscape(s)) return s;
  return s.replace(/[\udc80-\udcff]/gu, '\ufffd');
}
