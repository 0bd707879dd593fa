// Splitting a byte stream into lines with a bounded carry. A program that never prints a newline (a progress
// bar with \r, a minified blob, a binary dumped to stdout) would otherwise grow the "unfinished last line"
// buffer for as long as it runs: a 24-hour session ends with gigabytes in one string. Past the cap the carry is
// delivered as a line of its own (the log store cuts long lines anyway), so memory stays flat and nothing that
// fits in a line is lost.

/** Longest unfinished line kept while waiting for its newline. */
export const MAX_PENDING_LINE = 64 * 1024;

export class LineBuffer {
  private carry = '';

  constructor(private readonly onLine: (line: string) => void, private readonly max = MAX_PENDING_LINE) {}

  /** Characters held for the unfinished last line (bounded by the cap). */
  get pending(): number {
    return this.carry.length;
  }

  push(chunk: string): void {
    const parts = (this.carry + chunk).split('\n');
    this.carry = parts.pop() ?? '';
    for (const p of parts) this.onLine(p.endsWith('\r') ? p.slice(0, -1) : p);
    while (this.carry.length > this.max) {
      this.onLine(this.carry.slice(0, this.max));
      this.carry = this.carry.slice(this.max);
    }
  }

  /** The stream ended: deliver the unfinished line, if any. */
  end(): void {
    const rest = this.carry;
    this.carry = '';
    if (rest) this.onLine(rest.endsWith('\r') ? rest.slice(0, -1) : rest);
  }
}
