// Static step costs of statements and expressions. A statement's step pays for up to NODES_PER_STEP expression
// nodes; a larger expression (thousands of `+` on one line) is charged one more step per further NODES_PER_STEP
// nodes, so one step cannot hide unbounded work. Counted at compile time, so ordinary code runs no slower.
// Only what runs once per statement is counted: lambda bodies are charged when called, and a comprehension's
// per-element work is charged per element by the comprehension (clauseCost).
import type { Clause, Expr, Stmt } from './ast';

/** Expression nodes (operators, calls, operands, display elements) covered by one step. */
export const NODES_PER_STEP = 8;

/** Steps for evaluating n nodes: at least 1. */
export function stepsFor(nodes: number): number {
  return nodes <= NODES_PER_STEP ? 1 : Math.ceil(nodes / NODES_PER_STEP);
}

/** Nodes evaluated once when x is evaluated (a comprehension counts only its first iterable). */
export function exprNodes(x: Expr | undefined): number {
  if (x === undefined) return 0;
  switch (x.k) {
    case 'ident':
    case 'lit':
      return 1;
    case 'list':
    case 'tuple':
      return 1 + sum(x.elems);
    case 'dict': {
      let n = 1;
      for (const [k, v] of x.entries) n += exprNodes(k) + exprNodes(v);
      return n;
    }
    case 'comp': {
      const first = x.clauses[0];
      return 1 + (first?.k === 'for' ? exprNodes(first.iter) : 0);
    }
    case 'unary':
      return 1 + exprNodes(x.x);
    case 'binary':
      return 1 + exprNodes(x.x) + exprNodes(x.y);
    case 'cond':
      return 1 + exprNodes(x.cond) + exprNodes(x.then) + exprNodes(x.else);
    case 'lambda':
      return 1 + paramNodes(x.fn.params);
    case 'call': {
      let n = 1 + exprNodes(x.fn);
      for (const a of x.args) n += exprNodes(a.value);
      return n;
    }
    case 'index':
      return 1 + exprNodes(x.x) + exprNodes(x.i);
    case 'slice':
      return 1 + exprNodes(x.x) + exprNodes(x.lo) + exprNodes(x.hi) + exprNodes(x.step);
    case 'dot':
      return 1 + exprNodes(x.x);
  }
}

/**
 * Nodes evaluated per element of the comprehension's `for` clause at `i`: the following `if` conditions, the
 * next `for` clause's iterable (its elements charge themselves) or, after the last clause, the body.
 */
export function clauseNodes(clauses: Clause[], i: number, body: Expr, value: Expr | undefined): number {
  let n = 0;
  for (let j = i + 1; j < clauses.length; j++) {
    const c = clauses[j];
    if (c.k === 'for') return n + exprNodes(c.iter) + exprNodes(c.vars);
    n += exprNodes(c.cond);
  }
  return n + exprNodes(body) + exprNodes(value);
}

/** Steps a statement costs each time it runs (nested blocks and loop conditions are charged where they run). */
export function stmtSteps(s: Stmt): number {
  switch (s.k) {
    case 'expr':
      return stepsFor(exprNodes(s.x));
    case 'assign':
      // the target's operands (x[i] = ..., a.b = ...) are evaluated too
      return stepsFor(exprNodes(s.lhs) + exprNodes(s.rhs));
    case 'def':
      return stepsFor(1 + paramNodes(s.fn.params));
    case 'if':
      return stepsFor(exprNodes(s.cond));
    case 'for':
      return stepsFor(exprNodes(s.iter));
    case 'return':
      return stepsFor(exprNodes(s.x));
    default:
      return 1;
  }
}

function sum(xs: Expr[]): number {
  let n = 0;
  for (const x of xs) n += exprNodes(x);
  return n;
}

function paramNodes(params: Array<{ dflt?: Expr }>): number {
  let n = 0;
  for (const p of params) n += exprNodes(p.dflt);
  return n;
}
