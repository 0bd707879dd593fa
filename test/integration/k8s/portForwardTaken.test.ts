// Fault on the real cluster: a port forward's local port is already taken by another process. The KubeAdapter's
// forward must report it in the resource's state (through the real reducer) and keep retrying, then connect to the
// real pod as soon as the port frees. Own namespace; the local port is whatever free port the OS hands the
// occupying listener, so no fixed port is shared with other suites.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import type { K8sObject, K8sResource } from '../../../src/tiltfile/plan';
import { deleteObjects } from '../../../src/engine/k8s/apply';
import { KubeAdapter } from '../../../src/engine/adapters/kube';
import { Store } from '../../../src/engine/store';
import { initialResourceState } from '../../../src/shared/state';
import { clusterClient, httpGet, waitFor, webObjects } from './cluster';

test('port forward on the real cluster: a taken local port is shown and retried until it frees', { timeout: 240_000 }, async (t) => {
  const found = await clusterClient();
  if ('skip' in found) {
    t.skip(found.skip);
    return;
  }
  const { client } = found;
  const ns = `il-k8s-pf-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  const occupier = net.createServer((s) => s.destroy());
  await new Promise<void>((resolve) => occupier.listen(0, '127.0.0.1', () => resolve()));
  const port = (occupier.address() as net.AddressInfo).port;

  const store = new Store();
  store.setResources([initialResourceState({ name: 'web', type: 'k8s', labels: [], triggerMode: 'auto', autoInit: true })]);
  const adapter = new KubeAdapter({
    client,
    namespace: ns,
    registry: () => undefined,
    since: new Date(),
    sink: { observe: (o) => store.dispatch(o), log: () => undefined },
  });
  const objects = webObjects(ns) as K8sObject[];
  const resource: K8sResource = {
    type: 'k8s', name: 'web', labels: [], resourceDeps: [], triggerMode: 'auto', autoInit: true, links: [], objects, imageRefs: [],
    portForwards: [{ localPort: port, containerPort: 8080, host: '' }], podReadiness: 'wait', extraPodSelectors: [], discoveryStrategy: 'default',
  };
  const forward = () => store.resource('web')?.portForwards.find((p) => p.localPort === port);
  try {
    await adapter.apply(resource, objects, { onOutput: () => undefined });

    await t.test('the taken port is reported in the resource state, and retried', async () => {
      const first = await waitFor('the forward to report the taken port', 120_000, () => (forward()?.state === 'error' && /already in use/.test(forward()?.error ?? '') ? forward() : undefined));
      assert.match(first!.error!, new RegExp(`^cannot listen on 127\\.0\\.0\\.1:${port}: the port is already in use .*; retrying in \\d+ (ms|s)$`));
      // Retried: the message changes as the delay grows (still the same fault).
      await waitFor('a later retry', 60_000, () => forward()?.error !== first!.error && /already in use/.test(forward()?.error ?? ''));
    });

    await t.test('once the port frees, the forward connects to the pod and serves it', async () => {
      await new Promise<void>((resolve) => occupier.close(() => resolve()));
      await waitFor('the forward to become active', 60_000, () => forward()?.state === 'active');
      assert.equal(forward()?.error, undefined);
      assert.ok(forward()?.podName?.startsWith('web-'), JSON.stringify(forward()));
      const r = await httpGet(port);
      assert.equal(r.status, 200);
      assert.equal(r.body, 'hello\n');
    });
  } finally {
    occupier.close();
    await adapter.stop();
    store.dispose();
    await deleteObjects(client, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }], { deleteNamespaces: true }).catch(() => undefined);
  }
});
