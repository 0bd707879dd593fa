// The `up`/`ci` terminal view: resource logs prefixed with the (coloured) resource name, and, on a TTY, a live
// status table kept under the logs (erased and redrawn around each batch of log lines).
import { stripVTControlCharacters } from 'node:util';
import type { Disposable } from '../../shared/events';
import type { Session } from '../../engine/session';
import type { LogLine } from '../../engine/logs';
import { colorFor, paint, statusTable } from './status';

// Anything a pod or a build prints reaches the user's terminal: an escape sequence there can write the clipboard
// (OSC 52), retitle the window, move the cursor to overwrite the status rows with fake ones, or hide text. Keep
// only SGR (colours and styles), which is what programs legitimately use in logs; drop every other escape
// sequence and control character. A full-sequence regexp: ESC [ params final | ESC ] … (BEL | ESC \) |
// ESC P/X/^/_ … ESC \ | ESC + one char | lone C0/C1 controls.
const SGR = /^\x1b\[[0-9;:]*m$/;
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[PX^_][^\x1b]*(?:\x1b\\)?|\x1b[ -/]*[0-~]?|[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]/g;

/** One log line made safe for a terminal: SGR kept (and reset at the end, so colour cannot leak), all else gone. */
export function sanitizeForTerminal(line: string): string {
  let coloured = false;
  const out = line.replace(ESCAPES, (seq) => {
    if (SGR.test(seq)) {
      coloured = true;
      return seq;
    }
    return seq === '\t' ? seq : '';
  });
  return coloured ? out + '\x1b[0m' : out;
}

/**
 * Log lines as `resource │ text`, the name coloured per resource and the text made safe; without colour the log's
 * own colours go too (NO_COLOR means none at all). `up`, `ci` and `logs` print the same way.
 */
export function formatLogLines(lines: readonly Pick<LogLine, 'resource' | 'text' | 'level'>[], color: boolean, width: number): string {
  let out = '';
  for (const l of lines) {
    const prefix = paint(color, colorFor(l.resource), l.resource.padEnd(width).slice(0, width));
    const safe = color ? sanitizeForTerminal(l.text) : stripVTControlCharacters(sanitizeForTerminal(l.text));
    const text = l.level === 'error' ? paint(color, 31, safe) : l.level === 'warn' ? paint(color, 33, safe) : safe;
    out += `${prefix} │ ${text}\n`;
  }
  return out;
}

/** Several lines (a summary, a progress report) made safe line by line; the newlines stay. */
export function sanitizeTextForTerminal(text: string): string {
  return text.split('\n').map(sanitizeForTerminal).join('\n');
}

export interface TerminalOptions {
  write(text: string): void;
  tty: boolean;
  /** Colour (the caller applies NO_COLOR/FORCE_COLOR with useColor()); default: on a TTY. */
  color?: boolean;
  columns?: number;
  /** Lines not to print here (ci prints its Tiltfile/cluster error once, as the verdict). */
  skip?(line: LogLine): boolean;
}

export class TerminalView implements Disposable {
  private tableLines = 0;
  private lastSeq = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly subs: Disposable[] = [];
  private readonly width: number;
  private lastTable = '';

  constructor(private readonly session: Session, private readonly opts: TerminalOptions) {
    this.width = Math.max(20, ...session.store.names().map((n) => n.length));
    this.subs.push(session.logs.onDidAppend(() => this.schedule()));
    this.subs.push(session.store.onDidChange(() => this.schedule()));
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.render();
    }, this.opts.tty ? 100 : 0);
  }

  /** Print what is new (and the table on a TTY). */
  render(): void {
    const lines = this.session.logs.allSince(this.lastSeq);
    if (lines.length > 0) this.lastSeq = lines[lines.length - 1]!.seq;
    const color = this.opts.color ?? this.opts.tty;
    const w = Math.min(24, Math.max(this.width, ...lines.map((l) => l.resource.length)));
    const out = formatLogLines(this.opts.skip ? lines.filter((l) => !this.opts.skip!(l)) : lines, color, w);
    if (!this.opts.tty) {
      if (out) this.opts.write(out);
      return;
    }
    // Status text carries build errors and pod messages too: as sanitised as the logs, or a row could be spoofed.
    const table = statusTable(this.session.store.snapshot(), color, this.opts.columns ?? 100).map(sanitizeForTerminal);
    const tableText = ['─'.repeat(Math.min(80, this.opts.columns ?? 80)), ...table].join('\n') + '\n';
    if (!out && tableText === this.lastTable) return;
    // Erase the previous table, print the new logs, redraw.
    const erase = this.tableLines > 0 ? `\x1b[${this.tableLines}A\x1b[J` : '';
    this.opts.write(erase + out + tableText);
    this.lastTable = tableText;
    this.tableLines = table.length + 1;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.render();
    for (const s of this.subs) s.dispose();
  }
}
