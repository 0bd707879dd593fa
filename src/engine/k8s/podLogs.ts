// Pod log streaming, Tilt-style: one follow stream per container *instance* (keyed by container ID), so a restart
// opens a new stream and a terminated container's logs are never re-read. Streams start at the session start
// (sinceTime), carry timestamps so a reconnect (stream ended or stalled while the container still runs) resumes
// after the last line without duplicates. Init containers included. A stream silent for a while may be dead (a
// half-open connection looks exactly like a quiet app): its container's last line is asked for on a kept-alive
// connection, and only a line the stream missed (or no answer) reconnects it, so a quiet container costs one small
// request per stall period instead of two TLS handshakes and a new stream.

import { Writable } from 'node:stream';
import { Log } from '@kubernetes/client-node';
import { Backoff } from '../backoff';
import { LineBuffer, MAX_PENDING_LINE } from '../lineBuffer';
import { KeptAliveAgent, keptAliveCore, type KubeClient } from './client';
import { connectWithin } from './deadline';
import type { ContainerInfo, PodInfo } from './discovery';
import { describeError } from './errors';

export interface LogLine {
  pod: string;
  namespace: string;
  container: string;
  containerId: string;
  init: boolean;
  text: string;
  /** Kubelet timestamp (RFC3339). */
  time: string;
}

export interface PodLogOptions {
  /** Session start: no line older than this is shown. */
  since: Date;
  onLine: (line: LogLine) => void;
  /** Stream trouble worth a log line (e.g. "reconnecting logs of web/app"). */
  onNotice?: (message: string) => void;
  /**
   * A stream of a running container silent this long is checked: reconnected when its container's last line is one
   * the stream did not deliver, or the check fails. Default 15 s.
   */
  stallMs?: number;
  /** The API calls (tests pass a fake). Default: the client's. */
  api?: PodLogApi;
}

/** What the streams ask the API server. */
export interface PodLogApi {
  /** Follow a container's log from `sinceTime` (RFC3339), with timestamps, into `sink`; resolves once connected. */
  follow(namespace: string, pod: string, container: string, sink: Writable, sinceTime: string): Promise<AbortController>;
  /** The container's last log line with its timestamp ('' when there is none). */
  lastLine(namespace: string, pod: string, container: string): Promise<string>;
  /** A check failed: drop the connections kept for checks (one may be frozen). */
  resetChecks(): void;
  dispose(): void;
}

const CHECK_TIMEOUT_MS = 5_000;

/** The client's: follows through client-node's Log; checks share one kept-alive connection. */
function clientLogApi(client: KubeClient): PodLogApi {
  const log = new Log(client.kc);
  const agent = new KeptAliveAgent();
  // A check is small: a short deadline, so a frozen kept-alive connection is replaced soon after the stall bound.
  const core = keptAliveCore(client, agent, Math.min(CHECK_TIMEOUT_MS, client.requestTimeoutMs));
  return {
    follow: (namespace, pod, container, sink, sinceTime) => {
      // A connect the API server never answers (blackholed) fails at the request deadline and is retried.
      const connect = log.log(namespace, pod, container, sink, { follow: true, timestamps: true, sinceTime });
      return connectWithin(connect, client.requestTimeoutMs, `logs of ${pod}/${container}`, (late) => late.abort());
    },
    lastLine: async (namespace, pod, container) => String(await core.readNamespacedPodLog({ name: pod, namespace, container, tailLines: 1, timestamps: true })),
    resetChecks: () => agent.destroy(),
    dispose: () => agent.destroy(),
  };
}

/**
 * Did the stream miss its container's last line (`tail`: one "<timestamp> <text>" line)? Before the stream delivered
 * anything, any line from `sinceTime` on counts.
 */
export function missedLastLine(tail: string, filter: ResumeFilter, sinceTime: string): boolean {
  const line = tail.replace(/\r?\n$/, '');
  if (!line) return false;
  const { time, text } = parseLine(line);
  if (!time) return false; // no timestamp: nothing to compare with
  return filter.resumeFrom() ? !filter.seen(time, text) : normalizeTimestamp(time) >= normalizeTimestamp(sinceTime);
}

/** "2026-01-02T03:04:05.12Z" -> "2026-01-02T03:04:05.120000000Z", so timestamps compare as strings. */
export function normalizeTimestamp(ts: string): string {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(ts);
  if (!m) return ts;
  return `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}${m[3]}`;
}

/** Splits "<timestamp> <text>" lines; keeps a partial last line (bounded, lineBuffer.ts) for the next chunk. */
export class TimestampedLineSplitter {
  private out: Array<{ time: string; text: string }> = [];
  private readonly buf: LineBuffer;
  constructor(maxPending = MAX_PENDING_LINE) {
    this.buf = new LineBuffer((l) => this.out.push(parseLine(l)), maxPending);
  }
  /** Characters held for the unfinished last line. */
  get pending(): number {
    return this.buf.pending;
  }
  push(chunk: string): Array<{ time: string; text: string }> {
    this.buf.push(chunk);
    return this.take();
  }
  flush(): Array<{ time: string; text: string }> {
    this.buf.end();
    return this.take();
  }
  private take(): Array<{ time: string; text: string }> {
    const lines = this.out;
    this.out = [];
    return lines;
  }
}

