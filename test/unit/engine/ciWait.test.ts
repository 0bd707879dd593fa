// The ci wait loop on a fake clock and a fake cluster: periodic progress with the pod's last warning event and
// last log line, the per-resource timeline, the failing container's last lines, and what a timeout waited on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failureLogTail, lastPodWarnings, waitCi, type CiWaitDeps } from '../../../src/engine/ciWait';
import { FakeClock } from '../../../src/engine/clock';
import { Store } from '../../../src/engine/store';
import { LogStore } from '../../../src/engine/logs';
import { initialResourceState, type PodStatus } from '../../../src/shared/state';
import type { KubeClient } from '../../../src/engine/k8s/client';

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

function fakeKube(calls: string[]): KubeClient {
  const core = {
    listNamespacedEvent: async (req: { namespace: string; fieldSelector: string }) => {
      calls.push(`events ${req.namespace} ${req.fieldSelector}`);
      return {
        items: [
          { type: 'Normal', reason: 'Pulled', message: 'ok', lastTimestamp: new Date(3_000) },
          { type: 'Warning', reason: 'Unhealthy', message: 'Readiness probe failed: dial tcp 10.0.0.5:8080: connect: connection refused', lastTimestamp: new Date(2_000) },
          { type: 'Warning', reason: 'Unhealthy', message: 'older', lastTimestamp: new Date(1_000) },
        ],
      };
    },
    readNamespacedPodLog: async (req: { name: string; container?: string; previous?: boolean }) => {
      calls.push(`log ${req.name} ${req.container} previous=${req.previous}`);
      return req.previous ? 'starting\npanic: no config\n' : '';
    },
  };
  return { core } as unknown as KubeClient;
}

function setup(clock: FakeClock, calls: string[] = []) {
  const store = new Store();
  store.setResources([initialResourceState({ name: 'web', type: 'k8s', labels: [], triggerMode: 'auto', autoInit: true })]);
  store.updateSession((x) => ({ ...x, tiltfile: { ...x.tiltfile, status: 'ok' } }));
  const logs = new LogStore({ defer: (f) => f() });
  const kube = fakeKube(calls);
  const deps: CiWaitDeps = { store, clock, logs, startTime: clock.now(), settled: async () => undefined, plan: () => undefined, kube: () => kube };
  return { store, logs, deps };
}

const runningPod = (ready: boolean): PodStatus => ({
  name: 'web-1', namespace: 'ns', status: 'Running', ready, restarts: 0, createdAt: 1,
  containers: [{ name: 'app', ready, restarts: 0, state: 'running' }],
});

test('reports each unready resource every 10 s with its last event and log line; the timeline and the last to get ready', async () => {
  const clock = new FakeClock();
  const calls: string[] = [];
  const { store, logs, deps } = setup(clock, calls);
  const progress: string[] = [];
  const done = waitCi(deps, { onProgress: (t) => progress.push(t), timeoutMs: 60_000 });
  await tick();
  store.dispatch({ type: 'build_started', name: 'web', kind: 'full', reason: 'initial update', now: clock.now() });
  clock.advance(2_000);
  store.dispatch({ type: 'build_finished', name: 'web', result: {}, now: clock.now() });
  store.updateResource('web', { runtimeStatus: 'pending', pods: [runningPod(false)] });
  logs.append('web', 'runtime', 'listening soon');
  await tick();
  assert.deepEqual(progress, [], 'nothing before 10 s');
  clock.advance(8_000);
  await tick();
  assert.equal(progress.length, 1);
  assert.equal(progress[0], 'Waiting on 1 resource (10s so far):\n'
    + '  web: pod web-1: Running, not ready (app); last event: Unhealthy: Readiness probe failed: dial tcp 10.0.0.5:8080: connect: connection refused; last log: listening soon\n');
  assert.deepEqual(calls, ['events ns involvedObject.kind=Pod,involvedObject.name=web-1']);
  clock.advance(10_000);
  await tick();
  assert.equal(progress.length, 2, 'again 10 s later');
  store.updateResource('web', { runtimeStatus: 'ok', pods: [runningPod(true)] });
  const report = await done;
  assert.deepEqual(report.verdict, { state: 'succeeded' });
  assert.deepEqual(report.lastReady, { name: 'web', afterMs: 20_000 });
  assert.deepEqual(report.timeline.web?.map((e) => [e.time - deps.startTime, e.state, e.reason]), [
    [0, 'pending', 'waiting for its first update'],
    [0, 'updating', 'updating (initial update)'],
    [2_000, 'waiting', 'no pods yet'],
    [2_000, 'waiting', 'pod web-1: Running, not ready (app)'],
    [20_000, 'ready', 'ready'],
  ]);
  assert.equal(clock.pendingTimers, 0, 'no timer left behind');
  clock.advance(60_000);
  assert.equal(progress.length, 2, 'no report after the verdict');
});

