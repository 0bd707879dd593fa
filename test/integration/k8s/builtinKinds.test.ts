// The built-in kinds table (builtinKinds.ts, used instead of a discovery request) says what the real API server's
// discovery says: the same resource name and scope for every kind it lists, in every group/version the cluster serves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KubernetesObjectApi, type V1APIResource } from '@kubernetes/client-node';
import { builtinKinds } from '../../../src/engine/k8s/builtinKinds';
import { loadKubeClient } from '../../../src/engine/k8s/client';
import { clusterClient, kubeconfigPath } from './cluster';

test('builtin kinds: the table matches the cluster discovery', async (t) => {
  const found = await clusterClient();
  if ('skip' in found) {
    t.skip(found.skip);
    return;
  }
  // The library's own object API: it always asks the server.
  const discovery = loadKubeClient({ kubeconfigPath: kubeconfigPath() }).kc.makeApiClient(KubernetesObjectApi) as unknown as {
    resource(apiVersion: string, kind: string): Promise<V1APIResource | undefined>;
  };
  const kinds = builtinKinds();
  assert.ok(kinds.length > 40);
  let checked = 0;
  for (const k of kinds) {
    const served = await discovery.resource(k.apiVersion, k.kind);
    assert.ok(served, `${k.apiVersion} ${k.kind} is not served by this cluster (v1.32): the table lists it`);
    assert.deepEqual({ name: served.name, namespaced: served.namespaced }, { name: k.name, namespaced: k.namespaced }, `${k.apiVersion} ${k.kind}`);
    checked++;
  }
  t.diagnostic(`${checked} kinds checked`);
});
