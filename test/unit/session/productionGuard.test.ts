// The production guard through the session's code paths (load with local(), up, down), for the two ways a
// remote cluster can look local: a tunnel on loopback, and a context named like kind. The explicit allows
// (allow_k8s_contexts, INNERLOOP_ALLOW_K8S_CONTEXTS) open it. No cluster: the servers below do not answer.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session, type SessionOptions } from '../../../src/engine/session';
import { loadTiltfile } from '../../../src/tiltfile/loader';

const dir = mkdtempSync(join(tmpdir(), 'innerloop-guard-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const load: SessionOptions['load'] = async (p, opts) => loadTiltfile(p, opts);

function kubeconfig(name: string, context: string, cluster: string, server: string): string {
  const path = join(dir, `kubeconfig-${name}`);
  writeFileSync(path, [
    'apiVersion: v1', 'kind: Config', `current-context: ${context}`,
    `clusters: [{name: ${JSON.stringify(cluster)}, cluster: {server: ${JSON.stringify(server)}}}]`,
    `contexts: [{name: ${context}, context: {cluster: ${JSON.stringify(cluster)}, user: u}}]`,
    'users: [{name: u, user: {token: x}}]', '',
  ].join('\n'));
  return path;
}

// An SSH tunnel / kubectl proxy to a production GKE cluster: the server is on loopback (port 9: nothing there).
const tunnel = (): string => kubeconfig('tunnel', 'prod-tunnel', 'gke_acme_europe-west1_prod', 'https://127.0.0.1:9');
// A context named like kind whose cluster is a cloud endpoint.
const misnamed = (): string => kubeconfig('misnamed', 'kind-prod', 'kind-prod', 'https://prod.k8s.example.com:6443');

function workspace(tiltfile: string): string {
  const ws = mkdtempSync(join(dir, 'ws-'));
  writeFileSync(join(ws, 'Tiltfile'), tiltfile);
  return join(ws, 'Tiltfile');
}

const CONFIGMAP = "k8s_yaml(blob('apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: c\\n'))\n";

async function withEnv<T>(value: string | undefined, f: () => Promise<T>): Promise<T> {
  const before = process.env.INNERLOOP_ALLOW_K8S_CONTEXTS;
  if (value === undefined) delete process.env.INNERLOOP_ALLOW_K8S_CONTEXTS;
  else process.env.INNERLOOP_ALLOW_K8S_CONTEXTS = value;
  try { return await f(); } finally {
    if (before === undefined) delete process.env.INNERLOOP_ALLOW_K8S_CONTEXTS;
    else process.env.INNERLOOP_ALLOW_K8S_CONTEXTS = before;
  }
}

for (const [name, kc, context] of [['a loopback tunnel to production', tunnel, 'prod-tunnel'], ['a kind-named context on a cloud server', misnamed, 'kind-prod']] as const) {
  describe(`production guard: ${name}`, () => {
    it('local() at load is refused and never runs', () => withEnv(undefined, async () => {
      const tf = workspace("local('touch ran')\n");
      const s = new Session({ tiltfile: tf, kubeconfigPath: kc(), load, watch: false });
      try {
        await s.start();
        assert.match(s.store.snapshot().session.tiltfile.error ?? '', new RegExp(`Refusing to run 'local' because ${context} might be a production kube context`));
        assert.equal(existsSync(join(tf, '..', 'ran')), false);
      } finally { await s.stop(); }
    }));

    it('up refuses before anything is applied, naming both ways to allow it', () => withEnv(undefined, async () => {
      const tf = workspace(CONFIGMAP);
      const s = new Session({ tiltfile: tf, kubeconfigPath: kc(), load, watch: false });
      try {
        await s.start();
        const snap = s.store.snapshot();
        assert.equal(snap.session.tiltfile.status, 'error');
        assert.deepEqual(snap.order, []);
        // The load refuses first (as Tilt does); with the Tiltfile's allow removed from the picture, connect() does.
        const r = await new Session({ tiltfile: workspace(CONFIGMAP), kubeconfigPath: kc(), load: async (p, o) => loadTiltfile(p, { ...o, kubeContextIsLocal: true }), watch: false }).down();
        assert.equal(r.errors.length, 1);
        assert.match(r.errors[0]!, new RegExp(`Refusing to deploy to kube context "${context}"`));
        assert.match(r.errors[0]!, new RegExp(`INNERLOOP_ALLOW_K8S_CONTEXTS=${context}`));
      } finally { await s.stop(); }
    }));

    it('down refuses to delete anything there', () => withEnv(undefined, async () => {
      const s = new Session({ tiltfile: workspace(CONFIGMAP), kubeconfigPath: kc(), load, watch: false });
      const r = await s.down();
      assert.equal(r.errors.length, 1);
      assert.match(r.errors[0]!, new RegExp(`${context}`));
      assert.match(r.errors[0]!, /production|Refusing/);
    }));

    it('INNERLOOP_ALLOW_K8S_CONTEXTS allows it like allow_k8s_contexts: local() runs, the guard lets connect() try', () => withEnv(`other, ${context}`, async () => {
      const tf = workspace("local('touch ran')\n");
      const s = new Session({ tiltfile: tf, kubeconfigPath: kc(), load, watch: false });
      try {
        await s.start();
        assert.equal(s.store.snapshot().session.tiltfile.status, 'ok', s.store.snapshot().session.tiltfile.error);
        assert.equal(existsSync(join(tf, '..', 'ran')), true);
      } finally { await s.stop(); }
      const d = await new Session({ tiltfile: workspace(CONFIGMAP), kubeconfigPath: kc(), load, watch: false }).down();
      // Allowed, so the next step runs: the (absent) server is tried, not refused.
      assert.equal(d.errors.length, 1);
      assert.doesNotMatch(d.errors[0]!, /Refusing/);
    }));
  });
}

describe('production guard: allow_k8s_contexts in the Tiltfile', () => {
  it('allows the tunnel context for local()', () => withEnv(undefined, async () => {
    const tf = workspace("allow_k8s_contexts('prod-tunnel')\nlocal('touch ran')\n");
    const s = new Session({ tiltfile: tf, kubeconfigPath: tunnel(), load, watch: false });
    try {
      await s.start();
      assert.equal(existsSync(join(tf, '..', 'ran')), true, s.store.snapshot().session.tiltfile.error);
    } finally { await s.stop(); }
  }));
});
