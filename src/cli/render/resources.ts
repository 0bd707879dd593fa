// `innerloop get` and `describe`: tables and descriptions of a running engine's resources.
import type { EngineSnapshot } from '../../shared/state';
import { endpointAddress, lastBuild, resourceEndpoints, restartCount, statusView, updateStatus } from '../../shared/status';
import { paint, STATUS_COLOR } from './status';
import { truncateVisible } from './color';

function ago(ms: number, now: number): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ''}`;
  return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
}

/** Rows padded into columns; each line cut to `width` visible columns. */
function table(rows: string[][], width: number, colorCol?: (row: number, text: string) => string): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r, ri) => {
    const cells = r.map((c, i) => {
      const padded = i === r.length - 1 ? c : c.padEnd(widths[i]!);
      return i === 1 && ri > 0 && colorCol ? colorCol(ri - 1, padded) : padded;
    });
    return truncateVisible(cells.join('   ').trimEnd(), width);
  });
}

export function getTable(s: EngineSnapshot, names: readonly string[], opts: { wide: boolean; color: boolean; width: number; now: number }): string[] {
  const header = opts.wide ? ['NAME', 'STATUS', 'TYPE', 'UPDATED', 'RESTARTS', 'DETAIL'] : ['NAME', 'STATUS', 'DETAIL'];
  const descs = names.map((n) => statusView(s.resources[n]!));
  const rows = names.map((n, i) => {
    const r = s.resources[n]!;
    const d = descs[i]!;
    if (!opts.wide) return [n, d.word, d.detail];
    const lb = lastBuild(r);
    const updated = lb?.finishTime ? `${ago(lb.finishTime, opts.now)} ago` : '-';
    return [n, d.word, r.type, updated, String(restartCount(r)), d.detail];
  });
  return table([header, ...rows], opts.width, (i, text) => paint(opts.color, STATUS_COLOR[descs[i]!.status], text));
}

export function describe(s: EngineSnapshot, name: string, now: number): string {
  const r = s.resources[name]!;
  const d = statusView(r);
  const out: string[] = [];
  const field = (k: string, v: string): void => void out.push(`${(k + ':').padEnd(17)}${v}`);
  field('Name', r.name);
  field('Type', r.type);
  field('Labels', r.labels.join(', ') || '<none>');
  field('Trigger mode', `${r.triggerMode}${r.autoInit ? '' : ' (auto_init=False)'}`);
  field('Status', `${d.word}${d.detail ? ` (${d.detail})` : ''}`);
  field('Update status', updateStatus(r));
  field('Runtime status', r.runtimeStatus);
  field('Disabled', r.disabled ? 'yes' : 'no');
  if (r.hold) field('Waiting', r.hold.words);
  if (r.currentBuild) field('Updating', `${r.currentBuild.kind} since ${ago(r.currentBuild.startTime, now)} ago (${r.currentBuild.reason ?? ''})`);
  if (r.pendingChanges.length) field('Pending changes', r.pendingChanges.map((c) => c.path).join(', '));
  if (s.session.k8s.context && (r.type === 'k8s' || r.type === 'k8s_custom_deploy')) field('Context', `${s.session.k8s.context} / ${s.session.k8s.namespace ?? 'default'}`);
  out.push('Pods:');
  if (r.pods.length === 0) out.push('  <none>');
  for (const p of r.pods) {
    out.push(`  ${p.name}  ${p.status}  ${p.ready ? 'ready' : 'not ready'}  restarts ${p.restarts}`);
    for (const c of p.containers) out.push(`    ${c.name}: ${c.state}${c.reason ? ` (${c.reason})` : ''}${c.image ? `  ${c.image}` : ''}`);
  }
  out.push('Port forwards:');
  if (r.portForwards.length === 0) out.push('  <none>');
  for (const f of r.portForwards) out.push(`  ${endpointAddress(f.host, f.localPort)} -> ${f.containerPort}  ${f.state}${f.error ? `: ${f.error}` : ''}`);
  out.push('Endpoints:');
  const endpoints = resourceEndpoints(r);
  if (endpoints.length === 0) out.push('  <none>');
  for (const e of endpoints) out.push(`  ${e.url}`);
  out.push('Updates (newest first):');
  if (r.buildHistory.length === 0) out.push('  <none>');
  for (const b of r.buildHistory.slice(0, 5)) {
    const took = b.finishTime ? `${((b.finishTime - b.startTime) / 1000).toFixed(1)}s` : 'running';
    out.push(`  ${ago(b.startTime, now)} ago  ${b.kind}  ${took}  ${b.reason ?? ''}${b.error ? `  ERROR: ${b.error.split('\n')[0]}` : ''}`);
  }
  return out.join('\n') + '\n';
}
