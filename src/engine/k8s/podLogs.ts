// Pod log streaming, Tilt-style: one follow stream per container *instance* (keyed by container ID), so a restart
// opens a new stream and a terminated container's logs are never re-read. Streams start at the session start
// (sinceTime), carry timestamps so a reconnect (stream ended or stalled while the container still runs) resumes
// after the last line without duplicates. Init containers included.

import { Writable } from 'node:stream';
import { Log } from '@kubernetes/client-node';
import { Backoff } from '../backoff';
import { LineBuffer, MAX_PENDING_LINE } from '../lineBuffer';
import type { KubeClient } from './client';
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
  /** Reconnect a stream of a running container that has been silent this long. Default 15 s. */
  stallMs?: number;
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
  done: boolean;
  generation: number;
}

export class PodLogStreams {
  private readonly streams = new Map<string, Stream>();
  /** Latest container state by container ID. */
  private readonly current = new Map<string, ContainerInfo & { podName: string }>();
  private readonly log: Log;
  private readonly stallTimer: NodeJS.Timeout;
  private stopped = false;
  /** Streams re-opened after ending or stalling (diagnostics, tests). */
  reconnects = 0;

  constructor(private readonly client: KubeClient, private readonly opts: PodLogOptions) {
    this.log = new Log(client.kc);
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
        const s: Stream = { key: c.id, pod: p.name, namespace: p.namespace, container: c.name, init: c.init, filter: new ResumeFilter(), backoff: new Backoff(), connecting: false, openedAt: 0, lastDataAt: 0, retryPending: false, done: false, generation: 0 };
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
    const sinceTime = s.filter.resumeFrom() ?? this.opts.since.toISOString().replace(/\.\d+Z$/, 'Z');
    try {
      // A connect the API server never answers (blackholed) fails at the request deadline and is retried.
      const connect = this.log.log(s.namespace, s.pod, s.container, sink, { follow: true, timestamps: true, sinceTime });
      s.abort = await connectWithin(connect, this.client.requestTimeoutMs, `logs of ${s.pod}/${s.container}`, (late) => late.abort());
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

  private checkStalls(stallMs: number): void {
    const now = Date.now();
    for (const s of this.streams.values()) {
      if (s.done || s.connecting || s.retryPending) continue;
      if (now - s.lastDataAt < stallMs || !this.isLive(s)) continue;
      // Silent for a while: a dead connection looks exactly like a quiet app, so reconnect from the last line.
      s.generation++;
      s.abort?.abort();
      s.abort = undefined;
      s.lastDataAt = now;
      void this.open(s, true);
    }
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
