// A TCP proxy owned by a test, in front of the real API server: the fault is injected on this path only, never on
// the shared API server. TLS passes through untouched (the kubeconfig keeps the cluster CA; the server certificate
// names 127.0.0.1, which the proxy also listens on). Faults:
// - down(): the listener closes and every connection is reset (what a stopped API server looks like); up() reopens
//   the same port.
// - blackhole(): connections are accepted and kept, but nothing is forwarded either way (a drop rule); the
//   connections caught in it stay frozen for good, as after a partition, so the product has to replace them.
//   resume() forwards new connections again.
// - freezeOpen(): only the connections open now freeze (a half-open path: NAT state lost, a dead node on the way);
//   new connections are forwarded, so the API server still looks healthy and only each stream's liveness bound
//   can notice.
import * as net from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TestContext } from 'node:test';
import type { KubeClient } from '../../../src/engine/k8s/client';
import { clusterClient, kubeconfigPath } from './cluster';

interface Pair {
  client: net.Socket;
  upstream?: net.Socket;
}

export class FaultProxy {
  private server: net.Server | undefined;
  private readonly pairs = new Set<Pair>();
  private readonly frozen = new Set<net.Socket>();
  private holing = false;
  port = 0;

  constructor(private readonly upstreamHost: string, private readonly upstreamPort: number) {}

  async start(port = 0): Promise<number> {
    const server = net.createServer((c) => this.accept(c));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as net.AddressInfo).port;
    return this.port;
  }

  /** Stop listening and reset every connection. */
  async down(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    for (const p of this.pairs) {
      p.client.resetAndDestroy();
      p.upstream?.destroy();
    }
    this.pairs.clear();
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  async up(): Promise<void> {
    await this.start(this.port);
  }

  /** Forward nothing: open connections freeze, new ones are accepted and held. */
  blackhole(): void {
    this.holing = true;
    for (const p of this.pairs) this.freeze(p);
    this.pairs.clear();
  }

  /** Freeze the open connections for good; new ones are forwarded as usual. */
  freezeOpen(): void {
    for (const p of this.pairs) this.freeze(p);
    this.pairs.clear();
  }

  resume(): void {
    this.holing = false;
  }

  async close(): Promise<void> {
    // First: the listener's close waits for every connection it accepted, frozen ones included.
    for (const s of this.frozen) s.destroy();
    this.frozen.clear();
    await this.down();
  }

  private freeze(p: Pair): void {
    for (const s of [p.client, p.upstream]) {
      if (!s) continue;
      s.unpipe();
      s.pause();
      s.removeAllListeners('data');
      this.frozen.add(s);
    }
  }

  private accept(client: net.Socket): void {
    client.on('error', () => undefined);
    if (this.holing) {
      client.pause();
      this.frozen.add(client);
      return;
    }
    const upstream = net.connect(this.upstreamPort, this.upstreamHost);
    const pair: Pair = { client, upstream };
    this.pairs.add(pair);
    upstream.on('error', () => client.destroy());
    const end = (): void => {
      if (!this.pairs.delete(pair)) return;
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}

/** A copy of the kubeconfig at `from` whose current cluster's server is the proxy; returns its path. */
export function kubeconfigThrough(from: string, proxyPort: number, dir: string): string {
  const kc = new KubeConfig();
  kc.loadFromFile(from);
  const current = kc.getCurrentCluster();
  if (!current) throw new Error(`no current cluster in ${from}`);
  const clusters = kc.getClusters().map((c) => (c.name === current.name ? { ...c, server: `https://127.0.0.1:${proxyPort}` } : c));
  const out = new KubeConfig();
  out.loadFromOptions({ clusters, users: kc.getUsers(), contexts: kc.getContexts(), currentContext: kc.getCurrentContext() });
  const file = path.join(dir, 'kubeconfig');
  fs.writeFileSync(file, out.exportConfig(), { mode: 0o600 });
  return file;
}

/** host and port of the API server in a kubeconfig. */
export function apiServerAddress(kubeconfig: string): { host: string; port: number } {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const u = new URL(kc.getCurrentCluster()!.server);
  return { host: u.hostname, port: Number(u.port || 443) };
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface ProxiedCluster {
  /** A client straight to the API server (for setup, checks and cleanup while the proxy is faulty). */
  direct: KubeClient;
  proxy: FaultProxy;
  /** A temp dir holding `kubeconfig`, a copy of the real one pointing at the proxy. */
  dir: string;
  kubeconfig: string;
  /** A fresh namespace name of the test's own. */
  ns: string;
}

/** The shared cluster behind a started fault proxy of the test's own, or undefined (the test skipped) without one. */
export async function proxiedCluster(t: TestContext, name: string): Promise<ProxiedCluster | undefined> {
  const found = await clusterClient();
  if ('skip' in found) {
    t.skip(found.skip);
    return undefined;
  }
  const realConfig = kubeconfigPath()!;
  const upstream = apiServerAddress(realConfig);
  const proxy = new FaultProxy(upstream.host, upstream.port);
  await proxy.start();
  const dir = tempDir(`il-${name}-`);
  const ns = `il-${name}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  return { direct: found.client, proxy, dir, kubeconfig: kubeconfigThrough(realConfig, proxy.port, dir), ns };
}
