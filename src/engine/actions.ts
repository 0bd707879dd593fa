// Typed state transitions on top of the store, shared by the engine's reconcilers.
// Each is one store update so subscribers see consistent states.

import type { BuildKind, BuildRecord } from '../shared/state';
import type { Store } from './store';

/** Builds kept per resource in buildHistory. */
export const MAX_BUILD_HISTORY = 20;

/** Record changed files for a resource; they stay pending until a build picks them up. Never loses a change. */
export function recordFileChanges(store: Store, name: string, files: readonly string[], now: number): void {
  if (files.length === 0) return;
  store.updateResource(name, (r) => {
    const have = new Set(r.pendingChanges);
    const added = files.filter((f) => !have.has(f));
    if (added.length === 0) return undefined;
    return {
      pendingChanges: [...r.pendingChanges, ...added],
      pendingSince: r.pendingSince ?? now,
      updateStatus: r.updateStatus === 'in_progress' ? 'in_progress' : 'pending',
    };
  });
}

/** The user asked for an update (manual trigger, or forcing an auto resource). */
export function triggerUpdate(store: Store, name: string): void {
  store.updateResource(name, (r) => ({ triggered: true, updateStatus: r.updateStatus === 'in_progress' ? 'in_progress' : 'pending' }));
}

/**
 * Start a build: the pending changes it covers move into the build record. Changes that arrive while it runs
 * land in pendingChanges again (recordFileChanges), so the resource is dirty after the build finishes.
 */
export function startBuild(store: Store, name: string, kind: BuildKind, reason: string, now: number): BuildRecord | undefined {
  let started: BuildRecord | undefined;
  store.updateResource(name, (r) => {
    started = { startTime: now, kind, reason, edits: [...r.pendingChanges] };
    return { currentBuild: started, pendingChanges: [], pendingSince: undefined, triggered: false, updateStatus: 'in_progress', waitingReason: undefined };
  });
  return started;
}

/** Finish the current build. `kind` corrects the record when the update turned out to be a live update (or fell back). */
export function finishBuild(store: Store, name: string, result: { error?: string; warnings?: string[]; kind?: BuildKind; reason?: string }, now: number): void {
  store.updateResource(name, (r) => {
    if (!r.currentBuild) return undefined;
    const cur = r.currentBuild as BuildRecord;
    const done: BuildRecord = {
      ...cur,
      kind: result.kind ?? cur.kind,
      reason: result.reason ?? cur.reason,
      finishTime: now,
      error: result.error,
      warnings: result.warnings,
    };
    const dirty = r.pendingChanges.length > 0 || r.triggered;
    return {
      currentBuild: undefined,
      lastBuild: done,
      buildHistory: [done, ...r.buildHistory].slice(0, MAX_BUILD_HISTORY),
      updateStatus: result.error ? 'error' : dirty ? 'pending' : 'ok',
    };
  });
}

/** Write the scheduler's hold reasons to every resource (clearing reasons that no longer apply), as one change. */
export function applyHolds(store: Store, holds: Readonly<Record<string, string>>): void {
  store.batch(() => {
    for (const name of store.names()) store.updateResource(name, { waitingReason: holds[name] });
  });
}
