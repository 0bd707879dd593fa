// Faults on the path to the real API server, injected by a TCP proxy the test owns (faultProxy.ts; the shared API
// server is never touched): unreachable (listener closed, connections reset) for 30 s, then blackholed (connections
// accepted and frozen, nothing forwarded). Through the KubeAdapter → real reducer → Store: the session shows the
// cluster unreachable and then back; an apply and an exec during the fault fail at their deadline instead of
// hanging; afterwards an apply and a live-update-style exec work and the pod's logs stream again, without a new
// adapter. Own namespace, no fixed local port.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Transform } from 'node:stream';
import type { K8sObject, K8sResource } from '../../../src/tiltfile/plan';
import { KubeAdapter } from '../../../src/engine/adapters/kube';
import { deleteObjects } from '../../../src/engine/k8s/apply';
import { loadKubeClient } from '../../../src/engine/k8s/client';
import { execInContainer, kubeContainerExecutor } from '../../../src/engine/k8s/exec';
import { applyToContainers, type ContainerExecutor, type ContainerRef } from '../../../src/engine/liveupdate/containerUpdate';
import { Store } from '../../../src/engine/store';
import { initialResourceState } from '../../../src/shared/state';
import { clusterBanner } from '../../../src/shared/status';
import { httpGet, waitFor, webObjects } from './cluster';
import { proxiedCluster } from './faultProxy';

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('API server unreachable, then blackholed: the session says so, nothing hangs, everything resumes', { timeout: 300_000 }, async (t) => {
  const pc = await proxiedCluster(t, 'k8s-api');
  if (!pc) return;
  const { direct, proxy, dir, ns } = pc;
  // Short deadlines keep the test bounded; the product default is 30 s.
  const client = loadKubeClient({ kubeconfigPath: pc.kubeconfig, requestTimeoutMs: 5_000 });
  const port = await freePort();
  const lines: Array<{ at: number; text: string }> = [];
  const store = new Store();
  store.setResources([initialResourceState({ name: 'web', type: 'k8s', labels: [], triggerMode: 'auto', autoInit: true })]);
  const adapter = new KubeAdapter({
    client, namespace: ns, registry: () => undefined, since: new Date(), health: { intervalMs: 1_000, timeoutMs: 2_000 },
    sink: { observe: (o) => store.dispatch(o), log: (_n, text) => lines.push({ at: Date.now(), text }) },
  });
  const objects = webObjects(ns) as K8sObject[];
  const resource = (annotation: string): K8sResource => {
    const objs = objects.map((o) => (o.kind === 'Deployment' ? { ...o, metadata: { ...o.metadata, annotations: { 'test/rev': annotation } } } : o)) as K8sObject[];
    return {
      type: 'k8s', name: 'web', labels: [], resourceDeps: [], triggerMode: 'auto', autoInit: true, links: [], objects: objs, imageRefs: [],
      portForwards: [{ localPort: port, containerPort: 8080, host: '' }], podReadiness: 'wait', extraPodSelectors: [], discoveryStrategy: 'default',
    };
  };
  const apply = (rev: string): Promise<void> => adapter.apply(resource(rev), resource(rev).objects, { onOutput: () => undefined });
  const cluster = () => store.sessionState().cluster;
  const forward = () => store.resource('web')?.portForwards[0];
  const pod = () => store.resource('web')?.pods.find((p) => p.ready)?.name;
  const ticksAfter = (at: number) => lines.filter((l) => l.at > at && l.text.endsWith('tick')).length;

  /** After a fault: the session says the cluster is back, and apply, exec, logs and the forward all work again. */
  const recovered = async (rev: string, faultEnded: number): Promise<void> => {
    const back = await waitFor('the cluster back in the session state', 60_000, () => (cluster()?.reachable ? cluster() : undefined));
    assert.match(clusterBanner(store.sessionState())!.text, /^cluster back at \d\d:\d\d:\d\d \(unreachable since \d\d:\d\d:\d\d\)$/);
    assert.ok(back.since >= faultEnded);
    // Log lines again (the stream caught in the fault was replaced), without a new adapter.
    await waitFor('pod log lines after the fault', 60_000, () => ticksAfter(back.since) >= 2);
    await apply(rev); // the "file change": a changed manifest applied through the proxy
    const live = await waitFor('a ready pod', 60_000, pod);
    const r = await execInContainer(client, { namespace: ns, pod: live, container: 'app' }, ['sh', '-c', `echo ${rev} > /www/rev.txt && cat /www/rev.txt`]);
    assert.equal(r.stdout.trim(), rev);
    await waitFor('the port forward active', 60_000, () => forward()?.state === 'active');
    await waitFor('the live-updated file through the forward', 30_000, async () => (await httpGet(port, '/rev.txt')).body.trim() === rev);
  };

  try {
    await apply('initial');
    await waitFor('a ready pod', 120_000, pod);
    await waitFor('pod log lines', 60_000, () => ticksAfter(0) >= 1);
    await waitFor('the port forward active', 60_000, () => forward()?.state === 'active');
    assert.equal(cluster(), undefined, 'no banner while the cluster answers');

    await t.test('unreachable for 30 s (connections refused and reset): shown, apply fails fast, everything resumes', async () => {
      await proxy.down();
      const downAt = Date.now();
      const c = await waitFor('the session to say the cluster is unreachable', 30_000, () => (cluster()?.reachable === false ? cluster() : undefined));
      assert.match(clusterBanner(store.sessionState())!.text, /^cluster unreachable since \d\d:\d\d:\d\d: connection refused/);
      assert.ok(c.since >= downAt);
      await assert.rejects(apply('during-outage'), /refused|ECONNREFUSED|no answer/i);
      await assert.rejects(execInContainer(client, { namespace: ns, pod: pod()!, container: 'app' }, ['true']), /refused|ECONNREFUSED|no answer/i);
      await sleep(Math.max(0, downAt + 30_000 - Date.now()));
      await proxy.up();
      await recovered('after-outage', Date.now() - 1);
    });

    await t.test('blackholed while a live update\'s exec streams: the exec ends within its liveness bound, the live update succeeds afterwards', async () => {
      // A live update of a 2 MB file: the tar streams through an exec that is connected and mid-transfer when the
      // proxy starts dropping everything. Only the first 64 KB of the archive pass (a test-owned gate, so the
      // transfer is still open when the fault starts); the fault itself is the real blackhole.
      const src = path.join(dir, 'big.txt');
      fs.writeFileSync(src, 'x'.repeat(2 << 20));
      const plan = { kind: 'live_update' as const, copies: [{ localPath: src, containerPath: '/www/big.txt' }], deletions: [], runs: [], restart: false };
      const executor = kubeContainerExecutor(client, ns);
      let passed = 0;
      const gate = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          if (passed >= 64 << 10) return; // held: never calls back, the archive stays open
          passed += chunk.length;
          cb(null, chunk);
        },
      });
      const gated: ContainerExecutor = { exec: (c, argv, stdin) => executor.exec(c, argv, stdin?.pipe(gate)) };
      const live = await waitFor('a ready pod', 60_000, pod);
      const ref: ContainerRef = { pod: live, namespace: ns, container: 'app', containerId: '' };
      const update = applyToContainers(gated, [ref], plan);
      // Connected and streaming: the tar runs in the container (seen through the direct client, not the proxy).
      await waitFor('the live update\'s tar running in the pod', 60_000, async () => {
        const ps = await execInContainer(direct, { namespace: ns, pod: live, container: 'app' }, ['ps', '-o', 'args']);
        return /tar -C \/ -x -f -/.test(ps.stdout) && passed > 0;
      });
      proxy.blackhole();
      const holeAt = Date.now();
      const outcome = await update;
      const failedAfterMs = Date.now() - holeAt;
      t.diagnostic(`the streaming exec ended ${failedAfterMs} ms after the blackhole started (bound: 2 × 10 s without a sign of life)`);
      assert.equal(outcome.kind, 'needs_rebuild');
      assert.match((outcome as { reason: string }).reason, /^exec into .*app failed: .*the API server stopped answering \(no data and no pong for 20 s\); the connection was dropped$/);
      proxy.resume();
      await waitFor('the cluster back in the session state', 60_000, () => (cluster()?.reachable !== false ? true : undefined));
      const resumedAt = Date.now();
      const after = await applyToContainers(executor, [ref], plan);
      assert.equal(after.kind, 'ok', JSON.stringify(after));
      t.diagnostic(`the live update succeeded ${Date.now() - resumedAt} ms after the cluster was back`);
      const r = await execInContainer(client, { namespace: ns, pod: live, container: 'app' }, ['wc', '-c', '/www/big.txt']);
      assert.match(r.stdout, new RegExp(`^\\s*${2 << 20}\\b`));
    });

    await t.test('blackholed (connections hang): shown, apply and exec give up at their deadline, everything resumes', async () => {
      proxy.blackhole();
      const holeAt = Date.now();
      await waitFor('the session to say the cluster is unreachable', 30_000, () => cluster()?.reachable === false);
      assert.ok(cluster()!.since >= holeAt);
      assert.match(clusterBanner(store.sessionState())!.text, /^cluster unreachable since \d\d:\d\d:\d\d: no answer within 2000 ms/);
      await assert.rejects(apply('during-blackhole'), /no answer from the API server/);
      await assert.rejects(execInContainer(client, { namespace: ns, pod: pod()!, container: 'app' }, ['true']), /no answer from the API server within 5 s/);
      await sleep(Math.max(0, holeAt + 20_000 - Date.now()));
      proxy.resume();
      await recovered('after-blackhole', Date.now() - 1);
    });
  } finally {
    await adapter.stop();
    store.dispose();
    await proxy.close();
    fs.rmSync(dir, { recursive: true, force: true });
    await deleteObjects(direct, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }], { deleteNamespaces: true }).catch(() => undefined);
  }
});
