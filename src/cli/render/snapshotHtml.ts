// `innerloop snapshot FILE`: one self-contained HTML page (no scripts, no external resources) with the resources
// and their logs, for sharing a session with someone who has no engine. Everything from the engine is escaped.
import type { LogLine } from '../../engine/logs';
import type { EngineSnapshot } from '../../shared/state';
import { statusView } from '../../shared/status';
import { ansiToHtml, escapeHtml } from './ansi';

const CSS = `body{font:14px system-ui,sans-serif;margin:0;background:#1e1e1e;color:#ddd}
header{padding:12px 16px;background:#252526;border-bottom:1px solid #333}h1{font-size:18px;margin:0 0 4px}
.meta{color:#999;font-size:12px}table{border-collapse:collapse;margin:12px 16px}td,th{padding:4px 12px;text-align:left;border-bottom:1px solid #333}
.ok{color:#4ec94e}.building,.pending,.warning{color:#e5c07b}.error{color:#f14c4c}.idle,.disabled{color:#888}
section{margin:12px 16px}h2{font-size:15px;margin:16px 0 6px}pre{background:#111;padding:8px;margin:0;overflow-x:auto;font:12px ui-monospace,monospace;white-space:pre-wrap}
.lw{color:#e5c07b}.le{color:#f14c4c}.b{font-weight:bold}
.a30{color:#666}.a31{color:#f14c4c}.a32{color:#4ec94e}.a33{color:#e5c07b}.a34{color:#61afef}.a35{color:#c678dd}.a36{color:#56b6c2}.a37{color:#ddd}
.a90{color:#888}.a91{color:#ff6b6b}.a92{color:#7ee787}.a93{color:#ffd866}.a94{color:#79c0ff}.a95{color:#d2a8ff}.a96{color:#76e3ea}.a97{color:#fff}`;

export function snapshotHtml(s: EngineSnapshot, logs: readonly LogLine[], meta: { tiltfile: string; version: string; takenAt: number }): string {
  const rows = s.order.map((n) => {
    const r = s.resources[n]!;
    const d = statusView(r);
    return `<tr id="res-${escapeHtml(n)}"><td><a href="#logs-${escapeHtml(n)}">${escapeHtml(n)}</a></td><td>${escapeHtml(r.type)}</td><td class="${d.status}">${escapeHtml(d.word)}</td><td>${escapeHtml(d.detail)}</td></tr>`;
  });
  const byRes = new Map<string, LogLine[]>();
  for (const l of logs) (byRes.get(l.resource) ?? byRes.set(l.resource, []).get(l.resource)!).push(l);
  const names = [...new Set([...s.order, ...byRes.keys()])];
  const sections = names.map((n) => {
    const lines = (byRes.get(n) ?? []).map((l) => {
      const cls = l.level === 'error' ? ' class="le"' : l.level === 'warn' ? ' class="lw"' : '';
      return `<span${cls}>${ansiToHtml(l.text)}</span>`;
    });
    return `<section><h2 id="logs-${escapeHtml(n)}">${escapeHtml(n)}</h2><pre>${lines.join('\n') || '(no logs)'}</pre></section>`;
  });
  const k8s = s.session.k8s.context ? ` · context ${escapeHtml(s.session.k8s.context)}${s.session.k8s.namespace ? ` / ${escapeHtml(s.session.k8s.namespace)}` : ''}` : '';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Innerloop snapshot: ${escapeHtml(meta.tiltfile)}</title><style>${CSS}</style></head>
<body><header><h1>Innerloop snapshot</h1><div class="meta">${escapeHtml(meta.tiltfile)}${k8s} · taken ${escapeHtml(new Date(meta.takenAt).toISOString())} · innerloop ${escapeHtml(meta.version)}</div></header>
<table><thead><tr><th>Resource</th><th>Type</th><th>Status</th><th>Detail</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>
${sections.join('\n')}
</body></html>
`;
}
