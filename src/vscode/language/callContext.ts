// Pure text analysis for the Tiltfile language features: which call encloses the cursor, which argument
// it is in, and the dotted name under the cursor. No 'vscode' import (unit-tested under plain Node).
// A forward scan from the start of the file keeps string and comment state exact; Tiltfiles are small.

export interface CallContext {
  /** Dotted callee name, e.g. `k8s_resource` or `os.path.join`; '' when the paren is not a call. */
  callee: string;
  /** Offset of the opening parenthesis. */
  openParen: number;
  /** 0-based index of the argument the cursor is in. */
  argIndex: number;
  /** Keyword names already given in this call (before and after the cursor's argument). */
  usedKeywords: string[];
  /** The keyword of the cursor's argument when it is `name=value` and the cursor is after the `=`. */
  currentKeyword?: string;
  /** The cursor's argument so far is empty or a bare identifier: a keyword name may be typed here. */
  atArgumentName: boolean;
  /** Positional arguments before the cursor's argument (keyword ones not counted). */
  positionalBefore: number;
}

interface Frame {
  kind: '(' | '[' | '{';
  open: number;
  callee: string;
  argIndex: number;
  keywords: string[];
  positionalBefore: number;
  /** Start offset of the current argument. */
  argStart: number;
  /** Keyword of the current argument, once its `=` is seen. */
  argKeyword?: string;
}

// Runs of characters that never change the scan state, skipped in one regex step (this runs per keystroke).
const PLAIN_IN_CALL = /[^#"'()[\]{},=]+/y;
const PLAIN = /[^#"']+/y;

/** Scans text[0, offset) and returns the innermost enclosing call, or undefined. */
export function callAt(text: string, offset: number): CallContext | undefined {
  const stack: Frame[] = [];
  let i = 0;
  const end = Math.min(offset, text.length);
  while (i < end) {
    PLAIN_IN_CALL.lastIndex = i;
    if (PLAIN_IN_CALL.test(text)) {
      i = Math.min(PLAIN_IN_CALL.lastIndex, end);
      continue;
    }
    const c = text[i]!;
    if (c === '#') {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? end : nl;
      continue;
    }
    if (c === '"' || c === "'") {
      const close = skipString(text, i);
      if (close > end) return undefined; // cursor inside a string literal
      i = close;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') {
      stack.push({
        kind: c,
        open: i,
        callee: c === '(' ? calleeBefore(text, i) : '',
        argIndex: 0,
        keywords: [],
        positionalBefore: 0,
        argStart: i + 1,
      });
      i++;
      continue;
    }
    if (c === ')' || c === ']' || c === '}') {
      stack.pop();
      i++;
      continue;
    }
    const top = stack[stack.length - 1];
    if (top && c === ',') {
      if (top.argKeyword === undefined && text.slice(top.argStart, i).trim() !== '') top.positionalBefore++;
      top.argIndex++;
      top.argStart = i + 1;
      top.argKeyword = undefined;
      i++;
      continue;
    }
    if (top && top.kind === '(' && c === '=' && text[i + 1] !== '=' && !'=!<>'.includes(text[i - 1] ?? '')) {
      const name = text.slice(top.argStart, i).trim();
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && top.argKeyword === undefined) {
        top.argKeyword = name;
        top.keywords.push(name);
      }
      i++;
      continue;
    }
    i++;
  }
  for (let k = stack.length - 1; k >= 0; k--) {
    const f = stack[k]!;
    if (f.kind !== '(') continue;
    // Only the innermost paren frame counts; inside a list argument we are still in that call's argument.
    const current = text.slice(f.argStart, end).trim();
    const later = keywordsAfter(text, end, stack.length - 1 - k);
    return {
      callee: f.callee,
      openParen: f.open,
      argIndex: f.argIndex,
      usedKeywords: [...new Set([...f.keywords, ...later])],
      ...(f.argKeyword !== undefined ? { currentKeyword: f.argKeyword } : {}),
      atArgumentName: k === stack.length - 1 && f.argKeyword === undefined && /^[A-Za-z_0-9]*$/.test(current),
      positionalBefore: f.positionalBefore,
    };
  }
  return undefined;
}

/** Index just past the string literal starting at `start` (handles triple quotes and escapes). */
function skipString(text: string, start: number): number {
  const q = text[start]!;
  const triple = text.startsWith(q.repeat(3), start);
  let i = start + (triple ? 3 : 1);
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\\') {
      i += 2;
      continue;
    }
    if (triple) {
      if (text.startsWith(q.repeat(3), i)) return i + 3;
    } else {
      if (c === q) return i + 1;
      if (c === '\n') return i; // unterminated: stop at end of line
    }
    i++;
  }
  return text.length + 1;
}

