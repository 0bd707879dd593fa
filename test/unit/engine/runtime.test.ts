import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bestPod, k8sRuntimeStatus, podStatusFrom, type KubePodLike } from '../../../src/engine/runtime';
import { Backoff } from '../../../src/engine/backoff';

function pod(name: string, created: string, status: KubePodLike['status']): KubePodLike {
  return { metadata: { name, namespace: 'default', creationTimestamp: created }, status };
}

const running = pod('api-1', '2026-01-01T00:00:00Z', {
  phase: 'Running',
  conditions: [{ type: 'Ready', status: 'True' }],
  containerStatuses: [{ name: 'api', ready: true, restartCount: 2, containerID: 'containerd://abc123', state: { running: {} } }],
});
const crashing = pod('api-2', '2026-01-01T00:01:00Z', {
  phase: 'Running',
  containerStatuses: [{ name: 'api', ready: false, restartCount: 5, state: { waiting: { reason: 'CrashLoopBackOff' } } }],
});

test('pod status: ready, restarts, container ids and the most specific reason', () => {
  const p = podStatusFrom(running);
  assert.equal(p.status, 'Running');
  assert.equal(p.ready, true);
  assert.equal(p.restarts, 2);
  assert.equal(p.containers[0].id, 'abc123');
  assert.equal(p.containers[0].state, 'running');
  assert.equal(podStatusFrom(crashing).status, 'CrashLoopBackOff');
  const initWait = podStatusFrom(pod('x', '2026-01-01T00:00:00Z', { phase: 'Pending', initContainerStatuses: [{ name: 'init', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }] }));
  assert.equal(initWait.status, 'PodInitializing');
});

test('runtime status: newest pod decides; crash loops are errors; readiness ignore; jobs', () => {
  const a = podStatusFrom(running);
  const b = podStatusFrom(crashing);
  assert.equal(bestPod([a, b])?.name, 'api-2');
  assert.equal(k8sRuntimeStatus({ pods: [a, b], podReadiness: 'wait', applied: true }), 'error');
  assert.equal(k8sRuntimeStatus({ pods: [a], podReadiness: 'wait', applied: true }), 'ok');
  assert.equal(k8sRuntimeStatus({ pods: [], podReadiness: 'wait', applied: true }), 'pending');
  assert.equal(k8sRuntimeStatus({ pods: [], podReadiness: 'ignore', applied: true }), 'ok');
  assert.equal(k8sRuntimeStatus({ pods: [], podReadiness: 'ignore', applied: false }), 'pending');
  const done = podStatusFrom(pod('job', '2026-01-01T00:00:00Z', { phase: 'Succeeded' }));
  assert.equal(k8sRuntimeStatus({ pods: [done], podReadiness: 'wait', applied: true, runToCompletion: true }), 'ok');
  assert.equal(k8sRuntimeStatus({ pods: [a], podReadiness: 'wait', applied: true, runToCompletion: true }), 'pending', 'a running job is not done');
});

test('backoff doubles to a cap and resets after a healthy connection', () => {
  const b = new Backoff({ initialMs: 50, maxMs: 400, healthyAfterMs: 1000 });
  assert.deepEqual([b.failed(), b.failed(), b.failed(), b.failed(), b.failed()], [50, 100, 200, 400, 400]);
  assert.equal(b.failed(5000), 50, 'lived 5 s: healthy, start over');
  assert.equal(b.failed(10), 100);
});
