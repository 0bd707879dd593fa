// Recursive-descent parser following starlark-go's grammar (syntax/grammar.txt).
import type { Arg, Clause, Expr, FileAST, FuncDef, Ident, Param, Stmt } from './ast';
import { SyntaxErr } from './errors';
import { tokenize, type Token } from './scanner';
import { Bytes, Float } from './values';

const PREC: Record<string, number> = {
  or: 1,
  and: 2,
  '==': 4, '!=': 4, '<': 4, '>': 4, '<=': 4, '>=': 4, in: 4, 'not in': 4,
  '|': 5,
  '^': 6,
  '&': 7,
  '<<': 8, '>>': 8,
  '+': 9, '-': 9,
  '*': 10, '/': 10, '//': 10, '%': 10,
};
const AUG = new Set(['+=', '-=', '*=', '/=', '//=', '%=', '&=', '|=', '^=', '<<=', '>>=']);

export function parse(src: string, file: string): FileAST {
  return new Parser(tokenize(src, file), file).parseFile();
}

/**
 * Deepest nesting of expressions and blocks the parser accepts. The parser, resolver, compiler and evaluator
 * all recurse over the tree on the JS stack, so a pathological program ("f(" * 1500) must be refused here,
 * with the position where it got too deep, rather than overflow later.
 */
export const MAX_NESTING = 400;

class Parser {
  private p = 0;
  private depth = 0;
  constructor(
    private toks: Token[],
    private file: string,
  ) {}

  private cur(): Token {
    return this.toks[this.p];
  }
  private next(): Token {
    return this.toks[this.p++];
  }
  private is(text: string): boolean {
    const t = this.cur();
    return (t.kind === 'OP' || t.kind === 'KEYWORD') && t.text === text;
  }
  private err(msg: string, t: Token = this.cur()): never {
    throw new SyntaxErr(msg, this.file, t.line, t.col);
  }
  private describe(t: Token): string {
    switch (t.kind) {
      case 'EOF': return 'end of file';
      case 'NEWLINE': return 'newline';
      case 'INDENT': return 'indent';
      case 'OUTDENT': return 'outdent';
      case 'IDENT': return 'identifier';
      case 'INT': return 'int literal';
      case 'FLOAT': return 'float literal';
      case 'STRING': return 'string literal';
      case 'BYTES': return 'bytes literal';
      default: return `'${t.text}'`;
    }
  }
  private want(text: string): Token {
    if (!this.is(text)) this.err(`got ${this.describe(this.cur())}, want '${text}'`);
    return this.next();
  }
  private ident(): Ident {
    const t = this.cur();
    if (t.kind !== 'IDENT') this.err(`got ${this.describe(t)}, want identifier`);
    this.p++;
    return { k: 'ident', name: t.text, line: t.line, col: t.col };
  }

  parseFile(): FileAST {
    const stmts: Stmt[] = [];
    while (this.cur().kind !== 'EOF') {
      if (this.cur().kind === 'NEWLINE') {
        this.p++;
        continue;
      }
      this.parseStmt(stmts);
    }
    return { file: this.file, stmts };
  }

  private parseStmt(out: Stmt[]): void {
    const t = this.cur();
    if (t.kind === 'KEYWORD') {
      switch (t.text) {
        case 'def': {
          this.p++;
          const name = this.ident();
          this.want('(');
          const params = this.parseParams(')');
          this.want(')');
          this.want(':');
          const body = this.parseSuite();
          out.push({ k: 'def', name, fn: { name: name.name, params, body, line: t.line, col: t.col }, line: t.line, col: t.col });
          return;
        }
        case 'if':
          out.push(this.parseIf());
          return;
        case 'for': {
          this.p++;
          const vars = this.parseLoopVars();
          this.want('in');
          const iter = this.parseExpr();
          this.want(':');
          const body = this.parseSuite();
          out.push({ k: 'for', vars, iter, body, line: t.line, col: t.col });
          return;
        }
        case 'while': {
          this.p++;
          const cond = this.parseTest();
          this.want(':');
          const body = this.parseSuite();
          out.push({ k: 'while', cond, body, line: t.line, col: t.col });
          return;
        }
      }
    }
    this.parseSimpleStmt(out);
  }

