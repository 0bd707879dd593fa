// ANSI SGR colours in log lines → plain segments of text with a colour class. The dashboard builds DOM spans from
// them (textContent, never HTML) and the snapshot page escapes them; every other escape sequence or control
// character (cursor moves, OSC titles and links, bells) is dropped, so a log line can only ever be coloured text.

export interface AnsiSegment {
  text: string;
  /** Foreground SGR code: 30–37 or 90–97 (other colour forms are dropped). */
  fg?: number;
  bold?: boolean;
}

// SGR (group 1 = its parameters) | any other CSI | OSC (BEL or ST terminated, or cut off) | other ESC forms | C0/C1.
const ESCAPES = /\x1b\[([0-9;:]*)m|\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[PX^_][^\x1b]*(?:\x1b\\)?|\x1b[ -/]*[0-~]?|[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]/g;

/** The text a reader sees: every escape sequence and control character removed (for search, widths). */
export function visibleText(line: string): string {
  return line.includes('\x1b') || /[\x00-\x08\x0b-\x1f\x7f-\x9f]/.test(line) ? line.replace(ESCAPES, '') : line;
}

export function ansiSegments(line: string): AnsiSegment[] {
  const out: AnsiSegment[] = [];
  let fg: number | undefined;
  let bold = false;
  let last = 0;
  const push = (text: string): void => {
    if (!text) return;
    const prev = out[out.length - 1];
    // Text on either side of a dropped sequence, in the same style, stays one segment (one DOM node).
    if (prev && prev.fg === fg && (prev.bold ?? false) === bold) prev.text += text;
    else out.push({ text, ...(fg !== undefined ? { fg } : {}), ...(bold ? { bold } : {}) });
  };
  for (const m of line.matchAll(ESCAPES)) {
    push(line.slice(last, m.index));
    last = m.index + m[0].length;
    if (m[1] === undefined) continue;
    const codes = (m[1] || '0').split(/[;:]/).map(Number);
    for (let i = 0; i < codes.length; i++) {
      const code = codes[i]!;
      // 256-colour and RGB forms (38;5;N, 38;2;R;G;B, and 48 for the background) are skipped whole, so their
      // numbers are not read as colours of their own.
      if (code === 38 || code === 48) { i += codes[i + 1] === 5 ? 2 : codes[i + 1] === 2 ? 4 : 0; continue; }
      if (code === 0) { fg = undefined; bold = false; }
      else if (code === 1) bold = true;
      else if (code === 22) bold = false;
      else if (code === 39) fg = undefined;
      else if ((code >= 30 && code <= 37) || (code >= 90 && code <= 97)) fg = code;
    }
  }
  push(line.slice(last));
  return out;
}

/** The CSS classes of a segment: aNN for the colour, b for bold ('' when plain). */
export function ansiClass(s: AnsiSegment): string {
  return [s.fg !== undefined ? `a${s.fg}` : '', s.bold ? 'b' : ''].filter(Boolean).join(' ');
}
