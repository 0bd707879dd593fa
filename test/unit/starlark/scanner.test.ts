import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tokenize } from '../../../src/starlark/scanner';
import { StarlarkError } from '../../../src/starlark/index';
import { evalRepr, fails, ok } from './helpers';

const kinds = (src: string): string => tokenize(src, 't').map((t) => (t.kind === 'OP' || t.kind === 'KEYWORD' || t.kind === 'IDENT' ? t.text : t.kind)).join(' ');

test('indentation produces INDENT/OUTDENT and skips blank/comment lines', () => {
  assert.equal(kinds('if x:\n  y\n\n  # c\n  z\nw\n'), 'if x : NEWLINE INDENT y NEWLINE z NEWLINE OUTDENT w NEWLINE EOF');
});

test('newlines inside brackets and backslash continuations are joined', () => {
  assert.equal(kinds('f(a,\n  b)\nx = 1 + \\\n 2\n'), 'f ( a , b ) NEWLINE x = INT + INT NEWLINE EOF');
});

test('int literals in every base, with big values', () => {
  assert.equal(evalRepr('[0x1F, 0o17, 0b101, 0, 00, 123]'), '[31, 15, 5, 0, 0, 123]');
  assert.equal(evalRepr('0xFFFFFFFFFFFFFFFFFF'), '4722366482869645213695');
  assert.equal(evalRepr('type(12345678901234567890)'), '"int"');
});

test('float literals', () => {
  assert.equal(evalRepr('[1.5, .5, 1e3, 1.e2, 2E-3]'), '[1.5, 0.5, 1000.0, 100.0, 0.002]');
});

test('string literal forms and escapes', () => {
  ok(String.raw`
assert.eq('a' + "b", "ab")
assert.eq("""x
y""", "x\ny")
assert.eq('''it's''', "it's")
assert.eq(r"a\nb", "a\\nb")
assert.eq(len(r"\""), 2)
assert.eq("\x41\101\u0041\U00000041", "AAAA")
assert.eq("tab\tnl\n"[3], "\t")
assert.eq("\u00e9", "é")
assert.eq(b"abc", bytes("abc"))
assert.eq(type(rb"\x00"), "bytes")
assert.eq(len(b"\xff\x00"), 2)
assert.eq("a\
b", "ab")
`);
});

test('comments and semicolons', () => {
  ok('x = 1; y = 2  # comment\nassert.eq(x + y, 3)\n');
});

test('scanner errors carry line:col', () => {
  const e1 = fails('x = "abc\n');
  assert.equal(e1.kind, 'syntax');
  assert.equal(e1.message, 'test.star:1:5: unexpected newline in string');
  assert.match(fails('x = "\\q"').message, /invalid escape sequence \\q/);
  assert.match(fails('x = 012').message, /obsolete form of octal literal/);
  assert.match(fails('x = 1 $ 2').message, /test.star:1:7: unexpected input character '\$'/);
  const e2 = fails('if x:\n    a = 1\n  b = 2\n');
  assert.match(e2.message, /unindent does not match any outer indentation level/);
  assert.ok(e2 instanceof StarlarkError);
});
