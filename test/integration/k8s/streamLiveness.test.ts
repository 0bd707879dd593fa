// Every connected stream has a liveness bound, proven with a half-open path: the test's proxy (faultProxy.ts)
// freezes the connections open at that moment for good and forwards new ones, so the API server's health check
// keeps answering (no banner, no "cluster back" resume) and only each stream's own bound can notice:
// exec (pings, 2 × 10 s), port-forward connection (pings, 2 × 10 s), log follow (15 s stall), pod watch (90 s
// without an event or bookmark). Each is dropped, reported where it matters, and replaced; an exec that is only
// quiet (sleep 25) is not. KubeAdapter → real reducer → Store, a busybox Deployment with a port forward; own
// namespace, no fixed local port.
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
import { httpGet, waitFor, webObjects } from './cluster';
import { proxiedCluster } from './faultProxy';

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test('half-open path to the API server: exec, port-forward connection, log stream and pod watch each end within their liveness bound and are replaced', { timeout: 420_000 }, async (t) => {
  const pc = await proxiedCluster(t, 'k8s-live');
  if (!pc) return;
  const { direct, proxy, dir, ns } = pc;
  const client = loadKubeClient({ kubeconfigPath: pc.kubeconfig, requestTimeoutMs: 5_000 });
  const port = await freePort();
  const lines: Array<{ at: number; text: string }> = [];
  const store = new Store();
  store.setResources([initialResourceState({ name: 'web', type: 'k8s', labels: [], triggerMode: 'auto', autoInit: true })]);
  const forwardMessages: string[] = [];
  store.onDidChange(() => {
    const m = store.resource('web')?.portForwards[0]?.error;
    if (m && forwardMessages.at(-1) !== m) forwardMessages.push(m);
  });
  const adapter = new KubeAdapter({
    client, namespace: ns, registry: () => undefined, since: new Date(), health: { intervalMs: 1_000, timeoutMs: 2_000 },
    sink: { observe: (o) => store.dispatch(o), log: (_n, text) => lines.push({ at: Date.now(), text }) },
  });
  const objects = webObjects(ns) as K8sObject[];
  const resource: K8sResource = {
    type: 'k8s', name: 'web', labels: [], resourceDeps: [], triggerMode: 'auto', autoInit: true, links: [], objects, imageRefs: [],
    portForwards: [{ localPort: port, containerPort: 8080, host: '' }], podReadiness: 'wait', extraPodSelectors: [], discoveryStrategy: 'default',
  };
  const pod = () => store.resource('web')?.pods.find((p) => p.ready)?.name;
  const ticksAfter = (at: number) => lines.filter((l) => l.at > at && l.text.endsWith('tick')).length;

  try {
    await adapter.apply(resource, objects, { onOutput: () => undefined });
    const live = await waitFor('a ready pod', 120_000, pod);
    await waitFor('pod log lines', 60_000, () => ticksAfter(0) >= 1);
    await waitFor('the port forward active', 60_000, () => store.resource('web')?.portForwards[0]?.state === 'active');

    // Open before the fault: an exec streaming a live update's tar (held open after 64 KB by a test-owned gate)...
    const src = path.join(dir, 'big.txt');
    fs.writeFileSync(src, 'x'.repeat(2 << 20));
    const plan = { kind: 'live_update' as const, copies: [{ localPath: src, containerPath: '/www/big.txt' }], deletions: [], runs: [], restart: false };
    const executor = kubeContainerExecutor(client, ns);
    let passed = 0;
    const gate = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        if (passed >= 64 << 10) return;
        passed += chunk.length;
        cb(null, chunk);
      },
    });
    const gated: ContainerExecutor = { exec: (c, argv, stdin) => executor.exec(c, argv, stdin?.pipe(gate)) };
    const ref: ContainerRef = { pod: live, namespace: ns, container: 'app', containerId: '' };
    const update = applyToContainers(gated, [ref], plan);
    await waitFor('the live update\'s tar running in the pod', 60_000, async () => {
      const ps = await execInContainer(direct, { namespace: ns, pod: live, container: 'app' }, ['ps', '-o', 'args']);
      return /tar -C \/ -x -f -/.test(ps.stdout) && passed > 0;
    });
    // ...and a connection through the forward that sends nothing yet (its websocket is open).
    const idle = net.connect(port, '127.0.0.1');
    idle.on('error', () => undefined);
    let idleClosedAt: number | undefined;
    idle.on('close', () => (idleClosedAt = Date.now()));
    await new Promise<void>((r) => idle.once('connect', () => r()));
    // Its websocket is through once the pod holds a connection to httpd (seen through the direct client).
    await waitFor('the forwarded connection open in the pod', 60_000, async () => {
      const ns8080 = await execInContainer(direct, { namespace: ns, pod: live, container: 'app' }, ['netstat', '-tn']);
      return /:8080\s+\S+\s+ESTABLISHED/.test(ns8080.stdout);
    });

    proxy.freezeOpen();
    const frozenAt = Date.now();
    const since = (at: number): string => `${((at - frozenAt) / 1000).toFixed(1)} s`;

    const outcome = await update;
    const execEnded = Date.now();
    assert.equal(outcome.kind, 'needs_rebuild');
    assert.match((outcome as { reason: string }).reason, /the API server stopped answering \(no data and no pong for 20 s\); the connection was dropped$/);

    const closedAt = await waitFor('the idle forwarded connection cut', 60_000, () => idleClosedAt);
    await waitFor('the forward to report the dead connection', 30_000, () => forwardMessages.some((m) => /stopped answering pings/.test(m)));
    await waitFor('the port forward active again', 60_000, () => store.resource('web')?.portForwards[0]?.state === 'active');
    assert.equal((await httpGet(port, '/index.html')).body.trim(), 'hello');

    const logsBack = await waitFor('log lines through a new stream', 60_000, () => lines.find((l) => l.at > frozenAt && l.text.endsWith('tick'))?.at);

    const watchNotice = await waitFor('the pod watch to report its silence', 150_000, () => lines.find((l) => l.at > frozenAt && /^pod watch: no event or bookmark/.test(l.text)));
    // The replaced watch sees pods again: delete the pod (directly), the store learns of its replacement.
    await direct.core.deleteNamespacedPod({ name: live, namespace: ns, gracePeriodSeconds: 0 });
    const replacement = await waitFor('the replacement pod in the store', 120_000, () => {
      const p = pod();
      return p && p !== live ? p : undefined;
    });
    assert.equal(store.sessionState().cluster, undefined, 'the health check never saw an outage: only the streams\' own bounds acted');
    t.diagnostic(`after the freeze: exec failed at ${since(execEnded)}, forward connection cut at ${since(closedAt)}, logs streaming again at ${since(logsBack)}, pod watch replaced at ${since(watchNotice.at)} ("${watchNotice.text}"); then saw pod ${replacement}`);
    t.diagnostic(`forward messages: ${forwardMessages.join(' | ')}`);

    const after = await applyToContainers(executor, [{ ...ref, pod: replacement }], plan);
    assert.equal(after.kind, 'ok', JSON.stringify(after));
    // A command that is silent for longer than the bound is not cut: the API server answers the pings itself.
    const quiet = await execInContainer(client, { namespace: ns, pod: replacement, container: 'app' }, ['sh', '-c', 'sleep 25; echo done']);
    assert.equal(quiet.exitCode, 0);
    assert.equal(quiet.stdout.trim(), 'done');
  } finally {
    await adapter.stop();
    store.dispose();
    await proxy.close();
    fs.rmSync(dir, { recursive: true, force: true });
    await deleteObjects(direct, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }], { deleteNamespaces: true }).catch(() => undefined);
  }
});
