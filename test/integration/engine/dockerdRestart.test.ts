// Fault on a real Docker daemon: dockerd killed (SIGKILL) and restarted mid-session. Never the shared daemon others
// build on: a dockerd of the test's own (privateDockerd.ts) that the engine uses through DOCKER_HOST, in a real
// Session ('up') against the real cluster, pushing to the shared registry, in a throwaway namespace. Two faults:
// the daemon down when a change needs a build (mid-session), and the daemon killed while a build runs (mid-build).
// Both times the build log says the daemon is not reachable and where, the build is retried with backoff, and once
// the daemon is back the build finishes and the pod runs the changed file. Skips without a cluster or dockerd.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BUSYBOX, clusterClient, kubeconfigPath, waitFor } from '../k8s/cluster';
import { execInContainer } from '../../../src/engine/k8s/exec';
import { Session } from '../../../src/engine/session';
import { loadTiltfile } from '../../../src/tiltfile/loader';
import { DOCKERD_BIN, PrivateDockerd } from './privateDockerd';

test('dockerd restarted mid-session: the build says the daemon is unreachable, retries with backoff, and succeeds once it is back', { timeout: 600_000 }, async (t) => {
  const found = await clusterClient();
  if ('skip' in found) return t.skip(found.skip);
  if (!fs.existsSync(DOCKERD_BIN)) return t.skip(`${DOCKERD_BIN} not installed (apt-get install docker.io)`);
  const { client } = found;
  const dockerd = new PrivateDockerd();
  const savedHost = process.env.DOCKER_HOST;
  const ns = `il-dockerd-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'il-dockerd-app-'));
  let session: Session | undefined;
  try {
    await dockerd.start();
    await client.core.createNamespace({ body: { metadata: { name: ns } } });
    fs.mkdirSync(path.join(dir, 'app'));
    fs.writeFileSync(path.join(dir, 'app', 'marker.txt'), 'v0\n');
    fs.writeFileSync(path.join(dir, 'Dockerfile'), `FROM ${BUSYBOX}\nCOPY app /app\nCMD ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]\n`);
    fs.writeFileSync(path.join(dir, 'deploy.yaml'), [
      'apiVersion: apps/v1', 'kind: Deployment', 'metadata: {name: dkd}', 'spec:', '  replicas: 1', '  selector: {matchLabels: {app: dkd}}',
      '  template:', '    metadata: {labels: {app: dkd}}', '    spec:', '      terminationGracePeriodSeconds: 1', '      containers:',
      '      - {name: main, image: localhost:5000/innerloop/dockerd-restart-test}', '',
    ].join('\n'));
    fs.writeFileSync(path.join(dir, 'Tiltfile'), [
      "k8s_yaml('deploy.yaml')",
      "docker_build('localhost:5000/innerloop/dockerd-restart-test', '.')",
      "k8s_resource('dkd')", '',
    ].join('\n'));
    // The engine makes its Docker client from the environment, as the CLI does.
    process.env.DOCKER_HOST = dockerd.host;
    const s = (session = new Session({
      tiltfile: path.join(dir, 'Tiltfile'), subcommand: 'up', kubeconfigPath: kubeconfigPath()!, namespace: ns, debounceMs: 50,
      load: async (p, opts) => loadTiltfile(p, opts),
    }));
    const lines = (): string[] => s.logs.linesSince('dkd').map((l) => l.text);
    const resource = () => s.store.resource('dkd');
    const md5 = (b: Buffer | string): string => crypto.createHash('md5').update(b).digest('hex');
    const podWith = async (file: string, content: Buffer | string): Promise<string | undefined> => {
      const r = resource();
      const pod = r?.pods.find((p) => p.ready && p.status === 'Running')?.name;
      if (!pod || r?.currentBuild || (r?.pendingChanges.length ?? 0) > 0) return undefined;
      const out = await execInContainer(client, { namespace: ns, pod, container: 'main' }, ['sh', '-c', `md5sum < /app/${file} | cut -d' ' -f1`]);
      return out.stdout.trim() === md5(content) ? pod : undefined;
    };
    const unreachable = new RegExp(`^Docker daemon is not reachable at ${dockerd.host.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(restarting\\?\\): .+; retrying in \\d+ (ms|s) \\(attempt \\d of 8\\)$`);
    const failures = (): string[] => lines().filter((l) => unreachable.test(l));

    await s.start();
    await waitFor('the first pod with v0', 240_000, () => podWith('marker.txt', 'v0\n'), 500);
    const builds = () => resource()?.buildHistory ?? [];

    await t.test('killed between builds: the next build reports the daemon down, retries, and succeeds once it is restarted', async () => {
      await dockerd.stop('SIGKILL');
      const before = failures().length;
      fs.writeFileSync(path.join(dir, 'app', 'marker.txt'), 'v1\n');
      const said = await waitFor('the build to report the daemon down', 60_000, () => failures().length > before && failures().at(-1));
      assert.match(said, /ECONNREFUSED/);
      // Still retrying (the resource is updating, not failed); bring the daemon back.
      assert.ok(resource()?.currentBuild, 'the build is still in progress while it retries');
      await dockerd.start();
      const back = Date.now();
      await waitFor('the pod with v1', 240_000, () => podWith('marker.txt', 'v1\n'), 500);
      console.log(`dockerd killed between builds: the pod runs the change ${Date.now() - back} ms after the daemon answered again; the build said:\n${said}`);
      assert.ok(lines().some((l) => /^Docker daemon at .+ is back \(attempt \d\)$/.test(l)));
      assert.equal(builds()[0]?.error, undefined); // most recent first
    });

    await t.test('killed mid-build: the build in flight reports it, retries, and succeeds once it is restarted', async () => {
      // A large context keeps the build busy long enough to be killed while it runs.
      const big = crypto.randomBytes(160 << 20);
      const mark = lines().length;
      const before = failures().length;
      fs.writeFileSync(path.join(dir, 'app', 'big.bin'), big);
      await waitFor('the build to start sending its context', 120_000, () => lines().slice(mark).some((l) => /load build context/.test(l)), 5);
      await dockerd.stop('SIGKILL');
      const said = await waitFor('the build to report the daemon gone', 60_000, () => failures().length > before && failures().at(-1));
      assert.match(said, /the connection was lost mid-call|ECONNREFUSED/);
      await dockerd.start();
      const back = Date.now();
      await waitFor('the pod with the big file', 300_000, () => podWith('big.bin', big), 1_000);
      console.log(`dockerd killed mid-build: the pod runs the change ${Date.now() - back} ms after the daemon answered again; the build said:\n${said}`);
      assert.equal(builds()[0]?.error, undefined); // most recent first
    });
  } catch (err) {
    const r = session?.store.resource('dkd');
    console.log(JSON.stringify({ builds: r?.buildHistory, current: r?.currentBuild }, null, 1));
    console.log(session?.logs.linesSince('dkd').map((l) => l.text).join('\n'));
    console.log(dockerd.logTail());
    throw err;
  } finally {
    await session?.stop();
    if (savedHost === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = savedHost;
    await dockerd.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
    await client.core.deleteNamespace({ name: ns }).catch(() => undefined);
  }
});
