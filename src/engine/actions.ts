// Every change to engine state is one of these typed actions, applied by the one reducer below. Adapters report
// what they observe (pods, port-forward state, serve_cmd runtime, published ports) as actions and keep no copy;
// the build controller reports builds; the session reports the Tiltfile load and the cluster connection.
// Each action is one store change, so subscribers only ever see consistent states.

import type { Diagnostic } from '../shared/plan';
import type {
  BuildKind,
  BuildRecord,
  DeepReadonly,
  HoldReason,
  PendingChange,
  PodStatus,
  PortForwardStatus,
  PublishedPort,
  ResourceState,
  RuntimeStatus,
  SessionState,
  TiltfileLoadStatus,
} from '../shared/state';
import type { Store } from './store';

/** Builds kept per resource in buildHistory (its first entry is the last build). */
export const MAX_BUILD_HISTORY = 20;

export interface BuildResult {
  error?: string;
  warnings?: string[];
  /** Corrects the record when the update turned out to be a live update (or fell back). */
  kind?: BuildKind;
  reason?: string;
}

export type EngineAction =
  /** A plan was installed: the resource set in display order; existing names keep their observed state. */
  | { type: 'resources_declared'; resources: ResourceState[] }
  /** Changed files routed to resources; they stay pending until a build picks them up. */
  | { type: 'files_changed'; changes: ReadonlyMap<string, readonly PendingChange[]>; now: number }
  /** The user asked for an update (manual trigger, or forcing an auto resource). */
  | { type: 'update_triggered'; name: string }
  /** `innerloop enable/disable`: a disabled resource shows nothing running (its objects are being deleted). */
  | { type: 'enabled_set'; name: string; enabled: boolean }
  | { type: 'build_started'; name: string; kind: BuildKind; reason: string; now: number }
  | { type: 'build_finished'; name: string; result: BuildResult; now: number }
  /** The scheduler's hold reasons for every resource (absent = not waiting). */
  | { type: 'holds_computed'; holds: Readonly<Record<string, HoldReason>> }
  /** Pod discovery: the resource's pods and the runtime status they add up to. */
  | { type: 'pods_observed'; name: string; pods: PodStatus[]; runtime: RuntimeStatus }
  /** The port forwards the resource declares (as now applied), each keeping its observed state. */
  | { type: 'forwards_declared'; name: string; forwards: PortForwardStatus[] }
  /**
   * One port forward changed state (connecting, active, reconnecting, error): the fields given replace the stored
   * ones (an explicit undefined clears one), the rest stay (e.g. the container port resolved earlier).
   */
  | { type: 'forward_observed'; name: string; forward: Partial<PortForwardStatus> & Pick<PortForwardStatus, 'localPort' | 'state'> }
  /** serve_cmd or a Compose container: runtime status (and, for Compose, the ports it publishes). */
  | { type: 'runtime_observed'; name: string; runtime: RuntimeStatus; publishedPorts?: PublishedPort[] }
  | { type: 'tiltfile_changed'; path: string; status: TiltfileLoadStatus; error?: string; diagnostics?: Diagnostic[]; now: number }
  /** The kube context the session connected to (or refused), or just an error. */
  | { type: 'cluster_checked'; k8s: SessionState['k8s'] }
  | { type: 'cluster_failed'; error: string }
  /** The kube adapter's health check: the API server stopped (or started again) answering. Only changes. */
  | { type: 'cluster_reachability'; reachable: boolean; error?: string; now: number };

/** What adapters report: observations of the outside world, never decisions. */
export type Observation = Extract<EngineAction, { type: 'pods_observed' | 'forwards_declared' | 'forward_observed' | 'runtime_observed' | 'cluster_reachability' }>;

