// The one status projection: how a resource's state reads to a person. The tree, the status bar, the dashboard
// and the CLI all render this, so a resource never shows "pending" in one place and "update error" in another.
// Pure functions over the engine's snapshot; no I/O, no 'vscode'.

import type { DeepReadonly, EngineSnapshot, HoldReason, ResourceSnapshot, RuntimeStatus, SessionState, UpdateStatus } from './state';

/** What a surface shows for a resource, most urgent first. */
export type ResourceStatus = 'error' | 'building' | 'pending' | 'warning' | 'ok' | 'idle' | 'disabled';

/** Most urgent first: the order for "worst of" and for counts. */
export const STATUS_URGENCY: readonly ResourceStatus[] = ['error', 'building', 'pending', 'warning', 'ok', 'idle', 'disabled'];

export interface StatusView {
  status: ResourceStatus;
  /** A few words: "building", "update failed", "CrashLoopBackOff", "waiting", "ready". */
  word: string;
  /** The rest of the story in one line: the error's first line, the hold reason, the pod's state. */
  detail: string;
  /** Set when the resource waits on something a surface can act on (reveal the resource it waits for). */
  hold?: DeepReadonly<HoldReason>;
}

export function firstLine(s: string, max = 200): string {
  const l = s.split('\n', 1)[0] ?? '';
  return l.length > max ? `${l.slice(0, max - 3)}...` : l;
}

const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? '' : 's'}`;

/** The last finished build (most recent first in buildHistory). */
export function lastBuild(r: ResourceSnapshot): ResourceSnapshot['buildHistory'][number] | undefined {
  return r.buildHistory[0];
}

/** Where the resource's update stands, derived from its builds and pending work (never stored separately). */
export function updateStatus(r: ResourceSnapshot): UpdateStatus {
  if (r.currentBuild) return 'in_progress';
  const last = lastBuild(r);
  if (last?.error) return 'error';
  if (r.pendingChanges.length > 0 || r.triggered || (!last && r.autoInit)) return 'pending';
  return last ? 'ok' : 'none';
}

export function statusView(r: ResourceSnapshot): StatusView {
  if (r.disabled) return { status: 'disabled', word: 'disabled', detail: '' };
  if (r.currentBuild) {
    return { status: 'building', word: r.currentBuild.kind === 'live_update' ? 'live updating' : 'building', detail: r.currentBuild.reason ?? '' };
  }
  const last = lastBuild(r);
  // A failed update stays failed until an update succeeds: new edits waiting for a trigger do not hide it.
  if (last?.error) return { status: 'error', word: 'update failed', detail: firstLine(last.error) };
  if (r.runtimeStatus === 'error') {
    const reason = r.pods.flatMap((p) => p.containers.map((c) => c.reason)).find((x) => x !== undefined && x !== 'Completed');
    const pod = r.pods.find((p) => !p.ready);
    return { status: 'error', word: reason ?? 'runtime error', detail: pod ? `${pod.name}: ${pod.status}` : '' };
  }
  if (r.hold) return { status: 'pending', word: 'waiting', detail: r.hold.words, hold: r.hold };
  if (r.pendingChanges.length > 0 || r.triggered || (!last && r.autoInit)) {
    const what = r.pendingChanges.length > 0 ? `${plural(r.pendingChanges.length, 'file')} changed` : r.triggered ? 'triggered' : 'not built yet';
    return { status: 'pending', word: 'update pending', detail: what };
  }
  if (!last) return { status: 'idle', word: 'not started', detail: '' };
  if (r.runtimeStatus === 'pending' || r.runtimeStatus === 'unknown') {
    const pod = r.pods[0];
    return { status: 'pending', word: 'starting', detail: pod ? `${pod.name}: ${pod.status}` : '' };
  }
  const forwards = r.portForwards.map((p) => `${endpointAddress(p.host, p.localPort)}${p.state === 'active' ? '' : ` (${p.state})`}`).join(' ');
  const word = r.runtimeStatus === 'ok' ? 'ready' : 'done';
  if ((last.warnings?.length ?? 0) > 0) return { status: 'warning', word, detail: `${plural(last.warnings?.length ?? 0, 'warning')}${forwards ? ` · ${forwards}` : ''}` };
  return { status: 'ok', word, detail: forwards };
}

export function resourceStatus(r: ResourceSnapshot): ResourceStatus {
  return statusView(r).status;
}

/** How many resources are in each status (the status bar, the dashboard and the CLI count the same way). */
export function statusCounts(state: Pick<EngineSnapshot, 'order' | 'resources'>): Record<ResourceStatus, number> {
  const counts: Record<ResourceStatus, number> = { error: 0, building: 0, pending: 0, warning: 0, ok: 0, idle: 0, disabled: 0 };
  for (const name of state.order) {
    const r = state.resources[name];
    if (r) counts[resourceStatus(r)]++;
  }
  return counts;
}

/** Container restarts summed over the resource's pods. */
export function restartCount(r: ResourceSnapshot): number {
  return r.pods.reduce((n, p) => n + p.restarts, 0);
}

/** The words for the two raw statuses, where a surface shows them as they are (the dashboard's pills). */
export const UPDATE_STATUS_WORDS: Readonly<Record<UpdateStatus, string>> = { none: '—', pending: 'pending', in_progress: 'updating', ok: 'ok', error: 'error' };
export const RUNTIME_STATUS_WORDS: Readonly<Record<RuntimeStatus, string>> = { unknown: '…', none: '—', pending: 'pending', ok: 'ready', error: 'error', not_applicable: 'n/a' };

/** The most urgent of several statuses. */
export function worst(statuses: readonly ResourceStatus[]): ResourceStatus {
  let best = STATUS_URGENCY.length - 1;
  for (const s of statuses) best = Math.min(best, STATUS_URGENCY.indexOf(s));
  return STATUS_URGENCY[best] as ResourceStatus;
}

/** The host a person connects to for a local bind: a wildcard bind (or none) reads as localhost. */
export function endpointHost(host: string | undefined): string {
  return host && host !== '0.0.0.0' ? host : 'localhost';
}

/** host:port as shown next to a forward ("localhost:5734", "[::1]:5734"). */
export function endpointAddress(host: string | undefined, port: number): string {
  const h = endpointHost(host);
  return `${h.includes(':') ? `[${h}]` : h}:${port}`;
}

/** The one way a local port becomes a URL (port forwards, published Compose ports). */
export function endpointUrl(host: string | undefined, port: number, path = '/'): string {
  return `http://${endpointAddress(host, port)}${path.startsWith('/') ? path : `/${path}`}`;
}

