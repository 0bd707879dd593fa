import { test } from 'node:test';
import assert from 'node:assert/strict';
import { droppedObjects, reconcileForwards } from '../../../src/engine/adapters/kube';
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
