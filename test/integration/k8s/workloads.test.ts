// More of the k8s layer on the real cluster: plain Pods, Jobs (readiness, logs of a finished container, immutable
// re-apply), extra_pod_selectors, watch renewal, and live-update infrastructure errors with their hints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { K8sObject } from '../../../src/tiltfile/plan';
import { applyObjects, type AppliedObject } from '../../../src/engine/k8s/apply';
import { PodDiscovery, type PodInfo } from '../../../src/engine/k8s/discovery';
import { execInContainer, kubeContainerExecutor } from '../../../src/engine/k8s/exec';
import { applyToContainers } from '../../../src/engine/liveupdate/containerUpdate';
import type { SyncCopy } from '../../../src/engine/liveupdate/plan';
import { PodLogStreams, type LogLine } from '../../../src/engine/k8s/podLogs';
import { BUSYBOX, clusterClient, waitFor } from './cluster';

const LOOP = 'trap "exit 0" TERM\nwhile true; do sleep 1; done';

function pod(ns: string, name: string, labels: Record<string, string>, extra: Record<string, unknown> = {}): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels },
    spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: BUSYBOX, imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', LOOP], ...extra }] },
  };
}

function job(ns: string, text: string): K8sObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'once', namespace: ns },
    spec: { backoffLimit: 0, template: { metadata: { labels: { job: 'once' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'once', image: BUSYBOX, imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', `echo ${text}`] }] } } },
  };
}

test('k8s workloads and live-update errors against the real cluster', { timeout: 240_000 }, async (t) => {
  const found = await clusterClient();
  if ('skip' in found) {
    t.skip(found.skip);
    return;
  }
  const { client } = found;
  const ns = `il-k8s-w-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  const stops: Array<() => void> = [];
  const follow = async (applied: AppliedObject[], extra: Partial<ConstructorParameters<typeof PodDiscovery>[1]> = {}, watchTimeoutSeconds?: number) => {
    const state = { pods: [] as PodInfo[] };
    const d = new PodDiscovery(client, { applied, ...extra }, { onPods: (p) => (state.pods = p) }, { watchTimeoutSeconds });
    stops.push(() => d.stop());
    await d.start();
    return { d, state };
  };

  try {
    const [, lowpriv, notar] = await applyObjects(client, [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
      pod(ns, 'lowpriv', { role: 'lowpriv' }, { securityContext: { runAsUser: 1000, runAsGroup: 1000 } }),
      pod(ns, 'notar', { role: 'notar' }, { command: ['/bin/sh', '-c', LOOP.replace('sleep', '/bin/sleep')], env: [{ name: 'PATH', value: '/nonexistent' }] }),
    ]);

    await t.test('a plain Pod is found by its own uid and becomes ready', async () => {
      const { d, state } = await follow([lowpriv!]);
      await waitFor('lowpriv ready', 60_000, () => d.readiness('wait').ready);
      assert.deepEqual(state.pods.map((p) => p.name), ['lowpriv']);
    });

    await t.test('selectors-only discovery uses extra_pod_selectors only', async () => {
      const { state } = await follow([lowpriv!, notar!], { extraPodSelectors: [{ role: 'notar' }], discoveryStrategy: 'selectors-only', namespace: ns });
      await waitFor('notar found', 30_000, () => state.pods.length === 1 && state.pods[0]!.name === 'notar');
    });

    // The engine's live update (applyToContainers) over the Kubernetes exec port, as the product runs it.
    const exec = kubeContainerExecutor(client, ns);
    const liveUpdate = (pod: string, change: { deletions?: string[]; copies?: SyncCopy[] }) =>
      applyToContainers(exec, [{ pod, namespace: ns, container: 'main', containerId: pod }], { kind: 'live_update', deletions: change.deletions ?? [], copies: change.copies ?? [], runs: [], restart: false });

    await t.test('live update: permission denied names the path and the uid', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'il-k8s-w-'));
      fs.writeFileSync(path.join(dir, 'x'), 'x\n');
      const denied = await liveUpdate('lowpriv', { copies: [{ localPath: path.join(dir, 'x'), containerPath: '/etc/innerloop/x' }] });
      assert.equal(denied.kind, 'needs_rebuild');
      assert.match(denied.kind === 'needs_rebuild' ? denied.hint ?? '' : '', /permission denied writing \/etc\/innerloop.*the container runs as uid 1000/);
      // rm of deleted paths, into a writable place
      const target = { namespace: ns, pod: 'lowpriv', container: 'main' };
      assert.equal((await liveUpdate('lowpriv', { copies: [{ localPath: path.join(dir, 'x'), containerPath: '/tmp/app/x' }] })).kind, 'ok');
      assert.equal((await execInContainer(client, target, ['cat', '/tmp/app/x'])).stdout, 'x\n');
      assert.equal((await liveUpdate('lowpriv', { deletions: ['/tmp/app/x'] })).kind, 'ok');
      assert.equal((await execInContainer(client, target, ['test', '-e', '/tmp/app/x'])).exitCode, 1);
    });

    await t.test('live update: a container without tar gets the "tar not found" hint', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'il-k8s-w-'));
      fs.writeFileSync(path.join(dir, 'y'), 'y\n');
      await waitFor('notar running', 60_000, async () => (await client.core.readNamespacedPod({ name: 'notar', namespace: ns })).status?.phase === 'Running');
      const r = await liveUpdate('notar', { copies: [{ localPath: path.join(dir, 'y'), containerPath: '/tmp/y' }] });
      assert.match(r.kind === 'needs_rebuild' ? r.hint ?? '' : '', /^tar not found in the container/);
    });

    await t.test('Job: ready when complete; its finished container logs are read once; immutable re-apply re-creates', async () => {
      const since = new Date(Date.now() - 1000);
      const [j] = await applyObjects(client, [job(ns, 'job-done')]);
      const { d, state } = await follow([j!]);
      const lines: LogLine[] = [];
      const logs = new PodLogStreams(client, { since, onLine: (l) => lines.push(l) });
      stops.push(() => logs.stop());
      await waitFor('job complete', 60_000, () => {
        logs.update(state.pods);
        return d.readiness('wait').ready;
      });
      assert.ok(state.pods[0]!.ancestors.includes(j!.uid));
      await waitFor('job log', 20_000, () => {
        logs.update(state.pods);
        return lines.some((l) => l.text === 'job-done');
      });
      await new Promise((r) => setTimeout(r, 500));
      logs.update(state.pods);
      assert.equal(lines.filter((l) => l.text === 'job-done').length, 1);
      const [j2] = await applyObjects(client, [job(ns, 'job-done-again')]);
      assert.notEqual(j2!.uid, j!.uid, 'a changed Job template re-creates the Job');
    });

    await t.test('logs: a quiet container passes its stall checks without a reconnect; reconnects add no duplicate lines', async () => {
      const since = new Date(Date.now() - 1000);
      const [quiet] = await applyObjects(client, [pod(ns, 'quiet', { role: 'quiet' }, { command: ['sh', '-c', `echo quiet-line\n${LOOP}`] })]);
      const { state } = await follow([quiet!]);
      const lines: LogLine[] = [];
      const logs = new PodLogStreams(client, { since, onLine: (l) => lines.push(l), stallMs: 600 });
      stops.push(() => logs.stop());
      await waitFor('quiet line', 60_000, () => {
        logs.update(state.pods);
        return lines.some((l) => l.text === 'quiet-line');
      });
      // Several stall checks: the kubelet's last line is the one the stream delivered, so the stream is kept.
      await waitFor('stall checks', 30_000, () => logs.quietChecks >= 3);
      assert.equal(logs.reconnects, 0, 'a quiet container is not reconnected');
      // Reconnects (as after an outage) resume from the last line without repeating it.
      for (let i = 1; i <= 2; i++) {
        const checked = logs.quietChecks;
        logs.resume();
        // A check counts only on the reconnected stream (resume voids one in flight): so it is connected again.
        await waitFor(`reconnect ${i} and a quiet check after it`, 30_000, () => logs.reconnects >= i && logs.quietChecks > checked);
      }
      assert.equal(lines.filter((l) => l.text === 'quiet-line').length, 1);
      assert.equal(lines[0]!.container, 'main');
    });

    await t.test('logs: a crash-looping container shows each crashed instance once', async () => {
      const since = new Date(Date.now() - 1000);
      const [crash] = await applyObjects(client, [pod(ns, 'crash', { role: 'crash' }, { command: ['sh', '-c', 'echo boom; exit 1'] })]);
      const { state } = await follow([crash!]);
      const lines: LogLine[] = [];
      const logs = new PodLogStreams(client, { since, onLine: (l) => lines.push(l) });
      stops.push(() => logs.stop());
      await waitFor('two crashed instances logged', 90_000, () => {
        logs.update(state.pods);
        return new Set(lines.filter((l) => l.text === 'boom').map((l) => l.containerId)).size >= 2;
      }, 50);
      const perInstance = new Map<string, number>();
      for (const l of lines) if (l.text === 'boom') perInstance.set(l.containerId, (perInstance.get(l.containerId) ?? 0) + 1);
      assert.ok([...perInstance.values()].every((n) => n === 1), JSON.stringify([...perInstance]));
      assert.match(state.pods[0]!.containers[0]!.reason ?? '', /CrashLoopBackOff|Error/);
    });

    await t.test('pod watches are renewed after the server-side timeout and keep delivering', async () => {
      const { d, state } = await follow([], { extraPodSelectors: [{ role: 'late' }], namespace: ns }, 1);
      const before = d.watchCount;
      await waitFor('watch renewed twice', 20_000, () => d.watchCount >= before + 2);
      await applyObjects(client, [pod(ns, 'late', { role: 'late' })]);
      await waitFor('late pod discovered', 30_000, () => state.pods.some((p) => p.name === 'late'));
    });
  } finally {
    for (const s of stops) s();
    try {
      await client.core.deleteNamespace({ name: ns });
    } catch {
      /* never created */
    }
  }
});