function parseLine(raw: string): { time: string; text: string } {
  const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  const sp = line.indexOf(' ');
  if (sp > 0 && /^\d{4}-\d\d-\d\dT/.test(line)) return { time: line.slice(0, sp), text: line.slice(sp + 1) };
  return { time: '', text: line };
}

/** Drops lines already delivered before a reconnect (same or older timestamp, same text at the boundary). */
export class ResumeFilter {
  private lastTs = '';
  private atLast = new Set<string>();
  accept(time: string, text: string): boolean {
    if (!time) return true;
    const ts = normalizeTimestamp(time);
    if (ts < this.lastTs) return false;
    if (ts === this.lastTs) {
      if (this.atLast.has(text)) return false;
      this.atLast.add(text);
      return true;
    }
    this.lastTs = ts;
    this.atLast = new Set([text]);
    return true;
  }
  /** Would accept() drop this line (delivered already)? Changes nothing. */
  seen(time: string, text: string): boolean {
    if (!time) return false;
    const ts = normalizeTimestamp(time);
    return ts < this.lastTs || (ts === this.lastTs && this.atLast.has(text));
  }
  /** RFC3339 (second precision, as sinceTime wants) to resume from, or undefined before the first line. */
  resumeFrom(): string | undefined {
    return this.lastTs ? `${this.lastTs.slice(0, 19)}Z` : undefined;
  }
}

interface Stream {
  key: string;
  pod: string;
  namespace: string;
  container: string;
  init: boolean;
  filter: ResumeFilter;
  backoff: Backoff;
  abort?: AbortController;
  connecting: boolean;
  openedAt: number;
  lastDataAt: number;
  retryTimer?: NodeJS.Timeout;
  retryPending: boolean;
  /** A stall check is asking for the container's last line. */
  checking: boolean;
  done: boolean;
  generation: number;
}

export class PodLogStreams {
  private readonly streams = new Map<string, Stream>();
  /** Latest container state by container ID. */
  private readonly current = new Map<string, ContainerInfo & { podName: string }>();
  private readonly api: PodLogApi;
  private readonly stallTimer: NodeJS.Timeout;
  private stopped = false;
  /** Streams re-opened after ending or stalling (diagnostics, tests). */
  reconnects = 0;
  /** Stall checks that found nothing missed (diagnostics, tests). */
  quietChecks = 0;

  constructor(private readonly client: KubeClient, private readonly opts: PodLogOptions) {
    this.api = opts.api ?? clientLogApi(client);
    const stallMs = opts.stallMs ?? 15_000;
    this.stallTimer = setInterval(() => this.checkStalls(stallMs), Math.max(250, Math.floor(stallMs / 3)));
    this.stallTimer.unref();
  }

  /** Feed the resource's pods (from discovery): opens streams for new container instances. */
  update(pods: readonly PodInfo[]): void {
    if (this.stopped) return;
    this.current.clear();
    for (const p of pods) {
      for (const c of p.containers) {
        if (!c.id) continue;
        this.current.set(c.id, { ...c, podName: p.name });
        // 'waiting' with an ID = a crashed instance waiting for its restart (CrashLoopBackOff): its output explains
        // the crash, and an instance that died before we saw it running would otherwise never be read.
        if (c.state === 'unknown') continue;
        if (this.streams.has(c.id)) continue;
        const s: Stream = { key: c.id, pod: p.name, namespace: p.namespace, container: c.name, init: c.init, filter: new ResumeFilter(), backoff: new Backoff(), connecting: false, openedAt: 0, lastDataAt: 0, retryPending: false, checking: false, done: false, generation: 0 };
        this.streams.set(c.id, s);
        void this.open(s, false);
      }
    }
    // Instances no longer reported (pod deleted) stop once their stream ends; nothing to reopen.
  }

