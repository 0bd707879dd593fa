import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ciStatus } from '../../../src/engine/ci';
import { Store } from '../../../src/engine/store';
import { finishBuild, startBuild } from '../../../src/engine/actions';
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
  startBuild(s, 'db', 'full', 'initial', 1);
  finishBuild(s, 'db', {}, 2);
  assert.deepEqual(ciStatus(s.snapshot(), opts), { state: 'running', waitingOn: ['db'] }, 'built but not ready');
  s.updateResource('db', { runtimeStatus: 'ok' });
  assert.deepEqual(ciStatus(s.snapshot(), opts), { state: 'succeeded' });
});

test('ci fails on a build error, a runtime error past the grace period, or a Tiltfile error', () => {
  const s = setup();
  startBuild(s, 'db', 'full', 'initial', 1);
  finishBuild(s, 'db', { error: 'exit 1' }, 2);
  assert.deepEqual(ciStatus(s.snapshot(), opts), { state: 'failed', error: 'db: exit 1' });

  const s2 = setup();
  startBuild(s2, 'db', 'full', 'initial', 1);
  finishBuild(s2, 'db', {}, 2);
  s2.updateResource('db', { runtimeStatus: 'error', pods: [{ name: 'db-0', status: 'CrashLoopBackOff', ready: false, restarts: 3, containers: [] }] });
  assert.equal(ciStatus(s2.snapshot(), { ...opts, k8sGracePeriodMs: 60_000 }).state, 'running', 'within grace period');
  assert.deepEqual(ciStatus(s2.snapshot(), opts), { state: 'failed', error: 'db: runtime error (pod db-0: CrashLoopBackOff)' });

  const s3 = setup();
  s3.updateSession((x) => ({ ...x, tiltfile: { ...x.tiltfile, status: 'error', error: 'syntax error' } }));
  assert.deepEqual(ciStatus(s3.snapshot(), opts), { state: 'failed', error: 'Tiltfile failed to load: syntax error' });
});
