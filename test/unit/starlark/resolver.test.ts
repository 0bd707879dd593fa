import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fails, ok } from './helpers';

const resolveErr = (src: string): string => {
  const e = fails(src);
  assert.equal(e.kind, 'resolve', e.message);
  return e.message;
};

test('undefined names fail at resolve time, before any execution', () => {
  const out: string[] = [];
  const e = fails('print("never")\nx = y\n', { print: (m) => out.push(m) });
  assert.equal(e.message, 'test.star:2:5: undefined: y');
  assert.deepEqual(out, []);
});

test('control-flow placement rules', () => {
  assert.equal(resolveErr('break\n'), 'test.star:1:1: break not in a loop');
  assert.equal(resolveErr('def f():\n  continue\n'), 'test.star:2:3: continue not in a loop');
  assert.equal(resolveErr('return 1\n'), 'test.star:1:1: return statement not within a function');
  assert.equal(resolveErr('def f():\n  load("m", "x")\n'), 'test.star:2:3: load statement within a function');
  assert.equal(resolveErr('if True:\n  load("m", "x")\n'), 'test.star:2:3: load statement not at top level');
  assert.equal(resolveErr('load("m", "_x")\n'), 'test.star:1:11: load: names with leading underscores are not exported: _x');
});

test('parameter rules', () => {
  assert.equal(resolveErr('def f(a=1, b): pass\n'), 'test.star:1:12: required parameter may not follow optional');
  assert.equal(resolveErr('def f(a, a): pass\n'), 'test.star:1:10: duplicate parameter: a');
  assert.equal(resolveErr('def f(*, **kw): pass\n'), 'test.star:1:7: bare * must be followed by keyword-only parameters');
  assert.equal(resolveErr('def f(**kw, a): pass\n'), 'test.star:1:13: parameter may not follow **kwargs');
  assert.equal(resolveErr('def f(*a, *b): pass\n'), 'test.star:1:11: multiple * parameters not allowed');
});

test('argument order rules', () => {
  assert.equal(resolveErr('f = len\nf(a = 1, 2)\n'), 'test.star:2:10: positional argument may not follow named');
  assert.equal(resolveErr('f = len\nf(a = 1, a = 2)\n'), 'test.star:2:10: keyword argument "a" is repeated');
  assert.equal(resolveErr('f = len\nf(**{}, *[])\n'), 'test.star:2:9: *args may not follow **kwargs');
});

test('Tilt dialect: top-level if/for/while, global reassignment, recursion', () => {
  ok(`
x = 1
x = 2
if x == 2:
  y = 3
for i in range(3):
  x += i
n = 0
while n < 5:
  n += 1
def fact(k):
  return 1 if k <= 1 else k * fact(k - 1)
assert.eq(x, 5)
assert.eq(y, 3)
assert.eq(n, 5)
assert.eq(fact(20), 2432902008176640000)
assert.eq(fact(25), 15511210043330985984000000)
`);
});

test('local vs global binding and referenced-before-assignment', () => {
  ok(`
g = 1
def f():
  return g
def h():
  g = 2
  return g
assert.eq(f(), 1)
assert.eq(h(), 2)
assert.eq(g, 1)
`);
  assert.match(fails('def f():\n  x = y\n  y = 1\nf()\n').message, /local variable y referenced before assignment/);
  assert.match(fails('def f():\n  return z\nf()\nz = 1\n').message, /global variable z referenced before assignment/);
});

test('predeclared names shadow universal ones; globals shadow both', () => {
  const r = ok('b = x\n', { predeclared: { x: 'px' } });
  assert.equal(r.globals.get('b'), 'px');
  assert.match(fails('a = len("abc")\n', { predeclared: { len: 7 } }).message, /invalid call of non-function \(int\)/);
  // with len a global bound later, the first use is a global reference before assignment
  assert.match(fails('a = len("abc")\nlen = 5\n').message, /global variable len referenced before assignment/);
});
