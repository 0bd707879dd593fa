// Plain-text views of the engine state for the terminal: one status row per resource, and the final summary.
import type { EngineSnapshot, ResourceSnapshot } from '../../shared/state';

const COLORS = [36, 35, 33, 32, 34, 91, 96, 95, 93, 92];

export function colorFor(name: string): number {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return COLORS[h % COLORS.length] as number;
}

export const paint = (on: boolean, code: number, text: string): string => (on ? `\x1b[${code}m${text}\x1b[0m` : text);

/** "building", "ready", "error: ...": the resource's state in a few words. */
export function describeResource(r: ResourceSnapshot): { word: string; level: 'ok' | 'busy' | 'error' | 'idle'; detail: string } {
  if (r.disabled) return { word: 'disabled', level: 'idle', detail: '' };
  if (r.currentBuild) return { word: r.currentBuild.kind === 'live_update' ? 'live-updating' : 'updating', level: 'busy', detail: r.currentBuild.reason ?? '' };
  if (r.lastBuild?.error) return { word: 'update error', level: 'error', detail: r.lastBuild.error.split('\n')[0] ?? '' };
  if (r.runtimeStatus === 'error') {
    const pod = r.pods.find((p) => !p.ready);
    return { word: 'runtime error', level: 'error', detail: pod ? `${pod.name}: ${pod.status}` : '' };
  }
  if (!r.lastBuild) return { word: r.waitingReason ? 'waiting' : 'pending', level: 'idle', detail: r.waitingReason ?? '' };
  if (r.pendingChanges.length > 0) return { word: 'pending', level: 'busy', detail: `${r.pendingChanges.length} file(s) changed${r.waitingReason ? `, ${r.waitingReason}` : ''}` };
  if (r.runtimeStatus === 'ok' || r.runtimeStatus === 'not_applicable') {
    const fwd = r.portForwards.map((p) => `localhost:${p.localPort}${p.state === 'active' ? '' : ` (${p.state})`}`).join(' ');
    return { word: r.runtimeStatus === 'ok' ? 'ready' : 'done', level: 'ok', detail: fwd };
  }
  return { word: 'starting', level: 'busy', detail: r.pods[0] ? `${r.pods[0].name}: ${r.pods[0].status}` : '' };
}

const LEVEL_COLOR = { ok: 32, busy: 33, error: 31, idle: 90 } as const;

export function statusTable(s: EngineSnapshot, color: boolean, width = 100): string[] {
  const names = s.order;
  const w = Math.max(8, ...names.map((n) => n.length));
  const lines: string[] = [];
  const tf = s.session.tiltfile;
  if (tf.status === 'error' && tf.error !== s.session.k8s.error) lines.push(paint(color, 31, `Tiltfile error: ${(tf.error ?? '').split('\n')[0]}`));
  if (s.session.k8s.error) lines.push(paint(color, 31, `Kubernetes: ${s.session.k8s.error.split('\n')[0]}`));
  for (const n of names) {
    const r = s.resources[n];
    if (!r) continue;
    const d = describeResource(r);
    const row = `${n.padEnd(w)}  ${paint(color, LEVEL_COLOR[d.level], d.word.padEnd(13))} ${d.detail}`;
    lines.push(row.length > width + 20 ? row.slice(0, width + 20) : row);
  }
  return lines;
}
