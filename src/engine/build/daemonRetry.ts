// The Docker daemon down or restarting (dockerd killed, `systemctl restart docker`): every call fails at once with
// "connect ECONNREFUSED" (or ENOENT while the socket is gone), and a build or push in flight ends with "aborted" /
// ECONNRESET. Retry the whole image build with backoff (1 s doubling to 15 s, 8 attempts, about 60 s in all) and say
// so in the build log; content tags make the retry cheap when the image was already built. Errors the daemon itself
// reported (a failing Dockerfile step, a registry refusing the push) are not retried.
import type Dockerode from 'dockerode';
import { Backoff, delayText } from '../backoff';
import { DockerOperationError } from './docker';
import { sleepFor } from './pushRetry';

export interface DaemonRetryOptions {
  onOutput(line: string): void;
  signal?: AbortSignal;
  /** Attempts in all (default 8). */
  attempts?: number;
  /** Default: 1 s doubling to 15 s. */
  backoff?: Backoff;
  /** Test seam: wait `ms` (rejecting on abort). */
  sleep?(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Node's socket errors for "nobody answers at the daemon's address" or "the daemon went away mid-call". */
const GONE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);

/** Did this call fail because the daemon is not there (as opposed to the daemon reporting an error)? */
export function daemonUnreachable(err: unknown): boolean {
  if (err instanceof DockerOperationError || typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; syscall?: unknown };
  // ENOENT only for the socket itself: a missing file in the build context is the user's.
  if (e.code === 'ENOENT') return e.syscall === 'connect';
  return typeof e.code === 'string' && GONE.has(e.code);
}

/** Where the client talks to the daemon, as DOCKER_HOST would say it: "unix:///var/run/docker.sock", "tcp://h:2375". */
export function daemonAddress(docker: Dockerode): string {
  const m = (docker.modem ?? {}) as { socketPath?: unknown; host?: unknown; port?: unknown; protocol?: unknown };
  if (typeof m.socketPath === 'string') return `unix://${m.socketPath}`;
  if (typeof m.host === 'string') return `${m.protocol === 'https' ? 'https' : 'tcp'}://${m.host}${m.port ? `:${String(m.port)}` : ''}`;
  return process.env.DOCKER_HOST || 'unix:///var/run/docker.sock';
}

/** Node's words, with "the daemon went away mid-call" said outright ("aborted" alone tells a user little). */
function describe(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  const msg = String(e.message ?? err);
  return e.code === 'ECONNRESET' || e.code === 'EPIPE' || e.code === 'ECONNABORTED' ? `the connection was lost mid-call: ${msg}` : msg;
}

export async function withDaemonRetry<T>(address: string, op: () => Promise<T>, o: DaemonRetryOptions): Promise<T> {
  const attempts = o.attempts ?? 8;
  const backoff = o.backoff ?? new Backoff({ initialMs: 1_000, maxMs: 15_000, healthyAfterMs: Infinity });
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await op();
      if (attempt > 1) o.onOutput(`Docker daemon at ${address} is back (attempt ${attempt})`);
      return result;
    } catch (err) {
      if (!daemonUnreachable(err) || o.signal?.aborted) throw err;
      const why = describe(err);
      if (attempt >= attempts) {
        throw new DockerOperationError(`the Docker daemon is not reachable at ${address} (${why}); gave up after ${attempts} attempts. Start Docker, or point DOCKER_HOST at it`, 'build');
      }
      const delay = backoff.failed();
      o.onOutput(`Docker daemon is not reachable at ${address} (restarting?): ${why}; retrying in ${delayText(delay)} (attempt ${attempt + 1} of ${attempts})`);
      await (o.sleep ?? ((ms, s) => sleepFor(ms, s, 'build')))(delay, o.signal);
    }
  }
}
