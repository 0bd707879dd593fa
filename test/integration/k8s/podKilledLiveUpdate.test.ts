// Fault on the real cluster: the pod is deleted while a live update copies files into it (a 24 MB file makes the
// copy window reliable). The resource must converge with no lost change: the replacement pod ends up with the
// latest content, whether the engine replays the synced files onto it or rebuilds. A real Session ('up') with a
// small busybox image of its own (pushed to the local registry), a throwaway namespace, no port forward.
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

test('pod deleted mid live update: the replacement pod converges to the latest files', { timeout: 300_000 }, async (t) => {
  const found = await clusterClient();
  if ('skip' in found) {
    t.skip(found.skip);
    return;
  }
  const { client } = found;
  const ns = `il-k8s-lukill-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  await client.core.createNamespace({ body: { metadata: { name: ns } } });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'il-lukill-'));
  fs.mkdirSync(path.join(dir, 'app'));
  fs.writeFileSync(path.join(dir, 'app', 'marker.txt'), 'v0\n');
  fs.writeFileSync(path.join(dir, 'Dockerfile'), `FROM ${BUSYBOX}\nCOPY app /app\nCMD ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]\n`);
  fs.writeFileSync(path.join(dir, 'deploy.yaml'), [
    'apiVersion: apps/v1', 'kind: Deployment', 'metadata: {name: lukill}', 'spec:', '  replicas: 1', '  selector: {matchLabels: {app: lukill}}',
    '  template:', '    metadata: {labels: {app: lukill}}', '    spec:', '      terminationGracePeriodSeconds: 1', '      containers:',
    '      - {name: main, image: localhost:5000/innerloop/lukill-test}', '',
  ].join('\n'));
  fs.writeFileSync(path.join(dir, 'Tiltfile'), [
    "k8s_yaml('deploy.yaml')",
    "docker_build('localhost:5000/innerloop/lukill-test', '.', live_update=[sync('app', '/app')])",
    "k8s_resource('lukill')", '',
  ].join('\n'));
  const session = new Session({
    tiltfile: path.join(dir, 'Tiltfile'), subcommand: 'up', kubeconfigPath: kubeconfigPath()!, namespace: ns, debounceMs: 50,
    load: async (p, opts) => loadTiltfile(p, opts),
  });
  const readyPod = () => session.store.resource('lukill')?.pods.find((p) => p.ready && p.status === 'Running');
  const read = async (pod: string, file: string): Promise<string> =>
    (await execInContainer(client, { namespace: ns, pod, container: 'main' }, ['sh', '-c', `cat /app/${file} 2>/dev/null | md5sum | cut -d' ' -f1`])).stdout.trim();
  const md5 = (b: Buffer | string): string => crypto.createHash('md5').update(b).digest('hex');
  try {
    await session.start();
    const first = await waitFor('the first pod ready', 180_000, () => readyPod()?.name);
    assert.equal(await read(first, 'marker.txt'), md5('v0\n'));

    const bigs = [0, 1, 2, 3].map(() => crypto.randomBytes(24 << 20));
    bigs.forEach((b, i) => fs.writeFileSync(path.join(dir, 'app', `big${i}.bin`), b));
    fs.writeFileSync(path.join(dir, 'app', 'marker.txt'), 'v1\n');
    // Delete the pod while its copy of 4 × 24 MB streams in (the copy takes about 2 s here).
    await waitFor('the live update copying', 60_000, () => session.logs.linesSince('lukill').some((l) => l.text.includes(`[${first}/main] copying`)), 5);
    await new Promise((r) => setTimeout(r, 300));
    const deleted = Date.now();
    await client.core.deleteNamespacedPod({ name: first, namespace: ns, gracePeriodSeconds: 0 });

    const converged = await waitFor('a replacement pod with the latest files', 180_000, async () => {
      const p = readyPod()?.name;
      if (!p || p === first) return undefined;
      if (session.store.resource('lukill')?.currentBuild) return undefined;
      if ((await read(p, 'marker.txt')) !== md5('v1\n')) return undefined;
      for (const [i, b] of bigs.entries()) if ((await read(p, `big${i}.bin`)) !== md5(b)) return undefined;
      return p;
    }, 500);
    assert.notEqual(converged, first);
    const replayed = session.logs.linesSince('lukill').some((l) => l.text.startsWith(`${first}/main: its pod is being deleted; the changed files will be replayed`));
    console.log(`pod deleted mid live update: converged (${replayed ? 'exec cancelled, replayed onto the replacement' : 'rebuilt'}) ${Date.now() - deleted} ms after the delete`);
    if (process.env.IL_DEBUG) console.log(session.logs.linesSince('lukill').map((l) => l.text).join('\n'), JSON.stringify(session.store.resource('lukill')?.buildHistory, null, 1));
  } catch (err) {
    const r = session.store.resource('lukill');
    console.log(JSON.stringify({ builds: r?.buildHistory, current: r?.currentBuild, pending: r?.pendingChanges }, null, 1));
    console.log(session.logs.linesSince('lukill').map((l) => l.text).join('\n'));
    throw err;
  } finally {
    await session.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    await client.core.deleteNamespace({ name: ns }).catch(() => undefined);
  }
});