/** Dotted identifier right before an opening paren, e.g. `os.path.join` in `os.path.join(`. */
function calleeBefore(text: string, paren: number): string {
  let j = paren - 1;
  while (j >= 0 && (text[j] === ' ' || text[j] === '\t')) j--;
  const endName = j + 1;
  while (j >= 0 && /[A-Za-z0-9_.]/.test(text[j]!)) j--;
  const name = text.slice(j + 1, endName);
  return /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(name) ? name : '';
}

/** Keyword names given later in the same call (text after the cursor, at the call's own depth). */
function keywordsAfter(text: string, from: number, extraDepth: number): string[] {
  const out: string[] = [];
  let depth = extraDepth;
  let i = from;
  let argStart = from;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '#') {
      const nl = text.indexOf('\n', i);
      if (nl < 0) break;
      i = nl;
      continue;
    }
    if (c === '"' || c === "'") {
      i = skipString(text, i);
      continue;
    }
    if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && c === ',') argStart = i + 1;
    else if (depth === 0 && c === '=' && text[i + 1] !== '=' && !'=!<>'.includes(text[i - 1] ?? '')) {
      const name = text.slice(argStart, i).trim();
      if (argStart > from && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) out.push(name);
    }
    i++;
  }
  return out;
}

/** The dotted name under the cursor: from its first segment to the end of the hovered segment. */
export function dottedNameAt(text: string, offset: number): { name: string; start: number; end: number } | undefined {
  let s = offset;
  while (s > 0 && /[A-Za-z0-9_.]/.test(text[s - 1]!)) s--;
  let e = offset;
  while (e < text.length && /[A-Za-z0-9_]/.test(text[e]!)) e++;
  let name = text.slice(s, e);
  // Trim leading dots (e.g. after `).`), then require an identifier chain.
  while (name.startsWith('.')) {
    name = name.slice(1);
    s++;
  }
  if (!name || !/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(name)) return undefined;
  return { name, start: s, end: e };
}

/** For completion after `a.b.`: the dotted prefix before the final dot, or undefined. */
export function memberPrefixAt(text: string, offset: number): string | undefined {
  let s = offset;
  while (s > 0 && /[A-Za-z0-9_]/.test(text[s - 1]!)) s--;
  if (text[s - 1] !== '.') return undefined;
  let b = s - 1;
  while (b > 0 && /[A-Za-z0-9_.]/.test(text[b - 1]!)) b--;
  const prefix = text.slice(b, s - 1);
  return /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(prefix) ? prefix : undefined;
}

/** Whether `offset` is inside a comment or string (completion should stay quiet there). */
export function inCommentOrString(text: string, offset: number): boolean {
  let i = 0;
  while (i < offset) {
    PLAIN.lastIndex = i;
    if (PLAIN.test(text)) {
      i = PLAIN.lastIndex;
      continue;
    }
    const c = text[i]!;
    if (c === '#') {
      const nl = text.indexOf('\n', i);
      if (nl < 0 || nl >= offset) return true;
      i = nl;
      continue;
    }
    if (c === '"' || c === "'") {
      const close = skipString(text, i);
      if (close > offset) return true;
      i = close;
      continue;
    }
    i++;
  }
  return false;
}
