// Concurrent "is this kind namespaced?" lookups (down deletes every object at once) share one discovery request
// per group/version against the real API server, and the answers are the same as one by one. Kubernetes' own kinds
// need no discovery request at all (builtinKinds.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as dc from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { loadKubeClient } from '../../../src/engine/k8s/client';
import { clusterClient, kubeconfigPath } from './cluster';

function recordPaths(): { paths: string[]; stop(): void } {
  const paths: string[] = [];
  const onRequest = (m: unknown): void => void paths.push((m as { request: ClientRequest }).request.path);
  dc.subscribe('http.client.request.start', onRequest);
  return { paths, stop: () => dc.unsubscribe('http.client.request.start', onRequest) };
}

test('discovery: parallel lookups of one group/version make one request; answers unchanged', async (t) => {
  const found = await clusterClient();
  if ('skip' in found) {
    t.skip(found.skip);
    return;
  }
  const client = loadKubeClient({ kubeconfigPath: kubeconfigPath() });
  const rec = recordPaths();
  try {
    // flowcontrol.apiserver.k8s.io/v1 (GA since 1.29) is not in the built-in table: it is discovered.
    const answers = await Promise.all([
      client.objects.isNamespaced('flowcontrol.apiserver.k8s.io/v1', 'FlowSchema'),
      client.objects.isNamespaced('flowcontrol.apiserver.k8s.io/v1', 'FlowSchema'),
      client.objects.isNamespaced('flowcontrol.apiserver.k8s.io/v1', 'PriorityLevelConfiguration'),
    ]);
    assert.deepEqual(answers, [false, false, false]);
    assert.equal(rec.paths.filter((p) => p === '/apis/flowcontrol.apiserver.k8s.io/v1').length, 1, rec.paths.join(', '));
    assert.equal(await client.objects.isNamespaced('apps/v1', 'NoSuchKind'), undefined);
  } finally {
    rec.stop();
  }
});

test("discovery: Kubernetes' own kinds are known without a request", async (t) => {
  const found = await clusterClient();
  if ('skip' in found) {
    t.skip(found.skip);
    return;
  }
  const client = loadKubeClient({ kubeconfigPath: kubeconfigPath() });
  const rec = recordPaths();
  try {
    const answers = await Promise.all([
      client.objects.isNamespaced('apps/v1', 'Deployment'),
      client.objects.isNamespaced('apps/v1', 'DaemonSet'),
      client.objects.isNamespaced('v1', 'Service'),
      client.objects.isNamespaced('v1', 'ConfigMap'),
      client.objects.isNamespaced('v1', 'Namespace'),
    ]);
    assert.deepEqual(answers, [true, true, true, true, false]);
    assert.deepEqual(rec.paths, []);
  } finally {
    rec.stop();
  }
});
