// `innerloop doctor` on the cases a new user hits: no kubeconfig, a context that is not local, a cluster that does
// not answer. Each failure is printed with its fix, and a failed required check exits 1. (Docker, git, helm and
// inotify rows depend on the machine: only the kube rows are asserted.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../../src/cli/main';

async function doctor(argv: string[], kubeconfigEnv?: string): Promise<{ code: number; out: string; err: string }> {
  const saved = process.env.KUBECONFIG;
  if (kubeconfigEnv !== undefined) process.env.KUBECONFIG = kubeconfigEnv;
  let out = '';
  let err = '';
  try {
    const code = await main(['doctor', ...argv], { stdout: (t) => { out += t; }, stderr: (t) => { err += t; }, cwd: os.tmpdir(), env: {} });
    return { code, out, err };
  } finally {
    if (saved === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = saved;
  }
}

/** A kubeconfig whose only cluster is `server` (port 1 on loopback: nothing listens, refused at once). */
function kubeconfig(context: string, server = 'https://127.0.0.1:1'): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'h-cli-doctor-')), 'config');
  fs.writeFileSync(file, `apiVersion: v1
kind: Config
current-context: ${context}
clusters:
- {name: ${context}, cluster: {server: "${server}"}}
contexts:
- {name: ${context}, context: {cluster: ${context}, user: u}}
users:
- {name: u, user: {token: t}}
`);
  return file;
}

/** The row of a check and its fix line (when it has one). */
function row(out: string, name: string): { line: string; fix?: string } {
  const lines = out.split('\n');
  const i = lines.findIndex((l) => l.slice(2).startsWith(name.padEnd(14)));
  assert.ok(i >= 0, `no "${name}" row in:\n${out}`);
  const next = lines[i + 1] ?? '';
  return { line: lines[i]!, ...(/^\s+fix: /.test(next) ? { fix: next.trim() } : {}) };
}

test('doctor with no kubeconfig: the kube context fails with the fix, exit 1, no cluster checks', async () => {
  const r = await doctor([], path.join(os.tmpdir(), 'h-cli-no-such-kubeconfig'));
  assert.equal(r.code, 1);
  assert.equal(r.err, '');
  const k = row(r.out, 'kube context');
  assert.match(k.line, /^✗ kube context +no Kubernetes context configured \(no kubeconfig at .*h-cli-no-such-kubeconfig\)/);
  assert.equal(k.fix, 'fix: set KUBECONFIG or pass --kubeconfig');
  assert.doesNotMatch(r.out, /^. (local cluster|cluster|registry) /m);
  assert.match(r.out, /^. inotify /m, 'the other checks still run');
});

test('doctor on a context that is not local: warns that Innerloop refuses it, with allow_k8s_contexts as the fix', async () => {
  const r = await doctor(['--kubeconfig', kubeconfig('prod-eu')]);
  assert.equal(r.code, 1, 'the cluster does not answer either');
  assert.match(row(r.out, 'kube context').line, /^✓ kube context +prod-eu \(API server https:\/\/127\.0\.0\.1:1, namespace default\)/);
  const l = row(r.out, 'local cluster');
  assert.match(l.line, /^! local cluster +"prod-eu" does not look local: Innerloop refuses to deploy to it$/);
  assert.equal(l.fix, "fix: if it is meant for development, add allow_k8s_contexts('prod-eu') to the Tiltfile; else `kubectl config use-context` a local one");
});

test('doctor on a local cluster that does not answer: the cluster fails with the fix, exit 1', async () => {
  const r = await doctor(['--kubeconfig', kubeconfig('kind-dev')]);
  assert.equal(r.code, 1);
  assert.match(row(r.out, 'local cluster').line, /^✓ local cluster /);
  const c = row(r.out, 'cluster');
  assert.match(c.line, /^✗ cluster +.*127\.0\.0\.1:1/);
  assert.equal(c.fix, 'fix: start the cluster (kind/k3d/minikube start), or check that the context points at it');
  assert.doesNotMatch(r.out, /^. registry /m, 'no registry check without a cluster');
});

test('doctor: usage errors exit 2', async () => {
  assert.equal((await doctor(['--bogus'])).code, 2);
  assert.equal((await doctor(['extra'])).code, 2);
});
