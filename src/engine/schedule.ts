// Pure scheduling, after Tilt's NextTargetToBuild: which resource updates next, and for every resource that
// has work but waits, a user-visible reason ("waiting on db", "waiting for build slot"). In-flight builds are
// never cancelled; a change during a build leaves the resource dirty so it updates again afterwards.

import type { HoldKind, HoldReason, ResourceSnapshot, ResourceType } from '../shared/state';
import { lastBuild } from '../shared/status';
import type { Plan, TriggerMode } from '../shared/plan';

export interface ScheduleTarget {
  name: string;
  type: ResourceType;
  triggerMode: TriggerMode;
  autoInit: boolean;
  resourceDeps: readonly string[];
  /** Local resources only: may run while other things build. */
  allowParallel: boolean;
  disabled: boolean;
  building: boolean;
  /** At least one build has finished (success or failure). */
  built: boolean;
  /** Dependents may start: first update succeeded and runtime is ready / not applicable. */
  ready: boolean;
  pendingChanges: number;
  /** Epoch ms of the oldest pending change. */
  pendingSince?: number;
  triggered: boolean;
  /** Tilt's "uncategorized" resource (namespaces, CRDs...): k8s resources wait for its first apply. */
  uncategorized?: boolean;
}

export interface ScheduleInput {
  /** In display (Tiltfile) order; ties are broken by it. */
  targets: readonly ScheduleTarget[];
  maxParallelUpdates: number;
  /** All builds hold while the Tiltfile re-executes. */
  tiltfileLoading?: boolean;
}

export type BuildReason = 'initial' | 'triggered' | 'changes';

export interface ScheduleDecision {
  next?: { name: string; reason: BuildReason };
  /** Resource name -> why it waits. Only resources that have work to do appear. */
  holds: Record<string, HoldReason>;
}

/** Why the resource wants an update now, or undefined if it has nothing to do. */
export function wantsUpdate(t: ScheduleTarget): BuildReason | undefined {
  if (t.disabled || t.building) return undefined;
  if (t.triggered) return 'triggered';
  if (!t.built) return t.autoInit ? 'initial' : undefined;
  if (t.pendingChanges > 0 && t.triggerMode === 'auto') return 'changes';
  return undefined;
}

