// The one state store and the one change stream of the engine. State changes only through dispatch(action)
// (actions.ts holds the action types and the one reducer; lint forbids the write primitives anywhere else in src).
// Copy-on-write: every update replaces the touched resource object, and everything handed out is deep-frozen,
// so a snapshot a subscriber holds never changes under it and unchanged resources keep their identity
// (UIs can compare by reference). Resources live in a Map (copying a 300-key object per update cost ~100 µs);
// the plain-object snapshot is built lazily, once per change, when someone asks for it.
// Listeners are never re-entered: updates made from inside a listener are applied at once but reported in a
// follow-up event after the current one finishes.

import { Emitter, type Disposable, type Event } from '../shared/events';
import { reduce, type EngineAction } from './actions';
import {
  initialSessionState,
  type DeepReadonly,
  type EngineSnapshot,
  type EngineState,
  type ResourceSnapshot,
  type ResourceState,
  type SessionState,
  type StateChange,
} from '../shared/state';

export type ResourcePatch = Partial<DeepReadonly<Omit<ResourceState, 'name'>>>;

function deepFreeze<T>(v: T): T {
  if (v === null || typeof v !== 'object' || Object.isFrozen(v)) return v;
  Object.freeze(v);
  for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  return v;
}

function emptyChange(): StateChange {
  return { resources: [], added: [], removed: [], session: false, order: false };
}

export class Store implements Disposable {
  private session: SessionState;
  private order: readonly string[] = Object.freeze([]);
  private readonly resources = new Map<string, ResourceState>();
  private cached: EngineSnapshot | undefined;
  private readonly emitter = new Emitter<StateChange>();
  private pending = emptyChange();
  private pendingNames = new Set<string>();
  private batchDepth = 0;
  private emitting = false;

  /** Fires after each (batched) change with what changed. Read the new state with `snapshot()`. */
  readonly onDidChange: Event<StateChange> = this.emitter.event;

  constructor() {
    this.session = deepFreeze(initialSessionState());
  }

  /** The current state: deep-frozen, safe to keep. */
  snapshot(): EngineSnapshot {
    if (!this.cached) {
      const resources: Record<string, ResourceState> = {};
      for (const name of this.order) resources[name] = this.resources.get(name) as ResourceState;
      const state: EngineState = { session: this.session, order: this.order as string[], resources };
      this.cached = deepFreeze(state);
    }
    return this.cached;
  }

  resource(name: string): ResourceSnapshot | undefined {
    return this.resources.get(name);
  }

  /** The session part of the state, without building a whole snapshot (read on every reconcile). */
  sessionState(): DeepReadonly<SessionState> {
    return this.session;
  }

  /** Resource names in display order. */
  names(): readonly string[] {
    return this.order;
  }

  /** Apply one typed action (actions.ts) as one change. */
  dispatch(action: EngineAction): void {
    reduce(this, action);
  }

  /** Group several updates into one change event. */
  batch<T>(fn: () => T): T {
    this.batchDepth++;
    try {
      return fn();
    } finally {
      this.batchDepth--;
      this.flush();
    }
  }

  /**
   * Replace the resource set (after a Tiltfile load): names keep their order from `resources`;
   * existing names take the given state only where `keep` says not to preserve the old one.
   */
  setResources(resources: ResourceState[], keep: (old: ResourceSnapshot, next: ResourceState) => ResourceState = (_o, n) => n): void {
    this.batch(() => {
      const order: string[] = [];
      const seen = new Set<string>();
      for (const r of resources) {
        const old = this.resources.get(r.name);
        const value = old ? keep(old, r) : r;
        this.resources.set(r.name, deepFreeze(value));
        order.push(r.name);
        seen.add(r.name);
        if (!old) this.pending.added.push(r.name);
        if (value !== old) this.markResource(r.name);
      }
      for (const name of this.order) {
        if (!seen.has(name)) {
          this.resources.delete(name);
          this.pending.removed.push(name);
        }
      }
      const orderChanged = order.length !== this.order.length || order.some((n, i) => n !== this.order[i]);
      if (orderChanged) this.pending.order = true;
      this.order = Object.freeze(order);
      this.cached = undefined;
    });
  }

  /** Shallow-merge a patch into one resource. Values equal by reference are not a change. */
  updateResource(name: string, update: ResourcePatch | ((r: ResourceSnapshot) => ResourcePatch | undefined)): boolean {
    const old = this.resources.get(name);
    if (!old) return false;
    const patch = typeof update === 'function' ? update(old) : update;
    if (!patch) return false;
    const keys = Object.keys(patch) as (keyof ResourcePatch)[];
    if (keys.every((k) => patch[k] === old[k])) return false;
    this.resources.set(name, deepFreeze({ ...old, ...(patch as Partial<ResourceState>), name }));
    this.cached = undefined;
    this.markResource(name);
    this.flush();
    return true;
  }

  updateSession(update: (s: DeepReadonly<SessionState>) => DeepReadonly<SessionState>): void {
    const next = update(this.session);
    if (next === this.session) return;
    this.session = deepFreeze(next as SessionState);
    this.cached = undefined;
    this.pending.session = true;
    this.flush();
  }

  dispose(): void {
    this.emitter.dispose();
  }

  private markResource(name: string): void {
    if (!this.pendingNames.has(name)) {
      this.pendingNames.add(name);
      this.pending.resources.push(name);
    }
  }

  private flush(): void {
    if (this.batchDepth > 0 || this.emitting) return;
    // Loop so that updates made by listeners are delivered as their own follow-up event.
    while (this.hasPending()) {
      const change = this.pending;
      this.pending = emptyChange();
      this.pendingNames = new Set();
      this.emitting = true;
      try {
        this.emitter.fire(change);
      } finally {
        this.emitting = false;
      }
    }
  }

  private hasPending(): boolean {
    const p = this.pending;
    return p.session || p.order || p.resources.length > 0 || p.removed.length > 0;
  }
}
