// The production guard against a real tunnel: `kubectl proxy` to the local cluster stands in for an SSH tunnel /
// IAP proxy to production (an API server on 127.0.0.1 that is not a local cluster by the kubeconfig). Without an
// explicit allow nothing is applied through it and local() never runs; with INNERLOOP_ALLOW_K8S_CONTEXTS the same
// session applies and down deletes. Throwaway namespace h-security-guard-*.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { clusterClient, kubeconfigPath } from './cluster';
import type { KubeClient } from '../../../src/engine/k8s/client';
import { Session } from '../../../src/engine/session';
import { loadTiltfile } from '../../../src/tiltfile/loader';

const KUBECTL = path.join(process.env.INNERLOOP_ENV_STATE ?? '/var/lib/innerloop-env', 'bin', 'kubectl');
let skip: string | false = false;
let client: KubeClient;
let proxy: ChildProcess | undefined;
let tunnelKubeconfig = '';
const namespace = `h-security-guard-${process.pid}`;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'h-security-guard-'));

before(async () => {
  const c = await clusterClient();
  if ('skip' in c) { skip = c.skip; return; }
  if (!fs.existsSync(KUBECTL)) { skip = `no kubectl at ${KUBECTL}`; return; }
  client = c.client;
  await client.core.createNamespace({ body: { metadata: { name: namespace, labels: { 'innerloop.dev/test': 'guard' } } } });
  // The tunnel: kubectl proxy on a free loopback port, authenticating with the test cluster's credentials.
  proxy = spawn(KUBECTL, ['--kubeconfig', kubeconfigPath()!, 'proxy', '--port=0', '--address=127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    proxy!.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    proxy!.once('exit', (code) => reject(new Error(`kubectl proxy exited ${code}: ${out}`)));
  });
  tunnelKubeconfig = path.join(dir, 'kubeconfig');
  // What a kubeconfig for a tunnel to production looks like: the cloud cluster's name, a loopback server.
  fs.writeFileSync(tunnelKubeconfig, [
    'apiVersion: v1', 'kind: Config', 'current-context: prod-via-tunnel',
    `clusters: [{name: gke_acme_europe-west1_prod, cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]`,
    'contexts: [{name: prod-via-tunnel, context: {cluster: gke_acme_europe-west1_prod, user: u}}]',
    'users: [{name: u, user: {}}]', '',
  ].join('\n'));
});

after(async () => {
  proxy?.kill();
  if (!skip) await client.core.deleteNamespace({ name: namespace }).catch(() => undefined);
  fs.rmSync(dir, { recursive: true, force: true });
});

function workspace(): string {
  const ws = fs.mkdtempSync(path.join(dir, 'ws-'));
  fs.writeFileSync(path.join(ws, 'Tiltfile'), [
    "k8s_yaml(blob('apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: guard-probe\\ndata:\\n  a: b\\n'))",
    "local('touch ran')",
    '',
  ].join('\n'));
  return path.join(ws, 'Tiltfile');
}

const session = (tiltfile: string): Session => new Session({
  tiltfile, kubeconfigPath: tunnelKubeconfig, namespace, watch: false, subcommand: 'ci', load: async (p, o) => loadTiltfile(p, o),
});

async function configMapExists(): Promise<boolean> {
  try { await client.core.readNamespacedConfigMap({ name: 'guard-probe', namespace }); return true; } catch { return false; }
}

describe('production guard through a real tunnel (kubectl proxy)', () => {
  it('without an allow, nothing is applied through the tunnel, local() never runs and down refuses', async (t) => {
    if (skip) return t.skip(skip);
    const before = process.env.INNERLOOP_ALLOW_K8S_CONTEXTS;
    process.env.INNERLOOP_ALLOW_K8S_CONTEXTS = 'innerloop';
    try {
      const tf = workspace();
      const s = session(tf);
      try {
        await s.start();
        const err = s.store.snapshot().session.tiltfile.error ?? '';
        assert.match(err, /prod-via-tunnel/);
        assert.equal(fs.existsSync(path.join(tf, '..', 'ran')), false, 'local() ran against the tunnel');
        assert.equal(await configMapExists(), false, 'applied through the tunnel');
        const down = await s.down();
        assert.match(down.errors.join('\n'), /prod-via-tunnel/);
      } finally { await s.stop(); }
    } finally { process.env.INNERLOOP_ALLOW_K8S_CONTEXTS = before; }
  });

  it('with INNERLOOP_ALLOW_K8S_CONTEXTS the same context applies through the tunnel, and down deletes', async (t) => {
    if (skip) return t.skip(skip);
    const before = process.env.INNERLOOP_ALLOW_K8S_CONTEXTS;
    process.env.INNERLOOP_ALLOW_K8S_CONTEXTS = 'innerloop,prod-via-tunnel';
    try {
      const tf = workspace();
      const s = session(tf);
      try {
        await s.start();
        const ci = await s.waitCi({ timeoutMs: 120_000 });
        assert.equal(ci.state, 'succeeded', JSON.stringify(ci));
        assert.equal(fs.existsSync(path.join(tf, '..', 'ran')), true);
        assert.equal(await configMapExists(), true);
        const down = await s.down();
        assert.deepEqual(down.errors, []);
        assert.equal(await configMapExists(), false);
      } finally { await s.stop(); }
    } finally { process.env.INNERLOOP_ALLOW_K8S_CONTEXTS = before; }
  });
});
