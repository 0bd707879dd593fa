// Pushing to a registry that is down (restarting, not up yet) fails at once with "connection refused". Retry such
// failures with backoff (1 s doubling to 15 s, 6 attempts, ~30 s in all) and say so in the build log, then fail
// the build with a message that names the registry. Other push errors (auth, manifest) fail at once.
import { Backoff, delayText } from '../backoff';
import { DockerOperationError } from './docker';

export interface PushRetryOptions {
  onOutput(line: string): void;
  signal?: AbortSignal;
  /** Attempts in all (default 6). */
  attempts?: number;
  /** Default: 1 s doubling to 15 s. */
  backoff?: Backoff;
  /** Test seam: wait `ms` (rejecting on abort). */
  sleep?(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The daemon's words for "could not talk to the registry" (Go net errors, HTTP gateway errors). */
export function registryUnreachable(message: string): boolean {
  return /connection refused|connection reset|no such host|i\/o timeout|dial tcp|TLS handshake timeout|\bEOF\b|50[234] (Bad Gateway|Service Unavailable|Gateway Timeout)|server misbehaving/i.test(message);
}

/** "127.0.0.1:5000" from "127.0.0.1:5000/api:tag". */
export function registryOf(ref: string): string {
  const first = ref.split('/')[0]!;
  return ref.includes('/') && /[.:]|^localhost$/.test(first) ? first : 'docker.io';
}

/** Wait `ms`, rejecting with "`what` cancelled" on abort. */
export function sleepFor(ms: number, signal?: AbortSignal, what = 'push'): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Error(`${what} cancelled`));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(new Error(`${what} cancelled`));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export async function pushWithRetry(ref: string, push: () => Promise<void>, o: PushRetryOptions): Promise<void> {
  const attempts = o.attempts ?? 6;
  const backoff = o.backoff ?? new Backoff({ initialMs: 1_000, maxMs: 15_000, healthyAfterMs: Infinity });
  const registry = registryOf(ref);
  for (let attempt = 1; ; attempt++) {
    try {
      await push();
      if (attempt > 1) o.onOutput(`Pushed ${ref} (attempt ${attempt})`);
      return;
    } catch (err) {
      const why = (err as Error).message;
      if (!registryUnreachable(why) || o.signal?.aborted) throw err;
      if (attempt >= attempts) {
        throw new DockerOperationError(`cannot push ${ref}: the registry ${registry} is not reachable (${why}); gave up after ${attempts} attempts`, 'push');
      }
      const delay = backoff.failed();
      o.onOutput(`Push failed: the registry ${registry} is not reachable (${why}); retrying in ${delayText(delay)} (attempt ${attempt + 1} of ${attempts})`);
      await (o.sleep ?? sleepFor)(delay, o.signal);
    }
  }
}
