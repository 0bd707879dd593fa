// The engine's KubeAdapter on the real cluster: objects a resource stops declaring are deleted on the next apply,
// a removed resource's objects are deleted (tilt.dev/down-policy: keep honoured), and container restarts are logged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { K8sObject, K8sResource } from '../../../src/tiltfile/plan';
import { applyObjects, deleteObjects } from '../../../src/engine/k8s/apply';
import { KubeAdapter } from '../../../src/engine/adapters/kube';
import { Store } from '../../../src/engine/store';
import { initialResourceState } from '../../../src/shared/state';
import { BUSYBOX, clusterClient, waitFor } from './cluster';

function configMap(ns: string, name: string, annotations: Record<string, string> = {}): K8sObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, annotations }, data: { k: name } };
}

function resource(name: string, objects: K8sObject[]): K8sResource {
  return {
    type: 'k8s', name, labels: [], resourceDeps: [], triggerMode: 'auto', autoInit: true, links: [], objects, imageRefs: [],
    portForwards: [], podReadiness: 'ignore', extraPodSelectors: [], discoveryStrategy: 'default',
  };
}

test('KubeAdapter against the real cluster', { timeout: 180_000 }, async (t) => {
  const found = await clusterClient();
  if ('skip' in found) {
    t.skip(found.skip);
    return;
  }
  const { client } = found;
  const ns = `il-k8s-a-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  const logs: string[] = [];
  // The adapter's observations go through the real reducer into a store: the test reads state, not the adapter.
  const store = new Store();
  store.setResources(['cfg', 'crashy'].map((name) => initialResourceState({ name, type: 'k8s', labels: [], triggerMode: 'auto', autoInit: true })));
  const adapter = new KubeAdapter({
    client,
    namespace: ns,
    registry: () => undefined,
    since: new Date(),
    sink: {
      observe: (o) => store.dispatch(o),
      log: (name, line, level) => logs.push(`${name} ${level ?? 'info'} ${line}`),
    },
  });
  const out: string[] = [];
  const ctx = { onOutput: (l: string) => out.push(l) };
  const exists = async (name: string): Promise<boolean> => {
    try {
      await client.core.readNamespacedConfigMap({ name, namespace: ns });
      return true;
    } catch {
      return false;
    }
  };
  try {
    await applyObjects(client, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }]);

    await t.test('objects dropped from a resource are deleted on its next apply', async () => {
      await adapter.apply(resource('cfg', [configMap(ns, 'one'), configMap(ns, 'two'), configMap(ns, 'pinned', { 'tilt.dev/down-policy': 'keep' })]), [configMap(ns, 'one'), configMap(ns, 'two'), configMap(ns, 'pinned', { 'tilt.dev/down-policy': 'keep' })], ctx);
      assert.ok(await exists('two'));
      await adapter.apply(resource('cfg', [configMap(ns, 'one')]), [configMap(ns, 'one')], ctx);
      await waitFor('two deleted', 30_000, async () => !(await exists('two')));
      assert.ok(await exists('one'), 'still declared');
      assert.ok(await exists('pinned'), 'down-policy keep is honoured');
      assert.ok(out.includes('configmap/two deleted'), out.join('\n'));
    });

    await t.test('a removed resource stops being followed and its objects are deleted', async () => {
      await adapter.remove('cfg', ctx);
      await waitFor('one deleted', 30_000, async () => !(await exists('one')));
      assert.deepEqual(adapter.appliedObjects('cfg'), []);
      await adapter.remove('cfg', ctx); // unknown now: a no-op
    });

    await t.test('a container restart is logged with its pod and container, and its count reaches the state', async () => {
      const crash: K8sObject = {
        apiVersion: 'v1', kind: 'Pod', metadata: { name: 'crashy', namespace: ns, labels: { app: 'crashy' } },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [
            { name: 'main', image: BUSYBOX, imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', 'echo started; sleep 2; exit 1'] },
            { name: 'side', image: BUSYBOX, imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', 'echo side up; trap "exit 0" TERM; while true; do sleep 1; done'] },
          ],
        },
      };
      await adapter.apply(resource('crashy', [crash]), [crash], ctx);
      await waitFor('restart logged', 90_000, () => logs.some((l) => l.startsWith('crashy warn Detected container restart. Pod: crashy. Container: main.')));
      await waitFor('prefixed log lines', 30_000, () => logs.some((l) => l === 'crashy info [side] side up') && logs.some((l) => l === 'crashy info [main] started'));
      await waitFor('restart count in the store', 30_000, () => (store.resource('crashy')?.pods[0]?.containers.find((c) => c.name === 'main')?.restarts ?? 0) >= 1);
      const pod = store.resource('crashy')?.pods[0];
      assert.equal(pod?.name, 'crashy');
      assert.ok((pod?.restarts ?? 0) >= 1, JSON.stringify(pod));
      await adapter.remove('crashy', ctx);
    });
  } finally {
    await adapter.stop();
    store.dispose();
    await deleteObjects(client, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }], { deleteNamespaces: true }).catch(() => undefined);
  }
});
