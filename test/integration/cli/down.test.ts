// The built CLI's `down` against the real local cluster, as a user runs it: everything the Tiltfile deploys is
// deleted with one GET /version and one DELETE per object (no discovery requests for Kubernetes' own kinds, the
// connections kept alive), a context the guard refuses gets no request at all, an unreachable cluster exits 1
// with its reason, and an abandoned early connection does not keep the process waiting. A preload in the CLI process records its HTTP requests and TLS connections.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { clusterClient, kubeconfigPath, BUSYBOX } from '../k8s/cluster';
import type { KubeClient } from '../../../src/engine/k8s/client';

const cli = path.resolve(__dirname, '../../../dist/cli.js');

const YAML = `apiVersion: v1
kind: ConfigMap
metadata: {name: h-down-config}
data: {a: b}
---
apiVersion: v1
kind: Service
metadata: {name: h-down-svc}
spec: {selector: {app: h-down}, ports: [{port: 80}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: h-down-web, labels: {app: h-down}}
spec:
  replicas: 0
  selector: {matchLabels: {app: h-down}}
  template:
    metadata: {labels: {app: h-down}}
    spec: {containers: [{name: web, image: "${BUSYBOX}", command: ["sleep", "3600"]}]}
`;

const PRELOAD = `
const dc = require('node:diagnostics_channel');
const fs = require('node:fs');
const seen = { requests: [] };
const sockets = new Set();
dc.subscribe('http.client.request.start', (m) => seen.requests.push(m.request.method + ' ' + m.request.path.split('?')[0]));
dc.subscribe('http.client.response.finish', (m) => sockets.add(m.request.socket));
process.on('exit', () => fs.writeFileSync(process.env.H_DOWN_RECORD, JSON.stringify({ ...seen, sockets: sockets.size })));
`;

let dir: string;
let client: KubeClient | undefined;
let skip: string | undefined;
const namespace = `h-down-cli-${process.pid}-${Date.now().toString(36)}`;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'innerloop-down-cli-'));
  fs.writeFileSync(path.join(dir, 'app.yaml'), YAML);
  fs.writeFileSync(path.join(dir, 'Tiltfile'), "k8s_yaml('app.yaml')\nk8s_resource('h-down-web', objects=['h-down-config:configmap'])\n");
  fs.writeFileSync(path.join(dir, 'preload.cjs'), PRELOAD);
  if (!fs.existsSync(cli)) { skip = 'dist/cli.js missing: run node scripts/build.mjs'; return; }
  const c = await clusterClient();
  if ('skip' in c) { skip = c.skip; return; }
  client = c.client;
  await client.core.createNamespace({ body: { metadata: { name: namespace, labels: { 'innerloop.dev/test': 'down-cli' } } } });
});

after(async () => {
  try { await client?.core.deleteNamespace({ name: namespace }); } catch { /* gone */ }
  fs.rmSync(dir, { recursive: true, force: true });
});

function runDown(env: Record<string, string>, args: string[] = []): { status: number | null; stderr: string; stdout: string; seen: { requests: string[]; sockets: number } } {
  const record = path.join(dir, `record-${Date.now()}.json`);
  const r = spawnSync(process.execPath, ['--require', path.join(dir, 'preload.cjs'), cli, 'down', '--file', dir, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env, H_DOWN_RECORD: record },
    timeout: 60_000,
  });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout, seen: JSON.parse(fs.readFileSync(record, 'utf8')) as { requests: string[]; sockets: number } };
}

