import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from '../../../src/starlark/index';
import { fails, ok } from './helpers';

const syntaxErr = (src: string): string => {
  const e = fails(src);
  assert.equal(e.kind, 'syntax', e.message);
  return e.message;
};

test('parse errors report file:line:col like starlark-go', () => {
  assert.equal(syntaxErr('f(1,\n  2\nx = 3\n'), "test.star:3:1: got identifier, want ','");
  assert.equal(syntaxErr('x = 1 + \n'), 'test.star:1:9: got newline, want primary expression');
  assert.equal(syntaxErr('def f(:\n  pass\n'), 'test.star:1:7: got \':\', want identifier');
  assert.equal(syntaxErr('if x\n  pass\n'), "test.star:1:5: got newline, want ':'");
  assert.equal(syntaxErr('x = 1 2\n'), 'test.star:1:7: got int literal, want newline');
  assert.equal(syntaxErr('def f():\nreturn 1\n'), 'test.star:2:1: got \'return\', want indent');
  assert.equal(syntaxErr('a < b < c\n'), 'test.star:1:7: < does not associate with < (use parens)');
  assert.equal(syntaxErr('x = 1 if y\n'), 'test.star:1:11: conditional expression without else clause');
  assert.equal(syntaxErr('f() = 1\n'), 'test.star:1:1: cannot assign to function call');
  assert.equal(syntaxErr('(a, b) += 1\n'), 'test.star:1:1: cannot perform augmented assignment to tuple');
  assert.equal(syntaxErr('load("m")\n'), 'test.star:1:1: load statement must import at least 1 symbol');
});

test('parses every statement form', () => {
  const ast = parse('load("m", "a", b = "c")\ndef f(x, y = 1, *args, z, **kw):\n  if x:\n    pass\n  elif y:\n    return\n  else:\n    for i in x: continue\n  while y: break\n  return lambda q: q\n', 't');
  assert.deepEqual(ast.stmts.map((s) => s.k), ['load', 'def']);
});

test('expressions: precedence, conditional, lambda, slices, comprehensions', () => {
  ok(`
assert.eq(1 + 2 * 3, 7)
assert.eq((1 + 2) * 3, 9)
assert.eq(-2 * 3, -6)
assert.eq(not 1 == 2, True)
assert.eq(1 if True else 2, 1)
assert.eq(0 or 3 and 4, 4)
assert.eq(1 | 2 ^ 3 & 4 << 1, 3)
assert.eq(8 >> 1 + 1, 2)
f = lambda x, y = 2: x * y
assert.eq(f(3), 6)
assert.eq([1, 2, 3][::-1], [3, 2, 1])
assert.eq([x for x in range(4) if x % 2 for _ in [0, 1]], [1, 1, 3, 3])
assert.eq({k: v for k, v in [("a", 1)]}, {"a": 1})
assert.eq(1 in [1, 2] and 3 not in [1, 2], True)
t = 1, 2,
assert.eq(t, (1, 2))
assert.eq((1,), tuple([1]))
assert.eq(-(-3), 3)
assert.eq(~5, -6)
assert.eq(+3, 3)
x = [
  1,
  2,  # trailing comma and comments
]
assert.eq(len(x), 2)
`);
});

test('trailing commas in calls, params, dicts', () => {
  ok(`
def f(a, b,):
  return a + b
assert.eq(f(1, 2,), 3)
assert.eq({"a": 1,}, dict(a = 1))
`);
});

test('unclosed brackets at end of file', () => {
  assert.equal(syntaxErr('x = (1,\n'), 'test.star:2:1: got end of file, want primary expression');
  assert.equal(syntaxErr('f(1'), "test.star:1:4: got end of file, want ','");
});

test('pathologically nested source is a syntax error, not a crash', () => {
  const e = fails('x = ' + '('.repeat(20000) + '1' + ')'.repeat(20000) + '\n');
  assert.equal(e.kind, 'syntax');
  assert.match(e.message, /too deeply nested/);
});
