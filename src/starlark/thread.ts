// Threads: the call stack, step budget and cancellation of one evaluation.
import { StarlarkError, type Frame } from './errors';

export interface Thread {
  readonly name: string;
  /** Frames, innermost last. The caller of the current builtin is frames().at(-1). */
  frames(): Frame[];
  /** Host-owned storage for the duration of one evaluation. */
  locals: Map<string, unknown>;
  print(msg: string): void;
}

/** A live stack entry; `pos` is updated as execution moves through the function. */
export interface StackFrame {
  fn: string;
  file: string;
  pos: { line: number; col: number };
}

const CHECK_EVERY = 1024;

export class ThreadImpl implements Thread {
  readonly locals = new Map<string, unknown>();
  readonly stack: StackFrame[] = [];
  steps = 0;
  /** Next step count at which check() runs (budget or periodic cancel-flag poll). */
  nextCheck = CHECK_EVERY;
  maxSteps = Infinity;
  cancelFlag: Int32Array | undefined;
  printFn: ((msg: string, thread: Thread) => void) | undefined;
  cancelReason: string | undefined;

  constructor(readonly name: string) {}

  frames(): Frame[] {
    return this.stack.map((f) => ({ file: f.file, line: f.pos.line, col: f.pos.col, fn: f.fn }));
  }

  print(msg: string): void {
    if (this.printFn) this.printFn(msg, this);
    else process.stderr.write(msg + '\n');
  }

  /** Cancels the evaluation at its next step check (callable from builtins). */
  cancel(reason: string): void {
    this.cancelReason = reason;
    this.nextCheck = this.steps;
  }

  setBudget(maxSteps: number | undefined, cancel: Int32Array | undefined): void {
    if (maxSteps !== undefined) {
      // A nested evaluation (a load on the same thread) cannot extend the outer budget.
      const limit = this.steps + maxSteps;
      this.maxSteps = this.stack.length > 0 ? Math.min(this.maxSteps, limit) : limit;
    }
    if (cancel !== undefined) this.cancelFlag = cancel;
    this.nextCheck = Math.min(this.maxSteps, this.steps + CHECK_EVERY);
  }

  /** Called when steps reach nextCheck: enforces the budget and polls the cancel flag. */
  check(): void {
    if (this.cancelReason !== undefined) throw this.cancelled(this.cancelReason);
    if (this.steps >= this.maxSteps) throw this.cancelled('too many steps');
    if (this.cancelFlag && Atomics.load(this.cancelFlag, 0) !== 0) throw this.cancelled('cancelled by host');
    this.nextCheck = Math.min(this.maxSteps, this.steps + CHECK_EVERY);
  }

  private cancelled(reason: string): StarlarkError {
    const frames = this.frames();
    const top = frames[frames.length - 1] ?? { file: '<unknown>', line: 0, col: 0 };
    return new StarlarkError('cancelled', `Starlark computation cancelled: ${reason}`, { file: top.file, line: top.line, col: top.col }, frames);
  }
}

export function createThread(name = 'main'): Thread {
  return new ThreadImpl(name);
}
