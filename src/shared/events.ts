// Minimal Disposable / Event / Emitter primitives, structurally compatible with vscode's
// (so src/vscode can pass them straight through), with no 'vscode' import.

export interface Disposable {
  dispose(): void;
}

/** A subscribe function: call it with a listener, get a Disposable that unsubscribes. */
export type Event<T> = (listener: (e: T) => unknown, thisArgs?: unknown, disposables?: Disposable[]) => Disposable;

export function toDisposable(fn: () => void): Disposable {
  let done = false;
  return {
    dispose: () => {
      if (done) return;
      done = true;
      fn();
    },
  };
}

/** Owns a set of disposables; disposing the store disposes them all (LIFO). Adding after dispose disposes at once. */
export class DisposableStore implements Disposable {
  private items: Disposable[] = [];
  private disposed = false;

  add<T extends Disposable>(d: T): T {
    if (this.disposed) d.dispose();
    else this.items.push(d);
    return d;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const items = this.items.reverse();
    this.items = [];
    for (const d of items) d.dispose();
  }
}

/**
 * Fires events to listeners, in subscription order. A listener that throws does not stop the others;
 * the error goes to `onListenerError` (default: rethrown asynchronously so it is not swallowed).
 */
export class Emitter<T> implements Disposable {
  private listeners = new Set<{ fn: (e: T) => unknown }>();
  private disposed = false;

  constructor(private readonly onListenerError: (err: unknown) => void = (err) => queueMicrotask(() => { throw err; })) {}

  readonly event: Event<T> = (listener, thisArgs, disposables) => {
    if (this.disposed) return toDisposable(() => undefined);
    const entry = { fn: thisArgs === undefined ? listener : listener.bind(thisArgs) };
    this.listeners.add(entry);
    const d = toDisposable(() => this.listeners.delete(entry));
    disposables?.push(d);
    return d;
  };

  get listenerCount(): number {
    return this.listeners.size;
  }

  fire(e: T): void {
    if (this.disposed) return;
    for (const l of [...this.listeners]) {
      try {
        l.fn(e);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }

  dispose(): void {
    this.disposed = true;
    this.listeners.clear();
  }
}
