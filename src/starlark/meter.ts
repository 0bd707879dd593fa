// The work meter: builtins and value operations (equality, repr, freeze, hashing...) charge the step budget of
// the evaluation running on this JS thread, so work hidden inside one "step" (a 2^26-element split, comparing
// two exponentially shared structures) is bounded by the same budget as loops. Evaluation is synchronous, so
// one active thread per JS thread is enough; execFile and call() save and restore it.
import type { ThreadImpl } from './thread';

export const meter: { thread: ThreadImpl | undefined } = { thread: undefined };

/** Spends n steps of the active evaluation's budget (no-op outside an evaluation). */
export function charge(n: number): void {
  const t = meter.thread;
  if (t !== undefined) {
    t.steps += n;
    if (t.steps >= t.nextCheck) t.check();
  }
}

/**
 * Steps charged for converting an int of n decimal digits to or from text: V8's conversions grow as about
 * n^1.5 (100,000 digits: 6 ms to parse, 17 ms to print), so n^1.5 / 256 steps, about 100 ns of work a step.
 */
export function chargeDigits(n: number): void {
  if (n >= 256) charge(Math.ceil((n * Math.sqrt(n)) / 256));
}

/** Steps charged for scanning a string of length n: linear scans are cheap per byte, so 1 step per 64. */
export function chargeScan(n: number): void {
  if (n >= 64) charge(n >>> 6);
}
