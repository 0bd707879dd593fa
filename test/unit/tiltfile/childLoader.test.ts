// Loads in a child process: whatever the Tiltfile does (exhaust memory, read /dev/zero, abort V8), the caller
// survives and gets an error diagnostic at the Tiltfile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { deathMessage, loadTiltfileInChild } from '../../../src/tiltfile/childLoader';
import { project } from './helpers';

const childScript = join(__dirname, 'workerEntry.cjs');

test('child: the V8 abort of a huge split() kills only the child; the caller gets an error at the Tiltfile', async () => {
  const dir = project({ Tiltfile: 'x = ("a" * (1 << 27)).split("a")\nprint(len(x))\n' });
  const tf = join(dir, 'Tiltfile');
  const r = await loadTiltfileInChild(tf, { trusted: false }, { childScript, maxHeapMb: 256 });
  assert.equal(r.ok, false);
  const err = r.diagnostics.find((d) => d.severity === 'error');
  assert.ok(err, JSON.stringify(r.diagnostics));
  assert.equal(err.pos?.file, tf);
  // Either the interpreter refuses the allocation as a Starlark error, or the child dies of it: never the caller.
  assert.match(err.message, /memory|too (large|long|big)|limit/i);
  assert.equal(process.exitCode ?? 0, 0);
});

test('child: any death (abort with a V8 fatal report) becomes a clear diagnostic', async () => {
  const dir = project({ Tiltfile: 'print("hi")\n' });
  const r = await loadTiltfileInChild(join(dir, 'Tiltfile'), {}, { childScript: join(__dirname, 'crashEntry.cjs') });
  assert.equal(r.ok, false);
  assert.match(r.diagnostics[0]!.message, /more memory than allowed .*Fatal JavaScript invalid size error/);
  assert.deepEqual(r.diagnostics[0]!.pos, { file: join(dir, 'Tiltfile'), line: 1, col: 1 });
});

test('child: an unexplained death names the signal or exit code', () => {
  assert.match(deathMessage(null, 'SIGSEGV', '', 512), /crashed \(signal SIGSEGV\)/);
  assert.match(deathMessage(3, null, 'boom\n', 512), /crashed \(exit code 3\): boom/);
  assert.match(deathMessage(null, 'SIGKILL', '', 512), /killed \(SIGKILL\)/);
  assert.match(deathMessage(null, 'SIGABRT', 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory', 512), /512 MB/);
});

test('child: read_file("/dev/zero") is refused, not read forever', async () => {
  const dir = project({ Tiltfile: 'x = read_file("/dev/zero")\n' });
  const r = await loadTiltfileInChild(join(dir, 'Tiltfile'), { trusted: false }, { childScript, maxHeapMb: 256 });
  assert.equal(r.ok, false);
  assert.match(r.diagnostics[0]!.message, /refusing to read \/dev\/zero: not a regular file/);
  assert.equal(r.diagnostics[0]!.pos?.line, 1);
});

test('child: a .tiltignore symlinked to /dev/zero is skipped with a warning; the load succeeds', async () => {
  const dir = project({ Tiltfile: 'print("loaded")\n' });
  symlinkSync('/dev/zero', join(dir, '.tiltignore'));
  const r = await loadTiltfileInChild(join(dir, 'Tiltfile'), { trusted: false }, { childScript, maxHeapMb: 256 });
  assert.equal(r.ok, true, JSON.stringify(r.diagnostics));
  assert.deepEqual(r.output, ['loaded']);
  assert.match(r.diagnostics.find((d) => d.severity === 'warning')!.message, /\.tiltignore ignored: refusing to read .*not a regular file/);
});

test('child: a FIFO read by the Tiltfile does not block the load', async () => {
  const dir = project({ Tiltfile: 'k8s_yaml("pipe.yaml")\n' });
  execFileSync('mkfifo', [join(dir, 'pipe.yaml')]);
  const r = await loadTiltfileInChild(join(dir, 'Tiltfile'), { trusted: false }, { childScript, timeoutMs: 20_000 });
  assert.equal(r.ok, false);
  assert.match(r.diagnostics[0]!.message, /refusing to read .*pipe\.yaml: not a regular file/);
});

test('child: recursion 10,000 deep works (the load runs on a thread with a deep stack, deepStack.ts)', async () => {
  const dir = project({ Tiltfile: `def f(n):\n    return 0 if n == 0 else 1 + f(n - 1)\nprint(f(10000))\n` });
  const r = await loadTiltfileInChild(join(dir, 'Tiltfile'), {}, { childScript });
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.output, ['10000']);
});
