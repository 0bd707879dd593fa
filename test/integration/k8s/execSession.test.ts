// The reused exec stream on the real cluster (issue 14): successive live updates into one container go over one
// long-lived exec, and when that stream dies in the middle of a step (its shell killed inside the container, as a
// container restart does) the step reruns on a fresh exec: the update still lands. Own namespace, busybox web pod.
// The step held mid-way is the restart token's write into a FIFO, which blocks until someone reads it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { K8sObject } from '../../../src/tiltfile/plan';
import { applyObjects } from '../../../src/engine/k8s/apply';
import { PodDiscovery, type PodInfo } from '../../../src/engine/k8s/discovery';
import { execInContainer, kubeContainerExecutor } from '../../../src/engine/k8s/exec';
import { ReusingExecutor } from '../../../src/engine/k8s/execSession';
import { applyToContainers, type ContainerExecutor } from '../../../src/engine/liveupdate/containerUpdate';
import { clusterClient, waitFor, webObjects } from './cluster';

test('live updates reuse one exec stream per container; a stream killed mid-step falls back to a fresh exec', { timeout: 240_000 }, async (t) => {
  const found = await clusterClient();
  if ('skip' in found) {
    t.skip(found.skip);
    return;
  }
  const { client } = found;
  const ns = `il-k8s-execsess-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'il-execsess-'));
  let discovery: PodDiscovery | undefined;
  let exec: ReusingExecutor | undefined;
  try {
    const applied = await applyObjects(client, webObjects(ns) as K8sObject[]);
    let pods: PodInfo[] = [];
    discovery = new PodDiscovery(client, { applied }, { onPods: (p) => (pods = p) });
    await discovery.start();
    const d = discovery;
    await waitFor('ready pod', 120_000, () => d.readiness('wait').ready);
    const pod = pods[0]!.name;
    const target = { namespace: ns, pod, container: 'app' };
    const inPod = async (script: string): Promise<string> => (await execInContainer(client, target, ['sh', '-c', script])).stdout;

    let freshCalls = 0;
    const plain = kubeContainerExecutor(client, ns);
    const fresh: ContainerExecutor = { exec: (...a) => (freshCalls++, plain.exec(...a)) };
    exec = new ReusingExecutor(client, ns, fresh);
    const ref = { ...target, containerId: `${pod}/app` };
    const file = path.join(dir, 'index.html');
    const update = async (content: string): Promise<void> => {
      fs.writeFileSync(file, content);
      const out = await applyToContainers(exec!, [ref], { kind: 'live_update', deletions: [], copies: [{ localPath: file, containerPath: '/www/index.html' }], runs: [], restart: false });
      assert.equal(out.kind, 'ok', JSON.stringify(out));
      assert.equal(await inPod('cat /www/index.html'), content);
    };

    await update('one\n');
    const first = await exec.sessionOf(ref);
    assert.ok(first?.alive, 'the first update opened a session');
    await update('two\n');
    assert.equal(await exec.sessionOf(ref), first, 'the second update reused the same stream');
    assert.equal(first!.commands, 3, 'probe + two copies on the one stream');
    assert.equal(freshCalls, 0, 'no fresh exec while the stream lives');

    // The session's shell is the process whose command line is just "sh"; the step's writer names the FIFO (a pattern that does not match its own command line).
    const pids = (want: string): string => `for p in /proc/[0-9]*; do c="$(tr '\\0' ' ' < $p/cmdline 2>/dev/null)"; case "$c" in ${want}) echo \${p#/proc/};; esac; done`;
    const count = async (want: string): Promise<number> => (await inPod(pids(want))).split('\n').filter(Boolean).length;
    assert.equal(await count("'sh '"), 1, 'one session shell');
    await inPod('mkfifo /tmp/restart');
    const restarting = applyToContainers(exec, [ref], { kind: 'live_update', deletions: [], copies: [], runs: [], restart: true }, { restartFile: '/tmp/restart' });
    await waitFor('the restart step blocked on the FIFO', 30_000, async () => (await count("*'> /tmp/'[r]estart*")) === 1);
    // Both at once (one kill), before the fallback can start a writer of its own.
    await inPod(`kill -9 $(${pids("'sh '")}) $(${pids("*'> /tmp/'[r]estart*")})`);
    // The step reruns on a fresh exec, which blocks on the FIFO in turn until this reads the token.
    const token = await waitFor('the rerun token', 30_000, async () => (freshCalls === 1 ? (await inPod('cat /tmp/restart')).trim() : undefined));
    assert.match(token, /^\d+-\d+$/);
    const outcome = await restarting;
    assert.equal(outcome.kind, 'ok', JSON.stringify(outcome));
    assert.equal(first!.alive, false, 'the stream died in the middle of the step');
    assert.equal(freshCalls, 1, 'the step reran on a fresh exec');

    await update('four\n');
    const second = await exec.sessionOf(ref);
    assert.ok(second?.alive && second !== first, 'the next update opened a new stream');
    assert.equal(freshCalls, 1);
  } finally {
    exec?.dispose();
    discovery?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    await client.core.deleteNamespace({ name: ns }).catch(() => undefined);
  }
});
