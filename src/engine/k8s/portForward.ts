// Forwards 127.0.0.1:<localPort> to <pod>:<containerPort> over the API server's port-forward websocket.
// One local TCP server per forward, kept for the forward's whole life (the port is never left half-open); each
// accepted connection gets its own websocket to the current target pod, so retargeting to a replacement pod only
// affects new connections. A probe (a websocket that must reach the kubelet and get no error back) runs when
// something changed: the forward starts or is retargeted, the caller says the pod or the cluster changed (recheck), or
// a connection failed. While healthy and unchanged nothing is polled (as Tilt's forward, which reconnects only when
// its connection drops): an idle session costs no TLS handshakes. Every failure (probe, connection, missed pongs)
// re-probes through one backoff (50 ms doubling to 15 s, reset after 1 s of health) until the upstream answers. Open
// connections are pinged and cut after two ping periods without a pong. A local port already taken is reported
// (phase error) and re-bound with its own backoff until it frees.

import * as net from 'node:net';
import { PassThrough, Writable } from 'node:stream';
import { PortForward as KubePortForward } from '@kubernetes/client-node';
import type { PortForwardPhase } from '../../shared/state';
import { Backoff, delayText, type BackoffOptions } from '../backoff';
import type { KubeClient } from './client';
import { connectWithin } from './deadline';
import type { PodInfo } from './discovery';
import { PortForwardError, describeError } from './errors';
import { watchLiveness } from './liveness';
import { webSocketConfig } from './webSocket';

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
  /** Probe period while healthy. Default: none (probes follow changes and failures only). */
  probeIntervalMs?: number;
  /** How long a probe may take to reach the kubelet. Default 5 s. */
  probeTimeoutMs?: number;
  /** After reaching the kubelet, how long to wait for an upstream error (refused). Default 300 ms. */
  probeSettleMs?: number;
  /** Websocket ping period for open connections; two periods without a pong cut the connection. Default 10 s. */
  pingIntervalMs?: number;
  /** Reconnect and re-bind delays (default DEFAULT_BACKOFF). */
  backoff?: BackoffOptions;
  /** The API server's port-forward websocket (tests pass a fake). */
  forwarder?: Pick<KubePortForward, 'portForward'>;
}

