// Pure projection of engine state for the editor UI: one status per resource, label groups, and the
// status-bar summary. No 'vscode' import (unit-tested); resourceTree.ts and statusBar.ts only map it.
// Words and statuses come from the one projection in shared/status.ts, which the CLI renders too.
import type { EngineSnapshot, HoldKind, PortForwardPhase, ResourceSnapshot } from '../shared/state';
import { clusterBanner, displayOrder, endpointAddress, endpointUrl, firstLine, lastBuild, resourceEndpoints, resourceStatus, restartCount, statusCounts, statusView, STATUS_URGENCY, updateStatus, worst, type ResourceStatus } from '../shared/status';
import type { DashboardModel, DashboardRow, ResourceView } from '../shared/webviewProtocol';

export type { ResourceStatus, DashboardModel, DashboardRow, ResourceView };
export { resourceStatus, worst };

export const UNLABELED = 'unlabeled';


/** The tree's line for a resource: the shared projection's words, plus pending changes and restarts. */
export function resourceView(r: ResourceSnapshot): ResourceView {
  const v = statusView(r);
  const pending = r.pendingChanges.length;
  const manual = r.triggerMode === 'manual';
  const restarts = restartCount(r);
  const parts: string[] = [];
  // ok/warning read as the icon alone; everything else says what is going on.
  // "N changes (manual)" below already says what a pending update or a manual-trigger hold would.
  if (v.status === 'pending') {
    if (v.hold && !(v.hold.kind === 'manual_trigger' && pending > 0)) parts.push(v.hold.words);
    else if (!v.hold && pending === 0) parts.push(v.word);
  } else if (v.status !== 'ok' && v.status !== 'warning' && v.status !== 'idle') parts.push(v.word);
  if (pending > 0 && v.status !== 'building') parts.push(`${pending} change${pending === 1 ? '' : 's'}${manual ? ' (manual)' : ''}`);
  if (restarts > 0) parts.push(`${restarts} restarts`);

  const tooltip = [`${r.name} (${r.type}${manual ? ', manual' : ''})`, `update: ${updateStatus(r)}`, `runtime: ${r.runtimeStatus}`];
  if (r.hold) tooltip.push(`waiting: ${r.hold.words}`);
  const last = lastBuild(r);
  if (last?.error) tooltip.push(`last error: ${firstLine(last.error)}`);
  for (const w of last?.warnings ?? []) tooltip.push(`warning: ${firstLine(w)}`);
  for (const pf of r.portForwards) tooltip.push(`port-forward ${pf.localPort} → ${pf.containerPort}: ${pf.state}${pf.error ? ` (${pf.error})` : ''}`);

  return {
    name: r.name,
    status: v.status,
    description: parts.join(' · '),
    tooltip,
    endpoints: resourceEndpoints(r),
    needsTrigger: manual && (pending > 0 || r.triggered),
    labels: r.labels.length ? [...r.labels] : [],
    ...(r.hold && r.hold.resources.length > 0 ? { waitingFor: [...r.hold.resources] } : {}),
  };
}

/** The tooltip of a "waiting for X" node, worded by why the resource waits; clicking reveals X. */
export function waitingTooltip(kind: HoldKind, resource: string, on: string): string {
  const why: Record<HoldKind, string> = {
    dependency: `${resource} starts once ${on} is ready (resource_deps)`,
    uncategorized: `${resource} waits until ${on} (namespaces, CRDs) is applied`,
    serial_local: `${resource} waits for ${on} to finish: local resources update one at a time`,
    build_slot: `${resource} waits for a build slot: ${on} is updating (max_parallel_updates)`,
    manual_trigger: `${resource} waits for a manual trigger`,
    tiltfile_loading: `${resource} waits for the Tiltfile to reload`,
  };
  return `${why[kind]}. Click to show ${on}.`;
}

export interface ResourceGroup {
  label: string;
  names: string[];
  /** Worst status in the group. */
  status: ResourceStatus;
}

/**
 * Label groups like Tilt's UI: sorted by label, "unlabeled" last; a resource with several labels is in each.
 * Returns undefined when no resource has a label (then the tree is flat).
 */
