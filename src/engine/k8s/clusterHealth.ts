// Is the API server answering? A cheap GET /version (checkReachable) every few seconds while a session deploys to
// the cluster. Two failed checks in a row count as unreachable (one slow answer on a loaded machine is not an
// outage); one answer counts as back. Only changes are reported. The checks share one kept-alive connection (no TLS
// handshake every 3 s while idle: npm run bench idle); a dropped or frozen connection fails the check as before.

import { checkReachable, KeptAliveAgent, type KubeClient } from './client';

export interface ClusterHealthOptions {
  /** Between checks. Default 3 s. */
  intervalMs?: number;
  /** Deadline of one check. Default 5 s. */
  timeoutMs?: number;
  onChange(reachable: boolean, error?: string): void;
  /** For tests: the check itself. */
  check?: () => Promise<unknown>;
}

export class ClusterHealth {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private failures = 0;
  private reachable: boolean | undefined;
  private readonly check: () => Promise<unknown>;
  private readonly agent = new KeptAliveAgent();

  constructor(client: KubeClient, private readonly opts: ClusterHealthOptions) {
    this.check = opts.check ?? (() => checkReachable(client, opts.timeoutMs ?? 5_000, this.agent));
  }

  /** undefined until the first change is known. */
  get isReachable(): boolean | undefined {
    return this.reachable;
  }

  start(): void {
    if (this.timer || this.stopped) return;
    this.next(0);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.agent.destroy();
  }

  private next(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.run(), delay);
    this.timer.unref();
  }

  private async run(): Promise<void> {
    try {
      await this.check();
      this.failures = 0;
      this.report(true);
    } catch (err) {
      if (++this.failures >= 2) this.report(false, (err as { reason?: string }).reason ?? (err as Error).message);
    }
    this.next(this.opts.intervalMs ?? 3_000);
  }

  private report(reachable: boolean, error?: string): void {
    if (this.stopped) return;
    const changed = reachable !== this.reachable;
    this.reachable = reachable;
    // While unreachable a new reason (refused → no answer) is news too.
    if (changed || !reachable) this.opts.onChange(reachable, error);
  }
}
