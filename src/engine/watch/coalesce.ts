// Debounce for file events. Editors and `git checkout` emit bursts; building on the first event would build a
// half-written tree. We wait for a quiet window (default 50 ms: short enough to feel instant, long enough to
// cover an editor's write-rename-chmod sequence) and cap the wait (default 10 s, shared/defaults.ts) so a
// never-ending storm (a build writing into a watched dir) still flushes regularly instead of starving updates.

import { DEFAULT_DEBOUNCE_MS, DEFAULT_MAX_COALESCE_WAIT_MS } from '../../shared/defaults';
import type { Clock, TimerHandle } from '../clock';

export type FileEventType = 'add' | 'change' | 'unlink' | 'addDir' | 'unlinkDir';

export interface FileEvent {
  path: string;
  type: FileEventType;
}

export interface CoalesceOptions {
  quietMs: number;
  maxWaitMs: number;
}

/** The options for a debounce: the cap is the default, or 20 quiet periods when that is longer. */
export function coalesceOptions(quietMs = DEFAULT_DEBOUNCE_MS): CoalesceOptions {
  return { quietMs, maxWaitMs: Math.max(DEFAULT_MAX_COALESCE_WAIT_MS, quietMs * 20) };
}

export const DEFAULT_COALESCE: CoalesceOptions = coalesceOptions();

/** Collects events and hands out one deduplicated batch per burst (last event per path wins). */
export class Coalescer {
  private batch = new Map<string, FileEvent>();
  private quietTimer: TimerHandle | undefined;
  private capTimer: TimerHandle | undefined;
  private disposed = false;

  constructor(
    private readonly clock: Clock,
    private readonly onBatch: (events: FileEvent[]) => void,
    private readonly opts: CoalesceOptions = DEFAULT_COALESCE,
    /** The source is still working through events it has received (a tree walk): quiet is not over yet. */
    private readonly busy: () => boolean = () => false,
  ) {}

  push(e: FileEvent): void {
    if (this.disposed) return;
    // Re-insert so iteration order follows the latest event.
    this.batch.delete(e.path);
    this.batch.set(e.path, e);
    this.quietTimer?.cancel();
    this.armQuiet();
    this.capTimer ??= this.clock.setTimer(this.opts.maxWaitMs, () => this.flush());
  }

  private armQuiet(): void {
    this.quietTimer = this.clock.setTimer(this.opts.quietMs, () => {
      // A 10,000-file tree being discovered is one burst however slowly the machine walks it (the cap still holds).
      if (this.busy()) this.armQuiet();
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
