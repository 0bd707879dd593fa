// Source ranges for diagnostics: the loader reports Tilt's positions (a call's '(', a syntax error's token);
// this widens them into ranges an editor can underline, from the file's tokens.
import { tokenize, type Token } from '../starlark';
import type { Diagnostic, SourcePos } from './plan';

function tokenLength(t: Token): number {
  if (t.kind === 'NEWLINE' || t.kind === 'EOF' || t.kind === 'INDENT' || t.kind === 'OUTDENT') return 1;
  return (t.raw ?? t.text).length || 1;
}

function isOpen(t: Token): boolean { return t.kind === 'OP' && (t.text === '(' || t.text === '[' || t.text === '{'); }
function isClose(t: Token): boolean { return t.kind === 'OP' && (t.text === ')' || t.text === ']' || t.text === '}'); }

const ARG_RE = /for parameter "(\w+)"|unexpected keyword argument "?(\w+)"?/;

/** Token indexes [first, last] of `name=value` among the top-level arguments of the call open..close. */
function keywordArg(toks: Token[], open: number, close: number, name: string): [number, number] | undefined {
  let depth = 0;
  for (let j = open + 1; j < close; j++) {
    const x = toks[j]!;
    if (isOpen(x)) depth++;
    else if (isClose(x)) depth--;
    else if (depth === 0 && x.kind === 'IDENT' && x.text === name && toks[j + 1]?.kind === 'OP' && toks[j + 1]!.text === '=') {
      let k = j + 2;
      let d = 0;
      for (; k < close; k++) {
        const y = toks[k]!;
        if (isOpen(y)) d++;
        else if (isClose(y)) d--;
        else if (d === 0 && y.kind === 'OP' && y.text === ',') break;
      }
      return [j, k - 1];
    }
  }
  return undefined;
}

/**
 * Fills `end` (exclusive) and, for calls, `start` (the callee name) on diagnostics whose file text is known.
 * A diagnostic at a call's '(' spans callee..')' (or just `name=value` when the message names a keyword argument);
 * any other spans the token at its position.
 */
export function addRanges(diags: Diagnostic[], sources: Map<string, string>): void {
  const cache = new Map<string, Token[] | null>();
  const tokensOf = (file: string): Token[] | null => {
    let toks = cache.get(file);
    if (toks === undefined) {
      const src = sources.get(file);
      try { toks = src === undefined ? null : tokenize(src, file); } catch { toks = null; }
      cache.set(file, toks);
    }
    return toks;
  };
  for (const d of diags) {
    if (!d.pos || d.end) continue;
    const toks = tokensOf(d.pos.file);
    if (!toks) continue;
    const i = toks.findIndex((t) => t.line === d.pos!.line && t.col === d.pos!.col && t.kind !== 'INDENT' && t.kind !== 'OUTDENT');
    if (i < 0) continue;
    const t = toks[i]!;
    const file = d.pos.file;
    const at = (x: Token, len = 0): SourcePos => ({ file, line: x.line, col: x.col + len });
    if (t.kind === 'OP' && t.text === '(' && i > 0) {
      // Callee: NAME(.NAME)* before the '('; end: the matching ')'.
      let s = i - 1;
      if (toks[s]!.kind === 'IDENT') {
        while (s >= 2 && toks[s - 1]!.kind === 'OP' && toks[s - 1]!.text === '.' && toks[s - 2]!.kind === 'IDENT') s -= 2;
        d.start = at(toks[s]!);
      }
      let depth = 0;
      let close = -1;
      for (let j = i; j < toks.length; j++) {
        const x = toks[j]!;
        if (isOpen(x)) depth++;
        else if (isClose(x) && --depth === 0) { close = j; break; }
      }
      d.end = close >= 0 ? at(toks[close]!, 1) : at(t, 1);
      // A message naming a keyword argument narrows the range to `name=value`.
      const kw = close >= 0 ? ARG_RE.exec(d.message) : null;
      const name = kw ? kw[1] ?? kw[2] : undefined;
      if (name) {
        const arg = keywordArg(toks, i, close, name);
        if (arg) { d.start = at(toks[arg[0]]!); d.end = at(toks[arg[1]]!, tokenLength(toks[arg[1]]!)); }
      }
      continue;
    }
    d.end = at(t, tokenLength(t));
  }
}