  private parseIf(): Stmt {
    const t = this.next(); // 'if' or 'elif'
    const cond = this.parseTest();
    this.want(':');
    const then = this.parseSuite();
    let els: Stmt[] = [];
    if (this.is('elif')) els = [this.parseIf()];
    else if (this.is('else')) {
      this.p++;
      this.want(':');
      els = this.parseSuite();
    }
    return { k: 'if', cond, then, else: els, line: t.line, col: t.col };
  }

  private parseSuite(): Stmt[] {
    this.enter();
    try {
      return this.parseSuiteInner();
    } finally {
      this.depth--;
    }
  }

  private parseSuiteInner(): Stmt[] {
    const out: Stmt[] = [];
    if (this.cur().kind === 'NEWLINE') {
      this.p++;
      if (this.cur().kind !== 'INDENT') this.err(`got ${this.describe(this.cur())}, want indent`);
      this.p++;
      while (this.cur().kind !== 'OUTDENT' && this.cur().kind !== 'EOF') {
        if (this.cur().kind === 'NEWLINE') {
          this.p++;
          continue;
        }
        this.parseStmt(out);
      }
      if (this.cur().kind === 'OUTDENT') this.p++;
      return out;
    }
    this.parseSimpleStmt(out);
    return out;
  }

  private parseSimpleStmt(out: Stmt[]): void {
    while (true) {
      out.push(this.parseSmallStmt());
      if (!this.is(';')) break;
      this.p++;
      if (this.cur().kind === 'NEWLINE' || this.cur().kind === 'EOF') break;
    }
    if (this.cur().kind === 'EOF') return;
    if (this.cur().kind !== 'NEWLINE') this.err(`got ${this.describe(this.cur())}, want newline`);
    this.p++;
  }

  private parseSmallStmt(): Stmt {
    const t = this.cur();
    if (t.kind === 'KEYWORD') {
      switch (t.text) {
        case 'return': {
          this.p++;
          const k = this.cur().kind;
          if (k === 'NEWLINE' || k === 'EOF' || this.is(';')) return { k: 'return', line: t.line, col: t.col };
          return { k: 'return', x: this.parseExpr(), line: t.line, col: t.col };
        }
        case 'break':
        case 'continue':
        case 'pass':
          this.p++;
          return { k: t.text, line: t.line, col: t.col };
        case 'load':
          return this.parseLoad();
      }
    }
    const lhs = this.parseExpr();
    if (this.is('=') || (this.cur().kind === 'OP' && AUG.has(this.cur().text))) {
      const op = this.next();
      const rhs = this.parseExpr();
      this.checkAssignable(lhs, op.text !== '=');
      return { k: 'assign', op: op.text, lhs, rhs, line: op.line, col: op.col };
    }
    return { k: 'expr', x: lhs, line: t.line, col: t.col };
  }

  private checkAssignable(e: Expr, aug: boolean): void {
    switch (e.k) {
      case 'ident':
      case 'index':
      case 'dot':
        return;
      case 'tuple':
      case 'list':
        if (aug) throw new SyntaxErr(`cannot perform augmented assignment to ${e.k === 'list' ? 'list' : 'tuple'}`, this.file, e.line, e.col);
        for (const x of e.elems) this.checkAssignable(x, aug);
        return;
      default:
        const st = startOf(e);
        throw new SyntaxErr(`cannot assign to ${describeExpr(e)}`, this.file, st.line, st.col);
    }
  }