test('down deletes every object with one /version and one DELETE each, no discovery, kept-alive connections', async (t) => {
  if (skip || !client) { t.skip(skip); return; }
  const objects = (await import('js-yaml')).loadAll(YAML) as Array<{ apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }>;
  for (const o of objects) await client.objects.create({ ...o, metadata: { ...o.metadata, namespace } });
  const r = runDown({ KUBECONFIG: kubeconfigPath()! }, ['--namespace', namespace]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n').sort(), ['configmap/h-down-config deleted', 'deployment/h-down-web deleted', 'service/h-down-svc deleted']);
  assert.deepEqual([...r.seen.requests].sort(), [
    'DELETE /api/v1/namespaces/' + namespace + '/configmaps/h-down-config',
    'DELETE /api/v1/namespaces/' + namespace + '/services/h-down-svc',
    'DELETE /apis/apps/v1/namespaces/' + namespace + '/deployments/h-down-web',
    'GET /version',
  ]);
  // The /version connection is reused by one delete: at most one connection per delete in flight.
  assert.ok(r.seen.sockets >= 1 && r.seen.sockets <= 3, `${r.seen.sockets} connections for 4 requests`);
  for (const o of objects) {
    await assert.rejects(client.objects.read({ ...o, metadata: { ...o.metadata, namespace } }).then((x) => {
      if (!x.metadata?.deletionTimestamp) return x;
      throw Object.assign(new Error('deleting'), { code: 404 });
    }), (e: unknown) => (e as { code?: number }).code === 404, `${o.kind} still there`);
  }
  // Nothing left to delete: the same again is fine (missing objects are not errors).
  const again = runDown({ KUBECONFIG: kubeconfigPath()! }, ['--namespace', namespace]);
  assert.equal(again.status, 0, again.stderr);
});

function kubeconfig(name: string, server: string): string {
  const src = fs.readFileSync(kubeconfigPath()!, 'utf8');
  const file = path.join(dir, `${name}.kubeconfig`);
  // The same credentials, under another context/cluster name, for another server.
  fs.writeFileSync(file, src.replace(/server: .*/, `server: ${server}`).replace(/\binnerloop\b/g, name));
  return file;
}

async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

test('a context the guard refuses: exit 1 with the refusal, and no request is made', async (t) => {
  if (skip) { t.skip(skip); return; }
  const file = kubeconfig('prod-like', `https://127.0.0.1:${await closedPort()}`);
  const r = runDown({ KUBECONFIG: file, INNERLOOP_ALLOW_K8S_CONTEXTS: '' });
  assert.equal(r.status, 1);
  // The Tiltfile's k8s_yaml() already refuses it at load (as Tilt does); the session's guard would otherwise.
  assert.match(r.stderr, /prod-like might be production|Refusing to deploy to kube context "prod-like"/);
  assert.deepEqual(r.seen, { requests: [], sockets: 0 });
});

test('an unreachable cluster: exit 1 with the reason', async (t) => {
  if (skip) { t.skip(skip); return; }
  const file = kubeconfig('gone', `https://127.0.0.1:${await closedPort()}`);
  const r = runDown({ KUBECONFIG: file, INNERLOOP_ALLOW_K8S_CONTEXTS: 'gone' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /cannot reach the cluster at https:\/\/127\.0\.0\.1:\d+ \(context gone\): connection refused/);
  assert.deepEqual(r.seen.requests, ['GET /version']);
});

test('a Tiltfile with nothing for Kubernetes and an unreachable cluster: exit 0, the early connection does not hold the process', async (t) => {
  if (skip) { t.skip(skip); return; }
  // A server that accepts the connection and never answers: without the abort the process would wait for the
  // 10 s reachability deadline.
  const silent = net.createServer(() => undefined);
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  try {
    const file = kubeconfig('silent', `https://127.0.0.1:${(silent.address() as net.AddressInfo).port}`);
    const local = fs.mkdtempSync(path.join(dir, 'local-'));
    fs.writeFileSync(path.join(local, 'Tiltfile'), "local_resource('noop', 'true')\n");
    const record = path.join(dir, 'record-local.json');
    // Killed before the 10 s reachability deadline if the abandoned request kept it alive (a hang, not a timing).
    const r = spawnSync(process.execPath, ['--require', path.join(dir, 'preload.cjs'), cli, 'down', '--file', local], {
      encoding: 'utf8', env: { ...process.env, KUBECONFIG: file, INNERLOOP_ALLOW_K8S_CONTEXTS: 'silent', H_DOWN_RECORD: record }, timeout: 9_000,
    });
    assert.equal(r.signal, null, 'down waited for the abandoned early /version request');
    assert.equal(r.status, 0, r.stderr);
    const seen = JSON.parse(fs.readFileSync(record, 'utf8')) as { requests: string[] };
    assert.deepEqual(seen.requests, ['GET /version'], 'the early check was sent (and then abandoned)');
  } finally {
    silent.close();
  }
});
