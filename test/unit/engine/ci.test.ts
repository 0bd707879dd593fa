import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ciStatus } from '../../../src/engine/ci';
import { Store } from '../../../src/engine/store';
import { initialResourceState } from '../../../src/shared/state';

function setup() {
  const s = new Store();
  s.setResources([
    initialResourceState({ name: 'db', type: 'k8s', labels: [], triggerMode: 'auto', autoInit: true }),
    initialResourceState({ name: 'seed', type: 'local', labels: [], triggerMode: 'manual', autoInit: false }),
  ]);
  s.updateSession((x) => ({ ...x, tiltfile: { ...x.tiltfile, status: 'ok' } }));
  return s;
}
const opts = { now: 10_000, startTime: 0, k8sGracePeriodMs: 0 };

test('ci waits for started resources, ignores never-triggered auto_init=False, then succeeds', () => {
  const s = setup();
  assert.deepEqual(ciStatus(s.snapshot(), opts), { state: 'running', waitingOn: ['db'] });
  s.dispatch({ type: 'build_started', name: 'db', kind: 'full', reason: 'initial', now: 1 });
  s.dispatch({ type: 'build_finished', name: 'db', result: {}, now: 2 });
  assert.deepEqual(ciStatus(s.snapshot(), opts), { state: 'running', waitingOn: ['db'] }, 'built but not ready');
  s.updateResource('db', { runtimeStatus: 'ok' });
  assert.deepEqual(ciStatus(s.snapshot(), opts), { state: 'succeeded' });
});

test('ci fails on a build error, a runtime error past the grace period, or a Tiltfile error', () => {
  const s = setup();
  s.dispatch({ type: 'build_started', name: 'db', kind: 'full', reason: 'initial', now: 1 });
  s.dispatch({ type: 'build_finished', name: 'db', result: { error: 'exit 1' }, now: 2 });
  assert.deepEqual(ciStatus(s.snapshot(), opts), { state: 'failed', error: 'db: exit 1' });

  const s2 = setup();
  s2.dispatch({ type: 'build_started', name: 'db', kind: 'full', reason: 'initial', now: 1 });
  s2.dispatch({ type: 'build_finished', name: 'db', result: {}, now: 2 });
  s2.updateResource('db', { runtimeStatus: 'error', pods: [{ name: 'db-0', status: 'CrashLoopBackOff', ready: false, restarts: 3, containers: [] }] });
  assert.equal(ciStatus(s2.snapshot(), { ...opts, k8sGracePeriodMs: 60_000 }).state, 'running', 'within grace period');
  assert.deepEqual(ciStatus(s2.snapshot(), opts), { state: 'failed', error: 'db: runtime error (pod db-0: CrashLoopBackOff)' });

  const s3 = setup();
  s3.updateSession((x) => ({ ...x, tiltfile: { ...x.tiltfile, status: 'error', error: 'syntax error' } }));
  assert.deepEqual(ciStatus(s3.snapshot(), opts), { state: 'failed', error: 'Tiltfile failed to load: syntax error' });
});

test('ci fails a resource that is not ready within readiness_timeout of its deploy, but not a Job', () => {
  const s = setup();
  s.dispatch({ type: 'build_started', name: 'db', kind: 'full', reason: 'initial', now: 1_000 });
  s.dispatch({ type: 'build_finished', name: 'db', result: {}, now: 2_000 });
  s.updateResource('db', { runtimeStatus: 'pending', pods: [{ name: 'db-0', status: 'ContainerCreating', ready: false, restarts: 0, containers: [] }] });
  const at = (now: number, extra: Partial<Parameters<typeof ciStatus>[1]> = {}) => ciStatus(s.snapshot(), { ...opts, now, readinessTimeoutMs: 60_000, ...extra });
  assert.deepEqual(at(61_999), { state: 'running', waitingOn: ['db'] }, 'the limit counts from the deploy, not the session start');
  assert.deepEqual(at(62_000), { state: 'failed', error: 'db: not ready within 1m of its deploy (pod db-0: ContainerCreating); ci_settings(readiness_timeout) sets this limit' });
  assert.deepEqual(at(600_000, { runToCompletion: new Set(['db']) }), { state: 'running', waitingOn: ['db'] }, 'Jobs may run longer');
  assert.deepEqual(at(600_000, { readinessTimeoutMs: undefined }), { state: 'running', waitingOn: ['db'] });
  // A rebuild restarts the limit.
  s.dispatch({ type: 'build_started', name: 'db', kind: 'full', reason: 'triggered', now: 600_000 });
  assert.deepEqual(at(650_000), { state: 'running', waitingOn: ['db'] }, 'building: not timed');
  s.dispatch({ type: 'build_finished', name: 'db', result: {}, now: 601_000 });
  assert.equal(at(650_000).state, 'running');
  s.updateResource('db', { runtimeStatus: 'ok' });
  assert.deepEqual(at(10_000_000), { state: 'succeeded' });
});