type ProbeResult = { kind: 'ok' } | { kind: 'upstream'; message: string } | { kind: 'failed'; message: string } | { kind: 'cancelled' };

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
  private readonly backoff: Backoff;
  private readonly bindBackoff: Backoff;
  private bindTimer: NodeJS.Timeout | undefined;
  private activeSince = 0;
  private probeTimer: NodeJS.Timeout | undefined;
  private probing = false;
  private stopped = false;
  private readonly conns = new Set<{ socket: net.Socket; ws?: KubeWebSocket }>();
  private boundPort = 0;
  private readonly pf: Pick<KubePortForward, 'portForward'>;
  /** Ends the probe in flight (stop). */
  private cancelProbe: (() => void) | undefined;

  private readonly connectTimeoutMs: number | undefined;

  constructor(client: KubeClient, private readonly opts: PortForwardOptions) {
    this.connectTimeoutMs = client.requestTimeoutMs;
    this.target = opts.target;
    this.pf = opts.forwarder ?? new KubePortForward(webSocketConfig(client.kc), true);
    this.backoff = new Backoff(opts.backoff);
    this.bindBackoff = new Backoff(opts.backoff);
  }

  get localPort(): number {
    return this.boundPort || this.opts.localPort;
  }

  get state(): PortForwardStateEvent {
    return { phase: this.phase, localPort: this.localPort, target: this.target, message: this.message };
  }

  /**
   * Bind the local port and start probing. A port already in use is not fatal: the state says so (phase error)
   * and the bind is retried with backoff until the port frees. Other bind errors reject.
   */
  async start(): Promise<void> {
    const host = this.opts.host ?? '127.0.0.1';
    if (!LOOPBACK.has(host)) throw new PortForwardError(`port forward ${this.opts.localPort}: refusing to listen on ${host}`, 'port forwards listen on 127.0.0.1 only');
    await this.bind();
  }

  private async bind(): Promise<void> {
    if (this.stopped || this.server) return;
    const server = net.createServer((socket) => this.accept(socket));
    const err = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      server.once('error', resolve);
      server.listen(this.opts.localPort, '127.0.0.1', () => resolve(undefined));
    });
    if (err?.code === 'EADDRINUSE') {
      if (this.stopped) return;
      const delay = this.bindBackoff.failed();
      this.setPhase('error', `cannot listen on 127.0.0.1:${this.opts.localPort}: the port is already in use (stop whatever uses it or change port_forwards); retrying in ${delayText(delay)}`);
      this.bindTimer = setTimeout(() => void this.bind().catch((e: unknown) => this.setPhase('error', (e as Error).message)), delay);
      this.bindTimer.unref();
      return;
    }
    if (err) throw new PortForwardError(`cannot listen on 127.0.0.1:${this.opts.localPort}: ${err.message}`, undefined, { cause: err });
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
    // A probe of the old pod still in flight would hold `probing` (up to its 5 s deadline, longer against a dying
    // pod) and swallow the new target's probe: end it so the new pod is probed at once.
    this.cancelProbe?.();
    this.setPhase('connecting');
    this.schedule(0);
  }

  /**
   * Something the forward depends on changed (its pod's containers or readiness, the API server going or coming
   * back): probe now, instead of after the backoff a failure built up or not at all while healthy.
   */
  recheck(): void {
    if (this.stopped) return;
    this.backoff.reset();
    this.cancelProbe?.();
    this.schedule(0);
  }

  /** Close the local port and every open connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.probeTimer);
    clearTimeout(this.bindTimer);
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
    // Cancelled by recheck/setTarget (which scheduled the next probe) or stop: nothing to report.
    if (this.stopped || result.kind === 'cancelled') return;
    if (target !== this.target) {
      // Retargeted meanwhile: the new target's probe may have been skipped while this one ran; probe it now.
      this.schedule(0);
      return;
    }
    if (result.kind === 'ok') {
      this.setPhase('active');
      if (this.opts.probeIntervalMs) this.schedule(this.opts.probeIntervalMs);
      return;
    }
    this.failed(result.kind === 'upstream' ? 'error' : 'reconnecting', result.message);
  }

  /** Any failure (a probe, a connection, missed pongs): say why and re-probe after the backoff, never at once. */
  private failed(phase: 'error' | 'reconnecting', message: string): void {
    if (this.stopped) return;
    const lived = this.phase === 'active' ? Date.now() - this.activeSince : 0;
    const delay = this.backoff.failed(lived);
    this.setPhase(phase, phase === 'error' ? message : `${message}; retrying in ${delayText(delay)}`);
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
      this.cancelProbe = () => finish({ kind: 'cancelled' });
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
    let stopPings: (() => void) | undefined;
    let reported = false;
    // Once per connection, and only while it still points at the current target (a retarget starts afresh).
    const connFailed = (phase: 'error' | 'reconnecting', message: string): void => {
      if (reported || t !== this.target) return;
      reported = true;
      this.failed(phase, message);
    };
    const cleanup = (): void => {
      stopPings?.();
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
          // The upstream refused: drop this connection and say why (the backoff's re-probe confirms or clears it).
          socket.destroy();
          connFailed('error', upstreamMessage(errText, t));
        }
        cb();
      },
    });
    // A connect the API server never answers (blackholed) fails at the request deadline and goes through the backoff.
    const connect = this.pf.portForward(t.namespace, t.pod, [t.port], socket, err, socket);
    connectWithin(connect, this.connectTimeoutMs, `port-forward to pod ${t.pod}`, (late) => (typeof late === 'function' ? undefined : late.terminate()))
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
        stopPings = watchLiveness(w, this.opts.pingIntervalMs ?? 10_000, () => {
          w.terminate();
          socket.destroy();
          connFailed('reconnecting', `the connection to pod ${t.pod} stopped answering pings`);
        }, 'pongs');
      })
      .catch((e: unknown) => {
        socket.destroy();
        connFailed('reconnecting', connectFailure(describeError(e), t));
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