test('a crash loop fails with the previous container instance\'s last lines', async () => {
  const clock = new FakeClock();
  const calls: string[] = [];
  const { store, deps } = setup(clock, calls);
  store.dispatch({ type: 'build_started', name: 'web', kind: 'full', reason: 'initial update', now: clock.now() });
  store.dispatch({ type: 'build_finished', name: 'web', result: {}, now: clock.now() });
  store.updateResource('web', {
    runtimeStatus: 'error',
    pods: [{ name: 'web-1', namespace: 'ns', status: 'CrashLoopBackOff', ready: false, restarts: 3, createdAt: 1, containers: [{ name: 'app', ready: false, restarts: 3, state: 'waiting', reason: 'CrashLoopBackOff' }] }],
  });
  const report = await waitCi(deps, { timeoutMs: 60_000 });
  assert.deepEqual(report.verdict, { state: 'failed', error: 'web: pod web-1: container app: CrashLoopBackOff' });
  assert.equal(report.resource, 'web');
  assert.deepEqual(calls, [], 'the verdict does not wait for a log lookup');
  assert.deepEqual(await failureLogTail(deps, report), ['starting', 'panic: no config']);
  assert.deepEqual(calls, ['log web-1 app previous=false', 'log web-1 app previous=true']);
  assert.equal(report.timeline.web?.at(-1)?.state, 'failed');
});

test('a timeout names every resource still waiting and why', async () => {
  const clock = new FakeClock();
  const { store, deps } = setup(clock);
  store.dispatch({ type: 'build_started', name: 'web', kind: 'full', reason: 'initial update', now: clock.now() });
  store.dispatch({ type: 'build_finished', name: 'web', result: {}, now: clock.now() });
  store.updateResource('web', { runtimeStatus: 'pending', pods: [runningPod(false)] });
  const report = await waitCi(deps, { timeoutMs: 30 });
  assert.deepEqual(report.verdict, { state: 'failed', error: 'timed out after 30ms waiting on web' });
  assert.equal(report.resource, 'web');
  assert.deepEqual(report.waiting?.map((w) => [w.name, w.reason]), [['web', 'pod web-1: Running, not ready (app)']]);
});

test('progress prefers the newest readiness-probe failure over newer warnings, and shows both', async () => {
  const events = [
    { type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container', lastTimestamp: new Date(5_000) },
    { type: 'Warning', reason: 'Unhealthy', message: 'Readiness probe failed: connection refused', lastTimestamp: new Date(2_000) },
    { type: 'Warning', reason: 'Unhealthy', message: 'older', lastTimestamp: new Date(1_000) },
    { type: 'Normal', reason: 'Pulled', message: 'ok', lastTimestamp: new Date(6_000) },
  ];
  const kube = (items: typeof events): KubeClient => ({ core: { listNamespacedEvent: async () => ({ items }) } }) as unknown as KubeClient;
  assert.deepEqual(await lastPodWarnings(kube(events), 'ns', 'web-1'), ['Unhealthy: Readiness probe failed: connection refused', 'BackOff: Back-off restarting failed container']);
  assert.deepEqual(await lastPodWarnings(kube(events.filter((e) => e.reason !== 'Unhealthy')), 'ns', 'web-1'), ['BackOff: Back-off restarting failed container']);
  assert.deepEqual(await lastPodWarnings(kube(events.filter((e) => e.reason !== 'BackOff')), 'ns', 'web-1'), ['Unhealthy: Readiness probe failed: connection refused']);
});
