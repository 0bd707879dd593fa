// Exec into a container over the API server's websocket (client-node Exec, channel protocol v5 so stdin EOF reaches
// the process), collecting stdout/stderr and taking the exit code from the status channel. A command that runs and
// exits non-zero resolves normally; only "could not run it at all" rejects, with ExecError.

import { PassThrough, Writable, type Readable } from 'node:stream';
import { Exec, type V1Status } from '@kubernetes/client-node';
import type { ContainerExecutor, ContainerRef, ExecResult, ExecStepOptions } from '../liveupdate/containerUpdate';
import type { KubeClient } from './client';
import { connectWithin } from './deadline';
import { STREAM_PING_MS, watchLiveness } from './liveness';
import { ExecError, describeError } from './errors';
import { webSocketConfig } from './webSocket';

export interface ExecTarget {
  namespace: string;
  pod: string;
  container: string;
}

export interface ExecOptions {
  /** Fed to the process; its end closes the process's stdin. */
  stdin?: Readable;
  /** Kill the session after this long (ExecError). Default 5 minutes. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Keep at most this many bytes of each output stream (the tail). Default 1 MiB. */
  maxOutputBytes?: number;
  /** Ping period once connected; two periods without a sign of life end the exec (liveness.ts). Default 10 s. */
  pingMs?: number;
}

export interface ExecOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved in arrival order. */
  output: string;
}

/** Exit code "127": the kubelet reports a missing executable as a Failure status, not as a process exit. */
export const EXIT_NOT_FOUND = 127;

/** Exit code from the status channel; undefined when the status says exec itself failed. */
export function exitCodeFromStatus(status: V1Status): { exitCode: number } | { error: string } {
  if (status.status === 'Success') return { exitCode: 0 };
  if (status.reason === 'NonZeroExitCode') {
    const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
    const code = Number(cause?.message);
    return { exitCode: Number.isFinite(code) ? code : 1 };
  }
  const msg = status.message ?? status.reason ?? 'unknown failure';
  if (/executable file not found|no such file or directory/i.test(msg)) return { exitCode: EXIT_NOT_FOUND };
  return { error: msg };
}

class Collector extends Writable {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly limit: number, private readonly onChunk: (b: Buffer) => void) {
    super();
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.limit && this.chunks.length > 1) this.size -= this.chunks.shift()!.length;
    this.onChunk(chunk);
    cb();
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

const label = (t: ExecTarget): string => `${t.namespace}/${t.pod}/${t.container}`;

