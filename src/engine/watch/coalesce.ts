// Debounce for file events. Editors and `git checkout` emit bursts; building on the first event would build a
// half-written tree. The quiet window adapts (issue 14): a lone save (its write-rename-chmod events land within a
// millisecond or two) acts after a few ms of quiet; events that keep coming past that, or that follow the last
// batch closely, are a burst and wait the full quiet window (default 50 ms). The wait is capped (default 10 s,
// shared/defaults.ts) so a never-ending storm (a build writing into a watched dir) still flushes regularly.

import { DEFAULT_DEBOUNCE_MS, DEFAULT_MAX_COALESCE_WAIT_MS, FIRST_EVENT_QUIET_MS } from '../../shared/defaults';
import type { Clock, TimerHandle } from '../clock';

export type FileEventType = 'add' | 'change' | 'unlink' | 'addDir' | 'unlinkDir';

export interface FileEvent {
  path: string;
  type: FileEventType;
}

export interface CoalesceOptions {
  /** The quiet window of a burst. */
  quietMs: number;
  /** The quiet window while a new batch is younger than this (a lone save); absent: always quietMs. */
  firstQuietMs?: number;
  maxWaitMs: number;
}

/** The options for a debounce: adaptive (a lone save after a few ms), the cap the default or 20 quiet periods. */
export function coalesceOptions(quietMs = DEFAULT_DEBOUNCE_MS): CoalesceOptions {
  return { quietMs, firstQuietMs: Math.min(FIRST_EVENT_QUIET_MS, quietMs), maxWaitMs: Math.max(DEFAULT_MAX_COALESCE_WAIT_MS, quietMs * 20) };
}

export const DEFAULT_COALESCE: CoalesceOptions = coalesceOptions();

/** Collects events and hands out one deduplicated batch per burst (last event per path wins). */
export class Coalescer {
  private batch = new Map<string, FileEvent>();
  private quietTimer: TimerHandle | undefined;
  private capTimer: TimerHandle | undefined;
  private disposed = false;
  /** When the open batch got its first event, and when the last event of any batch came. */
  private batchStart = 0;
  private lastEventAt: number | undefined;
  /** The open batch is a burst: it waits the full quiet window. */
  private burst = false;

  constructor(
    private readonly clock: Clock,
    private readonly onBatch: (events: FileEvent[]) => void,
    private readonly opts: CoalesceOptions = DEFAULT_COALESCE,
    /** The source is still working through events it has received (a tree walk): quiet is not over yet. */
    private readonly busy: () => boolean = () => false,
  ) {}

  push(e: FileEvent): void {
    if (this.disposed) return;
    const now = this.clock.now();
    const first = this.opts.firstQuietMs ?? this.opts.quietMs;
    if (this.batch.size === 0) {
      this.batchStart = now;
      // Changes still coming right after the last batch: the burst goes on.
      this.burst = this.lastEventAt !== undefined && now - this.lastEventAt < this.opts.quietMs;
    } else if (now - this.batchStart >= first) {
      this.burst = true;
    }
    this.lastEventAt = now;
    // Re-insert so iteration order follows the latest event.
    this.batch.delete(e.path);
    this.batch.set(e.path, e);
    this.quietTimer?.cancel();
    this.armQuiet(this.burst ? this.opts.quietMs : first);
    this.capTimer ??= this.clock.setTimer(this.opts.maxWaitMs, () => this.flush());
  }

  private armQuiet(ms: number): void {
    this.quietTimer = this.clock.setTimer(ms, () => {
      // A 10,000-file tree being discovered is one burst however slowly the machine walks it (the cap still holds).
      if (this.busy()) this.armQuiet(this.opts.quietMs);
      else this.flush();
    });
  }

  /** Paths buffered and not yet delivered. */
  get size(): number {
    return this.batch.size;
  }

  /** Deliver what is buffered now. */
  flush(): void {
    this.quietTimer?.cancel();
    this.capTimer?.cancel();
    this.quietTimer = this.capTimer = undefined;
    if (this.batch.size === 0) return;
    const events = [...this.batch.values()];
    this.batch = new Map();
    this.onBatch(events);
  }

  dispose(): void {
    this.disposed = true;
    this.quietTimer?.cancel();
    this.capTimer?.cancel();
    this.batch.clear();
  }
}
