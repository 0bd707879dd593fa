// Syntax tree. Every node carries the 1-based line/col starlark-go would report for it.
import type { Value } from './values';

export interface Node {
  line: number;
  col: number;
}

/** How a name resolves; filled in by the resolver, read by the compiler. */
export type Binding =
  | { scope: 'local'; index: number; captured: boolean }
  | { scope: 'free'; index: number }
  | { scope: 'global'; index: number }
  | { scope: 'predeclared' | 'universal'; name: string };

export interface Ident extends Node {
  k: 'ident';
  name: string;
  b?: Binding;
}

export type Expr =
  | Ident
  | (Node & { k: 'lit'; value: Value })
  | (Node & { k: 'list' | 'tuple'; elems: Expr[] })
  | (Node & { k: 'dict'; entries: Array<[Expr, Expr]> })
  | (Node & { k: 'comp'; dict: boolean; body: Expr; value?: Expr; clauses: Clause[] })
  | (Node & { k: 'unary'; op: string; x: Expr })
  | (Node & { k: 'binary'; op: string; x: Expr; y: Expr })
  | (Node & { k: 'cond'; cond: Expr; then: Expr; else: Expr })
  | (Node & { k: 'lambda'; fn: FuncDef })
  | (Node & { k: 'call'; fn: Expr; args: Arg[] })
  | (Node & { k: 'index'; x: Expr; i: Expr })
  | (Node & { k: 'slice'; x: Expr; lo?: Expr; hi?: Expr; step?: Expr })
  | (Node & { k: 'dot'; x: Expr; name: string });

export type Clause = (Node & { k: 'for'; vars: Expr; iter: Expr }) | (Node & { k: 'if'; cond: Expr });

export interface Arg {
  kind: 'pos' | 'named' | 'star' | 'starstar';
  name?: string;
  value: Expr;
  line: number;
  col: number;
}

export interface Param extends Node {
  kind: 'normal' | 'default' | 'star' | 'starstar';
  name?: Ident;
  dflt?: Expr;
}

export interface FuncDef extends Node {
  name: string;
  params: Param[];
  body: Stmt[];
  // Filled by the resolver:
  numLocals?: number;
  /** Bindings (in the enclosing function) captured as free variables, in freevar index order. */
  freeFrom?: Binding[];
  /** Local slots of captured locals: allocate cells on entry. */
  cellSlots?: number[];
}

export type Stmt =
  | (Node & { k: 'expr'; x: Expr })
  | (Node & { k: 'assign'; op: string; lhs: Expr; rhs: Expr })
  | (Node & { k: 'def'; name: Ident; fn: FuncDef })
  | (Node & { k: 'if'; cond: Expr; then: Stmt[]; else: Stmt[] })
  | (Node & { k: 'for'; vars: Expr; iter: Expr; body: Stmt[] })
  | (Node & { k: 'while'; cond: Expr; body: Stmt[] })
  | (Node & { k: 'return'; x?: Expr })
  | (Node & { k: 'break' | 'continue' | 'pass' })
  | (Node & { k: 'load'; module: string; names: Array<[Ident, string]> });

export interface FileAST {
  file: string;
  stmts: Stmt[];
  // Filled by the resolver:
  numLocals?: number;
  globals?: string[];
  cellSlots?: number[];
}
