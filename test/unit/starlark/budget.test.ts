import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Builtin, StarlarkError, cancelThread, createThread, execFile } from '../../../src/starlark/index';

function run(source: string, opts: { maxSteps?: number; cancel?: Int32Array; predeclared?: Record<string, Builtin> } = {}): StarlarkError | undefined {
  try {
    execFile({ filename: 'Tiltfile', source, predeclared: opts.predeclared ?? {}, maxSteps: opts.maxSteps, cancel: opts.cancel });
  } catch (err) {
    if (err instanceof StarlarkError) return err;
    throw err;
  }
  return undefined;
}

test('an endless while loop stops at the step budget', () => {
  const e = run('x = 0\nwhile True:\n  x += 1\n', { maxSteps: 50_000 });
  assert.equal(e?.kind, 'cancelled');
  assert.equal(e?.shortMessage, 'Starlark computation cancelled: too many steps');
  assert.equal(e?.pos.line, 2);
  assert.match(e!.backtrace(), /Tiltfile:2:1: in <toplevel>/);
});

test('a huge range loop stops at the budget, inside functions too', () => {
  const e = run('def f():\n  for i in range(1000000000000):\n    pass\nf()\n', { maxSteps: 100_000 });
  assert.equal(e?.kind, 'cancelled');
  assert.deepEqual(e?.frames.map((f) => f.fn), ['<toplevel>', 'f']);
});

test('endless recursion through calls counts steps too', () => {
  const e = run('def f(n):\n  for i in range(10): pass\n  return f(n) if n < 0 else g(n)\ndef g(n):\n  return f(n)\nf(1)\n', { maxSteps: 20_000 });
  assert.ok(e, 'expected failure');
  assert.ok(e.kind === 'cancelled' || /stack overflow/.test(e.shortMessage), e.message);
});

test('comprehensions over huge ranges are bounded', () => {
  const e = run('x = [i for i in range(1000000000)]\n', { maxSteps: 10_000 });
  assert.equal(e?.kind, 'cancelled');
});

test('the shared cancel flag stops evaluation (set from a builtin mid-run)', () => {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const trip = new Builtin('trip', () => {
    Atomics.store(flag, 0, 1);
    return null;
  });
  const e = run('trip()\nn = 0\nwhile True:\n  n += 1\n', { cancel: flag, predeclared: { trip } });
  assert.equal(e?.kind, 'cancelled');
  assert.equal(e?.shortMessage, 'Starlark computation cancelled: cancelled by host');
});

test('a flag already set cancels at the first check', () => {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  flag[0] = 1;
  const e = run('for i in range(100000):\n  pass\n', { cancel: flag });
  assert.equal(e?.kind, 'cancelled');
});

test('normal scripts finish well within a budget, and the budget is per execFile call', () => {
  assert.equal(run('x = [i * i for i in range(1000)]\n', { maxSteps: 5000 }), undefined);
  const thread = createThread('t');
  for (let i = 0; i < 3; i++) {
    execFile({ filename: 'm', source: 'for i in range(900): pass\n', predeclared: {}, thread, maxSteps: 1000 });
  }
});

test('cancelThread(thread, reason) from a builtin', () => {
  const stop = new Builtin('stop', (c) => {
    cancelThread(c.thread, 'user pressed stop');
    return null;
  });
  const e = run('stop()\nwhile True: pass\n', { predeclared: { stop } });
  assert.equal(e?.shortMessage, 'Starlark computation cancelled: user pressed stop');
});

test('loads on the same thread share the outer budget', () => {
  const thread = createThread('t');
  const lib = 'n = 0\nfor i in range(5000):\n  n += 1\n';
  let err: StarlarkError | undefined;
  try {
    execFile({
      filename: 'main',
      source: 'for i in range(3000): pass\nload("lib", "n")\n',
      predeclared: {},
      thread,
      maxSteps: 6000,
      load: (m, t) => Object.fromEntries(execFile({ filename: m, source: lib, predeclared: {}, thread: t, maxSteps: 6000 }).globals),
    });
  } catch (e) {
    err = e as StarlarkError;
  }
  assert.equal(err?.kind, 'cancelled');
  assert.deepEqual(err?.frames.map((f) => f.file), ['main', 'lib']);
});
