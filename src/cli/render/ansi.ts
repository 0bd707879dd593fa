// ANSI SGR colours in log lines → HTML spans for the snapshot page. Every piece of text is HTML-escaped; the
// only markup produced is <span class="aN"> from a fixed set of classes, so a log line can never inject HTML.

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Colour classes: a30–a37, a90–a97 (foreground), b (bold). Other SGR codes are dropped. */
export function ansiToHtml(line: string): string {
  const re = /\x1b\[([0-9;]*)m|\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|[\x00-\x08\x0b-\x1f\x7f]/g;
  let out = '';
  let fg: number | undefined;
  let bold = false;
  let last = 0;
  const flush = (text: string): void => {
    if (!text) return;
    const cls = [fg !== undefined ? `a${fg}` : '', bold ? 'b' : ''].filter(Boolean).join(' ');
    out += cls ? `<span class="${cls}">${escapeHtml(text)}</span>` : escapeHtml(text);
  };
  for (let m = re.exec(line); m; m = re.exec(line)) {
    flush(line.slice(last, m.index));
    last = m.index + m[0].length;
    if (m[1] === undefined) continue;
    for (const code of (m[1] || '0').split(';').map(Number)) {
      if (code === 0) { fg = undefined; bold = false; }
      else if (code === 1) bold = true;
      else if (code === 22) bold = false;
      else if (code === 39) fg = undefined;
      else if ((code >= 30 && code <= 37) || (code >= 90 && code <= 97)) fg = code;
    }
  }
  flush(line.slice(last));
  return out;
}

/**
 * A log line made safe for a terminal: SGR colour sequences are kept when `color` (stripped otherwise); every other
 * escape or control character (cursor moves, OSC titles and links, bells) is removed so a log cannot redraw or
 * retitle the user's terminal.
 */
export function terminalSafe(line: string, color: boolean): string {
  return line.replace(/\x1b\[[0-9;]*m|\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b.?|[\x00-\x08\x0b-\x1f\x7f]/g, (m) =>
    color && /^\x1b\[[0-9;]*m$/.test(m) ? m : '');
}