const same = <T>(a: readonly T[], b: readonly T[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

type Change = DeepReadonly<PendingChange>;

/**
 * Pending changes plus new ones, one entry per path (a path seen again, e.g. by both watchers across a reload, adds
 * only the images not yet recorded). Returns `have` itself when nothing is new.
 */
function mergeChanges(have: readonly Change[], added: readonly PendingChange[]): readonly Change[] {
  const byPath = new Map(have.map((c, i) => [c.path, i]));
  let out: Change[] | undefined;
  for (const c of added) {
    const i = byPath.get(c.path);
    if (i === undefined) {
      out ??= [...have];
      byPath.set(c.path, out.push(c) - 1);
      continue;
    }
    const known = (out ?? have)[i]!;
    const extra = c.images.filter((img) => !known.images.includes(img));
    if (extra.length === 0) continue;
    out ??= [...have];
    out[i] = { path: c.path, images: [...known.images, ...extra] };
  }
  return out ?? have;
}

/** The one reducer: applies an action to the store as one change. */
export function reduce(store: Store, a: EngineAction): void {
  switch (a.type) {
    case 'resources_declared':
      // Observed state (builds, pods, forwards) survives a reload; what the Tiltfile declares is replaced.
      store.setResources(a.resources, (old, next): ResourceState => ({
        ...(old as ResourceState),
        labels: next.labels,
        links: next.links,
        type: next.type,
        triggerMode: next.triggerMode,
        autoInit: next.autoInit,
        disabled: next.disabled,
      }));
      return;
    case 'files_changed':
      store.batch(() => {
        for (const [name, files] of a.changes) {
          if (files.length === 0) continue;
          store.updateResource(name, (r) => {
            const merged = mergeChanges(r.pendingChanges, files);
            return merged === r.pendingChanges ? undefined : { pendingChanges: merged, pendingSince: r.pendingSince ?? a.now };
          });
        }
      });
      return;
    case 'update_triggered':
      store.updateResource(a.name, { triggered: true });
      return;
    case 'build_started':
      // The pending changes it covers move into the build record; changes arriving while it runs are pending again.
      store.updateResource(a.name, (r) => ({
        currentBuild: { startTime: a.now, kind: a.kind, reason: a.reason, edits: r.pendingChanges.map((c) => c.path) },
        pendingChanges: [],
        pendingSince: undefined,
        triggered: false,
        hold: undefined,
      }));
      return;
    case 'build_finished':
      store.updateResource(a.name, (r) => {
        if (!r.currentBuild) return undefined;
        const cur = r.currentBuild as BuildRecord;
        const done: BuildRecord = {
          ...cur,
          kind: a.result.kind ?? cur.kind,
          reason: a.result.reason ?? cur.reason,
          finishTime: a.now,
          error: a.result.error,
          warnings: a.result.warnings,
        };
        return { currentBuild: undefined, buildHistory: [done, ...r.buildHistory].slice(0, MAX_BUILD_HISTORY) };
      });
      return;
    case 'holds_computed':
      store.batch(() => {
        for (const name of store.names()) {
          store.updateResource(name, (r) => {
            const next = a.holds[name];
            const cur = r.hold;
            if (cur === next || (cur && next && cur.kind === next.kind && cur.words === next.words && same(cur.resources, next.resources))) return undefined;
            return { hold: next };
          });
        }
      });
      return;
    case 'pods_observed':
      store.updateResource(a.name, { pods: a.pods, runtimeStatus: a.runtime });
      return;
    case 'enabled_set':
      store.updateResource(a.name, a.enabled ? { disabled: false } : { disabled: true, pods: [], portForwards: [] });
      return;
    case 'forwards_declared':
      store.updateResource(a.name, (r) => {
        const next = a.forwards.map((f) => r.portForwards.find((o) => forwardKey(o) === forwardKey(f)) ?? f);
        return same(next, r.portForwards) ? undefined : { portForwards: next };
      });
      return;
    case 'forward_observed':
      store.updateResource(a.name, (r) => {
        const i = r.portForwards.findIndex((o) => forwardKey(o) === forwardKey(a.forward));
        // A forward the resource no longer declares reports its last state late: ignore it.
        if (i < 0) return undefined;
        return { portForwards: r.portForwards.map((o, j) => (j === i ? { ...o, ...a.forward } : o)) };
      });
      return;
    case 'runtime_observed':
      store.updateResource(a.name, (r) => ({
        runtimeStatus: a.runtime,
        ...(a.publishedPorts && !samePorts(r.publishedPorts, a.publishedPorts) ? { publishedPorts: a.publishedPorts } : {}),
      }));
      return;
    case 'tiltfile_changed':
      store.updateSession((s) => ({
        ...s,
        tiltfile: {
          path: a.path,
          status: a.status,
          error: a.error,
          diagnostics: a.diagnostics ?? s.tiltfile.diagnostics,
          lastLoadTime: a.status === 'ok' || a.status === 'error' ? a.now : s.tiltfile.lastLoadTime,
        },
      }));
      return;
    case 'cluster_checked':
      store.updateSession((s) => ({ ...s, k8s: a.k8s }));
      return;
    case 'cluster_failed':
      store.updateSession((s) => ({ ...s, k8s: { ...s.k8s, error: a.error } }));
      return;
    case 'cluster_reachability':
      store.updateSession((s) => {
        const was = s.cluster;
        if (a.reachable) {
          // Reachable from the start is not news: only an outage that ended is shown.
          if (!was || was.reachable) return s;
          return { ...s, cluster: { reachable: true, since: a.now, downSince: was.since } };
        }
        if (was && !was.reachable) return was.error === a.error ? s : { ...s, cluster: { ...was, error: a.error } };
        return { ...s, cluster: { reachable: false, since: a.now, error: a.error } };
      });
      return;
  }
}

const forwardKey = (f: { host?: string; localPort: number }): string => `${f.host ?? ''}:${f.localPort}`;

function samePorts(a: readonly PublishedPort[], b: readonly PublishedPort[]): boolean {
  return a.length === b.length && a.every((p, i) => p.port === b[i]?.port && p.host === b[i]?.host);
}
