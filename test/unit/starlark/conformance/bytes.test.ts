// bytes as starlark-go: indexing gives one-byte bytes, repr keeps valid UTF-8 as text, elems() is an iterable.
// Also string order and case mapping, which follow Go's byte order and rune-to-rune mappings.
import { conformance } from './cases';

conformance('bytes', [
  ['b"goodbye"[0]', 'b"g"'],
  ['b"goodbye"[-1]', 'b"e"'],
  ['b"ab"[2]', '!out of range'],
  ['b"hello, 世界"', 'b"hello, 世界"'],
  ['repr(b"hello, 世界")', '"b\\"hello, 世界\\""'],
  ['b"\\xff\\x00a"', 'b"\\xff\\x00a"'],
  ['bytes("世")[0:2]', 'b"\\xe4\\xb8"'],
  ['type(b"ab".elems())', '"bytes.elems"'],
  ['list(b"ab".elems())', '[97, 98]'],
  ['b"ab".elems()', 'b"ab".elems()'],
  ['[x for x in b"ab".elems()]', '[97, 98]'],
  ['len(b"ab".elems())', '!has no len'],
]);

conformance('string order', [
  ['"\\uffff" < "😀"', 'True'],
  ['"😀" < "😁"', 'True'],
  ['"a" < "b"', 'True'],
  ['"ab" < "a"', 'False'],
  ['"é"[1] < "é"[0]', 'True'],
  ['sorted(["😀", "\\uffff", "z", "é"])', '["z", "é", "\\uffff", "😀"]'],
]);

conformance('case mapping', [
  ['"ß".upper()', '"ß"'],
  ['"straße".upper()', '"STRAßE"'],
  ['"ΑΣ".lower()', '"ασ"'],
  ['"İ".lower()', '"i"'],
  ['"ǉubović".title()', '"ǈubović"'],
  ['"hello wORLD 3x".title()', '"Hello World 3X"'],
  ['"éCOLE".capitalize()', '"École"'],
  ['"abc".upper()', '"ABC"'],
]);
