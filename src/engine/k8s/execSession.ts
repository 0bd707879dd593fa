// One long-lived exec per container, reused across live updates (issue 14): opening an exec websocket costs a
// round trip through the API server and the kubelet (~70 ms on the local cluster), more than copying a small file.
// The session is a plain `sh` reading commands on stdin; each command's output ends with a marker line carrying its
// exit code, and a payload (the sync's tar) travels base64 in a here-document, so nothing but the shell ever reads
// the session's stdin. Only idempotent steps (rm, tar, the restart token) use it: when the stream dies mid-command
// (pod replaced, container restarted, connection lost) the caller reruns the step on a fresh exec, so an update is
// never lost. Containers without `sh` or `base64` keep the fresh exec per step.

import { randomBytes } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import { PassThrough, Writable, type Readable } from 'node:stream';
import { Exec } from '@kubernetes/client-node';
import { shellQuote, type ContainerExecutor, type ContainerRef, type ExecStepOptions, type ExecResult } from '../liveupdate/containerUpdate';
import type { KubeClient } from './client';
import { connectWithin } from './deadline';
import type { ExecTarget } from './exec';
import { webSocketConfig } from './webSocket';

/** Payloads larger than this go over a fresh exec (raw tar, no base64 through the shell). */
export const MAX_SESSION_PAYLOAD = 256 << 10;

/** The stream died (or never worked); the step did not necessarily run. */
export class SessionGone extends Error {
  constructor(reason: string, readonly unsupported = false) {
    super(reason);
    this.name = 'SessionGone';
  }
}

/** The text sent for one command: its output (stderr merged) followed by "\n<marker> <exit code>\n". */
export function commandScript(argv: readonly string[], marker: string, payload?: Buffer): string {
  const cmd = argv.map(shellQuote).join(' ');
  const tail = `; printf '\\n%s %d\\n' ${marker} $?\n`;
  if (!payload) return `( ${cmd} ) </dev/null 2>&1${tail}`;
  // The terminator has an underscore, which base64 never produces, so no payload line can end the document.
  const eof = `IL_EOF_${marker}`;
  const lines = payload.toString('base64').replace(/.{1,76}/g, '$&\n');
  return `base64 -d <<'${eof}' 2>&1 | ( ${cmd} ) 2>&1${tail}${lines}${eof}\n`;
}

/** Parses the session's stdout: the output before `marker` and its exit code, once the marker line arrived. */
export function takeResult(buffer: string, marker: string): { output: string; exitCode: number; rest: string } | undefined {
  const at = buffer.indexOf(`\n${marker} `);
  if (at < 0) return undefined;
  const end = buffer.indexOf('\n', at + 1 + marker.length);
  if (end < 0) return undefined;
  const exitCode = Number(buffer.slice(at + 1 + marker.length + 1, end));
  return { output: buffer.slice(0, at), exitCode: Number.isFinite(exitCode) ? exitCode : 1, rest: buffer.slice(end + 1) };
}

type Socket = Awaited<ReturnType<Exec['exec']>>;

/** A shell in one container, one command at a time. */
export class ExecSession {
  private out = '';
  private waiter: { marker: string; resolve: (r: ExecResult) => void; reject: (e: Error) => void } | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private gone: SessionGone | undefined;
  /** Commands run on this stream (tests: reuse is observable). */
  commands = 0;

  private constructor(
    private readonly ws: Socket,
    private readonly stdin: PassThrough,
    private readonly onGone: () => void,
    /** A command without its marker after this long (the request deadline): the stream is taken for dead. */
    private readonly timeoutMs: number,
  ) {}

  /** Opens the shell and checks it can run payload commands; rejects with SessionGone when it cannot. */
  static async open(client: KubeClient, target: ExecTarget, onGone: () => void): Promise<ExecSession> {
    const stdin = new PassThrough();
    const sink: { session?: ExecSession } = {};
    const utf8 = new StringDecoder('utf8');
    const stdout = new Writable({
      write(chunk: Buffer, _enc, cb): void {
        sink.session?.received(utf8.write(chunk));
        cb();
      },
    });
    const ignore = new Writable({ write: (_c, _e, cb): void => cb() });
    let ws: Socket;
    try {
      const connect = new Exec(webSocketConfig(client.kc)).exec(target.namespace, target.pod, target.container, ['sh'], stdout, ignore, stdin, false);
      ws = await connectWithin(connect, client.requestTimeoutMs, 'exec session', (late) => late.terminate());
    } catch (err) {
      throw new SessionGone(`could not open the exec session: ${err instanceof Error ? err.message : String(err)}`);
    }
    const s = new ExecSession(ws, stdin, onGone, client.requestTimeoutMs);
    sink.session = s;
    ws.on('close', () => s.die('the exec stream closed'));
    ws.on('error', (e: Error) => s.die(`the exec stream failed: ${e.message}`));
    // A container without sh ends the stream before answering; one without base64 answers non-zero. Either way
    // this container keeps fresh execs (a restarted container, with a new ID, is asked again).
    const probe = await s.run(['sh', '-c', 'command -v base64 >/dev/null && command -v tar >/dev/null']).catch(() => undefined);
    if (probe?.exitCode !== 0) {
      s.close();
      throw new SessionGone('the container cannot host a reused exec (no sh, base64 or tar)', true);
    }
    return s;
  }

  get alive(): boolean {
    return this.gone === undefined;
  }