export interface Endpoint {
  url: string;
  /** The link's name, or "port-forward 8080". */
  name?: string;
}

/** Links from the Tiltfile, then port forwards, then published Compose ports, without duplicates. */
export function resourceEndpoints(r: ResourceSnapshot): Endpoint[] {
  const out: Endpoint[] = [];
  const seen = new Set<string>();
  const add = (e: Endpoint): void => {
    if (seen.has(e.url)) return;
    seen.add(e.url);
    out.push(e);
  };
  for (const l of r.links) add({ url: l.url, ...(l.name ? { name: l.name } : {}) });
  for (const pf of r.portForwards) add({ url: endpointUrl(pf.host, pf.localPort, pf.linkPath), ...(pf.name ? { name: pf.name } : {}) });
  for (const p of r.publishedPorts) add({ url: endpointUrl(p.host, p.port) });
  return out;
}

/** Tilt's "uncategorized" resource (namespaces, CRDs...): deployed first, listed last. */
export const UNCATEGORIZED = 'uncategorized';

/** Resource names in display order: Tiltfile order, with `uncategorized` last (as Tilt's UI lists it). */
export function displayOrder(state: Pick<EngineSnapshot, 'order'>): string[] {
  const names = state.order.filter((n) => n !== UNCATEGORIZED);
  if (names.length !== state.order.length) names.push(UNCATEGORIZED);
  return names;
}

/** "14:03:07": a wall-clock time as the cluster banner shows it (local time). */
export function clockTime(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

export interface ClusterBanner {
  /** error while unreachable; info once it is back. */
  level: 'error' | 'info';
  /** "cluster unreachable since 14:03:07: …" / "cluster back at 14:03:41 (unreachable since 14:03:07)" */
  text: string;
}

/** The session-level line the CLI and the editor show about the cluster connection, if there is one. */
export function clusterBanner(session: DeepReadonly<Pick<SessionState, 'cluster'>>): ClusterBanner | undefined {
  const c = session.cluster;
  if (!c) return undefined;
  if (!c.reachable) return { level: 'error', text: `cluster unreachable since ${clockTime(c.since)}${c.error ? `: ${firstLine(c.error)}` : ''}` };
  return { level: 'info', text: `cluster back at ${clockTime(c.since)}${c.downSince !== undefined ? ` (unreachable since ${clockTime(c.downSince)})` : ''}` };
}