export async function execInContainer(client: KubeClient, target: ExecTarget, argv: readonly string[], opts: ExecOptions = {}): Promise<ExecOutput> {
  const limit = opts.maxOutputBytes ?? 1 << 20;
  const combined: Buffer[] = [];
  let combinedSize = 0;
  const addCombined = (b: Buffer): void => {
    combined.push(b);
    combinedSize += b.length;
    while (combinedSize > limit && combined.length > 1) combinedSize -= combined.shift()!.length;
  };
  const stdout = new Collector(limit, addCombined);
  const stderr = new Collector(limit, addCombined);
  let status: V1Status | undefined;
  const exec = new Exec(webSocketConfig(client.kc));
  if (opts.signal?.aborted) throw new ExecError(label(target), 'cancelled');

  // client-node forwards stdin chunks to the websocket without backpressure; feed it through a gate that pauses
  // the source while the socket's send buffer is full, so a large sync does not sit in memory.
  const gate = opts.stdin ? new PassThrough() : null;
  let ws: Awaited<ReturnType<Exec['exec']>>;
  try {
    // A connect the API server never answers (blackholed) fails at the request deadline.
    const connect = exec.exec(target.namespace, target.pod, target.container, [...argv], stdout, stderr, gate, false, (s) => (status = s));
    ws = await connectWithin(connect, client.requestTimeoutMs, `exec into ${label(target)}`, (late) => late.terminate());
  } catch (err) {
    opts.stdin?.destroy();
    throw new ExecError(label(target), connectFailure(err), undefined, { cause: err });
  }
  if (opts.stdin && gate) pumpWithBackpressure(opts.stdin, gate, () => ws.bufferedAmount);

  await new Promise<void>((resolve, reject) => {
    const timeoutMs = opts.timeoutMs ?? 300_000;
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new ExecError(label(target), `no exit status after ${timeoutMs} ms (command: ${argv.join(' ')})`));
    }, timeoutMs);
    const onAbort = (): void => {
      ws.terminate();
      reject(new ExecError(label(target), 'cancelled'));
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const done = (): void => {
      clearTimeout(timer);
      stopLiveness();
      opts.signal?.removeEventListener('abort', onAbort);
    };
    // Connected, then blackholed: no byte either way, so without this the exec would wait for timeoutMs.
    const pingMs = opts.pingMs ?? STREAM_PING_MS;
    const stopLiveness = watchLiveness(ws, pingMs, () => {
      done();
      ws.terminate();
      reject(new ExecError(label(target), `the API server stopped answering (no data and no pong for ${(2 * pingMs) / 1000} s); the connection was dropped`));
    });
    ws.on('close', () => {
      done();
      resolve();
    });
    ws.on('error', (err: Error) => {
      done();
      reject(new ExecError(label(target), err.message, undefined, { cause: err }));
    });
  });

  const out = { stdout: stdout.text(), stderr: stderr.text(), output: Buffer.concat(combined).toString('utf8') };
  if (!status) throw new ExecError(label(target), 'the connection closed without an exit status (the pod may have been deleted or restarted)');
  const code = exitCodeFromStatus(status);
  if ('error' in code) throw new ExecError(label(target), code.error, hintForExecFailure(code.error));
  if (code.exitCode === EXIT_NOT_FOUND && status.message && !out.stderr.includes(status.message)) {
    out.stderr += status.message;
    out.output += status.message;
  }
  return { exitCode: code.exitCode, ...out };
}

const HIGH_WATER = 4 << 20;
const LOW_WATER = 1 << 20;

function pumpWithBackpressure(src: Readable, dst: PassThrough, buffered: () => number): void {
  let waiting: NodeJS.Timeout | undefined;
  const drainLater = (): void => {
    waiting = setTimeout(() => {
      waiting = undefined;
      if (buffered() > LOW_WATER) drainLater();
      else src.resume();
    }, 5);
  };
  src.on('data', (chunk: Buffer) => {
    dst.write(chunk);
    if (!waiting && buffered() > HIGH_WATER) {
      src.pause();
      drainLater();
    }
  });
  src.on('end', () => dst.end());
  // A broken source ends stdin early; the remote command then fails on the truncated input.
  src.on('error', () => dst.end());
}

function connectFailure(err: unknown): string {
  const msg = describeError(err);
  if (/\b404\b/.test(msg)) return 'the pod was not found (it may have been replaced)';
  if (/\b400\b/.test(msg)) return `the API server refused the exec (${msg}); the container may not be running`;
  if (/\b403\b/.test(msg)) return 'not allowed to exec into pods (RBAC: pods/exec create)';
  if (/\b(500|502|503)\b/.test(msg)) return `the API server could not open the exec (${msg}); the pod or container may not be running`;
  return msg;
}

function hintForExecFailure(msg: string): string | undefined {
  if (/container not found|is not running|cannot exec in a stopped/i.test(msg)) return 'the container is not running; wait for it to start (or check why it crashed)';
  return undefined;
}

/** The engine's ContainerExecutor port on Kubernetes (no restart: restart_container() is Docker-only). */
export function kubeContainerExecutor(client: KubeClient, defaultNamespace = client.namespace): ContainerExecutor {
  return {
    async exec(target: ContainerRef, argv: string[], stdin?: Readable, opts?: ExecStepOptions): Promise<ExecResult> {
      const r = await execInContainer(client, { namespace: target.namespace ?? defaultNamespace, pod: target.pod, container: target.container }, argv, { stdin, signal: opts?.signal });
      return { exitCode: r.exitCode, output: r.output };
    },
  };
}
