// Pure projection of engine state for the editor UI: one status per resource, label groups, and the
// status-bar summary. No 'vscode' import (unit-tested); resourceTree.ts and statusBar.ts only map it.
import type { EngineSnapshot, PortForwardPhase, ResourceSnapshot } from '../shared/state';
import type { DashboardModel, DashboardRow, ResourceStatus, ResourceView } from '../shared/webviewProtocol';

/** What the UI shows for a resource, most urgent first (defined with the webview protocol, which posts it). */
export type { ResourceStatus, DashboardModel, DashboardRow, ResourceView };

export const UNLABELED = 'unlabeled';


export function resourceStatus(r: ResourceSnapshot): ResourceStatus {
  if (r.disabled) return 'disabled';
  if (r.updateStatus === 'in_progress') return 'building';
  if (r.updateStatus === 'error' || r.runtimeStatus === 'error') return 'error';
  if (r.updateStatus === 'pending' || r.runtimeStatus === 'pending' || r.waitingReason !== undefined) return 'pending';
  if ((r.lastBuild?.warnings?.length ?? 0) > 0) return 'warning';
  if (r.updateStatus === 'ok' && (r.runtimeStatus === 'ok' || r.runtimeStatus === 'not_applicable')) return 'ok';
  if (r.updateStatus === 'ok' && r.runtimeStatus === 'unknown') return 'pending';
  return 'idle';
}

export function resourceView(r: ResourceSnapshot): ResourceView {
  const status = resourceStatus(r);
  const pending = r.pendingChanges.length;
  const manual = r.triggerMode === 'manual';
  const podReason = r.pods.flatMap((p) => p.containers.map((c) => c.reason)).find((x) => x !== undefined && x !== 'Completed');
  const restarts = r.pods.reduce((n, p) => n + p.restarts, 0);
  let description: string;
  switch (status) {
    case 'disabled':
      description = 'disabled';
      break;
    case 'building':
      description = r.currentBuild?.kind === 'live_update' ? 'live updating' : 'building';
      break;
    case 'error':
      description = r.updateStatus === 'error' ? 'update failed' : (podReason ?? 'runtime error');
      break;
    case 'pending':
      description = r.waitingReason ?? (r.updateStatus === 'pending' ? 'update pending' : 'starting');
      break;
    default:
      description = '';
  }
  if (pending > 0 && status !== 'building') {
    const changes = `${pending} change${pending === 1 ? '' : 's'}${manual ? ' (manual)' : ''}`;
    description = description ? `${description} · ${changes}` : changes;
  }
  if (restarts > 0) description = description ? `${description} · ${restarts} restarts` : `${restarts} restarts`;

  const tooltip = [`${r.name} (${r.type}${manual ? ', manual' : ''})`, `update: ${r.updateStatus}`, `runtime: ${r.runtimeStatus}`];
  if (r.waitingReason) tooltip.push(`waiting: ${r.waitingReason}`);
  const last = r.lastBuild;
  if (last?.error) tooltip.push(`last error: ${firstLine(last.error)}`);
  for (const w of last?.warnings ?? []) tooltip.push(`warning: ${firstLine(w)}`);
  for (const pf of r.portForwards) tooltip.push(`port-forward ${pf.localPort} → ${pf.containerPort}: ${pf.state}${pf.error ? ` (${pf.error})` : ''}`);

  return {
    name: r.name,
    status,
    description,
    tooltip,
    endpoints: [...r.endpoints],
    needsTrigger: manual && (pending > 0 || r.triggered),
    labels: r.labels.length ? [...r.labels] : [],
  };
}

function firstLine(s: string): string {
  const l = s.split('\n', 1)[0] ?? '';
  return l.length > 200 ? `${l.slice(0, 197)}...` : l;
}

export interface ResourceGroup {
  label: string;
  names: string[];
  /** Worst status in the group. */
  status: ResourceStatus;
}

const URGENCY: ResourceStatus[] = ['error', 'building', 'pending', 'warning', 'ok', 'idle', 'disabled'];

export function worst(statuses: ResourceStatus[]): ResourceStatus {
  let best = URGENCY.length - 1;
  for (const s of statuses) best = Math.min(best, URGENCY.indexOf(s));
  return URGENCY[best]!;
}

/**
 * Label groups like Tilt's UI: sorted by label, "unlabeled" last; a resource with several labels is in each.
 * Returns undefined when no resource has a label (then the tree is flat).
 */
export function groupByLabel(state: EngineSnapshot): ResourceGroup[] | undefined {
  const groups = new Map<string, string[]>();
  let anyLabel = false;
  for (const name of state.order) {
    const r = state.resources[name];
    if (!r) continue;
    const labels = r.labels.length ? r.labels : [UNLABELED];
    if (r.labels.length) anyLabel = true;
    for (const l of labels) groups.set(l, [...(groups.get(l) ?? []), name]);
  }
  if (!anyLabel) return undefined;
  const labels = [...groups.keys()].filter((l) => l !== UNLABELED).sort();
  if (groups.has(UNLABELED)) labels.push(UNLABELED);
  return labels.map((label) => {
    const names = groups.get(label)!;
    return { label, names, status: worst(names.map((n) => resourceStatus(state.resources[n]!))) };
  });
}

