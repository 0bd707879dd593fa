// Shared by the todo-app integration tests and the loop bench: a temp copy of the fixture (edits never dirty the
// repo), a throwaway namespace, and a Session wired to the local cluster (test/env).
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { clusterClient, kubeconfigPath } from '../k8s/cluster';
import type { KubeClient } from '../../../src/engine/k8s/client';
import { Session } from '../../../src/engine/session';
import { loadTiltfile } from '../../../src/tiltfile/loader';

export const FIXTURE = path.join(__dirname, '..', '..', 'fixtures', 'todo-app');

export interface TodoEnv {
  dir: string;
  namespace: string;
  client: KubeClient;
  kubeconfig: string;
  session(extra?: { subcommand?: 'up' | 'ci' | 'down' }): Session;
  cleanup(): Promise<void>;
}

/** A ready environment, or the reason to skip. `fixture`: another copy of the todo app (a bench comparing commits). */
export async function todoEnv(fixture = FIXTURE): Promise<TodoEnv | { skip: string }> {
  const c = await clusterClient();
  if ('skip' in c) return c;
  const kubeconfig = kubeconfigPath() as string;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'innerloop-todo-'));
  fs.cpSync(fixture, dir, { recursive: true });
  const namespace = `il-todo-${process.pid}-${Date.now().toString(36)}`;
  await c.client.core.createNamespace({ body: { metadata: { name: namespace, labels: { 'innerloop.dev/test': 'todo' } } } });
  const sessions: Session[] = [];
  return {
    dir,
    namespace,
    client: c.client,
    kubeconfig,
    session(extra = {}) {
      const s = new Session({
        tiltfile: path.join(dir, 'Tiltfile'),
        subcommand: extra.subcommand ?? 'ci',
        kubeconfigPath: kubeconfig,
        namespace,
        debounceMs: 50,
        // From sources there is no dist/cli.js worker: load in-process.
        load: async (p, opts) => loadTiltfile(p, opts),
      });
      sessions.push(s);
      return s;
    },
    async cleanup() {
      for (const s of sessions) await s.stop();
      try {
        await c.client.core.deleteNamespace({ name: namespace });
      } catch { /* already gone */ }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * GET a URL; resolves with status and body (never rejects). `fresh`: on a new connection (no keep-alive agent), so
 * a reused socket to a stale forward can never answer for the new one (the loop benches' clock).
 */
export function get(url: string, timeoutMs = 2_000, fresh = false): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs, ...(fresh ? { agent: false } : {}) }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', () => resolve({ status: 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: 0, body: e.message }));
  });
}

/** A port nothing listens on right now (the kernel picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Rewrites the copy's port_forward(LOCAL, ...) to free local ports, so this suite can run while another todo-app
 * suite holds the fixture's fixed ones (5734, 5678, 3734, 9229). Returns fixture port -> port used.
 */
export async function useFreePorts(dir: string): Promise<Record<number, number>> {
  const file = path.join(dir, 'Tiltfile');
  const src = fs.readFileSync(file, 'utf8');
  const ports: Record<number, number> = {};
  for (const m of src.matchAll(/port_forward\((\d+),/g)) ports[Number(m[1])] ??= await freePort();
  fs.writeFileSync(file, src.replace(/port_forward\((\d+),/g, (_m, p: string) => `port_forward(${ports[Number(p)]},`));
  return ports;
}
