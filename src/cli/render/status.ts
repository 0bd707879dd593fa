// Plain-text views of the engine state for the terminal: one status row per resource, and the final summary.
// Words and colours come from the one projection in shared/status.ts, which the editor renders too.
import type { EngineSnapshot } from '../../shared/state';
import { clusterBanner, displayOrder, statusView, type ResourceStatus } from '../../shared/status';
import { truncateVisible } from './color';

const COLORS = [36, 35, 33, 32, 34, 91, 96, 95, 93, 92];

export function colorFor(name: string): number {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return COLORS[h % COLORS.length] as number;
}

export const paint = (on: boolean, code: number, text: string): string => (on ? `\x1b[${code}m${text}\x1b[0m` : text);

/** ANSI colour per status, for every CLI table. */
export const STATUS_COLOR: Record<ResourceStatus, number> = { error: 31, building: 33, pending: 33, warning: 33, ok: 32, idle: 90, disabled: 90 };

/** `sessionErrors: false` leaves out the Tiltfile/cluster error rows (ci prints that error once, as its verdict). */
export function statusTable(s: EngineSnapshot, color: boolean, width = 100, opts: { sessionErrors?: boolean } = {}): string[] {
  const names = displayOrder(s);
  const w = Math.max(8, ...names.map((n) => n.length));
  const lines: string[] = [];
  const tf = s.session.tiltfile;
  const errors = opts.sessionErrors ?? true;
  if (errors && tf.status === 'error' && tf.error !== s.session.k8s.error) lines.push(paint(color, 31, `Tiltfile error: ${(tf.error ?? '').split('\n')[0]}`));
  if (errors && s.session.k8s.error) lines.push(paint(color, 31, `Kubernetes: ${s.session.k8s.error.split('\n')[0]}`));
  const cluster = clusterBanner(s.session);
  if (cluster) lines.push(paint(color, cluster.level === 'error' ? 31 : 32, `Kubernetes: ${cluster.text}`));
  for (const n of names) {
    const r = s.resources[n];
    if (!r) continue;
    const v = statusView(r);
    // The Tiltfile's links= (port forwards are already in the detail of a ready resource).
    const links = r.links.map((l) => l.url).join(' ');
    const detail = [v.detail, links].filter(Boolean).join(' · ');
    const row = `${n.padEnd(w)}  ${paint(color, STATUS_COLOR[v.status], v.word.padEnd(14))} ${detail}`;
    // Cut to what the terminal shows: escape codes take no columns (counting them cut rows wrongly and broke redraws).
    lines.push(truncateVisible(row, width));
  }
  return lines;
}
