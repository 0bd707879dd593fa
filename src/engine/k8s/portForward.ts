// Forwards 127.0.0.1:<localPort> to <pod>:<containerPort> over the API server's port-forward websocket.
// One local TCP server per forward, kept for the forward's whole life (the port is never left half-open); each
// accepted connection gets its own websocket to the current target pod, so retargeting to a replacement pod only
// affects new connections. A periodic probe (a websocket that must reach the kubelet and get no error back) finds a
// dead upstream even when no one is connected; failures reconnect with backoff (50 ms doubling to 15 s, reset after
// 1 s of health). Open connections are pinged and cut when the websocket stops answering.

import * as net from 'node:net';
import { PassThrough, Writable } from 'node:stream';
import { PortForward as KubePortForward } from '@kubernetes/client-node';
import type { PortForwardPhase } from '../../shared/state';
import { Backoff } from '../backoff';
import type { KubeClient } from './client';
import type { PodInfo } from './discovery';
import { PortForwardError, describeError } from './errors';

export interface ForwardTarget {
  namespace: string;
  pod: string;
  port: number;
}

export interface PortForwardStateEvent {
  phase: PortForwardPhase;
  localPort: number;
  target?: ForwardTarget;
  /** For reconnecting/error: what went wrong, in the user's terms. */
  message?: string;
}

export interface PortForwardOptions {
  localPort: number;
  /** Must be a loopback address; default 127.0.0.1. */
  host?: string;
  target?: ForwardTarget;
  onState?: (e: PortForwardStateEvent) => void;
  /** Probe period while healthy. Default 10 s. */
  probeIntervalMs?: number;
  /** How long a probe may take to reach the kubelet. Default 5 s. */
  probeTimeoutMs?: number;
  /** After reaching the kubelet, how long to wait for an upstream error (refused). Default 300 ms. */
  probeSettleMs?: number;
  /** Websocket ping period for open connections; a missing pong for two periods cuts the connection. Default 10 s. */
  pingIntervalMs?: number;
}

type ProbeResult = { kind: 'ok' } | { kind: 'upstream'; message: string } | { kind: 'failed'; message: string };

type KubeWebSocket = Exclude<Awaited<ReturnType<KubePortForward['portForward']>>, () => unknown>;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '']);

/** Best pod to forward to: newest running, not terminating; else newest not terminating. */
export function pickForwardPod(pods: readonly PodInfo[]): PodInfo | undefined {
  const live = pods.filter((p) => !p.deleting);
  const byNew = (a: PodInfo, b: PodInfo): number => b.createdAt - a.createdAt;
  return [...live].filter((p) => p.phase === 'Running').sort(byNew)[0] ?? [...live].sort(byNew)[0];
}

/** Tilt's rule for port_forwards without a container port: localPort if the pod declares it, else its first port. */
export function resolveContainerPort(pod: PodInfo, localPort: number, containerPort: number): number | undefined {
  if (containerPort > 0) return containerPort;
  const all = Object.values(pod.ports).flat();
  if (all.includes(localPort)) return localPort;
  return all[0];
}

/** Turn the kubelet's error-channel text into something short and actionable. */
export function upstreamMessage(text: string, t: ForwardTarget): string {
  if (/connection refused/i.test(text)) return `nothing is listening on port ${t.port} in pod ${t.pod} (connection refused)`;
  if (/not found|no such/i.test(text) && /pod/i.test(text)) return `pod ${t.pod} is gone`;
  return text.trim();
}

export class PodPortForward {
  private server: net.Server | undefined;
  private target: ForwardTarget | undefined;
  private phase: PortForwardPhase = 'connecting';
  private message: string | undefined;
  private readonly backoff = new Backoff();
  private activeSince = 0;
  private probeTimer: NodeJS.Timeout | undefined;
  private probing = false;
  private stopped = false;
  private readonly conns = new Set<{ socket: net.Socket; ws?: KubeWebSocket }>();
  private boundPort = 0;
  private readonly pf: KubePortForward;
  /** Ends the probe in flight (stop). */
  private cancelProbe: (() => void) | undefined;

  constructor(client: KubeClient, private readonly opts: PortForwardOptions) {
    this.target = opts.target;
    this.pf = new KubePortForward(client.kc, true);
  }

