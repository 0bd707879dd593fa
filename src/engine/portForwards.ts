// Port-forward supervision, level-triggered like Tilt's portforward reconciler: callers state the desired
// forwards for a resource (from the plan and the best pod); we start what is missing, stop what is no longer
// wanted, restart forwards whose pod changed, and reconnect dropped ones with backoff. Every forward's state
// (connecting / active / reconnecting / error, with the error text) is written to the store, so a wedged
// forward is visible instead of showing green (Tilt #6790).

import type { Disposable } from '../shared/events';
import type { PortForwardStatus } from '../shared/state';
import { Backoff, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
import type { Clock, TimerHandle } from './clock';
import type { Store } from './store';

export interface ForwardSpec {
  pod: string;
  namespace?: string;
  localPort: number;
  containerPort: number;
  /** Local interface; '' = localhost. */
  host: string;
}

export interface ForwardHandle {
  /** Resolves when the forward ends: with the error, or undefined when stopped. */
  readonly closed: Promise<Error | undefined>;
  stop(): void;
}

/** Port: opens one forward (listening locally); rejects if it cannot start (port in use, pod gone...). */
export interface Forwarder {
  start(spec: ForwardSpec): Promise<ForwardHandle>;
}

interface Active {
  spec: ForwardSpec;
  status: PortForwardStatus;
  handle?: ForwardHandle;
  timer?: TimerHandle;
  backoff: Backoff;
  stopped: boolean;
}

const specKey = (s: ForwardSpec): string => `${s.host}:${s.localPort}`;
const sameSpec = (a: ForwardSpec, b: ForwardSpec): boolean =>
  a.pod === b.pod && a.namespace === b.namespace && a.localPort === b.localPort && a.containerPort === b.containerPort && a.host === b.host;

export class PortForwardSupervisor implements Disposable {
  private readonly byResource = new Map<string, Map<string, Active>>();

  constructor(
    private readonly store: Store,
    private readonly forwarder: Forwarder,
    private readonly clock: Clock,
    private readonly backoff: BackoffOptions = DEFAULT_BACKOFF,
  ) {}

  /** Make the resource's forwards match `desired` (idempotent). */
  reconcile(resource: string, desired: readonly ForwardSpec[]): void {
    let current = this.byResource.get(resource);
    if (!current) this.byResource.set(resource, (current = new Map()));
    const want = new Map(desired.map((d) => [specKey(d), d]));
    for (const [key, a] of current) {
      const d = want.get(key);
      if (!d || !sameSpec(d, a.spec)) {
        this.stop(a);
        current.delete(key);
      }
    }
    for (const [key, d] of want) {
      if (current.has(key)) continue;
      const a: Active = {
        spec: d,
        status: { localPort: d.localPort, containerPort: d.containerPort, host: d.host || undefined, podName: d.pod, state: 'connecting' },
        backoff: new Backoff(this.backoff),
        stopped: false,
      };
      current.set(key, a);
      void this.connect(resource, a);
    }
    this.publish(resource);
  }

  dispose(): void {
    for (const m of this.byResource.values()) for (const a of m.values()) this.stop(a);
    this.byResource.clear();
  }

  private stop(a: Active): void {
    a.stopped = true;
    a.timer?.cancel();
    a.handle?.stop();
  }

  private async connect(resource: string, a: Active): Promise<void> {
    if (a.stopped) return;
    let handle: ForwardHandle;
    try {
      handle = await this.forwarder.start(a.spec);
    } catch (err) {
      if (a.stopped) return;
      this.retry(resource, a, 'error', err, 0);
      return;
    }
    if (a.stopped) {
      handle.stop();
      return;
    }
    a.handle = handle;
    const startedAt = this.clock.now();
    this.set(resource, a, { state: 'active', error: undefined });
    const err = await handle.closed;
    if (a.stopped) return;
    a.handle = undefined;
    this.retry(resource, a, 'reconnecting', err ?? new Error('forward closed'), this.clock.now() - startedAt);
  }

  private retry(resource: string, a: Active, state: 'error' | 'reconnecting', err: unknown, livedMs: number): void {
    const delay = a.backoff.failed(livedMs);
    const message = err instanceof Error ? err.message : String(err);
    this.set(resource, a, { state, error: `${message} (retrying in ${delay < 1000 ? `${delay} ms` : `${Math.round(delay / 1000)} s`})` });
    a.timer = this.clock.setTimer(delay, () => {
      a.timer = undefined;
      if (a.stopped) return;
      this.set(resource, a, { state: state === 'error' ? 'error' : 'reconnecting' });
      void this.connect(resource, a);
    });
  }

  private set(resource: string, a: Active, patch: Partial<PortForwardStatus>): void {
    a.status = { ...a.status, ...patch };
    this.publish(resource);
  }

  private publish(resource: string): void {
    const list = [...(this.byResource.get(resource)?.values() ?? [])].map((a) => a.status).sort((x, y) => x.localPort - y.localPort);
    this.store.updateResource(resource, { portForwards: list });
  }
}
