import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ciStatus, formatDuration, podCondition } from '../../../src/engine/ci';
import { Store } from '../../../src/engine/store';
import { initialResourceState, type ContainerStatus, type PodStatus } from '../../../src/shared/state';

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

function pod(status: string, containers: Partial<ContainerStatus>[] = [], extra: Partial<PodStatus> = {}): PodStatus {
  return {
    name: 'db-0', namespace: 'ns', status, ready: false, restarts: 0, createdAt: 1,
    containers: containers.map((c) => ({ name: 'app', ready: false, restarts: 0, state: 'waiting', ...c })),
    ...extra,
  };
}

/** db deployed at t=2 s with this pod. */
function deployedWith(p: PodStatus, runtimeStatus: 'pending' | 'error' | 'ok' = 'pending') {
  const s = setup();
  s.dispatch({ type: 'build_started', name: 'db', kind: 'full', reason: 'initial', now: 1_000 });
  s.dispatch({ type: 'build_finished', name: 'db', result: {}, now: 2_000 });
  s.updateResource('db', { runtimeStatus, pods: [p] });
  return s;
}

test('ci waits for started resources, ignores never-triggered auto_init=False, then succeeds', () => {
  const s = setup();
  const r = ciStatus(s.snapshot(), opts);
  assert.equal(r.state, 'running');
  assert.deepEqual(r.state === 'running' ? r.waitingOn : [], ['db']);
  s.dispatch({ type: 'build_started', name: 'db', kind: 'full', reason: 'initial', now: 1 });
  assert.match(JSON.stringify(ciStatus(s.snapshot(), opts)), /updating \(initial\)/);
  s.dispatch({ type: 'build_finished', name: 'db', result: {}, now: 2 });
  const built = ciStatus(s.snapshot(), opts);
  assert.deepEqual(built, { state: 'running', waitingOn: ['db'], waiting: [{ name: 'db', reason: 'no pods yet' }] }, 'built but not ready');
  s.updateResource('db', { runtimeStatus: 'ok' });
  assert.deepEqual(ciStatus(s.snapshot(), opts), { state: 'succeeded' });
});

test('ci fails on a build error at once, and on a Tiltfile or cluster error', () => {
  const s = setup();
  s.dispatch({ type: 'build_started', name: 'db', kind: 'full', reason: 'initial', now: 1 });
  s.dispatch({ type: 'build_finished', name: 'db', result: { error: 'exit 1' }, now: 2 });
  assert.deepEqual(ciStatus(s.snapshot(), { ...opts, k8sGracePeriodMs: 60_000 }), { state: 'failed', error: 'db: exit 1', resource: 'db' });

  const s3 = setup();
  s3.updateSession((x) => ({ ...x, tiltfile: { ...x.tiltfile, status: 'error', error: 'syntax error' } }));
  assert.deepEqual(ciStatus(s3.snapshot(), opts), { state: 'failed', error: 'Tiltfile failed to load: syntax error' });
  s3.updateSession((x) => ({ ...x, k8s: { error: 'refusing context prod' } }));
  assert.deepEqual(ciStatus(s3.snapshot(), opts), { state: 'failed', error: 'refusing context prod' });
});

test('transient waiting reasons are reported, never fatal by themselves', () => {
  for (const [reason, message] of [
    ['ContainerCreating', undefined],
    ['PodInitializing', undefined],
    ['CreateContainerConfigError', 'failed to sync configmap cache: timed out waiting for the condition'],
    ['CreateContainerConfigError', 'configmap "settings" not found'],
    ['CreateContainerError', 'context deadline exceeded'],
  ] as const) {
    const s = deployedWith(pod(reason, [{ reason, message }]), 'error');
    const r = ciStatus(s.snapshot(), { ...opts, now: 200_000 });
    assert.equal(r.state, 'running', `${reason} is not fatal`);
    const want = `pod db-0: container app: ${reason}${message ? `: ${message}` : ''}`;
    assert.deepEqual(r.state === 'running' ? r.waiting : [], [{ name: 'db', reason: want, pod: { name: 'db-0', namespace: 'ns', status: reason, ready: false } }]);
  }
  const running = deployedWith(pod('Running', [{ state: 'running' }]));
  const r = ciStatus(running.snapshot(), opts);
  assert.equal(r.state === 'running' ? r.waiting[0]?.reason : '', 'pod db-0: Running, not ready (app)');
  const pending = deployedWith(pod('Pending'));
  assert.equal(((r2) => (r2.state === 'running' ? r2.waiting[0]?.reason : ''))(ciStatus(pending.snapshot(), opts)), 'pod db-0: Pending');
});