  get localPort(): number {
    return this.boundPort || this.opts.localPort;
  }

  get state(): PortForwardStateEvent {
    return { phase: this.phase, localPort: this.localPort, target: this.target, message: this.message };
  }

  /** Bind the local port (fails fast if taken) and start probing. */
  async start(): Promise<void> {
    const host = this.opts.host ?? '127.0.0.1';
    if (!LOOPBACK.has(host)) throw new PortForwardError(`port forward ${this.opts.localPort}: refusing to listen on ${host}`, 'port forwards listen on 127.0.0.1 only');
    const server = net.createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        const hint = err.code === 'EADDRINUSE' ? `stop whatever uses port ${this.opts.localPort} or change port_forwards` : undefined;
        reject(new PortForwardError(`cannot listen on 127.0.0.1:${this.opts.localPort}: ${err.code === 'EADDRINUSE' ? 'the port is already in use' : err.message}`, hint, { cause: err }));
      });
      server.listen(this.opts.localPort, '127.0.0.1', () => resolve());
    });
    server.on('error', () => undefined);
    if (this.stopped) {
      // stop() ran while the port was binding: it had no server to close, so close this one now.
      server.close();
      return;
    }
    this.server = server;
    const addr = server.address();
    this.boundPort = typeof addr === 'object' && addr ? addr.port : this.opts.localPort;
    this.setPhase('connecting');
    this.schedule(0);
  }

  /** Point new connections at another pod (a replacement) and re-check at once. */
  setTarget(target: ForwardTarget | undefined): void {
    const same = target && this.target && target.pod === this.target.pod && target.port === this.target.port && target.namespace === this.target.namespace;
    if (same) return;
    this.target = target;
    this.backoff.reset();
    this.setPhase('connecting');
    this.schedule(0);
  }

  /** Close the local port and every open connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.probeTimer);
    // A probe in flight holds a websocket and its deadline timer: end it now, not when it times out.
    this.cancelProbe?.();
    for (const c of this.conns) {
      c.socket.destroy();
      c.ws?.terminate();
    }
    this.conns.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private setPhase(phase: PortForwardPhase, message?: string): void {
    if (phase === 'active' && this.phase !== 'active') this.activeSince = Date.now();
    const changed = phase !== this.phase || message !== this.message;
    this.phase = phase;
    this.message = message;
    if (changed && !this.stopped) this.opts.onState?.(this.state);
  }

  private schedule(delayMs: number): void {
    if (this.stopped || !this.server) return; // not started (or failed to bind): nothing to probe for
    clearTimeout(this.probeTimer);
    this.probeTimer = setTimeout(() => void this.runProbe(), delayMs);
    this.probeTimer.unref();
  }

  private async runProbe(): Promise<void> {
    if (this.stopped || this.probing) return;
    const target = this.target;
    if (!target) {
      this.setPhase('connecting', 'waiting for a running pod');
      return;
    }
    this.probing = true;
    let result: ProbeResult;
    try {
      result = await this.probe(target);
    } finally {
      this.probing = false;
    }
    if (this.stopped || target !== this.target) return; // retargeted meanwhile: a new probe is scheduled
    if (result.kind === 'ok') {
      this.setPhase('active');
      this.schedule(this.opts.probeIntervalMs ?? 10_000);
      return;
    }
    const lived = this.phase === 'active' ? Date.now() - this.activeSince : 0;
    const delay = this.backoff.failed(lived);
    if (result.kind === 'upstream') this.setPhase('error', result.message);
    else this.setPhase('reconnecting', `${result.message}; retrying in ${delay < 1000 ? `${delay} ms` : `${Math.round(delay / 1000)} s`}`);
    this.schedule(delay);
  }

  /** Reach the kubelet through a fresh websocket; then give the upstream dial a moment to report an error. */
  private probe(t: ForwardTarget): Promise<ProbeResult> {
    return new Promise<ProbeResult>((resolve) => {
      let settled = false;
      let ws: KubeWebSocket | undefined;
      let errText = '';
      const input = new PassThrough();
      const finish = (r: ProbeResult): void => {
        if (settled) return;
        settled = true;
        this.cancelProbe = undefined;
        clearTimeout(deadline);
        clearTimeout(settle);
        input.end();
        ws?.terminate();
        resolve(r);
      };
      this.cancelProbe = () => finish({ kind: 'failed', message: 'stopped' });
      const deadline = setTimeout(() => finish({ kind: 'failed', message: `no answer from pod ${t.pod} within ${this.opts.probeTimeoutMs ?? 5000} ms` }), this.opts.probeTimeoutMs ?? 5_000);
      let settle: NodeJS.Timeout | undefined;
      // The kubelet's first frame on each channel carries the port number; client-node strips it and writes the
      // (empty) rest, so any write means the tunnel reached the node. (A websocket 'message' listener would miss
      // frames that arrive together with the upgrade response.)
      const reached = (): void => {
        if (!settle && !settled) settle = setTimeout(() => finish({ kind: 'ok' }), this.opts.probeSettleMs ?? 300);
      };
      const sink = new Writable({
        write: (_c, _e, cb) => {
          reached();
          cb();
        },
      });
      const err = new Writable({
        write: (chunk: Buffer, _e, cb) => {
          reached();
          errText += chunk.toString('utf8');
          if (errText.trim()) finish({ kind: 'upstream', message: upstreamMessage(errText, t) });
          cb();
        },
      });
      this.pf
        .portForward(t.namespace, t.pod, [t.port], sink, err, input)
        .then((w) => {
          if (typeof w === 'function') return finish({ kind: 'failed', message: 'unexpected restartable port-forward' });
          ws = w;
          if (settled) return w.terminate();
          w.on('close', () => finish(errText.trim() ? { kind: 'upstream', message: upstreamMessage(errText, t) } : { kind: 'failed', message: `the port-forward connection to pod ${t.pod} closed` }));
          w.on('error', (e: Error) => finish({ kind: 'failed', message: e.message }));
        })
        .catch((e: unknown) => finish({ kind: 'failed', message: connectFailure(describeError(e), t) }));
    });
  }

  private accept(socket: net.Socket): void {
    const t = this.target;
    if (this.stopped || !t) {
      socket.destroy();
      return;
    }
    const conn: { socket: net.Socket; ws?: KubeWebSocket } = { socket };
    this.conns.add(conn);
    socket.setNoDelay(true);
    let errText = '';
    let pingTimer: NodeJS.Timeout | undefined;
    const cleanup = (): void => {
      clearInterval(pingTimer);
      this.conns.delete(conn);
      socket.destroy();
      // terminate, not close: close() waits for the peer's close frame on a 30 s timer that keeps Node alive.
      conn.ws?.terminate();
    };
    socket.on('error', cleanup);
    socket.on('close', cleanup);
    const err = new Writable({
      write: (chunk: Buffer, _e, cb) => {
        errText += chunk.toString('utf8');
        if (errText.trim()) {
          // The upstream refused: drop this connection and re-probe so the state shows why.
          socket.destroy();
          this.schedule(0);
        }
        cb();
      },
    });
    this.pf
      .portForward(t.namespace, t.pod, [t.port], socket, err, socket)
      .then((w) => {
        if (typeof w === 'function') return cleanup();
        conn.ws = w;
        if (socket.destroyed || this.stopped) {
          socket.destroy();
          return w.terminate();
        }
        w.on('close', () => socket.end());
        w.on('error', () => socket.destroy());
        // A websocket that stops answering pings is dead even if TCP says otherwise.
        let awaitingPong = 0;
        w.on('pong', () => (awaitingPong = 0));
        pingTimer = setInterval(() => {
          if (++awaitingPong > 2) {
            w.terminate();
            socket.destroy();
            this.schedule(0);
            return;
          }
          try {
            w.ping();
          } catch {
            /* closing */
          }
        }, this.opts.pingIntervalMs ?? 10_000);
        pingTimer.unref();
      })
      .catch(() => {
        socket.destroy();
        this.schedule(0);
      });
  }
}

function connectFailure(msg: string, t: ForwardTarget): string {
  if (/\b404\b/.test(msg)) return `pod ${t.pod} not found`;
  if (/\b403\b/.test(msg)) return 'not allowed to port-forward (RBAC: pods/portforward create)';
  if (/\b(500|502|503)\b/.test(msg)) return `pod ${t.pod} does not accept port-forwards yet (not running?)`;
  if (/ECONNREFUSED/.test(msg)) return 'cannot reach the API server (connection refused)';
  return msg;
}