  private parseLoad(): Stmt {
    const t = this.next();
    this.want('(');
    const m = this.cur();
    if (m.kind !== 'STRING') this.err(`first operand of load statement must be a string literal`);
    this.p++;
    const names: Array<[Ident, string]> = [];
    while (this.is(',')) {
      this.p++;
      if (this.is(')')) break;
      const nt = this.cur();
      if (nt.kind === 'STRING') {
        this.p++;
        names.push([{ k: 'ident', name: nt.text, line: nt.line, col: nt.col }, nt.text]);
      } else if (nt.kind === 'IDENT') {
        const local = this.ident();
        this.want('=');
        const s = this.cur();
        if (s.kind !== 'STRING') this.err(`load operand must be "name" or localname="name" (got ${this.describe(s)})`);
        this.p++;
        names.push([local, s.text]);
      } else this.err(`load operand must be "name" or localname="name" (got ${this.describe(nt)})`);
    }
    this.want(')');
    if (names.length === 0) this.err('load statement must import at least 1 symbol', t);
    return { k: 'load', module: m.text, names, line: t.line, col: t.col };
  }

  private parseLoopVars(): Expr {
    const first = this.parsePrimaryWithSuffix();
    if (!this.is(',')) return first;
    const elems = [first];
    while (this.is(',')) {
      this.p++;
      if (this.is('in')) break;
      elems.push(this.parsePrimaryWithSuffix());
    }
    return { k: 'tuple', elems, line: first.line, col: first.col };
  }

  private parseParams(close: string): Param[] {
    const params: Param[] = [];
    while (!this.is(close)) {
      const t = this.cur();
      if (this.is('*')) {
        this.p++;
        if (this.cur().kind === 'IDENT') params.push({ kind: 'star', name: this.ident(), line: t.line, col: t.col });
        else params.push({ kind: 'star', line: t.line, col: t.col });
      } else if (this.is('**')) {
        this.p++;
        params.push({ kind: 'starstar', name: this.ident(), line: t.line, col: t.col });
      } else {
        const name = this.ident();
        if (this.is('=')) {
          this.p++;
          params.push({ kind: 'default', name, dflt: this.parseTest(), line: t.line, col: t.col });
        } else params.push({ kind: 'normal', name, line: t.line, col: t.col });
      }
      if (this.is(close)) break;
      this.want(',');
    }
    return params;
  }

  /** Expression = Test {',' Test} — an unparenthesized tuple when commas appear. */
  parseExpr(): Expr {
    const first = this.parseTest();
    if (!this.is(',')) return first;
    const elems = [first];
    while (this.is(',')) {
      this.p++;
      if (this.atExprEnd()) break;
      elems.push(this.parseTest());
    }
    return { k: 'tuple', elems, line: first.line, col: first.col };
  }

  private atExprEnd(): boolean {
    const t = this.cur();
    if (t.kind === 'NEWLINE' || t.kind === 'EOF') return true;
    return t.kind === 'OP' && (t.text === '=' || t.text === ')' || t.text === ']' || t.text === '}' || t.text === ':' || t.text === ';' || AUG.has(t.text));
  }

  private enter(): void {
    if (++this.depth > MAX_NESTING) this.err(`program too deeply nested (more than ${MAX_NESTING} levels)`);
  }

  parseTest(): Expr {
    this.enter();
    try {
      return this.parseTestInner();
    } finally {
      this.depth--;
    }
  }

  private parseTestInner(): Expr {
    if (this.is('lambda')) {
      const t = this.next();
      const params = this.parseParams(':');
      this.want(':');
      const body = this.parseTest();
      const fn: FuncDef = { name: 'lambda', params, body: [{ k: 'return', x: body, line: body.line, col: body.col }], line: t.line, col: t.col };
      return { k: 'lambda', fn, line: t.line, col: t.col };
    }
    const x = this.parseBinary(1);
    if (this.is('if')) {
      const t = this.next();
      const cond = this.parseBinary(1);
      if (!this.is('else')) this.err(`conditional expression without else clause`);
      this.p++;
      const els = this.parseTest();
      return { k: 'cond', cond, then: x, else: els, line: t.line, col: t.col };
    }
    return x;
  }

  /** Test without conditional/lambda: used in comprehension 'if' clauses and for iterables. */
  private parseTestNoCond(): Expr {
    if (this.is('lambda')) return this.parseTest();
    return this.parseBinary(1);
  }