const isSerialLocal = (t: ScheduleTarget): boolean => t.type === 'local' && !t.allowParallel;
const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? '' : 's'}`;
const hold = (kind: HoldKind, words: string, resources: string[] = []): HoldReason => ({ kind, resources, words });

export function nextTargetToBuild(input: ScheduleInput): ScheduleDecision {
  const holds: Record<string, HoldReason> = {};
  const byName = new Map(input.targets.map((t) => [t.name, t]));

  // Resources with work that can never start on their own still get a reason.
  for (const t of input.targets) {
    if (t.disabled || t.building || t.triggered) continue;
    if (!t.built && !t.autoInit) holds[t.name] = hold('manual_trigger', 'waiting for a manual trigger (auto_init=False)');
    else if (t.triggerMode === 'manual' && t.pendingChanges > 0) holds[t.name] = hold('manual_trigger', `${plural(t.pendingChanges, 'file')} changed; waiting for a manual trigger`);
  }

  const candidates = input.targets.filter((t) => wantsUpdate(t) !== undefined);
  if (candidates.length === 0) return { holds };
  const holdAll = (reason: HoldReason, list = candidates): ScheduleDecision => {
    for (const t of list) holds[t.name] = reason;
    return { holds };
  };

  if (input.tiltfileLoading) return holdAll(hold('tiltfile_loading', 'waiting for the Tiltfile to reload'));

  const building = input.targets.filter((t) => t.building);
  const serialBuilding = building.find(isSerialLocal);
  if (serialBuilding) return holdAll(hold('serial_local', `waiting for ${serialBuilding.name} to finish (local resources run one at a time)`, [serialBuilding.name]));
  if (building.length >= Math.max(1, input.maxParallelUpdates)) return holdAll(hold('build_slot', 'waiting for build slot', building.map((b) => b.name)));

  let eligible = candidates;
  const drop = (t: ScheduleTarget, reason: HoldReason): false => {
    holds[t.name] = reason;
    return false;
  };

  // Serial local resources only start when nothing else is building.
  const busy = building.map((b) => b.name).join(', ');
  if (building.length > 0) eligible = eligible.filter((t) => !isSerialLocal(t) || drop(t, hold('serial_local', `waiting for ${busy} to finish`, building.map((b) => b.name))));

  // resource_deps gate only the first build.
  eligible = eligible.filter((t) => {
    if (t.built) return true;
    const waiting = t.resourceDeps.filter((d) => {
      const dep = byName.get(d);
      return dep !== undefined && !dep.ready;
    });
    return waiting.length === 0 || drop(t, hold('dependency', `waiting on ${waiting.join(', ')}`, waiting));
  });

  // Namespaces/CRDs first: k8s resources wait until uncategorized objects are applied once.
  const uncategorized = input.targets.find((t) => t.uncategorized && !t.disabled && (!t.built || t.building));
  if (uncategorized) {
    eligible = eligible.filter((t) => t === uncategorized || t.type !== 'k8s' || drop(t, hold('uncategorized', `waiting on ${uncategorized.name} (namespaces, CRDs)`, [uncategorized.name])));
  }

  if (eligible.length === 0) return { holds };

  // Unbuilt first, then triggered, then oldest pending change; Tiltfile order breaks ties.
  const rank = (t: ScheduleTarget): number => (!t.built ? 0 : t.triggered ? 1 : 2);
  const order = new Map(input.targets.map((t, i) => [t.name, i]));
  const sorted = [...eligible].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (rank(a) === 2 ? (a.pendingSince ?? Infinity) - (b.pendingSince ?? Infinity) : 0) ||
      (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0),
  );
  const next = sorted[0];
  delete holds[next.name];
  return { next: { name: next.name, reason: wantsUpdate(next) as BuildReason }, holds };
}

/**
 * Fill every free slot: repeatedly pick the next target as if the previous picks had started.
 * Returns the builds to start now and the holds for everything else that waits.
 */
export function scheduleBuilds(input: ScheduleInput): { start: { name: string; reason: BuildReason }[]; holds: Record<string, HoldReason> } {
  const start: { name: string; reason: BuildReason }[] = [];
  let targets = input.targets;
  for (;;) {
    const d = nextTargetToBuild({ ...input, targets });
    if (!d.next) return { start, holds: d.holds };
    start.push(d.next);
    const picked = d.next.name;
    targets = targets.map((t) => (t.name === picked ? { ...t, building: true, triggered: false, pendingChanges: 0 } : t));
  }
}

/** Ready for dependents: the last update succeeded and the runtime is up (or has none). */
export function isReadyForDependents(r: ResourceSnapshot): boolean {
  const last = lastBuild(r);
  if (!last || last.error) return false;
  return r.runtimeStatus === 'ok' || r.runtimeStatus === 'not_applicable';
}

/** Build the scheduler's view from the plan and resource states (a Record or a lookup such as store.resource). */
export function scheduleInputFrom(
  plan: Plan,
  resources: Readonly<Record<string, ResourceSnapshot>> | ((name: string) => ResourceSnapshot | undefined),
  tiltfileLoading = false,
  /** Resources with other work in flight (a restart replay): treated as building, so no update starts beside it. */
  busy: ReadonlySet<string> = new Set(),
): ScheduleInput {
  const get = typeof resources === 'function' ? resources : (n: string): ResourceSnapshot | undefined => resources[n];
  const targets: ScheduleTarget[] = [];
  for (const p of plan.resources) {
    const r = get(p.name);
    if (!r) continue;
    targets.push({
      name: p.name,
      type: p.type,
      triggerMode: r.triggerMode,
      autoInit: r.autoInit,
      resourceDeps: p.resourceDeps,
      allowParallel: p.type === 'local' ? p.allowParallel : true,
      disabled: r.disabled,
      building: r.currentBuild !== undefined || busy.has(p.name),
      built: lastBuild(r) !== undefined,
      ready: isReadyForDependents(r),
      pendingChanges: r.pendingChanges.length,
      pendingSince: r.pendingSince,
      triggered: r.triggered,
      uncategorized: p.name === 'uncategorized',
    });
  }
  return { targets, maxParallelUpdates: plan.settings.maxParallelUpdates, tiltfileLoading };
}