  /** Container IDs with a live stream (tests/diagnostics). */
  activeStreams(): string[] {
    return [...this.streams.values()].filter((s) => !s.done).map((s) => s.key);
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.stallTimer);
    this.api.dispose();
    for (const s of this.streams.values()) {
      clearTimeout(s.retryTimer);
      s.done = true;
      s.abort?.abort();
    }
  }

  /** Still worth following: this ID is the container's current instance and it runs. */
  private isLive(s: Stream): boolean {
    const c = this.current.get(s.key);
    return !!c && c.state === 'running';
  }

  private async open(s: Stream, reconnect: boolean): Promise<void> {
    s.retryPending = false;
    if (this.stopped || s.done) return;
    s.connecting = true;
    // A reconnect must not read a newer instance under this one's key: the log endpoint only knows container
    // names, so check with the API server that this ID is still the running instance.
    if (reconnect) this.reconnects++;
    if (reconnect && !(await this.stillCurrent(s))) {
      s.connecting = false;
      s.done = true;
      return;
    }
    if (this.stopped || s.done) {
      s.connecting = false;
      return;
    }
    const generation = ++s.generation;
    s.openedAt = Date.now();
    s.lastDataAt = Date.now();
    const split = new TimestampedLineSplitter();
    const emit = (l: { time: string; text: string }): void => {
      if (generation !== s.generation || !s.filter.accept(l.time, l.text)) return;
      this.opts.onLine({ pod: s.pod, namespace: s.namespace, container: s.container, containerId: s.key, init: s.init, text: l.text, time: l.time });
    };
    const sink = new Writable({
      write: (chunk: Buffer, _e, cb) => {
        s.lastDataAt = Date.now();
        for (const l of split.push(chunk.toString('utf8'))) emit(l);
        cb();
      },
      final: (cb) => {
        for (const l of split.flush()) emit(l);
        cb();
        if (generation === s.generation) this.ended(s);
      },
    });
    const sinceTime = s.filter.resumeFrom() ?? this.sinceTime;
    try {
      s.abort = await this.api.follow(s.namespace, s.pod, s.container, sink, sinceTime);
      s.connecting = false;
      if (this.stopped || s.done) s.abort.abort();
    } catch (err) {
      s.connecting = false;
      if (generation !== s.generation) return;
      this.retry(s, `logs of ${s.pod}/${s.container}: ${describeError(err)}`);
    }
  }

  private ended(s: Stream): void {
    if (this.stopped || s.done) return;
    if (this.isLive(s)) this.retry(s); // the server closed a stream of a running container: resume
    else s.done = true; // terminated or replaced: its logs are complete
  }

  private retry(s: Stream, notice?: string): void {
    if (this.stopped || s.done) return;
    const c = this.current.get(s.key);
    if (!c) {
      s.done = true; // the instance is gone
      return;
    }
    const delay = s.backoff.failed(Date.now() - s.openedAt);
    if (notice && delay >= 1_000) this.opts.onNotice?.(`${notice}; retrying`);
    clearTimeout(s.retryTimer);
    s.retryPending = true;
    s.retryTimer = setTimeout(() => void this.open(s, true), delay);
    s.retryTimer.unref();
  }

  /**
   * The API server is back after an outage: reopen every stream of a running container now (from its last line),
   * instead of after its backoff or stall timeout; a stream still connecting keeps its own deadline.
   */
  resume(): void {
    if (this.stopped) return;
    for (const s of this.streams.values()) {
      if (s.done || s.connecting || !this.isLive(s)) continue;
      clearTimeout(s.retryTimer);
      s.backoff.reset();
      s.generation++;
      s.abort?.abort();
      s.abort = undefined;
      s.lastDataAt = Date.now();
      void this.open(s, true);
    }
  }

  /** The session start as the log endpoint's sinceTime (second precision). */
  private get sinceTime(): string {
    return this.opts.since.toISOString().replace(/\.\d+Z$/, 'Z');
  }

  private checkStalls(stallMs: number): void {
    const now = Date.now();
    for (const s of this.streams.values()) {
      if (s.done || s.connecting || s.retryPending || s.checking) continue;
      if (now - s.lastDataAt < stallMs || !this.isLive(s)) continue;
      void this.checkStall(s);
    }
  }

  /**
   * Silent for a while: a dead connection looks exactly like a quiet app. Ask for the container's last line; when
   * the stream missed it, or there is no answer, reconnect from the last line delivered; otherwise it is just quiet.
   */
  private async checkStall(s: Stream): Promise<void> {
    s.checking = true;
    const { generation, lastDataAt } = s;
    let missed: boolean;
    try {
      missed = missedLastLine(await this.api.lastLine(s.namespace, s.pod, s.container), s.filter, this.sinceTime);
    } catch {
      this.api.resetChecks();
      missed = true;
    } finally {
      s.checking = false;
    }
    // Data meanwhile proves the stream alive; a reconnect or stop meanwhile has its own course.
    if (this.stopped || s.done || s.connecting || s.retryPending || generation !== s.generation || lastDataAt !== s.lastDataAt) return;
    s.lastDataAt = Date.now();
    if (!missed) {
      this.quietChecks++;
      return;
    }
    s.generation++;
    s.abort?.abort();
    s.abort = undefined;
    void this.open(s, true);
  }

  private async stillCurrent(s: Stream): Promise<boolean> {
    try {
      const pod = await this.client.core.readNamespacedPod({ name: s.pod, namespace: s.namespace });
      const all = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])];
      const st = all.find((c) => c.name === s.container);
      return !!st?.containerID?.endsWith(s.key) && !!st.state?.running;
    } catch {
      return this.isLive(s); // API hiccup: trust the last known state
    }
  }
}
