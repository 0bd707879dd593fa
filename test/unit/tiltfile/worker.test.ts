import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { loadTiltfileInWorker } from '../../../src/tiltfile/worker';
import { project } from './helpers';

const workerScript = join(__dirname, 'workerEntry.cjs');

test('loadTiltfileInWorker: same plan as in-process', async () => {
  const r = await loadTiltfileInWorker(resolve(__dirname, '../../fixtures/todo-app/Tiltfile'), {}, { workerScript });
  assert.equal(r.ok, true, JSON.stringify(r.diagnostics));
  assert.deepEqual(r.plan.resources.map((x) => x.name), ['todo-api', 'todo-frontend']);
});

test('loadTiltfileInWorker: an endless loop is cancelled at the timeout with a clear error', async () => {
  const dir = project({ Tiltfile: 'x = 0\nwhile True:\n    x += 1\n' });
  const r = await loadTiltfileInWorker(join(dir, 'Tiltfile'), { maxSteps: 1e12 }, { workerScript, timeoutMs: 1500 });
  assert.equal(r.ok, false);
  assert.match(r.diagnostics[0]!.message, /cancelled|timed out/);
});

test('loadTiltfileInWorker: a hung local() is terminated after the timeout', async () => {
  const dir = project({ Tiltfile: "local('sleep 30')\n" });
  const r = await loadTiltfileInWorker(join(dir, 'Tiltfile'), {}, { workerScript, timeoutMs: 500 });
  assert.equal(r.ok, false);
  assert.match(r.diagnostics[0]!.message, /timed out after 500 ms/);
});

test('loadTiltfileInWorker: abort signal', async () => {
  const dir = project({ Tiltfile: "local('sleep 2')\n" });
  const ac = new AbortController();
  const p = loadTiltfileInWorker(join(dir, 'Tiltfile'), {}, { workerScript, signal: ac.signal });
  setTimeout(() => ac.abort(), 300);
  const r = await p;
  assert.match(r.diagnostics[0]!.message, /Tiltfile load cancelled/);
});
