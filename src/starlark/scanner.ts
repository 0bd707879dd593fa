// Tokenizer: indentation, implicit line joining inside brackets, all literal forms.
import { SyntaxErr } from './errors';

export type TokKind =
  | 'EOF'
  | 'NEWLINE'
  | 'INDENT'
  | 'OUTDENT'
  | 'IDENT'
  | 'INT'
  | 'FLOAT'
  | 'STRING'
  | 'BYTES'
  | 'OP'
  | 'KEYWORD';

export interface Token {
  kind: TokKind;
  /** Operator/keyword text, identifier name, or decoded string value. */
  text: string;
  /** Literal value for INT (number|bigint), FLOAT (number), BYTES (Uint8Array). */
  value?: number | bigint | Uint8Array;
  line: number;
  col: number;
  /** Raw source text of a literal (for error messages). */
  raw?: string;
}

const KEYWORDS = new Set(['and', 'break', 'continue', 'def', 'elif', 'else', 'for', 'if', 'in', 'lambda', 'load', 'not', 'or', 'pass', 'return', 'while']);
// Like starlark-go, the spec's reserved words (class, import, ...) are ordinary identifiers.

const WS_RE = /[ \t\f\r]+/y;
const IDENT_RE = /[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*/y;
const SIMPLE_STR_RE = /"([^"\\\n\r]*)"|'([^'\\\n\r]*)'/y;

/** Operator spellings, longest first; matched without allocating substrings. */
const OPS = ['//=', '<<=', '>>=', '**', '//', '<<', '>>', '==', '!=', '<=', '>=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '->',
  '+', '-', '*', '/', '%', '&', '|', '^', '~', '<', '>', '(', ')', '[', ']', '{', '}', '.', ',', ';', ':', '='];
/** First char code -> candidate operators starting with it (longest first). */
const OPS_BY_CHAR = new Map<number, string[]>();
for (const op of OPS) {
  const c = op.charCodeAt(0);
  const list = OPS_BY_CHAR.get(c) ?? [];
  list.push(op);
  OPS_BY_CHAR.set(c, list);
}

export function tokenize(src: string, file: string): Token[] {
  return new Scanner(src, file).run();
}

/** Scanner state lives in fields (not closure variables) so V8 keeps the hot loop fast. */
class Scanner {
  readonly toks: Token[] = [];
  readonly n: number;
  i = 0;
  line = 1;
  lineStart = 0;
  depth = 0; // bracket nesting
  readonly indents = [0];
  atLineStart = true;

  constructor(
    readonly src: string,
    readonly file: string,
  ) {
    this.n = src.length;
  }

  err(msg: string, l = this.line, c = this.i - this.lineStart + 1): never {
    throw new SyntaxErr(msg, this.file, l, c);
  }

  push(kind: TokKind, text: string, l: number, c: number, value?: Token['value'], raw?: string): void {
    this.toks.push({ kind, text, line: l, col: c, value, raw });
  }

  /** At the start of a logical line: emit INDENT/OUTDENT; returns false at end of input. */
  private indentation(): boolean {
    const { src, n } = this;
    while (true) {
      let col = 0;
      let j = this.i;
      while (j < n) {
        const c = src.charCodeAt(j);
        if (c === 32) col++;
        else if (c === 9) col += 8 - (col % 8);
        else if (c === 12) col = 0;
        else break;
        j++;
      }
      if (j >= n) {
        this.i = j;
        return false;
      }
      const c = src.charCodeAt(j);
      if (c === 10 || c === 13 || c === 35) {
        // blank or comment-only line
        const nl = src.indexOf('\n', j);
        if (nl < 0) {
          this.i = n;
          return false;
        }
        this.i = nl + 1;
        this.line++;
        this.lineStart = this.i;
        continue;
      }
      this.i = j;
      this.atLineStart = false;
      if (c === 92 && (src.charCodeAt(j + 1) === 10 || (src.charCodeAt(j + 1) === 13 && src.charCodeAt(j + 2) === 10))) return true;
      const indents = this.indents;
      const top = indents[indents.length - 1];
      const tcol = j - this.lineStart + 1;
      if (col > top) {
        indents.push(col);
        this.push('INDENT', '', this.line, tcol);
      } else if (col < top) {
        while (col < indents[indents.length - 1]) {
          indents.pop();
          this.push('OUTDENT', '', this.line, tcol);
        }
        if (col !== indents[indents.length - 1]) this.err('unindent does not match any outer indentation level', this.line, 1);
      }
      return true;
    }
  }

