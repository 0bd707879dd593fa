// Debounce for file events. Editors and `git checkout` emit bursts; building on the first event would build a
// half-written tree. We wait for a quiet window (default 50 ms: short enough to feel instant, long enough to
// cover an editor's write-rename-chmod sequence) and cap the wait (default 2 s) so a never-ending storm
// (a build writing into a watched dir) still flushes regularly instead of starving updates.

import { DEFAULT_DEBOUNCE_MS } from '../../shared/defaults';
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

export const DEFAULT_COALESCE: CoalesceOptions = { quietMs: DEFAULT_DEBOUNCE_MS, maxWaitMs: 2000 };

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
  ) {}

  push(e: FileEvent): void {
    if (this.disposed) return;
    // Re-insert so iteration order follows the latest event.
    this.batch.delete(e.path);
    this.batch.set(e.path, e);
    this.quietTimer?.cancel();
    this.quietTimer = this.clock.setTimer(this.opts.quietMs, () => this.flush());
    this.capTimer ??= this.clock.setTimer(this.opts.maxWaitMs, () => this.flush());
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
