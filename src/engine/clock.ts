// Time as an injected dependency, so debounce, backoff and scheduling are tested without real waiting.

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Run fn once after ms; cancel() makes it a no-op. */
  setTimer(ms: number, fn: () => void): TimerHandle;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    const t = setTimeout(fn, ms);
    // Timers must not keep a CLI process alive on their own.
    t.unref?.();
    return { cancel: () => clearTimeout(t) };
  },
};

/** A manual clock for tests: time moves only through advance(). Timers due at the same time fire in creation order. */
export class FakeClock implements Clock {
  private time: number;
  private seq = 0;
  private timers: { at: number; seq: number; fn: () => void; live: boolean }[] = [];

  constructor(start = 1_700_000_000_000) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const t = { at: this.time + Math.max(0, ms), seq: this.seq++, fn, live: true };
    this.timers.push(t);
    return { cancel: () => { t.live = false; } };
  }

  /** Pending (not cancelled, not fired) timers. */
  get pendingTimers(): number {
    return this.timers.filter((t) => t.live).length;
  }

  /** Move time forward, firing every timer that comes due (including timers set by fired timers). */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = this.timers
        .filter((t) => t.live && t.at <= end)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.time = Math.max(this.time, due.at);
      due.live = false;
      due.fn();
    }
    this.timers = this.timers.filter((t) => t.live);
    this.time = end;
  }
}
