// ClusterHealth's checks share one kept-alive connection (no TLS handshake every few seconds while idle), and that
// connection breaking is still seen: reset (proxy down), then frozen (blackholed), each shown and then recovered.
// Faults are injected by the test's own TCP proxy in front of the real API server (faultProxy.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as dc from 'node:diagnostics_channel';
import * as fs from 'node:fs';
import { loadKubeClient } from '../../../src/engine/k8s/client';
import { ClusterHealth } from '../../../src/engine/k8s/clusterHealth';
import { clusterClient, kubeconfigPath, waitFor } from './cluster';
import { FaultProxy, apiServerAddress, kubeconfigThrough, tempDir } from './faultProxy';

test('cluster health: one connection for many checks; a reset and a blackhole are still reported, and recovery', { timeout: 120_000 }, async (t) => {
  const found = await clusterClient();
  if ('skip' in found) {
    t.skip(found.skip);
    return;
  }
  const realConfig = kubeconfigPath()!;
  const upstream = apiServerAddress(realConfig);
  const proxy = new FaultProxy(upstream.host, upstream.port);
  await proxy.start();
  const dir = tempDir('innerloop-health-');
  const client = loadKubeClient({ kubeconfigPath: kubeconfigThrough(realConfig, proxy.port, dir) });
  const seen: boolean[] = [];
  let checks = 0;
  let sockets = 0;
  const onSocket = (): void => void sockets++;
  dc.subscribe('net.client.socket', onSocket);
  const health = new ClusterHealth(client, { intervalMs: 200, timeoutMs: 1_000, onChange: (r) => seen.push(r) });
  const realCheck = (health as unknown as { check: () => Promise<unknown> }).check;
  (health as unknown as { check: () => Promise<unknown> }).check = async () => { checks++; return realCheck(); };
  try {
    health.start();
    await waitFor('six checks', 30_000, () => checks >= 6 && seen.length > 0);
    assert.deepEqual(seen, [true]);
    assert.equal(sockets, 1, `${checks} checks used ${sockets} connections`);

    await proxy.down();
    await waitFor('unreachable after a reset', 30_000, () => seen.at(-1) === false);
    await proxy.up();
    await waitFor('reachable again', 30_000, () => seen.at(-1) === true);

    proxy.blackhole();
    await waitFor('unreachable while blackholed', 30_000, () => seen.at(-1) === false);
    proxy.resume();
    await waitFor('reachable after the blackhole', 30_000, () => seen.at(-1) === true);
  } finally {
    health.stop();
    dc.unsubscribe('net.client.socket', onSocket);
    await proxy.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
