// The loop that turns state into updates, like Tilt's BuildController: on every state change it asks the pure
// scheduler what to start, records hold reasons on the waiting resources, starts updates through an injected
// `update` function (image build + deploy, live update, or local command — plugged in by the reconcilers), and
// records the result. It never cancels an update in flight; changes during an update keep the resource dirty.

import type { Disposable } from '../shared/events';
import type { BuildKind } from '../shared/state';
import type { Plan } from '../tiltfile/plan';
import { applyHolds, finishBuild, recordFileChanges, startBuild, triggerUpdate } from './actions';
import type { Clock } from './clock';
import { scheduleBuilds, scheduleInputFrom, type BuildReason } from './schedule';
import type { Store } from './store';

export interface UpdateRequest {
  name: string;
  reason: BuildReason;
  /** Files changed since the last update started (absolute); empty for initial/triggered updates without changes. */
  edits: string[];
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

function describeReason(reason: BuildReason, edits: readonly string[]): string {
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

  constructor(private readonly deps: BuildControllerDeps) {
    this.sub = deps.store.onDidChange(() => this.reconcile());
  }

  /** Record changed files for resources (from the watcher, after routing). */
  fileChanges(byResource: ReadonlyMap<string, readonly string[]>): void {
    const now = this.deps.clock.now();
    this.deps.store.batch(() => {
      for (const [name, files] of byResource) recordFileChanges(this.deps.store, name, files, now);
    });
  }

  /** The user pressed "update" on a resource. */
  trigger(name: string): void {
    triggerUpdate(this.deps.store, name);
  }

  /** Look at the state and start whatever can start. Idempotent; called on every store change. */
  reconcile(): void {
    if (this.disposed || this.reconciling) return;
    const plan = this.deps.plan();
    if (!plan) return;
    this.reconciling = true;
    try {
      const { store } = this.deps;
      const { start, holds } = scheduleBuilds(scheduleInputFrom(plan, (n) => store.resource(n), this.deps.tiltfileLoading()));
      store.batch(() => {
        applyHolds(store, holds);
        for (const s of start) {
          const edits = [...(store.resource(s.name)?.pendingChanges ?? [])];
          startBuild(store, s.name, 'full', describeReason(s.reason, edits), this.deps.clock.now());
          const p = this.run({ name: s.name, reason: s.reason, edits }).finally(() => this.running.delete(s.name));
          this.running.set(s.name, p);
        }
      });
    } finally {
      this.reconciling = false;
    }
  }

  /** Resolves when no update is in flight (tests, shutdown). */
  async waitIdle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running.values()]);
  }

  /** Resolves when the named resource has no update in flight. */
  async waitFor(name: string): Promise<void> {
    await this.running.get(name);
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
    finishBuild(this.deps.store, req.name, result, this.deps.clock.now());
  }
}
