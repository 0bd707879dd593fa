// ANSI SGR colours in log lines → HTML spans for the snapshot page. Every piece of text is HTML-escaped; the
// only markup produced is <span class="aN"> from a fixed set of classes, so a log line can never inject HTML.
import { ansiClass, ansiSegments } from '../../shared/ansi';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Colour classes: a30–a37, a90–a97 (foreground), b (bold). Other SGR codes are dropped. */
export function ansiToHtml(line: string): string {
  return ansiSegments(line).map((seg) => {
    const cls = ansiClass(seg);
    return cls ? `<span class="${cls}">${escapeHtml(seg.text)}</span>` : escapeHtml(seg.text);
  }).join('');
}
