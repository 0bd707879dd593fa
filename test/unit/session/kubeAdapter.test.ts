import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerGoneReason, droppedObjects, reconcileForwards } from '../../../src/engine/adapters/kube';
import type { ContainerInfo, PodInfo } from '../../../src/engine/k8s/discovery';
import type { PortForward } from '../../../src/tiltfile/plan';
import type { AppliedObject } from '../../../src/engine/k8s/apply';

function applied(apiVersion: string, kind: string, name: string, namespace?: string): AppliedObject {
  return { apiVersion, kind, name, namespace, uid: `${kind}-${name}`, object: { apiVersion, kind, metadata: { name, namespace } } };
}

test('droppedObjects: what an earlier apply had and the latest one lacks, by group, kind, namespace and name', () => {
  const before = [
    applied('apps/v1', 'Deployment', 'api', 'dev'),
    applied('v1', 'Service', 'api', 'dev'),
    applied('v1', 'ConfigMap', 'old', 'dev'),
    applied('v1', 'ConfigMap', 'moved', 'dev'),
    applied('rbac.authorization.k8s.io/v1', 'ClusterRole', 'reader'),
  ];
  const after = [
    applied('apps/v1', 'Deployment', 'api', 'dev'),
    applied('v1', 'Service', 'api', 'dev'),
    applied('v1', 'ConfigMap', 'moved', 'prod'),
    // A version bump within the same group is the same object.
    applied('rbac.authorization.k8s.io/v1beta1', 'ClusterRole', 'reader'),
  ];
  assert.deepEqual(droppedObjects(before, after).map((a) => `${a.kind}/${a.namespace}/${a.name}`), ['ConfigMap/dev/old', 'ConfigMap/dev/moved']);
  assert.deepEqual(droppedObjects([], after), []);
  assert.deepEqual(droppedObjects(before, before), []);
});

test('reconcileForwards: wanted forwards keep their connection, new ones are created, dropped ones stopped', () => {
  const spec = (localPort: number, containerPort = 0, host = ''): PortForward => ({ localPort, containerPort, host });
  let created = 0;
  const create = (p: PortForward) => ({ spec: p, id: `new-${++created}` });
  const first = reconcileForwards([], [spec(8000), spec(9000, 90)], create);
  assert.deepEqual(first.next.map((f) => f.id), ['new-1', 'new-2']);
  assert.deepEqual(first.stop, []);
  const same = reconcileForwards(first.next, [spec(8000), spec(9000, 90)], create);
  assert.deepEqual(same.next, first.next, 'same specs: idempotent, no new connections');
  assert.deepEqual(same.stop, []);
  // 9000 now targets another container port (a new forward), 8000 is dropped, 7000 is new; order follows the Tiltfile.
  const changed = reconcileForwards(same.next, [spec(7000), spec(9000, 91)], create);
  assert.deepEqual(changed.next.map((f) => [f.spec.localPort, f.id]), [[7000, 'new-3'], [9000, 'new-4']]);
  assert.deepEqual(changed.stop.map((f) => f.id).sort(), ['new-1', 'new-2']);
  // A different interface is a different forward.
  const host = reconcileForwards(changed.next, [spec(7000, 0, '0.0.0.0'), spec(9000, 91)], create);
  assert.deepEqual(host.stop.map((f) => f.id), ['new-3']);
  assert.equal(host.next[1]!.id, 'new-4');
});

test('containerGoneReason: an exec target whose container restarted, stopped, or whose pod is being deleted', () => {
  const target = { pod: 'api-1', namespace: 'dev', container: 'main', containerId: 'c1' };
  const pod = (over: Partial<PodInfo>, main: Partial<ContainerInfo> = {}): PodInfo => ({
    name: 'api-1', namespace: 'dev', uid: 'u1', phase: 'Running', ready: true, deleting: false, createdAt: 0, ancestors: [], ports: {}, raw: {},
    containers: [
      { name: 'main', image: 'api', id: 'c0', ready: true, restartCount: 0, state: 'terminated', init: true },
      { name: 'main', image: 'api', id: 'c1', ready: true, restartCount: 0, state: 'running', init: false, ...main },
    ],
    ...over,
  });
  assert.equal(containerGoneReason([pod({})], target), undefined, 'still running (an init container of the same name is not it)');
  assert.equal(containerGoneReason([pod({}, { id: 'c2', restartCount: 1 })], target), 'the container restarted during the live update');
  assert.equal(containerGoneReason([pod({}, { state: 'terminated', reason: 'Completed' })], target), 'the container stopped during the live update (Completed)');
  assert.equal(containerGoneReason([pod({ deleting: true })], target), 'its pod is being deleted');
  // Unknown to discovery (another resource's pod, or not listed yet): no guess, the exec ends on its own.
  assert.equal(containerGoneReason([pod({ name: 'api-2' })], target), undefined);
  assert.equal(containerGoneReason([pod({ namespace: 'prod' })], target), undefined);
});
