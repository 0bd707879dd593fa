// Shared by the k8s integration tests and bench: find the local cluster (test/env) or explain why it is not there.
import { existsSync } from 'node:fs';
import * as http from 'node:http';
import { join } from 'node:path';
import { checkReachable, loadKubeClient, type KubeClient } from '../../../src/engine/k8s/client';

const STATE_DIR = process.env.INNERLOOP_ENV_STATE ?? '/var/lib/innerloop-env';

// The test cluster (context `innerloop`, API server on 127.0.0.1) does not count as local on its own: a loopback
// server is also how a tunnel to production looks (src/engine/safety.ts). Allow it explicitly, as a user would,
// for every suite and bench that drives a session against it (scripts/test.mjs does the same for npm test).
if (!(process.env.INNERLOOP_ALLOW_K8S_CONTEXTS ?? '').split(',').map((s) => s.trim()).includes('innerloop')) {
  process.env.INNERLOOP_ALLOW_K8S_CONTEXTS = [process.env.INNERLOOP_ALLOW_K8S_CONTEXTS, 'innerloop'].filter(Boolean).join(',');
}

export const BUSYBOX = 'localhost:5000/innerloop/busybox:latest';

export function kubeconfigPath(): string | undefined {
  const candidates = [process.env.INNERLOOP_KUBECONFIG, join(STATE_DIR, 'kubeconfig'), process.env.KUBECONFIG].filter((x): x is string => !!x);
  return candidates.find((p) => existsSync(p));
}

/** A client for a reachable cluster, or the reason there is none. */
export async function clusterClient(): Promise<{ client: KubeClient } | { skip: string }> {
  const path = kubeconfigPath();
  if (!path) return { skip: `cluster not reachable: no kubeconfig (looked at ${join(STATE_DIR, 'kubeconfig')} and $KUBECONFIG)` };
  try {
    const client = loadKubeClient({ kubeconfigPath: path });
    await checkReachable(client, 3_000);
    return { client };
  } catch (err) {
    return { skip: `cluster not reachable: ${err instanceof Error ? err.message : String(err)}` };
  }
}

export async function waitFor<T>(what: string, timeoutMs: number, fn: () => T | undefined | false | Promise<T | undefined | false>, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastErr ? ` (last error: ${lastErr instanceof Error ? lastErr.message : String(lastErr)})` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** GET http://127.0.0.1:port/path without keep-alive. */
export function httpGet(port: number, path = '/', timeoutMs = 3_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** A Namespace + Deployment (busybox httpd on 8080 serving /www, ticking logs, init container) + Service. */
export function webObjects(namespace: string, name = 'web') {
  const script = [
    'trap "exit 0" TERM',
    'mkdir -p /www',
    'echo hello > /www/index.html',
    'echo started',
    'httpd -f -p 8080 -h /www &',
    'while true; do echo tick; sleep 1; done &',
    'wait',
  ].join('\n');
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: {
            terminationGracePeriodSeconds: 1,
            initContainers: [{ name: 'init', image: BUSYBOX, imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', 'echo init-done'] }],
            containers: [
              {
                name: 'app',
                image: BUSYBOX,
                imagePullPolicy: 'IfNotPresent',
                command: ['sh', '-c', script],
                ports: [{ containerPort: 8080 }],
                readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
              },
            ],
          },
        },
      },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }] } },
  ];
}
