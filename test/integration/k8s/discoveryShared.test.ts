// Concurrent "is this kind namespaced?" lookups (down deletes every object at once) share one discovery request
// per group/version against the real API server, and the answers are the same as one by one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as dc from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { loadKubeClient } from '../../../src/engine/k8s/client';
import { clusterClient, kubeconfigPath } from './cluster';

test('discovery: parallel lookups of one group/version make one request; answers unchanged', async (t) => {
  const found = await clusterClient();
  if ('skip' in found) {
    t.skip(found.skip);
    return;
  }
  const client = loadKubeClient({ kubeconfigPath: kubeconfigPath() });
  const paths: string[] = [];
  const onRequest = (m: unknown): void => void paths.push((m as { request: ClientRequest }).request.path);
  dc.subscribe('http.client.request.start', onRequest);
  try {
    const answers = await Promise.all([
      client.objects.isNamespaced('apps/v1', 'Deployment'),
      client.objects.isNamespaced('apps/v1', 'Deployment'),
      client.objects.isNamespaced('apps/v1', 'DaemonSet'),
      client.objects.isNamespaced('v1', 'Service'),
      client.objects.isNamespaced('v1', 'ConfigMap'),
      client.objects.isNamespaced('v1', 'Namespace'),
    ]);
    assert.deepEqual(answers, [true, true, true, true, true, false]);
    assert.deepEqual(paths.filter((p) => p === '/apis/apps/v1').length, 1, paths.join(', '));
    assert.deepEqual(paths.filter((p) => p === '/api/v1').length, 1, paths.join(', '));
    assert.equal(await client.objects.isNamespaced('apps/v1', 'NoSuchKind'), undefined);
  } finally {
    dc.unsubscribe('http.client.request.start', onRequest);
  }
});
