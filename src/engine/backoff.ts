// Reconnect backoff for long-lived connections (port-forwards, log streams), like Tilt's portForwardLoop:
// start at 50 ms, double up to a 15 s cap, and reset when the connection lived long enough to count as healthy,
// so one blip after hours of uptime reconnects at once instead of waiting the accumulated delay.

/** "50 ms" / "4 s": a retry delay as the user reads it in "retrying in …". */
export function delayText(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** A connection that lived at least this long resets the delay. */
  healthyAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 50, maxMs: 15_000, healthyAfterMs: 1_000 };

export class Backoff {
  private next: number;

  constructor(private readonly opts: BackoffOptions = DEFAULT_BACKOFF) {
    this.next = opts.initialMs;
  }

  /** The connection ended after living `livedMs`; returns how long to wait before reconnecting. */
  failed(livedMs = 0): number {
    if (livedMs >= this.opts.healthyAfterMs) this.next = this.opts.initialMs;
    const delay = this.next;
    this.next = Math.min(this.next * 2, this.opts.maxMs);
    return delay;
  }

  reset(): void {
    this.next = this.opts.initialMs;
  }
}
