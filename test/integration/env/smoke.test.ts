// Proves the local environment (test/env/up.sh) with real clients: docker and kubectl on the command
// line, and @kubernetes/client-node for the API, exec, logs and port-forward. Skips when the
// environment is not up, so `npm test` runs without it.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import * as k8s from '@kubernetes/client-node';

const STATE_DIR = process.env.INNERLOOP_ENV_STATE ?? '/var/lib/innerloop-env';
const KUBECONFIG = process.env.INNERLOOP_KUBECONFIG ?? join(STATE_DIR, 'kubeconfig');
const KUBECTL = existsSync(join(STATE_DIR, 'bin/kubectl')) ? join(STATE_DIR, 'bin/kubectl') : 'kubectl';
const REGISTRY = '127.0.0.1:5000';
const BASE_IMAGE = 'localhost:5000/innerloop/busybox:latest';

interface Run { stdout: string; stderr: string }

function run(cmd: string, args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { timeout: opts.timeoutMs ?? 120_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

const kubectl = (args: string[], opts?: { input?: string; timeoutMs?: number }) =>
  run(KUBECTL, ['--kubeconfig', KUBECONFIG, ...args], opts);

async function environmentProblem(): Promise<string | undefined> {
  if (!existsSync(KUBECONFIG)) return `no kubeconfig at ${KUBECONFIG} (run npm run env:up)`;
  try {
    await kubectl(['get', '--raw', '/readyz', '--request-timeout=5s'], { timeoutMs: 10_000 });
  } catch {
    return `the API server in ${KUBECONFIG} does not answer (run npm run env:up)`;
  }
  try {
    await run('docker', ['version', '--format', '{{.Server.Version}}'], { timeoutMs: 10_000 });
  } catch {
    return 'no Docker daemon answers (run npm run env:up)';
  }
  return undefined;
}

/** Collects everything written to it; `waitFor` resolves once the text matches. */
class Collector extends Writable {
  text = '';
  private waiters: Array<{ re: RegExp; resolve: () => void }> = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    this.waiters = this.waiters.filter((w) => (w.re.test(this.text) ? (w.resolve(), false) : true));
    cb();
  }
  waitFor(re: RegExp): Promise<void> {
    if (re.test(this.text)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ re, resolve }));
  }
}

