// The API server unreachable for ~30 s under a whole session: the real Session `innerloop up` runs (Tiltfile,
// watcher, docker build and push, apply, live update, logs, port forward), talking to the cluster through a TCP
// proxy the test owns (faultProxy.ts; the shared API server is never touched). A file saved during the outage
// must not be lost: once the cluster answers again the session applies it by itself, the banner says when the
// cluster came back, and logs and the forward work again, all without restarting the session.
// Own namespace, own image name, a free local port.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { BUSYBOX, httpGet, waitFor } from './cluster';
import { proxiedCluster } from './faultProxy';
import { Session } from '../../../src/engine/session';
import { clusterBanner, lastBuild } from '../../../src/shared/status';
import { loadTiltfile } from '../../../src/tiltfile/loader';

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const OUTAGE_MS = 30_000;

test('whole session, API server unreachable for 30 s: banner down then back, the save made meanwhile applies by itself, logs and forward resume', { timeout: 420_000 }, async (t) => {
  const pc = await proxiedCluster(t, 'k8s-sfault');
  if (!pc) return;
  const { direct, proxy, dir, kubeconfig, ns } = pc;
  await direct.core.createNamespace({ body: { metadata: { name: ns } } });
  const port = await freePort();
  const repo = path.join(dir, 'repo');
  fs.mkdirSync(path.join(repo, 'app'), { recursive: true });
  fs.writeFileSync(path.join(repo, 'app', 'marker.txt'), 'v0\n');
  fs.writeFileSync(path.join(repo, 'Dockerfile'), [
    `FROM ${BUSYBOX}`, 'COPY app /www',
    `CMD ["sh", "-c", "trap 'exit 0' TERM; httpd -f -p 8080 -h /www & while true; do echo tick; sleep 1; done"]`, '',
  ].join('\n'));
  fs.writeFileSync(path.join(repo, 'deploy.yaml'), [
    'apiVersion: apps/v1', 'kind: Deployment', 'metadata: {name: sfault}', 'spec:', '  replicas: 1', '  selector: {matchLabels: {app: sfault}}',
    '  template:', '    metadata: {labels: {app: sfault}}', '    spec:', '      terminationGracePeriodSeconds: 1', '      containers:',
    '      - {name: main, image: localhost:5000/innerloop/sfault-test}', '',
  ].join('\n'));
  fs.writeFileSync(path.join(repo, 'Tiltfile'), [
    "k8s_yaml('deploy.yaml')",
    "docker_build('localhost:5000/innerloop/sfault-test', '.', live_update=[sync('app', '/www')])",
    `k8s_resource('sfault', port_forwards=['${port}:8080'])`, '',
  ].join('\n'));
  const session = new Session({
    tiltfile: path.join(repo, 'Tiltfile'), subcommand: 'up', kubeconfigPath: kubeconfig, namespace: ns, debounceMs: 50,
    load: async (p, opts) => loadTiltfile(p, opts),
  });
  const res = () => session.store.resource('sfault');
  const banner = () => clusterBanner(session.store.sessionState())?.text;
  const served = async (): Promise<string | undefined> => (await httpGet(port, '/marker.txt').catch(() => undefined))?.body.trim();
  const ticksAfter = (at: number) => session.logs.linesSince('sfault').filter((l) => l.text.endsWith('tick') && l.time > at).length;
  try {
    await session.start();
    await waitFor('the pod ready', 180_000, () => res()?.pods.some((p) => p.ready));
    await waitFor('v0 through the port forward', 60_000, async () => (await served()) === 'v0');
    await waitFor('pod log lines', 60_000, () => ticksAfter(0) >= 1);
    assert.equal(banner(), undefined, 'no banner while the cluster answers');
    const buildsBefore = res()!.buildHistory.length;

    await proxy.down();
    const downAt = Date.now();
    await waitFor('the banner to say the cluster is unreachable', 30_000, () => banner()?.startsWith('cluster unreachable since'));
    assert.match(banner()!, /^cluster unreachable since \d\d:\d\d:\d\d: connection refused/);
    t.diagnostic(`banner unreachable ${Date.now() - downAt} ms after the API server went away`);

    // The save during the outage: its update is tried and fails (the cluster cannot be reached).
    fs.writeFileSync(path.join(repo, 'app', 'marker.txt'), 'v1\n');
    const failed = await waitFor('the update of the save to fail during the outage', 120_000, () => {
      const r = res()!;
      const b = lastBuild(r);
      return !r.currentBuild && r.buildHistory.length > buildsBefore && b?.error ? b : undefined;
    });
    t.diagnostic(`during the outage: ${failed.error}`);
    assert.equal(banner()?.startsWith('cluster unreachable since'), true, 'the outage lasts past the failed update');
    await sleep(Math.max(0, downAt + OUTAGE_MS - Date.now()));

    await proxy.up();
    const upAt = Date.now();
    await waitFor('the banner to say the cluster is back', 60_000, () => banner()?.startsWith('cluster back at'));
    assert.match(banner()!, /^cluster back at \d\d:\d\d:\d\d \(unreachable since \d\d:\d\d:\d\d\)$/);
    const backAt = Date.now();
    t.diagnostic(`banner back ${backAt - upAt} ms after the API server answered again`);
    // Nobody saves again: the session retries the failed update itself, and the forward serves the saved file.
    await waitFor('v1 through the port forward', 180_000, async () => (await served()) === 'v1');
    t.diagnostic(`the saved file served ${Date.now() - upAt} ms after the API server answered again`);
    const r = res()!;
    assert.equal(lastBuild(r)?.error, undefined, `the retried update succeeded: ${JSON.stringify(lastBuild(r))}`);
    await waitFor('pod log lines after the outage', 60_000, () => ticksAfter(backAt) >= 2);
  } catch (err) {
    const r = res();
    console.log(JSON.stringify({ banner: banner(), builds: r?.buildHistory, current: r?.currentBuild, pending: r?.pendingChanges, forwards: r?.portForwards }, null, 1));
    console.log(session.logs.linesSince('sfault').map((l) => l.text).join('\n'));
    throw err;
  } finally {
    await session.stop();
    await proxy.close();
    fs.rmSync(dir, { recursive: true, force: true });
    await direct.core.deleteNamespace({ name: ns }).catch(() => undefined);
  }
});
