// Parts of the k8s layer that need no cluster: kubeconfig loading, the reachability check, local port handling.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkReachable, loadKubeClient } from '../../../src/engine/k8s/client';
import { ClusterUnreachableError, KubeconfigError } from '../../../src/engine/k8s/errors';
import { PodPortForward } from '../../../src/engine/k8s/portForward';
import type { PortForwardStateEvent } from '../../../src/engine/k8s/portForward';

function kubeconfig(server: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'il-k8s-'));
  const file = path.join(dir, 'config');
  fs.writeFileSync(file, `apiVersion: v1
kind: Config
clusters:
- name: c1
  cluster: { server: "${server}", insecure-skip-tls-verify: true }
- name: c2
  cluster: { server: "http://127.0.0.1:1", insecure-skip-tls-verify: true }
users:
- name: u
  user: { token: "t0k" }
contexts:
- name: one
  context: { cluster: c1, user: u, namespace: team }
- name: two
  context: { cluster: c2, user: u }
current-context: one
`);
  return file;
}

test('loads a kubeconfig, with and without a context override', () => {
  const file = kubeconfig('http://127.0.0.1:9');
  const c = loadKubeClient({ kubeconfigPath: file });
  assert.equal(c.context, 'one');
  assert.equal(c.namespace, 'team');
  assert.equal(c.server, 'http://127.0.0.1:9');
  const c2 = loadKubeClient({ kubeconfigPath: file, context: 'two' });
  assert.equal(c2.context, 'two');
  assert.equal(c2.namespace, 'default');
  assert.throws(() => loadKubeClient({ kubeconfigPath: file, context: 'nope' }), (e: unknown) => e instanceof KubeconfigError && /known contexts: one, two/.test(e.hint ?? ''));
  assert.throws(() => loadKubeClient({ kubeconfigPath: path.join(os.tmpdir(), 'does-not-exist-kubeconfig') }), KubeconfigError);
});

test('reachability: answers, refusals and rejected credentials', async () => {
  let status = 200;
  let auth = '';
  const server = http.createServer((req, res) => {
    auth = req.headers.authorization ?? '';
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ gitVersion: 'v1.32.2', major: '1', minor: '32' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  try {
    const c = loadKubeClient({ kubeconfigPath: kubeconfig(`http://127.0.0.1:${port}`) });
    assert.equal((await checkReachable(c)).gitVersion, 'v1.32.2');
    assert.equal(auth, 'Bearer t0k');
    status = 401;
    await assert.rejects(checkReachable(c), /rejected the credentials \(HTTP 401\)/);
  } finally {
    server.close();
  }
  const dead = loadKubeClient({ kubeconfigPath: kubeconfig(`http://127.0.0.1:${port}`) });
  await assert.rejects(checkReachable(dead, 2000), (e: unknown) => e instanceof ClusterUnreachableError && e.message === `cannot reach the cluster at http://127.0.0.1:${port} (context one): connection refused (is the cluster running?)`);
});

test('port forward: binds loopback only, reports a taken port, never leaks the port', async () => {
  const client = loadKubeClient({ kubeconfigPath: kubeconfig('http://127.0.0.1:9') });
  const states: PortForwardStateEvent[] = [];
  const pf = new PodPortForward(client, { localPort: 0, onState: (s) => states.push(s) });
  await pf.start();
  const port = pf.localPort;
  assert.ok(port > 0);
  // Without a target, connections are refused politely (closed) and the state says why.
  await new Promise<void>((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('close', () => resolve());
    s.on('error', () => undefined);
  });
  // A taken port is not fatal: the state says why and the bind is retried (portForwardFaults.test.ts).
  const taken = new PodPortForward(client, { localPort: port });
  await taken.start();
  assert.equal(taken.state.phase, 'error');
  assert.match(taken.state.message ?? '', /already in use/);
  await taken.stop();
  await pf.stop();
  // The port is free again.
  const again = new PodPortForward(client, { localPort: port });
  await again.start();
  await again.stop();
  await assert.rejects(new PodPortForward(client, { localPort: 0, host: '0.0.0.0' }).start(), /refusing to listen on 0.0.0.0/);
  assert.ok(states.some((s) => s.phase === 'connecting'));
});