  private binop(): string | undefined {
    const t = this.cur();
    if (t.kind === 'OP') return PREC[t.text] !== undefined ? t.text : undefined;
    if (t.kind === 'KEYWORD') {
      if (t.text === 'or' || t.text === 'and' || t.text === 'in') return t.text;
      if (t.text === 'not') {
        const n = this.toks[this.p + 1];
        if (n.kind === 'KEYWORD' && n.text === 'in') return 'not in';
      }
    }
    return undefined;
  }

  private parseBinary(minPrec: number): Expr {
    let x: Expr;
    if (minPrec <= 3 && this.is('not')) {
      const t = this.next();
      this.enter();
      const operand = this.parseBinary(3);
      this.depth--;
      x = { k: 'unary', op: 'not', x: operand, line: t.line, col: t.col };
    } else {
      x = this.parseUnary();
    }
    let lastCmp: string | undefined;
    while (true) {
      const op = this.binop();
      if (op === undefined) return x;
      const prec = PREC[op];
      if (prec < minPrec) return x;
      if (prec === 4 && lastCmp !== undefined) this.err(`${lastCmp} does not associate with ${op} (use parens)`);
      const t = this.next();
      if (op === 'not in') this.p++;
      const y = this.parseBinary(prec + 1);
      x = { k: 'binary', op, x, y, line: t.line, col: t.col };
      lastCmp = prec === 4 ? op : undefined;
    }
  }

  private parseUnary(): Expr {
    if (this.is('-') || this.is('+') || this.is('~')) {
      const t = this.next();
      this.enter();
      try {
        const x = this.parseUnary();
        return { k: 'unary', op: t.text, x, line: t.line, col: t.col };
      } finally {
        this.depth--;
      }
    }
    return this.parsePrimaryWithSuffix();
  }

  private parsePrimaryWithSuffix(): Expr {
    let x = this.parseOperand();
    while (true) {
      const t = this.cur();
      if (this.is('.')) {
        this.p++;
        const name = this.ident();
        x = { k: 'dot', x, name: name.name, line: t.line, col: t.col };
      } else if (this.is('(')) {
        this.p++;
        const args = this.parseArgs();
        this.want(')');
        x = { k: 'call', fn: x, args, line: t.line, col: t.col };
      } else if (this.is('[')) {
        this.p++;
        x = this.parseIndexOrSlice(x, t);
      } else return x;
    }
  }

  private parseIndexOrSlice(x: Expr, t: Token): Expr {
    let lo: Expr | undefined;
    if (!this.is(':')) {
      const i = this.parseExpr();
      if (this.is(']')) {
        this.p++;
        return { k: 'index', x, i, line: t.line, col: t.col };
      }
      lo = i;
    }
    let hi: Expr | undefined;
    let step: Expr | undefined;
    this.want(':');
    if (!this.is(':') && !this.is(']')) hi = this.parseTest();
    if (this.is(':')) {
      this.p++;
      if (!this.is(']')) step = this.parseTest();
    }
    this.want(']');
    return { k: 'slice', x, lo, hi, step, line: t.line, col: t.col };
  }

  private parseArgs(): Arg[] {
    const args: Arg[] = [];
    while (!this.is(')')) {
      const t = this.cur();
      if (this.is('*')) {
        this.p++;
        args.push({ kind: 'star', value: this.parseTest(), line: t.line, col: t.col });
      } else if (this.is('**')) {
        this.p++;
        args.push({ kind: 'starstar', value: this.parseTest(), line: t.line, col: t.col });
      } else if (t.kind === 'IDENT' && this.toks[this.p + 1].kind === 'OP' && this.toks[this.p + 1].text === '=') {
        this.p += 2;
        args.push({ kind: 'named', name: t.text, value: this.parseTest(), line: t.line, col: t.col });
      } else {
        args.push({ kind: 'pos', value: this.parseTest(), line: t.line, col: t.col });
      }
      // as starlark-go: anything but ')' after an argument is a missing comma (`got identifier, want ','`)
      if (this.is(')')) break;
      this.want(',');
    }
    return args;
  }

