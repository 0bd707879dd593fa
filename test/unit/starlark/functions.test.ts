import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fails, ok } from './helpers';

test('defaults, *args, **kwargs and keyword-only parameters', () => {
  ok(`
def f(a, b = 2, *args, c, d = 4, **kw):
  return (a, b, args, c, d, kw)
assert.eq(f(1, c = 3), (1, 2, (), 3, 4, {}))
assert.eq(f(1, 5, 6, 7, c = 3, z = 9), (1, 5, (6, 7), 3, 4, {"z": 9}))
assert.eq(f(c = 0, a = 1), (1, 2, (), 0, 4, {}))
def g(*, x, y = 1):
  return x + y
assert.eq(g(x = 1), 2)
def h(*args, **kwargs):
  return args, kwargs
assert.eq(h(1, *[2, 3], k = 1, **{"m": 2}), ((1, 2, 3), {"k": 1, "m": 2}))
def pos(a, b):
  return a - b
assert.eq(pos(*(5, 2)), 3)
assert.eq(pos(**{"b": 1, "a": 3}), 2)
`);
  assert.match(fails('def f(a, b = 1): pass\nf()').shortMessage, /function f missing 1 argument \(a\)/);
  assert.match(fails('def f(a, b): pass\nf()').shortMessage, /function f missing 2 arguments \(a, b\)/);
  assert.match(fails('def f(a, b = 1): pass\nf(1, 2, 3)').shortMessage, /function f accepts at most 2 positional arguments \(3 given\)/);
  assert.match(fails('def f(a): pass\nf(1, 2)').shortMessage, /function f accepts 1 positional argument \(2 given\)/);
  assert.match(fails('def f(): pass\nf(1)').shortMessage, /function f accepts no arguments \(1 given\)/);
  assert.match(fails('def f(a): pass\nf(1, a = 2)').shortMessage, /function f got multiple values for parameter "a"/);
  assert.match(fails('def f(a): pass\nf(b = 2)').shortMessage, /function f got an unexpected keyword argument b/);
  assert.match(fails('def f(*, k): pass\nf()').shortMessage, /function f missing 1 argument \(k\)/);
  assert.match(fails('def f(**kw): pass\nf(**{1: 2})').shortMessage, /keywords must be strings, not int/);
  assert.match(fails('def f(*a): pass\nf(*1)').shortMessage, /argument after \* must be iterable, not int/);
  assert.match(fails('def f(**a): pass\nf(**[])').shortMessage, /argument after \*\* must be a mapping, not list/);
});

test('default values are evaluated once, at definition time', () => {
  ok(`
calls = []
def mk():
  calls.append(1)
  return []
def f(x = mk()):
  x.append(1)
  return len(x)
assert.eq(f(), 1)
assert.eq(f(), 2)
assert.eq(len(calls), 1)
`);
});

test('closures capture variables, not values; nested functions and lambdas', () => {
  ok(`
def counter():
  n = [0]
  def inc(by = 1):
    n[0] += by
    return n[0]
  return inc
c = counter()
c()
c(5)
assert.eq(c(), 7)
def outer(x):
  def middle():
    def inner():
      return x * 2
    return inner()
  return middle()
assert.eq(outer(21), 42)
def late():
  fs = [lambda: i for i in range(3)]
  return [f() for f in fs]
assert.eq(late(), [2, 2, 2])
def adder(n):
  return lambda x: x + n
assert.eq(adder(3)(4), 7)
def shadow():
  x = 1
  f = lambda: x
  x = 2
  return f()
assert.eq(shadow(), 2)
`);
});

test('comprehension scoping: loop variables do not leak, first iterable is outer', () => {
  ok(`
x = [1, 2]
y = [x for x in x]
assert.eq(y, [1, 2])
assert.eq(x, [1, 2])
def f():
  i = "outer"
  l = [i for i in range(2)]
  return i, l
assert.eq(f(), ("outer", [0, 1]))
assert.eq([(a, b) for a in range(2) for b in range(a)], [(1, 0)])
assert.eq({k: k * 2 for k in [1, 2] if k > 1}, {2: 4})
assert.eq([[j for j in range(i)] for i in range(3)], [[], [0], [0, 1]])
`);
  // the comprehension variable is not visible after it
  assert.match(fails('l = [z for z in [1]]\nprint(z)\n').message, /undefined: z/);
});

test('recursion (allowed in the Tilt dialect) and mutual recursion', () => {
  ok(`
def even(n):
  return True if n == 0 else odd(n - 1)
def odd(n):
  return False if n == 0 else even(n - 1)
assert.eq(even(100), True)
def fib(n):
  return n if n < 2 else fib(n - 1) + fib(n - 2)
assert.eq(fib(15), 610)
`);
  const e = fails('def f(n):\n  return f(n + 1)\nf(0)\n');
  assert.match(e.shortMessage, /stack overflow/);
});

test('return without value, functions without return, and break/continue', () => {
  ok(`
def f():
  return
def g():
  pass
assert.eq(f(), None)
assert.eq(g(), None)
def loops():
  out = []
  for i in range(10):
    if i == 2:
      continue
    if i == 5:
      break
    out.append(i)
  n = 0
  while True:
    n += 1
    if n > 3:
      break
  return out, n
assert.eq(loops(), ([0, 1, 3, 4], 4))
def early():
  for i in range(10):
    for j in range(10):
      if j == 2:
        return (i, j)
assert.eq(early(), (0, 2))
`);
});

test('augmented assignment evaluates the target once, for every operator', () => {
  ok(`
x = 10
x -= 3
x *= 2
x //= 3
x %= 3
x |= 8
x &= 12
x ^= 1
x <<= 2
x >>= 1
assert.eq(x, 18)
f = 1.0
f /= 4
assert.eq(f, 0.25)
n = [0]
calls = []
def idx():
  calls.append(1)
  return 0
n[idx()] += 5
assert.eq(n, [5])
assert.eq(len(calls), 1)
d = {"k": 1}
d["k"] += 1
assert.eq(d, {"k": 2})
s = "a"
s += "b"
assert.eq(s, "ab")
`);
});

test('function values: type, name, identity-based hashing', () => {
  ok(`
def f(): pass
assert.eq(type(f), "function")
d = {f: 1}
assert.eq(d[f], 1)
assert.eq(f == f, True)
assert.eq(type(lambda: 0), "function")
`);
});

test('nested recursion and variables bound after the inner def', () => {
  ok(`
def outer():
  def fact(n):
    return 1 if n <= 1 else n * fact(n - 1)
  def later():
    return x
  x = 10
  return fact(5), later()
assert.eq(outer(), (120, 10))
def params_captured(a, b = 2, *rest, **kw):
  return lambda: (a, b, rest, kw)
assert.eq(params_captured(1, 3, 4, k = 5)(), (1, 3, (4,), {"k": 5}))
`);
  assert.match(fails('def outer():\n  def inner():\n    return y\n  r = inner()\n  y = 1\n  return r\nouter()\n').shortMessage, /local variable y referenced before assignment/);
});
