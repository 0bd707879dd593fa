// StarlarkError: every failure of scanning, parsing, resolving or evaluating a module.

export interface Pos {
  file: string;
  line: number;
  col: number;
}

export interface Frame {
  file: string;
  line: number;
  col: number;
  /** Function name; `<toplevel>` for module code. */
  fn: string;
}

export type ErrorKind = 'syntax' | 'resolve' | 'runtime' | 'cancelled';

export class StarlarkError extends Error {
  /** The message without position, e.g. `Error in fail: x` or `unknown binary op: int + string`. */
  readonly shortMessage: string;
  constructor(
    readonly kind: ErrorKind,
    shortMessage: string,
    readonly pos: Pos,
    readonly frames: Frame[] = [],
    /** Set when the error came from a builtin: backtrace's last line is then `Error in NAME: ...`. */
    readonly builtin?: string,
  ) {
    super(`${pos.file}:${pos.line}:${pos.col}: ${shortMessage}`);
    this.name = 'StarlarkError';
    this.shortMessage = shortMessage;
  }

  /** starlark-go style traceback (syntax/resolve errors: just `file:line:col: msg`). */
  backtrace(): string {
    if (this.frames.length === 0) return this.message;
    const lines = ['Traceback (most recent call last):'];
    // Deep recursion: show a repeated frame three times, then how many more there were.
    let prev = '';
    let repeats = 0;
    const flush = (): void => {
      if (repeats > 3) lines.push(`  [previous line repeated ${repeats - 3} more times]`);
    };
    for (const f of this.frames) {
      const line = `  ${f.file}:${f.line}:${f.col}: in ${f.fn}`;
      if (line === prev) {
        repeats++;
        if (repeats <= 3) lines.push(line);
        continue;
      }
      flush();
      prev = line;
      repeats = 1;
      lines.push(line);
    }
    flush();
    lines.push(this.builtin !== undefined ? this.shortMessage : `Error: ${this.shortMessage}`);
    return lines.join('\n');
  }
}

/** Scanner/parser error. */
export class SyntaxErr extends StarlarkError {
  constructor(msg: string, file: string, line: number, col: number) {
    super('syntax', msg, { file, line, col });
  }
}
