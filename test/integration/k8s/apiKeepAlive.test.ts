// One client's API requests share kept-alive connections (client.ts keepAliveMiddleware): client-node alone makes a
// new agent, so a new TCP connection and TLS handshake, for every request. Against the real API server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as dc from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { checkReachable, loadKubeClient } from '../../../src/engine/k8s/client';
import { clusterClient, kubeconfigPath } from './cluster';

test('API requests of one client reuse one kept-alive connection; parallel ones open one each', async (t) => {
  const found = await clusterClient();
  if ('skip' in found) {
    t.skip(found.skip);
    return;
  }
  const client = loadKubeClient({ kubeconfigPath: kubeconfigPath() });
  // The distinct connections the answered requests came over.
  const connections = new Set<unknown>();
  const onSocket = (m: unknown): void => void connections.add((m as { request: ClientRequest }).request.socket);
  dc.subscribe('http.client.response.finish', onSocket);
  try {
    await checkReachable(client, 5_000);
    for (let i = 0; i < 5; i++) await client.core.readNamespace({ name: 'default' });
    await client.objects.read({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
    assert.equal(connections.size, 1, 'seven sequential requests, one connection');
    const names = await Promise.all([1, 2, 3].map(async () => (await client.core.readNamespace({ name: 'kube-system' })).metadata?.name));
    assert.deepEqual(names, ['kube-system', 'kube-system', 'kube-system']);
    assert.ok(connections.size <= 3, `${connections.size} connections: three requests in flight need at most two more`);
  } finally {
    dc.unsubscribe('http.client.response.finish', onSocket);
  }
});