  /** Runs argv (stdin: the payload, else /dev/null); rejects with SessionGone when the stream dies first. */
  run(argv: readonly string[], payload?: Buffer): Promise<ExecResult> {
    const next = this.queue.then(() => this.runNow(argv, payload));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private runNow(argv: readonly string[], payload?: Buffer): Promise<ExecResult> {
    if (this.gone) return Promise.reject(this.gone);
    const marker = `__IL_${randomBytes(6).toString('hex')}`;
    this.commands++;
    return new Promise<ExecResult>((resolve, reject) => {
      const timer = setTimeout(() => this.die(`no answer on the exec stream within ${this.timeoutMs / 1000} s`), this.timeoutMs);
      timer.unref?.();
      this.waiter = {
        marker,
        resolve: (r) => (clearTimeout(timer), resolve(r)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      };
      this.stdin.write(commandScript(argv, marker, payload));
      this.received('');
    });
  }

  private received(text: string): void {
    this.out += text;
    const w = this.waiter;
    if (!w) return;
    const r = takeResult(this.out, w.marker);
    if (!r) return;
    this.out = r.rest;
    this.waiter = undefined;
    w.resolve({ exitCode: r.exitCode, output: r.output });
  }

  private die(reason: string): void {
    if (this.gone) return;
    this.gone = new SessionGone(reason);
    this.ws.terminate();
    this.waiter?.reject(this.gone);
    this.waiter = undefined;
    this.onGone();
  }

  /** Drops the stream now: a step in flight rejects with SessionGone. */
  kill(reason: string): void {
    this.die(reason);
  }

  /** Ends the shell (stdin EOF) and the stream. */
  close(): void {
    if (this.gone) return;
    this.stdin.end();
    this.die('closed');
  }
}

/** Reads `src` to its end, or until more than `limit` bytes came: then the stream is left paused, not destroyed. */
function readUpTo(src: Readable, limit: number): Promise<{ buf: Buffer } | { head: Buffer[]; rest: Readable }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const off = (): void => {
      src.off('data', onData);
      src.off('end', onEnd);
      src.off('error', onError);
    };
    const onData = (chunk: Buffer | string): void => {
      const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      chunks.push(b);
      size += b.length;
      if (size <= limit) return;
      off();
      src.pause();
      resolve({ head: chunks, rest: src });
    };
    const onEnd = (): void => {
      off();
      resolve({ buf: Buffer.concat(chunks) });
    };
    const onError = (e: Error): void => {
      off();
      reject(e);
    };
    src.on('data', onData);
    src.on('end', onEnd);
    src.on('error', onError);
  });
}

/** The head already read, then the rest of the stream. */
function replay(head: Buffer[], rest: Readable): Readable {
  const out = new PassThrough();
  for (const b of head) out.write(b);
  rest.pipe(out);
  rest.on('error', (e) => out.destroy(e));
  return out;
}

const keyOf = (t: ContainerRef, ns: string): string => `${t.namespace ?? ns}/${t.pod}/${t.container}/${t.containerId}`;

/**
 * The engine's ContainerExecutor with reused sessions: idempotent steps go over the container's session (opened on
 * first use), everything else, big payloads and containers that cannot host a session over `fresh`.
 */
export class ReusingExecutor implements ContainerExecutor {
  private readonly sessions = new Map<string, Promise<ExecSession>>();
  private readonly unsupported = new Set<string>();
  private disposed = false;

  constructor(private readonly client: KubeClient, private readonly namespace: string, private readonly fresh: ContainerExecutor) {}

  async exec(target: ContainerRef, argv: string[], stdin?: Readable, opts?: ExecStepOptions): Promise<ExecResult> {
    const key = keyOf(target, this.namespace);
    const fresh = (input?: Readable): Promise<ExecResult> => this.fresh.exec(target, argv, input, opts?.signal ? { signal: opts.signal } : undefined);
    if (!opts?.idempotent || this.disposed || this.unsupported.has(key)) return fresh(stdin);
    let payload: Buffer | undefined;
    if (stdin) {
      const read = await readUpTo(stdin, MAX_SESSION_PAYLOAD);
      if ('rest' in read) return fresh(replay(read.head, read.rest));
      payload = read.buf;
    }
    let cancel: (() => void) | undefined;
    try {
      const session = await this.session(target, key);
      // A cancelled step (its container went) takes the stream down with it; the caller learns why from its signal.
      cancel = () => session.kill(`cancelled: ${String(opts.signal?.reason)}`);
      opts.signal?.addEventListener('abort', cancel, { once: true });
      if (opts.signal?.aborted) cancel();
      return await session.run(argv, payload);
    } catch (err) {
      if (!(err instanceof SessionGone) || opts.signal?.aborted) throw err;
      if (err.unsupported) this.unsupported.add(key);
      // The step may or may not have run; it is idempotent, so run it again where it surely runs.
      return fresh(payload ? replay([payload], emptyStream()) : undefined);
    } finally {
      if (cancel) opts.signal?.removeEventListener('abort', cancel);
    }
  }

  private session(target: ContainerRef, key: string): Promise<ExecSession> {
    const have = this.sessions.get(key);
    if (have) return have;
    const forget = (): void => {
      if (this.sessions.get(key) === opening) this.sessions.delete(key);
    };
    const opening = ExecSession.open(this.client, { namespace: target.namespace ?? this.namespace, pod: target.pod, container: target.container }, forget);
    this.sessions.set(key, opening);
    opening.catch(forget);
    return opening;
  }

  /** The open session of a container (tests). */
  async sessionOf(target: ContainerRef): Promise<ExecSession | undefined> {
    return this.sessions.get(keyOf(target, this.namespace))?.catch(() => undefined);
  }

  /** Closes every session (engine stop). */
  dispose(): void {
    this.disposed = true;
    for (const s of this.sessions.values()) s.then((x) => x.close(), () => undefined);
    this.sessions.clear();
  }
}

function emptyStream(): Readable {
  const s = new PassThrough();
  s.end();
  return s;
}
