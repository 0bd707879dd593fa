// The Kubernetes layer against the real local cluster (test/env/up.sh): apply, discovery, exec, live update,
// port-forward, restarts and replacements, logs, delete. Skips cleanly when the cluster is not reachable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import type { K8sObject } from '../../../src/tiltfile/plan';
import { applyObjects, deleteObjects } from '../../../src/engine/k8s/apply';
import { PodDiscovery, type ContainerRestart, type PodInfo } from '../../../src/engine/k8s/discovery';
import { execInContainer, kubeContainerExecutor } from '../../../src/engine/k8s/exec';
import { applyToContainers } from '../../../src/engine/liveupdate/containerUpdate';
import { PodLogStreams, type LogLine } from '../../../src/engine/k8s/podLogs';
import { PodPortForward, pickForwardPod, type PortForwardStateEvent } from '../../../src/engine/k8s/portForward';
import { discoverLocalRegistry } from '../../../src/engine/k8s/registry';
import { clusterClient, httpGet, waitFor, webObjects } from './cluster';

test('k8s layer against the real cluster', { timeout: 240_000 }, async (t) => {
  const found = await clusterClient();
  if ('skip' in found) {
    t.skip(found.skip);
    return;
  }
  const { client } = found;
  const ns = `il-k8s-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  const objects = webObjects(ns) as K8sObject[];
  const keep: K8sObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kept', namespace: ns, annotations: { 'tilt.dev/down-policy': 'keep' } }, data: { a: 'b' } };
  const sessionStart = new Date();
  let discovery: PodDiscovery | undefined;
  let pf: PodPortForward | undefined;
  let logs: PodLogStreams | undefined;
  const restarts: ContainerRestart[] = [];
  const pfStates: PortForwardStateEvent[] = [];
  const lines: LogLine[] = [];
  let pods: PodInfo[] = [];

  try {
    await t.test('registry discovery answers (found or none, never an exception)', async () => {
      const r = await discoverLocalRegistry(client);
      assert.ok(r.kind === 'found' || r.kind === 'none', JSON.stringify(r));
    });

    const applied = await applyObjects(client, [...objects, keep]);
    await t.test('apply returns the stored objects with uids, and is idempotent', async () => {
      assert.deepEqual(applied.map((a) => a.kind), ['Namespace', 'Deployment', 'Service', 'ConfigMap']);
      assert.ok(applied.every((a) => a.uid.length > 0));
      assert.equal(applied[1]!.namespace, ns);
      const again = await applyObjects(client, objects);
      assert.equal(again[1]!.uid, applied[1]!.uid);
      // Namespace defaulting: an object without a namespace lands in the given default.
      const cm = await applyObjects(client, [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'defaulted' }, data: {} } as K8sObject], { namespace: ns });
      assert.equal(cm[0]!.namespace, ns);
    });

    logs = new PodLogStreams(client, { since: sessionStart, onLine: (l) => lines.push(l), stallMs: 5_000 });
    const logsRef = logs;
    discovery = new PodDiscovery(client, { applied }, {
      onPods: (p) => {
        pods = p;
        logsRef.update(p);
        const best = pickForwardPod(p);
        if (best && pf) pf.setTarget({ namespace: ns, pod: best.name, port: 8080 });
      },
      onRestart: (r) => restarts.push(r),
    });
    await discovery.start();
    const disc = discovery;

    await t.test('discovery follows Deployment -> ReplicaSet -> Pod until ready', async () => {
      await waitFor('the resource to be ready', 90_000, () => {
        const r = disc.readiness('wait');
        if (!r.ready) throw new Error(r.reason); // shown if the wait times out
        return true;
      });
      const p = pods[0]!;
      assert.equal(p.namespace, ns);
      assert.ok(p.ancestors.includes(applied[1]!.uid), 'deployment uid among the ancestors');
      const app = p.containers.find((c) => c.name === 'app')!;
      assert.equal(app.state, 'running');
      assert.ok(app.id);
      assert.ok(p.containers.some((c) => c.name === 'init' && c.init && c.reason === 'Completed'));
    });
    const podName = (): string => pickForwardPod(pods)!.name;
    const target = () => ({ namespace: ns, pod: podName(), container: 'app' });

    await t.test('exec: stdin round-trip, exit codes, missing executable', async () => {
      const r = await execInContainer(client, target(), ['cat'], { stdin: Readable.from([Buffer.from('hello over stdin\n')]) });
      assert.equal(r.exitCode, 0);
      assert.equal(r.stdout, 'hello over stdin\n');
      const e = await execInContainer(client, target(), ['sh', '-c', 'echo out; echo err >&2; exit 3']);
      assert.equal(e.exitCode, 3);
      assert.equal(e.stdout, 'out\n');
      assert.equal(e.stderr, 'err\n');
      const missing = await execInContainer(client, target(), ['no-such-binary']);
      assert.equal(missing.exitCode, 127);
    });

    pf = new PodPortForward(client, { localPort: 0, target: { namespace: ns, pod: podName(), port: 8080 }, onState: (s) => pfStates.push(s), probeIntervalMs: 1_000 });
    await pf.start();
    const fwd = pf;
    await t.test('port-forward becomes active and serves HTTP', async () => {
      await waitFor('port-forward active', 20_000, () => fwd.state.phase === 'active');
      const r = await httpGet(fwd.localPort);
      assert.equal(r.status, 200);
      assert.equal(r.body, 'hello\n');
    });

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'il-k8s-lu-'));
    await t.test('live update: tar a file in, read it back over the port-forward; run steps', async () => {
      const local = path.join(dir, 'index.html');
      fs.writeFileSync(local, 'live updated\n');
      fs.chmodSync(local, 0o640);
      const out: string[] = [];
      const t0 = target();
      const ref = { pod: t0.pod, namespace: t0.namespace, container: t0.container, containerId: 'app' };
      const exec = kubeContainerExecutor(client, ns);
      const res = await applyToContainers(exec, [ref], {
        kind: 'live_update', deletions: ['/www/gone.txt'], copies: [{ localPath: local, containerPath: '/www/index.html' }], runs: [{ command: ['echo', 'ran'], shell: false, echoOff: false }], restart: false,
      }, { onOutput: (l) => out.push(l) });
      assert.equal(res.kind, 'ok');
      assert.ok(out.includes(`[${t0.pod}/app] ran`), out.join('\n'));
      const r = await httpGet(fwd.localPort);
      assert.equal(r.body, 'live updated\n');
      const mode = await execInContainer(client, target(), ['stat', '-c', '%a', '/www/index.html']);
      assert.equal(mode.stdout.trim(), '640');
      const failed = await applyToContainers(exec, [ref], { kind: 'live_update', deletions: [], copies: [], runs: [{ command: ['echo oops; exit 4'], shell: true, echoOff: false }], restart: false });
      assert.ok(failed.kind === 'run_failed' && failed.exitCode === 4 && failed.output === 'oops\n', JSON.stringify(failed));
    });

    await t.test("the engine's live-update core runs on the k8s executor", async () => {
      const local = path.join(dir, 'core.txt');
      fs.writeFileSync(local, 'via core\n');
      const p = pickForwardPod(pods)!;
      const c = p.containers.find((x) => x.name === 'app')!;
      const outcome = await applyToContainers(kubeContainerExecutor(client, ns), [{ pod: p.name, container: 'app', containerId: c.id! }], {
        kind: 'live_update', copies: [{ localPath: local, containerPath: '/www/core.txt' }], deletions: [], runs: [], restart: false,
      });
      assert.equal(outcome.kind, 'ok');
      assert.equal((await httpGet(fwd.localPort, '/core.txt')).body, 'via core\n');
    });

    await t.test('logs: follow streams include init containers and start at the session', async () => {
      await waitFor('log lines', 20_000, () => lines.some((l) => l.container === 'init' && l.text === 'init-done') && lines.some((l) => l.container === 'app' && l.text === 'tick'));
      assert.equal(lines.filter((l) => l.text === 'started').length, 1);
    });

    await t.test('container restart: detected by new container ID, port-forward recovers, new log stream', async () => {
      const before = pods[0]!.containers.find((c) => c.name === 'app')!.id!;
      await execInContainer(client, target(), ['kill', '1']);
      const restart = await waitFor('restart detection', 60_000, () => restarts.find((r) => r.previousId === before));
      assert.equal(restart.container, 'app');
      assert.notEqual(restart.newId, before);
      await waitFor('HTTP through the forward after restart', 30_000, async () => (await httpGet(fwd.localPort)).body === 'hello\n');
      await waitFor('logs of the new container', 20_000, () => lines.some((l) => l.containerId === restart.newId && l.text === 'started'));
      // the old container's lines were not re-read under the new stream
      const startedByContainer = new Map<string, number>();
      for (const l of lines) if (l.text === 'started') startedByContainer.set(l.containerId, (startedByContainer.get(l.containerId) ?? 0) + 1);
      assert.deepEqual([...startedByContainer.values()], [1, 1]);
    });

    await t.test('pod replacement: discovery (through a re-established watch) retargets the port-forward', async () => {
      const oldPod = podName();
      const watchesBefore = disc.watchCount;
      disc.interruptWatches(); // the watch must come back by itself
      const t0 = Date.now();
      await waitFor('watch re-established', 10_000, () => disc.watchCount > watchesBefore);
      if (process.env.IL_DEBUG) console.log('rewatch ms', Date.now() - t0);
      await client.core.deleteNamespacedPod({ name: oldPod, namespace: ns, gracePeriodSeconds: 0 });
      await waitFor('a ready replacement pod', 90_000, () => pods.some((p) => p.name !== oldPod && !p.deleting && p.ready) && pods.every((p) => p.name !== oldPod));
      if (process.env.IL_DEBUG) console.log('replacement ms', Date.now() - t0);
      await waitFor('forward retargeted', 30_000, () => fwd.state.target?.pod !== oldPod && fwd.state.phase === 'active');
      const r = await waitFor('HTTP via the replacement', 30_000, async () => {
        const x = await httpGet(fwd.localPort);
        return x.status === 200 ? x : undefined;
      });
      assert.equal(r.body, 'hello\n');
      assert.ok(pfStates.some((s) => s.phase === 'connecting' || s.phase === 'reconnecting' || s.phase === 'error'));
    });

    await t.test('delete: reverse order, namespace and down-policy: keep honoured', async () => {
      const res = await deleteObjects(client, [...objects, keep], { wait: true, timeoutMs: 60_000 });
      assert.deepEqual(res.deleted, [`Service/web in namespace ${ns}`, `Deployment/web in namespace ${ns}`]);
      assert.equal(res.kept.length, 2);
      const cm = await client.core.readNamespacedConfigMap({ name: 'kept', namespace: ns });
      assert.equal(cm.data?.a, 'b');
    });
  } finally {
    await pf?.stop();
    logs?.stop();
    discovery?.stop();
    try {
      await client.core.deleteNamespace({ name: ns });
    } catch {
      /* already gone or never created */
    }
  }
});