  run(): Token[] {
    const { src, n, toks } = this;
    while (true) {
      if (this.atLineStart && this.depth === 0 && !this.indentation()) break;
      let i = this.i;
      if (i >= n) break;
      const code = src.charCodeAt(i);
      const col = i - this.lineStart + 1;
      // whitespace
      if (code === 32 || code === 9 || code === 12 || code === 13) {
        WS_RE.lastIndex = i;
        WS_RE.test(src);
        this.i = WS_RE.lastIndex;
        continue;
      }
      if (code === 35) {
        const nl = src.indexOf('\n', i);
        this.i = nl < 0 ? n : nl;
        continue;
      }
      if (code === 10) {
        if (this.depth === 0) {
          this.push('NEWLINE', '', this.line, col);
          this.atLineStart = true;
        }
        this.i = i + 1;
        this.line++;
        this.lineStart = i + 1;
        continue;
      }
      if (code === 92) {
        const c1 = src.charCodeAt(i + 1);
        const skip = c1 === 10 ? 2 : c1 === 13 && src.charCodeAt(i + 2) === 10 ? 3 : 0;
        if (skip === 0) this.err('stray backslash in program');
        this.i = i + skip;
        this.line++;
        this.lineStart = this.i;
        continue;
      }
      // identifiers, keywords, string prefixes
      if ((code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95 || code > 127) {
        IDENT_RE.lastIndex = i;
        IDENT_RE.test(src);
        const j = IDENT_RE.lastIndex;
        const word = src.slice(i, j);
        const q = src.charCodeAt(j);
        if ((q === 34 || q === 39) && j - i <= 2 && /^(r|b|rb|br)$/.test(word)) {
          this.i = this.scanString(j, word.includes('r'), word.includes('b'), this.line, col);
          continue;
        }
        toks.push({ kind: KEYWORDS.has(word) ? 'KEYWORD' : 'IDENT', text: word, line: this.line, col, value: undefined, raw: undefined });
        this.i = j;
        continue;
      }
      if (code === 34 || code === 39) {
        // Fast path: a short string without escapes or newlines.
        SIMPLE_STR_RE.lastIndex = i;
        const m = src.charCodeAt(i + 1) !== code ? SIMPLE_STR_RE.exec(src) : null;
        if (m) {
          toks.push({ kind: 'STRING', text: m[1] ?? m[2], line: this.line, col, value: undefined, raw: m[0] });
          this.i = i + m[0].length;
          continue;
        }
        this.i = this.scanString(i, false, false, this.line, col);
        continue;
      }
      if ((code >= 48 && code <= 57) || (code === 46 && isDigit(src[i + 1] ?? ''))) {
        this.i = this.scanNumber(i, col);
        continue;
      }
      const cands = OPS_BY_CHAR.get(code);
      if (cands) {
        let op: string | undefined;
        for (const cand of cands) {
          if (cand.length === 1 || src.startsWith(cand, i)) {
            op = cand;
            break;
          }
        }
        if (op !== undefined) {
          if (op === '**' && src.charCodeAt(i + 2) === 61) this.err('invalid token **=');
          if (code === 40 || code === 91 || code === 123) this.depth++;
          else if ((code === 41 || code === 93 || code === 125) && this.depth > 0) this.depth--;
          toks.push({ kind: 'OP', text: op, line: this.line, col, value: undefined, raw: undefined });
          i += op.length;
          this.i = i;
          continue;
        }
      }
      this.err(`unexpected input character '${src[i]}'`);
    }
    // A final line without '\n' still ends its statement (but not inside unclosed brackets).
    const last = toks[toks.length - 1];
    const endCol = this.i - this.lineStart + 1;
    if (this.depth === 0 && last && last.kind !== 'NEWLINE' && last.kind !== 'OUTDENT') this.push('NEWLINE', '', this.line, endCol);
    while (this.indents.length > 1) {
      this.indents.pop();
      this.push('OUTDENT', '', this.line, endCol);
    }
    this.push('EOF', '', this.line, endCol);
    return toks;
  }

  private scanNumber(start: number, col: number): number {
    const { src, n } = this;
    const line = this.line;
    let j = start;
    const c1 = (src[j + 1] ?? '').toLowerCase();
    if (src[j] === '0' && (c1 === 'x' || c1 === 'o' || c1 === 'b')) {
      j += 2;
      const re = c1 === 'x' ? /[0-9a-fA-F_]/ : c1 === 'o' ? /[0-7_]/ : /[01_]/;
      const ds = j;
      while (j < n && re.test(src[j])) j++;
      const digits = src.slice(ds, j).replace(/_/g, '');
      if (digits === '' || (j < n && isIdentPart(src[j]))) this.err(`invalid ${c1 === 'x' ? 'hex' : c1 === 'o' ? 'octal' : 'binary'} literal`, line, col);
      const raw = src.slice(start, j);
      this.push('INT', raw, line, col, norm(BigInt('0' + c1 + digits)), raw);
      return j;
    }
    let isFloat = false;
    while (j < n && (isDigit(src[j]) || src[j] === '_')) j++;
    if (src[j] === '.') {
      isFloat = true;
      j++;
      while (j < n && isDigit(src[j])) j++;
    }
    if (src[j] === 'e' || src[j] === 'E') {
      let k = j + 1;
      if (src[k] === '+' || src[k] === '-') k++;
      if (!isDigit(src[k] ?? '')) this.err('invalid float literal', line, col);
      isFloat = true;
      j = k;
      while (j < n && isDigit(src[j])) j++;
    }
    const raw = src.slice(start, j);
    if (j < n && isIdentStart(src[j])) this.err(`invalid ${isFloat ? 'float' : 'int'} literal`, line, col);
    const digits = raw.includes('_') ? raw.replace(/_/g, '') : raw;
    if (isFloat) {
      this.push('FLOAT', raw, line, col, Number(digits), raw);
      return j;
    }
    if (digits.length > 1 && digits[0] === '0') {
      if (!/^0+$/.test(digits)) this.err('obsolete form of octal literal; use 0o...', line, col);
      this.push('INT', raw, line, col, 0, raw);
      return j;
    }
    this.push('INT', raw, line, col, digits.length < 16 ? Number(digits) : norm(BigInt(digits)), raw);
    return j;
  }

  /** Scans a string or bytes literal whose opening quote is at q; returns the index after it. */
  private scanString(q: number, raw: boolean, isBytes: boolean, l: number, col: number): number {
    const { src, n } = this;
    const quote = src[q];
    const triple = src[q + 1] === quote && src[q + 2] === quote;
    let j = q + (triple ? 3 : 1);
    const out: number[] = []; // UTF-8 bytes, for bytes literals
    let s = '';
    const addCode = (cp: number): void => {
      if (isBytes) out.push(...utf8(cp));
      else s += String.fromCodePoint(cp);
    };
    const addByte = (b: number): void => {
      if (isBytes) out.push(b);
      else s += String.fromCharCode(b);
    };
    while (true) {
      if (j >= n) this.err(triple ? 'unexpected EOF in string' : 'unexpected newline in string', l, col);
      const c = src[j];
      if (triple ? c === quote && src[j + 1] === quote && src[j + 2] === quote : c === quote) {
        j += triple ? 3 : 1;
        break;
      }
      if (c === '\n') {
        if (!triple) this.err('unexpected newline in string', l, col);
        this.line++;
        this.lineStart = j + 1;
      }
      if (c === '\r' && src[j + 1] === '\n') {
        j++; // normalise CRLF
        continue;
      }
      if (c !== '\\') {
        const cp = src.codePointAt(j)!;
        addCode(cp);
        j += cp > 0xffff ? 2 : 1;
        continue;
      }
      const e = src[j + 1];
      if (raw) {
        // In raw strings a backslash is kept, and an escaped quote does not end the string.
        addCode(92);
        if (e === '\n') {
          addCode(10);
          this.line++;
          this.lineStart = j + 2;
          j += 2;
        } else if (e === quote || e === '\\') {
          addCode(e.charCodeAt(0));
          j += 2;
        } else j++;
        continue;
      }
      j += 2;
      switch (e) {
        case '\n':
          this.line++;
          this.lineStart = j;
          break;
        case 'a': addByte(7); break;
        case 'b': addByte(8); break;
        case 'f': addByte(12); break;
        case 'n': addByte(10); break;
        case 'r': addByte(13); break;
        case 't': addByte(9); break;
        case 'v': addByte(11); break;
        case '\\': addByte(92); break;
        case "'": addByte(39); break;
        case '"': addByte(34); break;
        case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
          let k = j - 1;
          let v = 0;
          let cnt = 0;
          while (cnt < 3 && k < n && src[k] >= '0' && src[k] <= '7') {
            v = v * 8 + (src.charCodeAt(k) - 48);
            k++;
            cnt++;
          }
          const esc = src.slice(j - 1, k);
          if (v > 255) this.err(`invalid escape sequence \\${esc}`, l, col);
          if (!isBytes && v > 127) this.err(`non-ASCII octal escape \\${esc} (use \\u${hex4(v)} for the UTF-8 encoding of U+${hex4(v)})`, l, col);
          addByte(v);
          j = k;
          break;
        }
        case 'x': {
          const h = src.slice(j, j + 2);
          if (!/^[0-9a-fA-F]{2}$/.test(h)) this.err(`truncated escape sequence \\x${h}`, l, col);
          const v = parseInt(h, 16);
          if (!isBytes && v > 127) this.err(`non-ASCII hex escape \\x${h} (use \\u${hex4(v)} for the UTF-8 encoding of U+${hex4(v)})`, l, col);
          addByte(v);
          j += 2;
          break;
        }
        case 'u':
        case 'U': {
          const len = e === 'u' ? 4 : 8;
          const h = src.slice(j, j + len);
          if (h.length !== len || !/^[0-9a-fA-F]+$/.test(h)) this.err(`truncated escape sequence \\${e}${h}`, l, col);
          const v = parseInt(h, 16);
          if ((v >= 0xd800 && v < 0xe000) || v > 0x10ffff) this.err(`invalid Unicode code point U+${h}`, l, col);
          addCode(v);
          j += len;
          break;
        }
        default:
          this.err(`invalid escape sequence \\${e}`, l, col);
      }
    }
    if (isBytes) this.push('BYTES', '', l, col, Uint8Array.from(out), src.slice(q, j));
    else this.push('STRING', s, l, col, undefined, src.slice(q, j));
    return j;
  }
}

function hex4(v: number): string {
  return v.toString(16).padStart(4, '0').toUpperCase();
}

function norm(b: bigint): number | bigint {
  return b <= 9007199254740991n && b >= -9007199254740991n ? Number(b) : b;
}

export function utf8(cp: number): number[] {
  if (cp < 0x80) return [cp];
  if (cp < 0x800) return [0xc0 | (cp >> 6), 0x80 | (cp & 63)];
  if (cp < 0x10000) return [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)];
  return [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)];
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}
function isIdentStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c > '\x7f';
}
function isIdentPart(c: string): boolean {
  return isIdentStart(c) || isDigit(c);
}
