// The loop that turns state into updates, like Tilt's BuildController: on every state change it asks the pure
// scheduler what to start, records hold reasons on the waiting resources, starts updates through an injected
// `update` function (image build + deploy, live update, or local command — plugged in by the reconcilers), and
// records the result. It never cancels an update in flight; changes during an update keep the resource dirty.

import type { Disposable } from '../shared/events';
import type { BuildKind, PendingChange } from '../shared/state';
import type { Plan } from '../shared/plan';
import type { Clock } from './clock';
import { scheduleBuilds, scheduleInputFrom, type BuildReason } from './schedule';
import type { Store } from './store';

export interface UpdateRequest {
  name: string;
  reason: BuildReason;
  /** Files changed since the last update started, as the watcher routed them; empty for initial/triggered updates without changes. */
  edits: readonly PendingChange[];
}

export interface UpdateResult {
  /** User-visible error; undefined = success. */
  error?: string;
  kind: BuildKind;
  /** Overrides the build record's reason (e.g. the live-update fallback reason). */
  reason?: string;
  warnings?: string[];
}

export interface BuildControllerDeps {
  store: Store;
  clock: Clock;
  /** The current plan; undefined before the first successful Tiltfile load. */
  plan(): Plan | undefined;
  tiltfileLoading(): boolean;
  update(req: UpdateRequest): Promise<UpdateResult>;
  /** Called when an update throws (a bug, not a build failure); the error is recorded on the resource too. */
  onInternalError?(name: string, err: unknown): void;
}

function describeReason(reason: BuildReason, edits: readonly unknown[]): string {
  if (reason === 'initial') return 'initial update';
  if (reason === 'triggered') return edits.length > 0 ? `triggered (${edits.length} changed file${edits.length === 1 ? '' : 's'})` : 'triggered';
  return `${edits.length} file${edits.length === 1 ? '' : 's'} changed`;
}

export class BuildController implements Disposable {
  private readonly sub: Disposable;
  private reconciling = false;
  private disposed = false;
  /** Updates in flight, for waitIdle(). */
  private readonly running = new Map<string, Promise<void>>();
  /** Work on a resource that is not an update (restart replay), queued or running; no update starts beside it. */
  private readonly jobs = new Map<string, Promise<void>>();

  constructor(private readonly deps: BuildControllerDeps) {
    this.sub = deps.store.onDidChange(() => this.reconcile());
  }

  /** Record changed files for resources (from the watcher, after routing). */
  fileChanges(byResource: ReadonlyMap<string, readonly PendingChange[]>): void {
    this.deps.store.dispatch({ type: 'files_changed', changes: byResource, now: this.deps.clock.now() });
  }

  /** The user pressed "update" on a resource. */
  trigger(name: string): void {
    this.deps.store.dispatch({ type: 'update_triggered', name });
  }

  /** Look at the state and start whatever can start. Idempotent; called on every store change. */
  reconcile(): void {
    if (this.disposed || this.reconciling) return;
    const plan = this.deps.plan();
    if (!plan) return;
    this.reconciling = true;
    try {
      const { store } = this.deps;
      const { start, holds } = scheduleBuilds(scheduleInputFrom(plan, (n) => store.resource(n), this.deps.tiltfileLoading(), new Set(this.jobs.keys())));
      store.batch(() => {
        store.dispatch({ type: 'holds_computed', holds });
        for (const s of start) {
          const edits = (store.resource(s.name)?.pendingChanges ?? []).map((c) => ({ path: c.path, images: [...c.images] }));
          store.dispatch({ type: 'build_started', name: s.name, kind: 'full', reason: describeReason(s.reason, edits), now: this.deps.clock.now() });
          const p = this.run({ name: s.name, reason: s.reason, edits }).finally(() => this.running.delete(s.name));
          this.running.set(s.name, p);
        }
      });
    } finally {
      this.reconciling = false;
    }
  }

  /**
   * Run `job` on a resource in its lane: after the update in flight (and earlier jobs) finish, and with no update
   * of it starting until the job is done. Restart replays go through here, so a replay and a live update never
   * write the same container at once.
   */
  exclusive(name: string, job: () => Promise<void>): Promise<void> {
    const before = Promise.all([this.running.get(name), this.jobs.get(name)]);
    const p: Promise<void> = before.then(job).finally(() => {
      if (this.jobs.get(name) === p) this.jobs.delete(name);
      this.reconcile();
    });
    this.jobs.set(name, p);
    return p;
  }

  /** Resolves when no update or job is in flight (tests, shutdown). */
  async waitIdle(): Promise<void> {
    while (this.running.size > 0 || this.jobs.size > 0) await Promise.allSettled([...this.running.values(), ...this.jobs.values()]);
  }

  /** Resolves when the named resource has no update or job in flight. */
  async waitFor(name: string): Promise<void> {
    while (this.running.has(name) || this.jobs.has(name)) await Promise.allSettled([this.running.get(name), this.jobs.get(name)]);
  }

  dispose(): void {
    this.disposed = true;
    this.sub.dispose();
  }

  private async run(req: UpdateRequest): Promise<void> {
    // Let the store's start event go out before the update begins (the update may finish synchronously in tests).
    await Promise.resolve();
    let result: UpdateResult;
    try {
      result = await this.deps.update(req);
    } catch (err) {
      this.deps.onInternalError?.(req.name, err);
      result = { kind: 'full', error: `internal error: ${err instanceof Error ? err.message : String(err)}` };
    }
    if (this.disposed) return;
    this.deps.store.dispatch({ type: 'build_finished', name: req.name, result, now: this.deps.clock.now() });
  }
}