export function groupByLabel(state: EngineSnapshot): ResourceGroup[] | undefined {
  const groups = new Map<string, string[]>();
  let anyLabel = false;
  for (const name of displayOrder(state)) {
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
  /** The session's cluster banner says the API server does not answer. */
  clusterUnreachable: boolean;
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
  const counts = statusCounts(state);
  const total = state.order.length;
  const parts: string[] = [];
  for (const s of ['error', 'building', 'pending', 'warning'] as const) if (counts[s]) parts.push(`$(${STATUS_ICON[s]}) ${counts[s]}`);
  parts.push(`$(check) ${counts.ok}/${total - counts.disabled}`);
  const forwards = portForwardLines(state);
  const active = forwards.filter((f) => f.active).length;
  if (forwards.length) parts.push(`$(plug) ${active}${active === forwards.length ? '' : `/${forwards.length}`}`);
  const tf = state.session.tiltfile;
  if (tf.status === 'error') parts.unshift('$(error) Tiltfile');
  const cluster = clusterBanner(state.session);
  if (cluster?.level === 'error') parts.unshift('$(debug-disconnect) cluster unreachable');
  const tooltip = [
    `Innerloop: ${total} resources`,
    ...(cluster ? [`Kubernetes: ${cluster.text}`] : []),
    ...STATUS_URGENCY.filter((s) => counts[s]).map((s) => `${s}: ${counts[s]}`),
    ...(tf.status === 'error' ? [`Tiltfile: ${firstLine(tf.error ?? 'load failed')}`] : []),
    ...(forwards.length ? ['Port forwards:', ...forwards.map((f) => `  ${f.text}`)] : []),
  ].join('\n');
  return { total, counts, text: parts.join(' '), tooltip, clusterUnreachable: cluster?.level === 'error' };
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
  for (const name of displayOrder(state)) {
    for (const pf of state.resources[name]?.portForwards ?? []) {
      out.push({
        resource: name,
        localPort: pf.localPort,
        active: pf.state === 'active',
        text: `${endpointAddress(pf.host, pf.localPort)} → ${name}:${pf.containerPort} (${pf.state}${pf.error ? `: ${firstLine(pf.error)}` : ''})`,
        label: `$(${FORWARD_ICON[pf.state]}) ${name} ${pf.localPort}`,
        url: endpointUrl(pf.host, pf.localPort, pf.linkPath),
      });
    }
  }
  return out;
}

/** `debuggable`: whether a resource has a debugger target (debug/attach.ts finds them; it reads the plan and Dockerfiles). */
export function dashboardModel(state: EngineSnapshot | undefined, debuggable: (resource: string) => boolean = () => false): DashboardModel {
  if (!state) return { running: false, counts: statusCounts({ order: [], resources: {} }), total: 0, rows: [] };
  const rows: DashboardRow[] = [];
  for (const name of displayOrder(state)) {
    const r = state.resources[name];
    if (!r) continue;
    const v = resourceView(r);
    const b = lastBuild(r);
    rows.push({
      ...v,
      type: r.type,
      triggerMode: r.triggerMode,
      updateStatus: updateStatus(r),
      runtimeStatus: r.runtimeStatus,
      pendingChanges: r.pendingChanges.length,
      ...(b?.finishTime !== undefined
        ? { lastBuild: { durationMs: b.finishTime - b.startTime, finishedAt: b.finishTime, kind: b.kind, ...(b.error ? { error: firstLine(b.error) } : {}) } }
        : {}),
      pods: r.pods.map((p) => ({ name: p.name, status: p.status, ready: p.ready, restarts: p.restarts })),
      debuggable: debuggable(name),
    });
  }
  const tf = state.session.tiltfile;
  const groups = groupByLabel(state);
  return {
    running: true,
    counts: statusCounts(state),
    total: rows.length,
    ...(tf.status === 'error' ? { tiltfileError: tf.error ?? 'Tiltfile load failed' } : {}),
    rows,
    ...(groups ? { groups } : {}),
  };
}
