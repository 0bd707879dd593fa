// Size limits and JS allocation failures become clean StarlarkErrors at the right position; builtins charge steps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StarlarkError, execFile, repr } from '../../../src/starlark/index';

function fails(source: string, maxSteps = 20_000_000): StarlarkError {
  try {
    execFile({ filename: 'T', source, predeclared: {}, maxSteps });
  } catch (e) {
    assert.ok(e instanceof StarlarkError, `expected a StarlarkError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected an error');
}

test('string doubling past the limit is a clean error at the + (not a JS RangeError)', () => {
  const e = fails('s = "ab"\nfor i in range(40):\n    s = s + s\n');
  assert.equal(e.kind, 'runtime');
  assert.match(e.shortMessage, /^string too large: \d+ bytes \(limit \d+\)$/);
  assert.deepEqual([e.pos.line, e.pos.col], [3, 11]);
});

test('list growth by +, += and extend stops at the list limit instead of aborting the process', () => {
  // The copies are charged per element, so the production budget ends these first; a budget of 1G steps
  // lets them reach the size limit.
  const big = 1_000_000_000;
  assert.match(fails('x = [1, 2]\nfor i in range(40):\n    x = x + x\n', big).shortMessage, /^list too large: \d+ elements/);
  const aug = fails('x = [1]\nfor i in range(40):\n    x += x\n', big);
  assert.match(aug.shortMessage, /^list too large/);
  assert.equal(aug.pos.line, 3);
  assert.match(fails('x = [1]\nfor i in range(40):\n    x.extend(x)\n', big).shortMessage, /^Error in extend: list too large/);
  assert.match(fails('x = (1,)\nfor i in range(40):\n    x = x + x\n', big).shortMessage, /^tuple too large/);
  assert.match(fails('x = [1, 2]\nfor i in range(40):\n    x = x + x\n').shortMessage, /^list too large|too many steps/);
});

test('repetition is guarded for strings, lists and tuples', () => {
  assert.match(fails('x = [0] * 1000000000\n').shortMessage, /excessive repeat .*a list may hold at most/);
  assert.match(fails('x = [0] * 100000000\n').shortMessage, /excessive repeat/);
  assert.match(fails('x = 1000000000 * "x"\n').shortMessage, /excessive repeat .*a string may hold at most/);
  assert.match(fails('x = (1, 2) * 100000000\n').shortMessage, /excessive repeat .*tuple/);
});

test('materialising a huge range is a clean error', () => {
  assert.match(fails('x = list(range(1000000000000))\n').shortMessage, /^Error in list: range too large to materialize/);
  assert.match(fails('x = sorted(range(1000000000))\n').shortMessage, /^Error in sorted: range too large/);
  assert.match(fails('x = tuple(range(1000000000))\n').shortMessage, /^Error in tuple: range too large/);
});

test('JS allocation failures inside builtins are reported as Starlark errors', () => {
  // a large budget: builtins are charged for the strings they build, and the allocation limit is the point here
  const e = fails('x = "a"\nfor i in range(40):\n    x = "".join([x, x])\n', 1_000_000_000);
  assert.match(e.shortMessage, /^Error in join: string too large/);
  assert.equal(e.pos.line, 3);
  const f = fails('x = "a"\nfor i in range(40):\n    x = "%s%s" % (x, x)\n', 1_000_000_000);
  assert.match(f.shortMessage, /string too large/);
  assert.equal(f.pos.line, 3);
});

test('step budget: comprehension iterations and elements materialised by builtins count', () => {
  assert.equal(fails('x = [i for i in range(1000000)]\n', 100_000).kind, 'cancelled');
  assert.equal(fails('y = list(range(1000))\nfor i in range(1000):\n    z = sorted(y)\n', 100_000).kind, 'cancelled');
  assert.equal(fails('for i in range(200):\n    z = list(range(1000))\n', 100_000).kind, 'cancelled');
  // the same work under the budget still runs
  execFile({ filename: 'T', source: 'for i in range(50):\n    z = sorted(list(range(1000)))\n', predeclared: {}, maxSteps: 200_000 });
});

test('membership in a huge range is arithmetic (no search, no hang)', () => {
  const { globals } = execFile({
    filename: 'T', predeclared: {},
    source: 'r = [-1 in range(1000000000000), 999999999999 in range(1000000000000), 4 in range(0, 10, 2), 5 in range(0, 10, 2), -2 in range(10, -10, -3), 0 in range(10, -10, -3), 10 in range(10, -10, -3), -10 in range(10, -10, -3)]\n',
  });
  assert.equal(repr(globals.get('r')!), '[False, True, True, False, True, False, True, False]');
});

test('builtins iterating a huge range spend the step budget or fail on size, never hang', () => {
  assert.equal(fails('x = all(range(1, 1000000000000))\n', 100_000).kind, 'cancelled');
  assert.match(fails('x = set(range(1000000000000))\n').shortMessage, /^Error in set: range too large/);
  assert.match(fails('x = set([1]).union(range(1000000000000))\n').shortMessage, /^Error in union: range too large/);
  assert.match(fails('x = zip(range(1000000000000), [1])\n').shortMessage, /^Error in zip: range too large/);
});

test('ints: repeated squaring stops at the size limit quickly instead of grinding towards V8 BigInt limits', () => {
  assert.match(fails('x = 3\nfor i in range(40):\n    x = x * x\n').shortMessage, /^int too large: the product would have about \d+ bits \(limit 1048576\)$/);
  assert.match(fails('x = 1 << 500\nfor i in range(100000):\n    x = x * 1000000007\n').shortMessage, /^int too large: the product has about|cancelled: too many steps/);
  // big but reasonable ints still work
  execFile({ filename: 'T', source: 'x = 1 << 500\nfor i in range(6):\n    x = x * x\nassert_ok = x > 0\n', predeclared: {} });
});