  private parseOperand(): Expr {
    const t = this.cur();
    switch (t.kind) {
      case 'IDENT':
        this.p++;
        return { k: 'ident', name: t.text, line: t.line, col: t.col };
      case 'INT':
        this.p++;
        return { k: 'lit', value: t.value as number | bigint, line: t.line, col: t.col };
      case 'FLOAT':
        this.p++;
        return { k: 'lit', value: new Float(t.value as number), line: t.line, col: t.col };
      case 'STRING':
        this.p++;
        return { k: 'lit', value: t.text, line: t.line, col: t.col };
      case 'BYTES':
        this.p++;
        return { k: 'lit', value: new Bytes(t.value as Uint8Array), line: t.line, col: t.col };
      case 'OP':
        if (t.text === '(') {
          this.p++;
          if (this.is(')')) {
            this.p++;
            return { k: 'tuple', elems: [], line: t.line, col: t.col };
          }
          const e = this.parseTest();
          if (this.is(',')) {
            const elems = [e];
            while (this.is(',')) {
              this.p++;
              if (this.is(')')) break;
              elems.push(this.parseTest());
            }
            this.want(')');
            return { k: 'tuple', elems, line: t.line, col: t.col };
          }
          if (this.is('for')) this.err(`got 'for', want ')'`);
          this.want(')');
          return e;
        }
        if (t.text === '[') {
          this.p++;
          if (this.is(']')) {
            this.p++;
            return { k: 'list', elems: [], line: t.line, col: t.col };
          }
          const e = this.parseTest();
          if (this.is('for')) {
            const clauses = this.parseClauses();
            this.want(']');
            return { k: 'comp', dict: false, body: e, clauses, line: t.line, col: t.col };
          }
          const elems = [e];
          while (this.is(',')) {
            this.p++;
            if (this.is(']')) break;
            elems.push(this.parseTest());
          }
          this.want(']');
          return { k: 'list', elems, line: t.line, col: t.col };
        }
        if (t.text === '{') {
          this.p++;
          if (this.is('}')) {
            this.p++;
            return { k: 'dict', entries: [], line: t.line, col: t.col };
          }
          const key = this.parseTest();
          this.want(':');
          const val = this.parseTest();
          if (this.is('for')) {
            const clauses = this.parseClauses();
            this.want('}');
            return { k: 'comp', dict: true, body: key, value: val, clauses, line: t.line, col: t.col };
          }
          const entries: Array<[Expr, Expr]> = [[key, val]];
          while (this.is(',')) {
            this.p++;
            if (this.is('}')) break;
            const k = this.parseTest();
            this.want(':');
            entries.push([k, this.parseTest()]);
          }
          this.want('}');
          return { k: 'dict', entries, line: t.line, col: t.col };
        }
    }
    return this.err(`got ${this.describe(t)}, want primary expression`);
  }

  private parseClauses(): Clause[] {
    const clauses: Clause[] = [];
    while (true) {
      const t = this.cur();
      if (this.is('for')) {
        this.p++;
        const vars = this.parseLoopVars();
        this.want('in');
        const iter = this.parseTestNoCond();
        clauses.push({ k: 'for', vars, iter, line: t.line, col: t.col });
      } else if (this.is('if')) {
        this.p++;
        clauses.push({ k: 'if', cond: this.parseTestNoCond(), line: t.line, col: t.col });
      } else return clauses;
    }
  }
}

/** The position where an expression's text begins (calls/indexes record their bracket). */
function startOf(e: Expr): { line: number; col: number } {
  switch (e.k) {
    case 'call':
      return startOf(e.fn);
    case 'index':
    case 'slice':
    case 'dot':
    case 'binary':
      return startOf(e.x);
    case 'cond':
      return startOf(e.then);
    default:
      return e;
  }
}

function describeExpr(e: Expr): string {
  switch (e.k) {
    case 'lit': return 'literal';
    case 'call': return 'function call';
    case 'binary': return 'binary expression';
    case 'unary': return 'unary expression';
    case 'comp': return 'comprehension';
    case 'dict': return 'dict expression';
    case 'slice': return 'slice expression';
    case 'cond': return 'conditional expression';
    case 'lambda': return 'lambda expression';
    default: return 'expression';
  }
}
