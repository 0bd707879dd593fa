// Fault on the real cluster: the container (not the pod) restarts while a live update copies files into it. The
// test kills the container's main process (`kill 1` through a second exec; the image's shell traps TERM and exits)
// while 4 × 24 MB stream in. The kubelet starts a new container in the same pod from the image, which has none of
// the synced files: the engine must replay them onto it (or rebuild), never skip them. A real Session ('up') with
// its own busybox image pushed to the local registry, a throwaway namespace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BUSYBOX, clusterClient, kubeconfigPath, waitFor } from './cluster';
import { execInContainer } from '../../../src/engine/k8s/exec';
import { Session } from '../../../src/engine/session';
import { loadTiltfile } from '../../../src/tiltfile/loader';

test('container restarted mid live update: the restarted container converges to the latest files', { timeout: 300_000 }, async (t) => {
  const found = await clusterClient();
  if ('skip' in found) {
    t.skip(found.skip);
    return;
  }
  const { client } = found;
  const ns = `il-k8s-lurestart-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  await client.core.createNamespace({ body: { metadata: { name: ns } } });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'il-lurestart-'));
  fs.mkdirSync(path.join(dir, 'app'));
  fs.writeFileSync(path.join(dir, 'app', 'marker.txt'), 'v0\n');
  // PID 1 is the shell: it ignores an untrapped TERM, so trap it to exit (the container then restarts).
  fs.writeFileSync(path.join(dir, 'Dockerfile'), `FROM ${BUSYBOX}\nCOPY app /app\nCMD ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]\n`);
  fs.writeFileSync(path.join(dir, 'deploy.yaml'), [
    'apiVersion: apps/v1', 'kind: Deployment', 'metadata: {name: lurestart}', 'spec:', '  replicas: 1', '  selector: {matchLabels: {app: lurestart}}',
    '  template:', '    metadata: {labels: {app: lurestart}}', '    spec:', '      terminationGracePeriodSeconds: 1', '      containers:',
    '      - {name: main, image: localhost:5000/innerloop/lurestart-test}', '',
  ].join('\n'));
  fs.writeFileSync(path.join(dir, 'Tiltfile'), [
    "k8s_yaml('deploy.yaml')",
    "docker_build('localhost:5000/innerloop/lurestart-test', '.', live_update=[sync('app', '/app')])",
    "k8s_resource('lurestart')", '',
  ].join('\n'));
  const session = new Session({
    tiltfile: path.join(dir, 'Tiltfile'), subcommand: 'up', kubeconfigPath: kubeconfigPath()!, namespace: ns, debounceMs: 50,
    load: async (p, opts) => loadTiltfile(p, opts),
  });
  const resource = () => session.store.resource('lurestart');
  const readyPod = () => resource()?.pods.find((p) => p.ready && p.status === 'Running');
  const containerId = (pod: string) => resource()?.pods.find((p) => p.name === pod)?.containers.find((c) => c.name === 'main' && c.state === 'running')?.id;
  const read = async (pod: string, file: string): Promise<string> =>
    (await execInContainer(client, { namespace: ns, pod, container: 'main' }, ['sh', '-c', `cat /app/${file} 2>/dev/null | md5sum | cut -d' ' -f1`])).stdout.trim();
  const md5 = (b: Buffer | string): string => crypto.createHash('md5').update(b).digest('hex');
  try {
    await session.start();
    const pod = await waitFor('the first pod ready', 180_000, () => readyPod()?.name);
    const firstId = await waitFor('the container id', 30_000, () => containerId(pod));
    assert.equal(await read(pod, 'marker.txt'), md5('v0\n'));
    const builds = resource()!.buildHistory.length;

    const bigs = [0, 1, 2, 3].map(() => crypto.randomBytes(24 << 20));
    bigs.forEach((b, i) => fs.writeFileSync(path.join(dir, 'app', `big${i}.bin`), b));
    fs.writeFileSync(path.join(dir, 'app', 'marker.txt'), 'v1\n');
    // Kill the container's main process while the copy streams in (the copy takes about 2 s here).
    await waitFor('the live update copying', 60_000, () => session.logs.linesSince('lurestart').some((l) => l.text.includes(`[${pod}/main] copying`)), 5);
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    await execInContainer(client, { namespace: ns, pod, container: 'main' }, ['kill', '1']);

    await waitFor('the container to restart', 60_000, () => { const id = containerId(pod); return id !== undefined && id !== firstId; });
    const converged = await waitFor('the restarted container (or a rebuilt pod) with the latest files', 180_000, async () => {
      const p = readyPod()?.name;
      if (!p) return undefined;
      const r = resource();
      if (r?.currentBuild || (r?.pendingChanges.length ?? 0) > 0) return undefined;
      if ((await read(p, 'marker.txt')) !== md5('v1\n')) return undefined;
      for (const [i, b] of bigs.entries()) if ((await read(p, `big${i}.bin`)) !== md5(b)) return undefined;
      return p;
    }, 500);
    const lines = session.logs.linesSince('lurestart').map((l) => l.text);
    const replayed = lines.some((l) => l.startsWith(`${pod}/main: the container restarted during the live update; the changed files will be replayed`) || l.includes('the container stopped during the live update'));
    // On a busy machine the copy can finish before the kill lands: then the restart is an ordinary one, and the
    // files are replayed onto the new container after it is seen ("Detected container restart", then a copy).
    const restartAt = lines.findIndex((l) => l.startsWith(`Detected container restart. Pod: ${pod}.`));
    const replayedAfter = restartAt >= 0 && lines.slice(restartAt + 1).some((l) => l.startsWith(`[${pod}/main] copying`));
    const how = replayed ? 'exec cancelled, replayed' : replayedAfter ? 'copy done before the kill, replayed after the restart' : 'copy failed, rebuilt';
    console.log(`container restart mid live update: converged on ${converged === pod ? 'the restarted container' : 'a rebuilt pod'} (${how}) in ${Date.now() - started} ms`);
    if (process.env.IL_DEBUG) console.log(lines.join('\n'));
    // Most recent first: the update that met the restart (and any replay or rebuild after it) ended without error.
    const history = resource()!.buildHistory;
    assert.ok(history.length > builds, 'the live update was recorded');
    assert.equal(history[0]!.error, undefined, JSON.stringify(history[0]));
    // Every way the user is told what happened: the exec cancelled for the restart (replay), the restart seen after
    // the copy and the files replayed, or the failed copy (exit 137, or the stream closed without a status) and the
    // fallback to a rebuild.
    assert.ok(replayed || replayedAfter || lines.some((l) => l.startsWith(`Falling back to a full rebuild: `) && l.includes(`${pod}/main`)), lines.join('\n'));
  } catch (err) {
    const r = resource();
    console.log(JSON.stringify({ builds: r?.buildHistory, current: r?.currentBuild, pending: r?.pendingChanges, pods: r?.pods }, null, 1));
    console.log(session.logs.linesSince('lurestart').map((l) => l.text).join('\n'));
    throw err;
  } finally {
    await session.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    await client.core.deleteNamespace({ name: ns }).catch(() => undefined);
  }
});
