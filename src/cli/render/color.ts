// Whether to colour output: NO_COLOR (any non-empty value) turns colour off, FORCE_COLOR turns it on (0/false
// off), otherwise colour only on a terminal. See no-color.org and the FORCE_COLOR convention.
import { stripVTControlCharacters } from 'node:util';

export function useColor(tty: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  return tty && env.TERM !== 'dumb';
}

/** Width as the terminal shows it: escape sequences take no columns. */
export function visibleWidth(text: string): number {
  return [...stripVTControlCharacters(text)].length;
}

/**
 * Cuts a line to `width` visible columns (escape sequences are kept and not counted; a reset is appended when
 * anything was cut after a colour started, so the colour cannot leak into the next line).
 */
export function truncateVisible(text: string, width: number): string {
  if (visibleWidth(text) <= width) return text;
  const esc = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/y;
  let out = '';
  let cols = 0;
  let i = 0;
  let styled = false;
  while (i < text.length && cols < Math.max(0, width - 1)) {
    esc.lastIndex = i;
    const m = esc.exec(text);
    if (m) {
      out += m[0];
      styled = true;
      i += m[0].length;
      continue;
    }
    const ch = String.fromCodePoint(text.codePointAt(i)!);
    out += ch;
    cols++;
    i += ch.length;
  }
  return out + '…' + (styled ? '\x1b[0m' : '');
}