export interface Summary {
  total: number;
  counts: Record<ResourceStatus, number>;
  /** Status bar text with codicons, e.g. "$(error) 1 $(sync~spin) 2 $(check) 5". */
  text: string;
  tooltip: string;
}

/** Codicon per status (shared by tree and status bar). */
export const STATUS_ICON: Record<ResourceStatus, string> = {
  error: 'error',
  building: 'sync~spin',
  pending: 'clock',
  warning: 'warning',
  ok: 'pass',
  idle: 'circle-outline',
  disabled: 'circle-slash',
};

export function summarize(state: EngineSnapshot): Summary {
  const counts: Record<ResourceStatus, number> = { error: 0, building: 0, pending: 0, warning: 0, ok: 0, idle: 0, disabled: 0 };
  for (const name of state.order) {
    const r = state.resources[name];
    if (r) counts[resourceStatus(r)]++;
  }
  const total = state.order.length;
  const parts: string[] = [];
  for (const s of ['error', 'building', 'pending', 'warning'] as const) if (counts[s]) parts.push(`$(${STATUS_ICON[s]}) ${counts[s]}`);
  parts.push(`$(check) ${counts.ok}/${total - counts.disabled}`);
  const forwards = portForwardLines(state);
  const active = forwards.filter((f) => f.active).length;
  if (forwards.length) parts.push(`$(plug) ${active}${active === forwards.length ? '' : `/${forwards.length}`}`);
  const tf = state.session.tiltfile;
  if (tf.status === 'error') parts.unshift('$(error) Tiltfile');
  const tooltip = [
    `Innerloop: ${total} resources`,
    ...URGENCY.filter((s) => counts[s]).map((s) => `${s}: ${counts[s]}`),
    ...(tf.status === 'error' ? [`Tiltfile: ${firstLine(tf.error ?? 'load failed')}`] : []),
    ...(forwards.length ? ['Port forwards:', ...forwards.map((f) => `  ${f.text}`)] : []),
  ].join('\n');
  return { total, counts, text: parts.join(' '), tooltip };
}

/** One port forward as the status bar and tooltips show it. */
export interface ForwardLine {
  resource: string;
  localPort: number;
  active: boolean;
  /** "localhost:5734 → todo-api:5000 (active)" */
  text: string;
  /** Status-bar item text: "$(plug) todo-api 5734", with a sync/alert icon while reconnecting or failing. */
  label: string;
  url: string;
}

const FORWARD_ICON: Record<PortForwardPhase, string> = { active: 'plug', connecting: 'sync~spin', reconnecting: 'sync~spin', error: 'debug-disconnect' };

/** Every port forward, in resource order. */
export function portForwardLines(state: EngineSnapshot): ForwardLine[] {
  const out: ForwardLine[] = [];
  for (const name of state.order) {
    for (const pf of state.resources[name]?.portForwards ?? []) {
      const host = pf.host ?? 'localhost';
      out.push({
        resource: name,
        localPort: pf.localPort,
        active: pf.state === 'active',
        text: `${host}:${pf.localPort} → ${name}:${pf.containerPort} (${pf.state}${pf.error ? `: ${firstLine(pf.error)}` : ''})`,
        label: `$(${FORWARD_ICON[pf.state]}) ${name} ${pf.localPort}`,
        url: `http://${host}:${pf.localPort}/`,
      });
    }
  }
  return out;
}

export function dashboardModel(state: EngineSnapshot | undefined): DashboardModel {
  const counts: Record<ResourceStatus, number> = { error: 0, building: 0, pending: 0, warning: 0, ok: 0, idle: 0, disabled: 0 };
  if (!state) return { running: false, counts, total: 0, rows: [] };
  const rows: DashboardRow[] = [];
  for (const name of state.order) {
    const r = state.resources[name];
    if (!r) continue;
    const v = resourceView(r);
    counts[v.status]++;
    const b = r.lastBuild;
    rows.push({
      ...v,
      type: r.type,
      triggerMode: r.triggerMode,
      updateStatus: r.updateStatus,
      runtimeStatus: r.runtimeStatus,
      pendingChanges: r.pendingChanges.length,
      ...(b?.finishTime !== undefined
        ? { lastBuild: { durationMs: b.finishTime - b.startTime, finishedAt: b.finishTime, kind: b.kind, ...(b.error ? { error: firstLine(b.error) } : {}) } }
        : {}),
      pods: r.pods.map((p) => ({ name: p.name, status: p.status, ready: p.ready, restarts: p.restarts })),
    });
  }
  const tf = state.session.tiltfile;
  const groups = groupByLabel(state);
  return {
    running: true,
    counts,
    total: rows.length,
    ...(tf.status === 'error' ? { tiltfileError: tf.error ?? 'Tiltfile load failed' } : {}),
    rows,
    ...(groups ? { groups } : {}),
  };
}