test('crash loops, failed containers and failed pods (Jobs) are fatal after k8s_grace_period', () => {
  const crash = deployedWith(pod('CrashLoopBackOff', [{ reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container', restarts: 2 }]), 'error');
  assert.equal(ciStatus(crash.snapshot(), { ...opts, k8sGracePeriodMs: 60_000 }).state, 'running', 'within the grace period');
  assert.deepEqual(ciStatus(crash.snapshot(), opts), {
    state: 'failed', resource: 'db', pod: { name: 'db-0', namespace: 'ns', container: 'app' },
    error: 'db: pod db-0: container app: CrashLoopBackOff: back-off 10s restarting failed container',
  });
  const exited = deployedWith(pod('Error', [{ reason: 'Error', state: 'terminated' }]), 'error');
  assert.match(JSON.stringify(ciStatus(exited.snapshot(), opts)), /"state":"failed".*container app: Error/);
  const job = deployedWith(pod('Failed', [{ reason: 'Error', state: 'terminated' }]), 'error');
  assert.match(JSON.stringify(ciStatus(job.snapshot(), opts)), /"state":"failed".*pod db-0: pod failed/);
  for (const reason of ['InvalidImageName', 'ErrImageNeverPull', 'RunContainerError', 'StartError']) {
    const s = deployedWith(pod(reason, [{ reason }]), 'error');
    assert.equal(ciStatus(s.snapshot(), opts).state, 'failed', reason);
  }
  const init = deployedWith(pod('CrashLoopBackOff', []), 'error');
  assert.equal(ciStatus(init.snapshot(), opts).state, 'failed', 'an init container crash loop (only in the pod status)');
  const done = deployedWith(pod('Succeeded', [{ reason: 'Completed', state: 'terminated' }]), 'ok');
  assert.deepEqual(ciStatus(done.snapshot(), opts), { state: 'succeeded' }, 'a Job that completed');
});

test('image pull errors are tolerated for the pull grace period after the deploy, then fatal', () => {
  const s = deployedWith(pod('ImagePullBackOff', [{ reason: 'ImagePullBackOff', message: 'Back-off pulling image "x"' }]), 'error');
  assert.equal(ciStatus(s.snapshot(), { ...opts, now: 31_999 }).state, 'running', 'deployed at 2 s: within 30 s');
  assert.deepEqual(ciStatus(s.snapshot(), { ...opts, now: 32_000 }), {
    state: 'failed', resource: 'db', pod: { name: 'db-0', namespace: 'ns', container: 'app' },
    error: 'db: pod db-0: container app: ImagePullBackOff: Back-off pulling image "x" (still failing 30s after the deploy)',
  });
  assert.equal(ciStatus(s.snapshot(), { ...opts, now: 32_000, imagePullGraceMs: 5_000, k8sGracePeriodMs: 60_000 }).state, 'running', 'a longer k8s_grace_period wins');
});

test('the newest non-terminating pod speaks for the resource', () => {
  const s = setup();
  s.dispatch({ type: 'build_started', name: 'db', kind: 'full', reason: 'initial', now: 1_000 });
  s.dispatch({ type: 'build_finished', name: 'db', result: {}, now: 2_000 });
  s.updateResource('db', {
    runtimeStatus: 'pending',
    pods: [pod('CrashLoopBackOff', [{ reason: 'CrashLoopBackOff' }], { name: 'old', createdAt: 1 }), pod('ContainerCreating', [{ reason: 'ContainerCreating' }], { name: 'new', createdAt: 5 })],
  });
  assert.equal(ciStatus(s.snapshot(), opts).state, 'running');
});

test('local serve_cmd and Compose runtime errors are fatal at once', () => {
  const s = new Store();
  s.setResources([initialResourceState({ name: 'srv', type: 'local', labels: [], triggerMode: 'auto', autoInit: true, serveCmd: { command: ['x'] } })]);
  s.updateSession((x) => ({ ...x, tiltfile: { ...x.tiltfile, status: 'ok' } }));
  s.dispatch({ type: 'build_started', name: 'srv', kind: 'full', reason: 'initial', now: 1 });
  s.dispatch({ type: 'build_finished', name: 'srv', result: {}, now: 2 });
  s.updateResource('srv', { runtimeStatus: 'pending' });
  assert.equal(((r) => (r.state === 'running' ? r.waiting[0]?.reason : ''))(ciStatus(s.snapshot(), { ...opts, k8sGracePeriodMs: 60_000 })), 'serve_cmd not ready yet');
  s.updateResource('srv', { runtimeStatus: 'error' });
  assert.equal(ciStatus(s.snapshot(), { ...opts, k8sGracePeriodMs: 60_000 }).state, 'failed');
});

test('ci fails a resource that is not ready within readiness_timeout of its deploy, but not a Job', () => {
  const s = deployedWith(pod('ContainerCreating', [{ reason: 'ContainerCreating' }]));
  const at = (now: number, extra: Partial<Parameters<typeof ciStatus>[1]> = {}) => ciStatus(s.snapshot(), { ...opts, now, readinessTimeoutMs: 60_000, ...extra });
  assert.equal(at(61_999).state, 'running', 'the limit counts from the deploy, not the session start');
  assert.deepEqual(at(62_000), {
    state: 'failed', resource: 'db', pod: { name: 'db-0', namespace: 'ns' },
    error: 'db: not ready within 1m of its deploy (pod db-0: container app: ContainerCreating); ci_settings(readiness_timeout) sets this limit',
  });
  assert.equal(at(600_000, { runToCompletion: new Set(['db']) }).state, 'running', 'Jobs may run longer');
  assert.equal(at(600_000, { readinessTimeoutMs: undefined }).state, 'running');
  // A rebuild restarts the limit.
  s.dispatch({ type: 'build_started', name: 'db', kind: 'full', reason: 'triggered', now: 600_000 });
  assert.equal(at(650_000).state, 'running', 'building: not timed');
  s.dispatch({ type: 'build_finished', name: 'db', result: {}, now: 601_000 });
  assert.equal(at(650_000).state, 'running');
  s.updateResource('db', { runtimeStatus: 'ok' });
  assert.deepEqual(at(10_000_000), { state: 'succeeded' });
});

test('podCondition and formatDuration', () => {
  assert.deepEqual(podCondition(pod('Running', [{ state: 'running', ready: true }], { ready: true })), { kind: 'ready', reason: 'ready' });
  assert.equal(podCondition(pod('ErrImagePull', [{ reason: 'ErrImagePull' }])).kind, 'pull');
  assert.equal(formatDuration(5_400_000), '1h30m');
  assert.equal(formatDuration(90_000), '1m30s');
  assert.equal(formatDuration(500), '500ms');
  assert.equal(formatDuration(1_400), '1s');
});
