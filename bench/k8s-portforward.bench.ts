// One fetch through a port forward on a fresh local connection (each opens its own websocket through the API server
// to the kubelet), as a browser reload or the loop benches' polls do: p50/p95 over 40 fetches each through a forward
// whose websockets share one TLS session cache (k8s/webSocket.ts) and through one on client-node's default (a new
// agent, so a full TLS handshake, per websocket), interleaved so load swings hit both alike. Skips without a cluster.
import { performance } from 'node:perf_hooks';
import { PortForward as KubePortForward } from '@kubernetes/client-node';
import type { K8sObject } from '../src/tiltfile/plan';
import { applyObjects } from '../src/engine/k8s/apply';
import { PodDiscovery, type PodInfo } from '../src/engine/k8s/discovery';
import { PodPortForward, pickForwardPod } from '../src/engine/k8s/portForward';
import { webSocketTlsStats } from '../src/engine/k8s/webSocket';
import { clusterClient, httpGet, waitFor, webObjects } from '../test/integration/k8s/cluster';
import { runBench } from './run';
import { pct } from './served';

const FETCHES = 40;

async function main(): Promise<void> {
  const found = await clusterClient();
  if ('skip' in found) {
    console.log('skipped: cluster not reachable');
    return;
  }
  const { client } = found;
  const ns = `il-bench-pf-${Date.now().toString(36)}`;
  let discovery: PodDiscovery | undefined;
  const forwards: PodPortForward[] = [];
  try {
    const applied = await applyObjects(client, webObjects(ns) as K8sObject[]);
    let pods: PodInfo[] = [];
    discovery = new PodDiscovery(client, { applied }, { onPods: (p) => (pods = p) });
    await discovery.start();
    const d = discovery;
    await waitFor('ready pod', 120_000, () => d.readiness('wait').ready);
    const target = { namespace: ns, pod: pickForwardPod(pods)!.name, port: 8080 };
    // Probes every 10 min: only the fetches open websockets while measuring.
    const shared = new PodPortForward(client, { localPort: 0, target, probeIntervalMs: 600_000 });
    const fresh = new PodPortForward(client, { localPort: 0, target, probeIntervalMs: 600_000, forwarder: new KubePortForward(client.kc, true) });
    forwards.push(shared, fresh);
    for (const f of forwards) await f.start();
    await waitFor('port-forwards', 20_000, () => forwards.every((f) => f.state.phase === 'active'));
    const times = { shared: [] as number[], fresh: [] as number[] };
    const cpu = { shared: 0, fresh: 0 };
    for (const f of forwards) await httpGet(f.localPort); // warm up
    const before = webSocketTlsStats(client.kc);
    for (let i = 0; i < FETCHES * 2; i++) {
      const which = i % 2 === 0 ? 'shared' : 'fresh';
      const fwd = which === 'shared' ? shared : fresh;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const got = await httpGet(fwd.localPort);
      times[which].push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu[which] += (c.user + c.system) / 1000;
      if (got.status !== 200) throw new Error(`fetch through the ${which} forward: HTTP ${got.status}`);
    }
    const after = webSocketTlsStats(client.kc);
    for (const [which, t] of Object.entries(times)) {
      const how = which === 'shared' ? 'shared TLS session cache' : "client-node's agent per websocket";
      console.log(`k8s port-forward fetch, fresh connection (${how}) p50: ${pct(t, 50).toFixed(1)} ms`);
      console.log(`k8s port-forward fetch, fresh connection (${how}) p95: ${pct(t, 95).toFixed(1)} ms`);
      console.log(`k8s port-forward fetch (${how}) CPU of this process per fetch: ${(cpu[which as 'shared' | 'fresh'] / FETCHES).toFixed(2)} ms`);
    }
    console.log(`k8s port-forward TLS handshakes through the shared cache: ${after.handshakes - before.handshakes}, resumed: ${after.resumed - before.resumed}`);
  } finally {
    for (const f of forwards) await f.stop();
    discovery?.stop();
    try {
      await client.core.deleteNamespace({ name: ns });
    } catch {
      /* never created */
    }
  }
}

runBench(main);