/** Bounds a wait so a broken environment fails the test instead of hanging it. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

async function podName(ns: string, selector: string): Promise<string> {
  const r = await kubectl(['-n', ns, 'get', 'pods', '-l', selector, '-o', 'jsonpath={.items[0].metadata.name}']);
  assert.ok(r.stdout, `a pod for ${selector}`);
  return r.stdout;
}

test('local environment: image, workload, exec, logs, port-forward, DNS, restart', { timeout: 600_000 }, async (t: TestContext) => {
  const problem = await environmentProblem();
  if (problem) {
    t.skip(problem);
    return;
  }
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(KUBECONFIG);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  const ns = `smoke-${suffix}`;
  const image = `${REGISTRY}/innerloop-smoke/app:${suffix}`;
  const work = mkdtempSync(join(tmpdir(), 'innerloop-smoke-'));

  try {
    await t.test('the cluster advertises its local registry (KEP-1755)', async () => {
      const cm = await core.readNamespacedConfigMap({ name: 'local-registry-hosting', namespace: 'kube-public' });
      assert.match(cm.data?.['localRegistryHosting.v1'] ?? '', /host: "localhost:5000"/);
    });

    await t.test('build an image from the local base image and push it to the registry', async () => {
      mkdirSync(join(work, 'www'));
      writeFileSync(join(work, 'www/index.html'), 'hello from the innerloop smoke app\n');
      // USR1 makes the main process exit, which is how the restart step restarts the container.
      writeFileSync(join(work, 'run.sh'), [
        '#!/bin/sh',
        "trap 'echo restart requested; exit 1' USR1",
        'echo smoke app started',
        'httpd -f -p 8080 -h /www &',
        'i=0',
        'while true; do echo "tick $i"; i=$((i+1)); sleep 1; done',
        '',
      ].join('\n'));
      chmodSync(join(work, 'run.sh'), 0o755);
      writeFileSync(join(work, 'Dockerfile'), `FROM ${BASE_IMAGE}\nCOPY www /www\nCOPY run.sh /run.sh\nCMD ["/run.sh"]\n`);
      await run('docker', ['build', '-q', '-t', image, work], { timeoutMs: 180_000 });
      await run('docker', ['push', image], { timeoutMs: 180_000 });
      const tags = await fetch(`http://${REGISTRY}/v2/innerloop-smoke/app/tags/list`).then((r) => r.json() as Promise<{ tags: string[] }>);
      assert.ok(tags.tags.includes(suffix), 'the registry lists the pushed tag');
    });

    await t.test('apply a Deployment and a Service and wait for the rollout', async () => {
      const manifest = `
apiVersion: v1
kind: Namespace
metadata: { name: ${ns} }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: app, namespace: ${ns} }
spec:
  replicas: 1
  selector: { matchLabels: { app: smoke } }
  template:
    metadata: { labels: { app: smoke } }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: app
          image: ${image}
          ports: [{ containerPort: 8080 }]
          readinessProbe: { httpGet: { path: /index.html, port: 8080 }, periodSeconds: 1 }
---
apiVersion: v1
kind: Service
metadata: { name: app, namespace: ${ns} }
spec:
  selector: { app: smoke }
  ports: [{ port: 80, targetPort: 8080 }]
---
apiVersion: v1
kind: Pod
metadata: { name: client, namespace: ${ns} }
spec:
  terminationGracePeriodSeconds: 0
  containers:
    - { name: client, image: ${BASE_IMAGE}, command: [sleep, "3600"] }
`;
      await kubectl(['apply', '-f', '-'], { input: manifest });
      await kubectl(['-n', ns, 'rollout', 'status', 'deployment/app', '--timeout=180s'], { timeoutMs: 200_000 });
      await kubectl(['-n', ns, 'wait', '--for=condition=Ready', 'pod/client', '--timeout=120s'], { timeoutMs: 140_000 });
    });

    const pod = await podName(ns, 'app=smoke');

    await t.test('exec into the pod with stdin and stdout (kubectl)', async () => {
      const r = await kubectl(['-n', ns, 'exec', '-i', pod, '--', 'sh', '-c', 'tr a-z A-Z; echo to-stderr >&2'], { input: 'ping over stdin\n' });
      assert.equal(r.stdout, 'PING OVER STDIN\n');
      assert.match(r.stderr, /to-stderr/);
    });

    await t.test('exec into the pod with stdin and stdout (client-node)', async () => {
      const out = new Collector();
      const err = new Collector();
      const stdin = new PassThrough();
      let status: k8s.V1Status | undefined;
      const done = new Promise<void>((resolve) => {
        void new k8s.Exec(kc).exec(ns, pod, 'app', ['sh', '-c', 'read line; echo "got:$line"; echo err-side >&2'],
          out, err, stdin, false, (s) => { status = s; resolve(); });
      });
      stdin.write('hello from client-node\n');
      await within(done, 60_000, 'exec');
      assert.equal(status?.status, 'Success');
      assert.match(out.text, /got:hello from client-node/);
      assert.match(err.text, /err-side/);
    });

    await t.test('stream logs with follow', async () => {
      const out = new Collector();
      const ctl = await new k8s.Log(kc).log(ns, pod, 'app', out, { follow: true, tailLines: 1 });
      try {
        // Two ticks arriving after the stream opened prove it follows.
        await within(out.waitFor(/tick \d+\n[\s\S]*tick \d+\n[\s\S]*tick \d+\n/), 60_000, 'followed logs');
      } finally {
        ctl.abort();
      }
      const r = await kubectl(['-n', ns, 'logs', pod, '--tail=50']);
      assert.match(r.stdout, /smoke app started/);
    });

    await t.test('port-forward to the pod and get an HTTP answer (kubectl)', async () => {
      const child = spawn(KUBECTL, ['--kubeconfig', KUBECONFIG, '-n', ns, 'port-forward', `pod/${pod}`, ':8080'], { stdio: ['ignore', 'pipe', 'pipe'] });
      try {
        const out = new Collector();
        child.stdout.pipe(out);
        await within(out.waitFor(/Forwarding from 127\.0\.0\.1:(\d+)/), 60_000, 'kubectl port-forward');
        const port = Number(/Forwarding from 127\.0\.0\.1:(\d+)/.exec(out.text)?.[1]);
        const body = await fetch(`http://127.0.0.1:${port}/index.html`).then((r) => r.text());
        assert.equal(body, 'hello from the innerloop smoke app\n');
      } finally {
        child.kill();
      }
    });

    await t.test('port-forward to the pod and get an HTTP answer (client-node)', async () => {
      const forward = new k8s.PortForward(kc);
      const sockets: Socket[] = [];
      const tunnels: Array<Promise<unknown>> = [];
      const server: Server = createServer((socket) => {
        sockets.push(socket);
        tunnels.push(forward.portForward(ns, pod, [8080], socket, null, socket));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const client = new Collector();
      const { port } = server.address() as AddressInfo;
      const conn = connect(port, '127.0.0.1', () => conn.write('GET /index.html HTTP/1.0\r\nHost: localhost\r\n\r\n'));
      conn.pipe(client);
      try {
        // The tunnel is a websocket that outlives one HTTP exchange, so read until the body arrives.
        await within(client.waitFor(/hello from the innerloop smoke app/), 60_000, 'client-node port-forward');
        assert.match(client.text, /^HTTP\/1\.[01] 200/);
      } finally {
        conn.destroy();
        for (const s of sockets) s.destroy();
        for (const ws of await Promise.all(tunnels)) closeTunnel(ws);
        server.close();
      }
    });

    await t.test('resolve the Service by DNS name from another pod', async () => {
      const lookup = await kubectl(['-n', ns, 'exec', 'client', '--', 'nslookup', `app.${ns}.svc.cluster.local`]);
      const svc = await core.readNamespacedService({ name: 'app', namespace: ns });
      assert.ok(svc.spec?.clusterIP);
      assert.ok(lookup.stdout.includes(svc.spec.clusterIP), `nslookup answers the ClusterIP ${svc.spec.clusterIP}:\n${lookup.stdout}`);
      // The short name goes through the pod's search domains, then kube-proxy to the app pod.
      const body = await kubectl(['-n', ns, 'exec', 'client', '--', 'wget', '-qO-', 'http://app/index.html']);
      assert.equal(body.stdout, 'hello from the innerloop smoke app\n');
    });

    await t.test('restart the container and see the restart count', async () => {
      await kubectl(['-n', ns, 'exec', pod, '--', 'kill', '-USR1', '1']);
      let restarts = 0;
      for (let i = 0; i < 120 && restarts < 1; i++) {
        const p = await core.readNamespacedPod({ name: pod, namespace: ns });
        restarts = p.status?.containerStatuses?.[0]?.restartCount ?? 0;
        if (restarts < 1) await new Promise((r) => setTimeout(r, 500));
      }
      assert.equal(restarts, 1);
      await kubectl(['-n', ns, 'wait', '--for=condition=Ready', `pod/${pod}`, '--timeout=120s'], { timeoutMs: 140_000 });
    });
  } finally {
    await kubectl(['delete', 'namespace', ns, '--wait=true', '--timeout=120s'], { timeoutMs: 140_000 }).catch(() => undefined);
    await run('docker', ['rmi', image]).catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }

  await t.test('everything was deleted', async () => {
    const r = await kubectl(['get', 'namespace', ns, '--ignore-not-found', '-o', 'name']);
    assert.equal(r.stdout.trim(), '');
  });
});

/** portForward resolves to a websocket (or a getter for the current one when retrying). */
function closeTunnel(ws: unknown): void {
  const socket = typeof ws === 'function' ? (ws as () => { close(): void } | null)() : (ws as { close(): void } | null);
  socket?.close();
}
