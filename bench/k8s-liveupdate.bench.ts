// Live-update latency on the real local cluster: edit one file, tar-exec it into a busybox httpd container, fetch
// it through the port-forward until the new content is served. p50/p95 over 20 edits each with a fresh exec per
// update and with the reused exec stream (k8s/execSession.ts), interleaved. Skips without a cluster.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { K8sObject } from '../src/tiltfile/plan';
import { applyObjects } from '../src/engine/k8s/apply';
import { PodDiscovery, type PodInfo } from '../src/engine/k8s/discovery';
import { execInContainer, kubeContainerExecutor } from '../src/engine/k8s/exec';
import { ReusingExecutor } from '../src/engine/k8s/execSession';
import { applyToContainers } from '../src/engine/liveupdate/containerUpdate';
import { PodPortForward, pickForwardPod } from '../src/engine/k8s/portForward';
import { clusterClient, httpGet, waitFor, webObjects } from '../test/integration/k8s/cluster';

const EDITS = 20;

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

async function main(): Promise<void> {
  const found = await clusterClient();
  if ('skip' in found) {
    console.log('skipped: cluster not reachable');
    return;
  }
  const { client } = found;
  const ns = `il-bench-${Date.now().toString(36)}`;
  let discovery: PodDiscovery | undefined;
  let pf: PodPortForward | undefined;
  try {
    const applied = await applyObjects(client, webObjects(ns) as K8sObject[]);
    let pods: PodInfo[] = [];
    discovery = new PodDiscovery(client, { applied }, { onPods: (p) => (pods = p) });
    await discovery.start();
    const d = discovery;
    await waitFor('ready pod', 120_000, () => d.readiness('wait').ready);
    const pod = pickForwardPod(pods)!;
    pf = new PodPortForward(client, { localPort: 0, target: { namespace: ns, pod: pod.name, port: 8080 } });
    await pf.start();
    const fwd = pf;
    await waitFor('port-forward', 20_000, () => fwd.state.phase === 'active');
    await httpGet(fwd.localPort); // warm up
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'il-bench-'));
    const file = path.join(dir, 'index.html');
    const target = { namespace: ns, pod: pod.name, container: 'app' };
    const fresh = kubeContainerExecutor(client, ns);
    const reused = new ReusingExecutor(client, ns, fresh);
    const ref = { ...target, containerId: `${pod.name}/app` };
    const runs = { fresh: { total: [] as number[], tar: [] as number[], fetch: [] as number[] }, reused: { total: [] as number[], tar: [] as number[], fetch: [] as number[] } };
    // Fresh exec per update (before issue 14) and the reused stream, interleaved so load swings hit both alike.
    for (let i = 0; i < EDITS * 2; i++) {
      const which = i % 2 === 0 ? 'fresh' : 'reused';
      const exec = which === 'fresh' ? fresh : reused;
      const content = `edit ${i} ${Math.random()}\n`;
      fs.writeFileSync(file, content);
      const t0 = performance.now();
      const out = await applyToContainers(exec, [ref], { kind: 'live_update', deletions: [], copies: [{ localPath: file, containerPath: '/www/index.html' }], runs: [], restart: false });
      if (out.kind !== 'ok') throw new Error(`live update failed: ${JSON.stringify(out)}`);
      const t1 = performance.now();
      for (;;) {
        const got = await httpGet(fwd.localPort);
        if (got.body === content) break;
      }
      const t2 = performance.now();
      runs[which].tar.push(t1 - t0);
      runs[which].fetch.push(t2 - t1);
      runs[which].total.push(t2 - t0);
    }
    reused.dispose();
    const bare: number[] = [];
    for (let i = 0; i < EDITS; i++) {
      const t0 = performance.now();
      await execInContainer(client, target, ['true']);
      bare.push(performance.now() - t0);
    }
    console.log(`k8s exec round-trip (true) p50: ${pct(bare, 50).toFixed(1)} ms`);
    for (const [which, r] of Object.entries(runs)) {
      const how = which === 'fresh' ? 'a fresh tar exec per update' : 'the reused exec stream';
      console.log(`k8s live update (applyToContainers, ${how}) p50: ${pct(r.tar, 50).toFixed(1)} ms`);
      console.log(`k8s live update (applyToContainers, ${how}) p95: ${pct(r.tar, 95).toFixed(1)} ms`);
      console.log(`k8s http fetch via port-forward (${which}) p50: ${pct(r.fetch, 50).toFixed(1)} ms`);
      console.log(`k8s edit-to-served (${how}) p50: ${pct(r.total, 50).toFixed(1)} ms`);
      console.log(`k8s edit-to-served (${how}) p95: ${pct(r.total, 95).toFixed(1)} ms`);
    }
  } finally {
    await pf?.stop();
    discovery?.stop();
    try {
      await client.core.deleteNamespace({ name: ns });
    } catch {
      /* never created */
    }
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
