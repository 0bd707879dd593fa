import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Pod } from '@kubernetes/client-node';
import type { AppliedObject } from '../../../src/engine/k8s/apply';
import { labelsMatch, podInfo, resourceReadiness, templateLabels } from '../../../src/engine/k8s/discovery';
import { pickForwardPod, resolveContainerPort, upstreamMessage } from '../../../src/engine/k8s/portForward';

const deployment: AppliedObject = {
  apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'ns', uid: 'dep-1',
  object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { template: { metadata: { labels: { app: 'web' } } } } } as AppliedObject['object'],
};

function pod(name: string, opts: { created: string; ready?: boolean; phase?: string; waiting?: string; owner?: string; id?: string; deleting?: boolean }): V1Pod {
  return {
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, creationTimestamp: new Date(opts.created), labels: { app: 'web' }, deletionTimestamp: opts.deleting ? new Date() : undefined, ownerReferences: opts.owner ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-rs', uid: opts.owner }] : undefined },
    spec: { containers: [{ name: 'app', image: 'busybox', ports: [{ containerPort: 8080 }, { containerPort: 9090 }] }] },
    status: {
      phase: opts.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: opts.ready ? 'True' : 'False' }],
      initContainerStatuses: [{ name: 'init', image: 'busybox', imageID: '', ready: false, restartCount: 0, containerID: 'containerd://init1', state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
      containerStatuses: [
        {
          name: 'app', image: 'busybox', imageID: '', ready: !!opts.ready, restartCount: opts.waiting ? 3 : 0, containerID: opts.id ? `containerd://${opts.id}` : undefined,
          state: opts.waiting ? { waiting: { reason: opts.waiting, message: 'back-off 40s restarting failed container' } } : { running: {} },
        },
      ],
    },
  };
}

test('podInfo: containers with init first, ids without runtime prefix, waiting reasons', () => {
  const p = podInfo(pod('web-a', { created: '2026-01-01T00:00:00Z', waiting: 'CrashLoopBackOff', id: 'abc' }), ['rs-1', 'dep-1']);
  assert.equal(p.containers[0]!.name, 'init');
  assert.equal(p.containers[0]!.init, true);
  assert.equal(p.containers[0]!.reason, 'Completed');
  assert.equal(p.containers[1]!.id, 'abc');
  assert.equal(p.containers[1]!.reason, 'CrashLoopBackOff');
  assert.match(p.containers[1]!.message ?? '', /back-off/);
  assert.deepEqual(p.ports, { app: [8080, 9090] });
  assert.deepEqual(p.ancestors, ['rs-1', 'dep-1']);
});

test('template labels: workloads and CronJobs', () => {
  assert.deepEqual(templateLabels(deployment.object as { kind: string; spec: unknown }), { app: 'web' });
  assert.deepEqual(templateLabels({ kind: 'CronJob', spec: { jobTemplate: { spec: { template: { metadata: { labels: { job: 'x' } } } } } } }), { job: 'x' });
  assert.equal(templateLabels({ kind: 'Service', spec: { selector: { app: 'web' } } }), undefined);
  assert.ok(labelsMatch({ app: 'web', x: 'y' }, { app: 'web' }));
  assert.equal(labelsMatch({ app: 'web' }, {}), false);
});

test('readiness: newest pod must have all containers ready', () => {
  const old = podInfo(pod('web-old', { created: '2026-01-01T00:00:00Z', ready: true }), ['rs-0', 'dep-1']);
  const fresh = podInfo(pod('web-new', { created: '2026-01-01T00:01:00Z', ready: false }), ['rs-1', 'dep-1']);
  assert.equal(resourceReadiness([old, fresh], [deployment], 'wait').ready, false);
  const freshReady = podInfo(pod('web-new', { created: '2026-01-01T00:01:00Z', ready: true }), ['rs-1', 'dep-1']);
  assert.deepEqual(resourceReadiness([old, freshReady], [deployment], 'wait'), { ready: true, reason: 'all containers ready' });
  const crashing = podInfo(pod('web-new', { created: '2026-01-01T00:01:00Z', waiting: 'CrashLoopBackOff' }), ['rs-1', 'dep-1']);
  assert.match(resourceReadiness([crashing], [deployment], 'wait').reason, /CrashLoopBackOff/);
  assert.equal(resourceReadiness([], [deployment], 'wait').ready, false);
  assert.equal(resourceReadiness([], [deployment], 'ignore').ready, true);
});

test('readiness: Jobs need a Succeeded pod, CronJobs and plain objects are ready at once', () => {
  const job: AppliedObject = { ...deployment, kind: 'Job', apiVersion: 'batch/v1', uid: 'job-1', name: 'migrate' };
  const running = podInfo(pod('migrate-x', { created: '2026-01-01T00:00:00Z', ready: true }), ['job-1']);
  assert.equal(resourceReadiness([running], [job], 'wait').ready, false);
  const done = podInfo(pod('migrate-x', { created: '2026-01-01T00:00:00Z', phase: 'Succeeded' }), ['job-1']);
  assert.equal(resourceReadiness([done], [job], 'wait').ready, true);
  const cron: AppliedObject = { ...deployment, kind: 'CronJob', apiVersion: 'batch/v1', uid: 'cj', object: { kind: 'CronJob', metadata: { name: 'c' }, spec: {} } as AppliedObject['object'] };
  assert.equal(resourceReadiness([], [cron], 'wait').ready, true);
  const svc: AppliedObject = { ...deployment, kind: 'Service', apiVersion: 'v1', uid: 's', object: { kind: 'Service', metadata: { name: 's' }, spec: { selector: { app: 'web' } } } as AppliedObject['object'] };
  assert.equal(resourceReadiness([], [svc], 'wait').ready, true);
});

test('port-forward target: newest running non-terminating pod; container port defaults', () => {
  const a = podInfo(pod('a', { created: '2026-01-01T00:00:00Z', ready: true }));
  const b = podInfo(pod('b', { created: '2026-01-01T00:01:00Z', ready: true, deleting: true }));
  const c = podInfo(pod('c', { created: '2026-01-01T00:02:00Z', phase: 'Pending' }));
  assert.equal(pickForwardPod([a, b, c])?.name, 'a');
  assert.equal(pickForwardPod([c])?.name, 'c');
  assert.equal(pickForwardPod([]), undefined);
  assert.equal(resolveContainerPort(a, 9090, 0), 9090);
  assert.equal(resolveContainerPort(a, 8000, 0), 8080);
  assert.equal(resolveContainerPort(a, 8000, 3000), 3000);
  assert.match(upstreamMessage('error forwarding port 8080 to pod abc: dial tcp4 127.0.0.1:8080: connect: connection refused', { namespace: 'n', pod: 'a', port: 8080 }), /nothing is listening on port 8080 in pod a/);
});
