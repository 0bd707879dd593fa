// Follow a Compose service's stdout/stderr as timestamped lines, across container restarts and recreations:
// when a log stream ends, wait until the service's container runs again (same or new ID) and resume from the
// last timestamp seen, dropping lines already delivered (Docker's `since` has one-second granularity).

import { PassThrough } from 'node:stream';
import type Dockerode from 'dockerode';
import { LABEL_PROJECT, LABEL_SERVICE } from './project';
import { LineBuffer } from '../lineBuffer';

export interface LogLine {
  stream: 'stdout' | 'stderr';
  text: string;
  /** Epoch ms from Docker's timestamp. */
  time: number;
  containerId: string;
}

export interface FollowLogsOptions {
  /** Only lines from this epoch ms on; default: everything the container logged. */
  sinceMs?: number;
  /** Poll interval while the container is not running. Default 300 ms. */
  pollMs?: number;
  onError?: (err: Error) => void;
}

export interface LogFollower {
  close(): void;
}

/** "2026-11-22T05:00:00.123456789Z" → a key that sorts like the instant (fixed-width seconds + 9-digit nanos). */
export function timestampKey(ts: string): string | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(ts);
  if (!m) return undefined;
  const secs = Date.parse(`${m[1]}${m[3]}`) / 1000;
  if (Number.isNaN(secs)) return undefined;
  return `${String(secs).padStart(12, '0')}.${(m[2] ?? '').padEnd(9, '0')}`;
}

/** Split "<timestamp> <text>" as Docker writes it with timestamps=true. */
export function splitTimestamp(line: string): { key?: string; time: number; text: string } {
  const sp = line.indexOf(' ');
  const ts = sp < 0 ? line : line.slice(0, sp);
  const key = timestampKey(ts);
  if (!key) return { time: Date.now(), text: line };
  return { key, time: Date.parse(ts), text: sp < 0 ? '' : line.slice(sp + 1) };
}

/** Calls onLine for each complete line written to the returned stream; flush() emits a trailing partial line. */
function lineSplitter(onLine: (line: string) => void): { sink: PassThrough; flush: () => void } {
  const sink = new PassThrough();
  // Bounded unfinished line: a service printing without newlines must not grow it forever (lineBuffer.ts).
  const buf = new LineBuffer(onLine);
  sink.setEncoding('utf8');
  sink.on('data', (chunk: string) => buf.push(chunk));
  return { sink, flush: () => buf.end() };
}

export function followServiceLogs(docker: Dockerode, project: string, service: string, onLine: (l: LogLine) => void, opts: FollowLogsOptions = {}): LogFollower {
  const pollMs = opts.pollMs ?? 300;
  let closed = false;
  let current: (NodeJS.ReadableStream & { destroy?: () => void }) | undefined;
  let lastKey: string | undefined;
  let sinceSecs = opts.sinceMs === undefined ? 0 : Math.floor(opts.sinceMs / 1000);
  const sinceKey = opts.sinceMs === undefined ? undefined : timestampKey(new Date(opts.sinceMs).toISOString());
  // What was last followed, so a stream that ended is only reopened for a new start of the container.
  let followed: { id: string; startedAt: string } | undefined;

  const deliver = (stream: LogLine['stream'], containerId: string) => (raw: string): void => {
    const { key, time, text } = splitTimestamp(raw);
    if (key) {
      if (lastKey !== undefined && key <= lastKey) return;
      if (sinceKey !== undefined && key < sinceKey) return;
      lastKey = key;
    }
    onLine({ stream, text, time, containerId });
  };

  const followOnce = async (id: string, tty: boolean): Promise<void> => {
    const c = docker.getContainer(id);
    const stream = (await c.logs({ follow: true, stdout: true, stderr: true, timestamps: true, since: sinceSecs })) as NodeJS.ReadableStream & { destroy?: () => void };
    current = stream;
    if (closed) {
      stream.destroy?.();
      return;
    }
    const out = lineSplitter(deliver('stdout', id));
    const err = lineSplitter(deliver('stderr', id));
    if (tty) stream.pipe(out.sink);
    else docker.modem.demuxStream(stream, out.sink, err.sink);
    await new Promise<void>((resolve) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', resolve);
    });
    // Let the splitters drain what the demuxer already wrote.
    await new Promise((r) => setImmediate(r));
    out.flush();
    err.flush();
    if (lastKey) sinceSecs = Math.floor(Number(lastKey.split('.')[0]));
  };

  const loop = async (): Promise<void> => {
    while (!closed) {
      try {
        const list = await docker.listContainers({ all: true, filters: { label: [`${LABEL_PROJECT}=${project}`, `${LABEL_SERVICE}=${service}`] } });
        const newest = list.sort((a, b) => b.Created - a.Created)[0];
        if (newest) {
          const info = await docker.getContainer(newest.Id).inspect();
          const same = followed && followed.id === info.Id && followed.startedAt === info.State.StartedAt;
          // Follow a running container, or read a stopped one's logs once (they end at once).
          if (!same && (info.State.Running || info.State.StartedAt > '0001-01-01T00:00:00Z')) {
            followed = { id: info.Id, startedAt: info.State.StartedAt };
            await followOnce(info.Id, info.Config.Tty === true);
            continue;
          }
        }
      } catch (err) {
        if (!closed) opts.onError?.(err instanceof Error ? err : new Error(String(err)));
      }
      // Unref'd: polling for a container to start must not keep the process alive after close().
      await new Promise((r) => setTimeout(r, pollMs).unref());
    }
  };
  void loop();
  return {
    close: () => {
      closed = true;
      current?.destroy?.();
    },
  };
}
