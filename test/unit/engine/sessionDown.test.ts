// `down` (sessionDown.ts + deleteObjects) against a fake cluster that records calls: deletes issued in parallel
// across resources, CustomResourceDefinitions after the other objects, Namespaces last, no reads (waiting for
// finalizers) unless asked, and the same objects deleted or kept as before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { KubeClient } from '../../../src/engine/k8s/client';
import type { K8sObject } from '../../../src/shared/plan';
import { downPlan } from '../../../src/engine/sessionDown';
import { k8sResource, plan } from './planFixtures';

function fakeClient(goneAfterReads = 0): { client: KubeClient; events: string[] } {
  const events: string[] = [];
  const reads = new Map<string, number>();
  const objects = {
    isNamespaced: async (_v: string, kind: string) => !['Namespace', 'CustomResourceDefinition'].includes(kind),
    delete: async (o: KubernetesObject) => {
      events.push(`start ${o.metadata?.name}`);
      await new Promise((r) => setTimeout(r, 5));
      events.push(`end ${o.metadata?.name}`);
    },
    read: async (o: KubernetesObject) => {
      const n = (reads.get(o.metadata!.name!) ?? 0) + 1;
      reads.set(o.metadata!.name!, n);
      events.push(`read ${o.metadata?.name}`);
      if (n > goneAfterReads) throw Object.assign(new Error('not found'), { code: 404 });
      return o;
    },
  };
  return { client: { namespace: 'ns', objects } as unknown as KubeClient, events };
}

const obj = (kind: string, name: string, apiVersion = kind === 'Deployment' ? 'apps/v1' : 'v1'): K8sObject => ({ apiVersion, kind, metadata: { name } });
const crd = obj('CustomResourceDefinition', 'widgets.example.com', 'apiextensions.k8s.io/v1');

const twoResources = plan('/t/Tiltfile', [
  k8sResource('a', { objects: [obj('Namespace', 'ns-a'), crd, obj('Deployment', 'dep-a'), obj('Service', 'svc-a')] }),
  k8sResource('b', { objects: [obj('Deployment', 'dep-b'), obj('ConfigMap', 'cm-b')] }),
]);

test('deletes are issued in parallel across resources; CRDs after the rest, Namespaces last; no waiting by default', async () => {
  const { client, events } = fakeClient();
  const out: string[] = [];
  const r = await downPlan(twoResources, { client, namespace: 'ns', deleteNamespaces: true, onOutput: (l) => out.push(l) });
  assert.deepEqual(r.errors, []);
  const idx = (e: string): number => events.indexOf(e);
  const ordinary = ['dep-a', 'svc-a', 'dep-b', 'cm-b'];
  // All ordinary deletes start before any of them finishes: issued together.
  for (const a of ordinary) for (const b of ordinary) assert.ok(idx(`start ${a}`) < idx(`end ${b}`), `${a} started after ${b} ended`);
  for (const a of ordinary) assert.ok(idx(`end ${a}`) < idx('start widgets.example.com'));
  assert.ok(idx('end widgets.example.com') < idx('start ns-a'));
  assert.equal(events.filter((e) => e.startsWith('read')).length, 0);
  assert.deepEqual(out.filter((l) => l.endsWith(' deleted')).sort(), ['configmap/cm-b deleted', 'customresourcedefinition/widgets.example.com deleted', 'deployment/dep-a deleted', 'deployment/dep-b deleted', 'namespace/ns-a deleted', 'service/svc-a deleted']);
});

test('Namespaces are kept without deleteNamespaces (same as before)', async () => {
  const { client, events } = fakeClient();
  const out: string[] = [];
  const r = await downPlan(twoResources, { client, namespace: 'ns', onOutput: (l) => out.push(l) });
  assert.deepEqual(r.errors, []);
  assert.equal(events.includes('start ns-a'), false);
  assert.ok(out.includes('kept Namespace/ns-a: namespaces are kept (use --delete-namespaces)'), out.join('\n'));
});

test('wait: each deleted object is read until it is gone before the next phase', async () => {
  const { client, events } = fakeClient(1);
  const r = await downPlan(twoResources, { client, namespace: 'ns', deleteNamespaces: true, wait: true, onOutput: () => undefined });
  assert.deepEqual(r.errors, []);
  for (const n of ['dep-a', 'svc-a', 'dep-b', 'cm-b']) {
    assert.equal(events.filter((e) => e === `read ${n}`).length, 2);
    assert.ok(events.lastIndexOf(`read ${n}`) < events.indexOf('start widgets.example.com'));
  }
});
