// The `up`/`ci` terminal view: resource logs prefixed with the (coloured) resource name, and, on a TTY, a live
// status table kept under the logs (erased and redrawn around each batch of log lines).
import type { Disposable } from '../../shared/events';
import type { Session } from '../../engine/session';
import { colorFor, paint, statusTable } from './status';

export interface TerminalOptions {
  write(text: string): void;
  tty: boolean;
  columns?: number;
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
    const color = this.opts.tty;
    const w = Math.min(24, Math.max(this.width, ...lines.map((l) => l.resource.length)));
    let out = '';
    for (const l of lines) {
      const prefix = paint(color, colorFor(l.resource), l.resource.padEnd(w).slice(0, w));
      const text = l.level === 'error' ? paint(color, 31, l.text) : l.level === 'warn' ? paint(color, 33, l.text) : l.text;
      out += `${prefix} │ ${text}\n`;
    }
    if (!this.opts.tty) {
      if (out) this.opts.write(out);
      return;
    }
    const table = statusTable(this.session.store.snapshot(), true, this.opts.columns ?? 100);
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
