import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Builtin, StarlarkError, execFile, structBuiltin, unpackArgs } from '../../../src/starlark/index';

function err(source: string, predeclared: Record<string, Builtin> = {}): StarlarkError {
  try {
    execFile({ filename: 'Tiltfile', source, predeclared });
  } catch (e) {
    if (e instanceof StarlarkError) return e;
    throw e;
  }
  return assert.fail('expected an error');
}

const dockerBuild = new Builtin('docker_build', (c) => {
  unpackArgs(c, ['ref', 'context', 'build_args?']);
  return null;
});

test('builtin errors: Error in NAME, with the call stack and call positions', () => {
  const e = err('x = 1\n\ndef helper():\n    docker_build(context = ".")\n\nhelper()\n', { docker_build: dockerBuild });
  assert.equal(e.kind, 'runtime');
  assert.equal(e.shortMessage, 'Error in docker_build: missing argument for ref');
  assert.deepEqual(e.pos, { file: 'Tiltfile', line: 4, col: 17 });
  assert.deepEqual(e.frames, [
    { file: 'Tiltfile', line: 6, col: 7, fn: '<toplevel>' },
    { file: 'Tiltfile', line: 4, col: 17, fn: 'helper' },
  ]);
  assert.equal(
    e.backtrace(),
    'Traceback (most recent call last):\n  Tiltfile:6:7: in <toplevel>\n  Tiltfile:4:17: in helper\nError in docker_build: missing argument for ref',
  );
  assert.equal(e.message, 'Tiltfile:4:17: Error in docker_build: missing argument for ref');
});

test('unpackArgs messages', () => {
  assert.equal(err('docker_build("a", ".", {}, 4)\n', { docker_build: dockerBuild }).shortMessage, 'Error in docker_build: got 4 arguments, want at most 3');
  assert.equal(err('docker_build("a", ".", x = 1)\n', { docker_build: dockerBuild }).shortMessage, 'Error in docker_build: unexpected keyword argument "x"');
  assert.equal(err('docker_build("a", ".", ref = "b")\n', { docker_build: dockerBuild }).shortMessage, 'Error in docker_build: got multiple values for keyword argument "ref"');
});

test('fail() reads "Error in fail: msg"', () => {
  const e = err('def check(x):\n  if not x:\n    fail("x is required:", x)\ncheck(0)\n');
  assert.equal(e.shortMessage, 'Error in fail: x is required: 0');
  assert.match(e.backtrace(), /Tiltfile:4:6: in <toplevel>\n {2}Tiltfile:3:9: in check\nError in fail: x is required: 0$/);
});

test('expression errors point at the operator / bracket / dot', () => {
  assert.equal(err('x = 1\ny = x + "a"\n').message, 'Tiltfile:2:7: unknown binary op: int + string');
  assert.equal(err('x = [1, 2, 3]\ny = x[5]\n').message, 'Tiltfile:2:6: list index 5 out of range [-3:2]');
  assert.equal(err('x = "s"\ny = x.nope\n').message, 'Tiltfile:2:6: string has no .nope field or method');
  assert.equal(err('x = -"a"\n').message, 'Tiltfile:1:5: unknown unary op: -string');
  assert.equal(err('x = 1 < "a"\n').message, 'Tiltfile:1:7: int < string not implemented');
  assert.equal(err('x = {"a": 1}["b"]\n').message, 'Tiltfile:1:13: key "b" not in dict');
});

test('runtime errors in functions end with "Error: msg"', () => {
  const e = err('def f(d):\n  return d["k"]\nf({})\n');
  assert.equal(e.backtrace(), 'Traceback (most recent call last):\n  Tiltfile:3:2: in <toplevel>\n  Tiltfile:2:11: in f\nError: key "k" not in dict');
});

test('errors thrown by host builtins that are not Error objects are still reported', () => {
  const weird = new Builtin('weird', () => {
    throw 'plain string';
  });
  assert.equal(err('weird()\n', { weird }).shortMessage, 'Error in weird: plain string');
});

test('syntax and resolve errors have no frames and render as file:line:col: msg', () => {
  const s = err('x = (1,\ny = 2\n');
  assert.equal(s.kind, 'syntax');
  assert.deepEqual(s.frames, []);
  assert.equal(s.backtrace(), s.message);
  const r = err('def f():\n  return zzz\n');
  assert.equal(r.kind, 'resolve');
  assert.equal(r.message, 'Tiltfile:2:10: undefined: zzz');
});

test('errors from starlark callbacks invoked by builtins keep the full stack', () => {
  const e = err('def key(x):\n  return x["k"]\nsorted([{}], key = key)\n');
  assert.deepEqual(e.frames.map((f) => f.fn), ['<toplevel>', 'key']);
  assert.equal(e.shortMessage, 'key "k" not in dict');
});

test('"did you mean" suggestions for names and attributes, like starlark-go', () => {
  assert.equal(err('x = lenn([])\n').message, 'Tiltfile:1:5: undefined: lenn (did you mean len?)');
  assert.equal(err('def f(service_name):\n  return servce_name\n').message, 'Tiltfile:2:10: undefined: servce_name (did you mean service_name?)');
  assert.equal(err('x = qqqqqq\n').message, 'Tiltfile:1:5: undefined: qqqqqq');
  assert.equal(err('x = "a".uper()\n').shortMessage, 'string has no .uper field or method (did you mean .upper?)');
  assert.equal(err('s = struct(name = 1)\nx = s.nme\n', { struct: structBuiltin }).shortMessage, 'struct has no .nme attribute (did you mean .name?)');
});

test('deep recursion backtraces are compressed', () => {
  const e = err('def f(n):\n  return f(n + 1)\nf(0)\n');
  const lines = e.backtrace().split('\n');
  assert.ok(lines.length < 12, lines.join('\n'));
  assert.match(e.backtrace(), /\[previous line repeated \d+ more times\]/);
});
