// Navigation in a Tiltfile's source for the editor: the outline (document symbols), go to definition (local
// names, and names imported with load()), the names in scope at a position, and load() path completion.
// The syntax tree comes from the interpreter's own parser (src/starlark); nothing here runs the Tiltfile.
// Positions are 0-based lines and UTF-16 columns (the scanner counts columns in JS string units), as editors use.
import { readdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from '../starlark';
import type { Expr, FileAST, FuncDef, Ident, Stmt } from '../starlark/ast';
import { builtInExtensionNames } from './extensions';

export interface Pos {
  line: number;
  character: number;
}

export type SymbolKind = 'function' | 'variable' | 'import' | 'resource' | 'image';

export interface SourceSymbol {
  name: string;
  kind: SymbolKind;
  /** Extra words for the outline, e.g. the builtin a resource entry comes from. */
  detail?: string;
  /** The name (or the call's callee), for the selection. */
  at: Pos;
  end: Pos;
  /** The whole statement: from its first line to its last non-blank line. */
  start: Pos;
  stop: Pos;
  children: SourceSymbol[];
}

/** Where a name is bound: by a def, a parameter, an assignment or for loop, or a load() (with its module). */
export interface Binding {
  name: string;
  kind: 'function' | 'parameter' | 'variable' | 'import';
  at: Pos;
  /** For imports: the module string and the name in that module. */
  module?: string;
  original?: string;
}

/** One parsed file: its tree plus each block's line extent, so positions map to scopes. */
export interface SourceIndex {
  ast: FileAST;
  lines: string[];
}

/** Parses `text`; undefined when it has a syntax error (callers keep their last good index). */
export function indexSource(text: string, file = 'Tiltfile'): SourceIndex | undefined {
  try {
    return { ast: parse(text, file), lines: text.split('\n') };
  } catch {
    return undefined;
  }
}

/**
 * For completion while typing, when the text does not parse: the same text with the cursor's line blanked
 * (`foo(` or `x = ` half typed), which usually parses and keeps every other binding.
 */
export function indexSourceLenient(text: string, line: number, file = 'Tiltfile'): SourceIndex | undefined {
  const whole = indexSource(text, file);
  if (whole) return whole;
  const lines = text.split('\n');
  if (line < 0 || line >= lines.length) return undefined;
  lines[line] = '';
  const idx = indexSource(lines.join('\n'), file);
  return idx && { ast: idx.ast, lines: text.split('\n') };
}

// ---------------------------------------------------------------- extents

const pos = (line1: number, col1: number): Pos => ({ line: line1 - 1, character: col1 - 1 });

/** Last line (0-based) of a statement that starts at 0-based `first`, given where the next sibling starts. */
function lastLine(lines: string[], first: number, nextStart: number): number {
  let l = nextStart - 1;
  while (l > first && isBlankOrComment(lines[l] ?? '')) l--;
  return Math.max(l, first);
}

function isBlankOrComment(s: string): boolean {
  const t = s.trim();
  return t === '' || t.startsWith('#');
}

/** [first, last] 0-based lines of each statement in a block that ends (exclusive) at 0-based line `blockEnd`. */
function extents(stmts: Stmt[], lines: string[], blockEnd: number): Array<[number, number]> {
  return stmts.map((s, i) => {
    const first = s.line - 1;
    const next = i + 1 < stmts.length ? stmts[i + 1]!.line - 1 : blockEnd;
    return [first, lastLine(lines, first, next)];
  });
}

// ---------------------------------------------------------------- bindings

/** Identifiers an assignment target or loop variable binds (`a`, `a, b = ...`, `[x, (y, z)]`). */
function targetIdents(e: Expr): Ident[] {
  if (e.k === 'ident') return [e];
  if (e.k === 'tuple' || e.k === 'list') return e.elems.flatMap(targetIdents);
  return [];
}

/** Names a block binds in its own scope (not inside nested defs), first binding first. */
function blockBindings(stmts: Stmt[], out: Binding[] = []): Binding[] {
  for (const s of stmts) {
    switch (s.k) {
      case 'def':
        out.push({ name: s.name.name, kind: 'function', at: pos(s.name.line, s.name.col) });
        break;
      case 'assign':
        for (const id of targetIdents(s.lhs)) out.push({ name: id.name, kind: 'variable', at: pos(id.line, id.col) });
        break;
      case 'for':
        for (const id of targetIdents(s.vars)) out.push({ name: id.name, kind: 'variable', at: pos(id.line, id.col) });
        blockBindings(s.body, out);
        break;
      case 'while':
        blockBindings(s.body, out);
        break;
      case 'if':
        blockBindings(s.then, out);
        blockBindings(s.else, out);
        break;
      case 'load':
        for (const [id, original] of s.names) out.push({ name: id.name, kind: 'import', at: pos(id.line, id.col), module: s.module, original });
        break;
      default:
        break;
    }
  }
  return out;
}

function paramBindings(fn: FuncDef): Binding[] {
  return fn.params.flatMap((p) => (p.name ? [{ name: p.name.name, kind: 'parameter' as const, at: pos(p.name.line, p.name.col) }] : []));
}

interface Scope {
  fn: FuncDef;
  first: number;
  last: number;
}

/** The chain of defs whose extent holds 0-based `line`, outermost first. */
function scopesAt(idx: SourceIndex, line: number): Scope[] {
  const chain: Scope[] = [];
  let stmts = idx.ast.stmts;
  let blockEnd = idx.lines.length;
  for (;;) {
    const ex = extents(stmts, idx.lines, blockEnd);
    const i = ex.findIndex(([a, b]) => line >= a && line <= b);
    if (i < 0) return chain;
    const s = stmts[i]!;
    const [first, last] = ex[i]!;
    if (s.k === 'def') {
      chain.push({ fn: s.fn, first, last });
      stmts = s.fn.body;
    } else if (s.k === 'if') {
      // Descend into the branch holding the line; the else branch starts at its first statement.
      const elseStart = s.else.length ? s.else[0]!.line - 1 : Infinity;
      stmts = line >= elseStart ? s.else : s.then;
    } else if (s.k === 'for' || s.k === 'while') {
      stmts = s.body;
    } else {
      return chain;
    }
    blockEnd = last + 1;
  }
}

/** Names visible at a position: the enclosing defs' parameters and locals (innermost first), then globals. */
export function namesInScope(idx: SourceIndex, at: Pos): Binding[] {
  const seen = new Set<string>();
  const out: Binding[] = [];
  const add = (bs: Binding[]): void => {
    for (const b of bs) {
      if (seen.has(b.name)) continue;
      seen.add(b.name);
      out.push(b);
    }
  };
  for (const sc of scopesAt(idx, at.line).reverse()) add([...paramBindings(sc.fn), ...blockBindings(sc.fn.body)]);
  add(blockBindings(idx.ast.stmts));
  return out;
}

/** Where `name`, used at `at`, is bound in this file (Starlark's static scoping: local, then global). */
export function bindingOf(idx: SourceIndex, name: string, at: Pos): Binding | undefined {
  return namesInScope(idx, at).find((b) => b.name === name);
}

/** A top-level binding of `name` (what `load()` of this file imports). */
export function globalBinding(idx: SourceIndex, name: string): Binding | undefined {
  return blockBindings(idx.ast.stmts).find((b) => b.name === name);
}

// ---------------------------------------------------------------- what is under the cursor

export type Target =
  | { kind: 'name'; name: string; start: Pos; end: Pos }
  /** The module string of a load() statement. */
  | { kind: 'module'; module: string; start: Pos; end: Pos };

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/g;

/** The identifier or load() module string at a position (not an attribute after a dot: `os.path`'s `path`). */
export function targetAt(idx: SourceIndex, at: Pos): Target | undefined {
  const text = idx.lines[at.line];
  if (text === undefined) return undefined;
  for (const s of loadsOn(idx.ast.stmts)) {
    const m = moduleSpan(idx, s);
    if (m && m.line === at.line && at.character >= m.from && at.character <= m.to) {
      return { kind: 'module', module: s.module, start: { line: m.line, character: m.from }, end: { line: m.line, character: m.to } };
    }
  }
  for (const m of text.matchAll(IDENT)) {
    const from = m.index;
    const to = from + m[0].length;
    if (at.character < from || at.character > to) continue;
    if (/\.\s*$/.test(text.slice(0, from)) || inStringOrComment(text, from)) return undefined;
    return { kind: 'name', name: m[0], start: { line: at.line, character: from }, end: { line: at.line, character: to } };
  }
  return undefined;
}

type LoadStmt = Extract<Stmt, { k: 'load' }>;

function loadsOn(stmts: Stmt[]): LoadStmt[] {
  return stmts.filter((s): s is LoadStmt => s.k === 'load');
}

/** The span of a load()'s module string, quotes included, on the line of `load` (where it always is in practice). */
function moduleSpan(idx: SourceIndex, s: LoadStmt): { line: number; from: number; to: number } | undefined {
  const line = s.line - 1;
  const text = idx.lines[line] ?? '';
  const m = /\(\s*(['"])/y;
  m.lastIndex = text.indexOf('(', s.col - 1);
  if (m.lastIndex < 0 || !m.exec(text)) return undefined;
  const from = m.lastIndex - 1;
  const close = text.indexOf(text[from]!, from + 1);
  return close < 0 ? undefined : { line, from, to: close + 1 };
}

/** A simple line-local check: is column `col` inside a quoted string or after a `#`? */
function inStringOrComment(line: string, col: number): boolean {
  let quote: string | undefined;
  for (let i = 0; i < col; i++) {
    const c = line[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '#') return true;
    else if (c === '"' || c === "'") quote = c;
  }
  return quote !== undefined;
}

// ---------------------------------------------------------------- load() targets

/** The file a load() module names, relative to the loading file (as Tilt resolves it); ext:// vendored only. */
export function resolveLoad(module: string, fromFile: string): string | undefined {
  const dir = dirname(fromFile);
  if (module.startsWith('ext://')) {
    const p = join(dir, 'tilt_modules', module.slice('ext://'.length), 'Tiltfile');
    return isFile(p) ? p : undefined;
  }
  if (/^[a-z]+:\/\//.test(module)) return undefined;
  const p = isAbsolute(module) ? module : resolve(dir, module);
  return isFile(p) ? p : undefined;
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

export interface LoadPathContext {
  /** What is typed inside the quotes so far. */
  prefix: string;
}

/** When the cursor is inside load()'s first string argument, what is typed so far. */
export function loadPathAt(lineText: string, character: number): LoadPathContext | undefined {
  const before = lineText.slice(0, character);
  const m = /(?:^|[^\w.])load\(\s*(['"])([^'"]*)$/.exec(before);
  return m ? { prefix: m[2]! } : undefined;
}

export interface PathCandidate {
  /** The full module string to insert (replacing the typed prefix). */
  text: string;
  kind: 'file' | 'folder' | 'extension';
}

/**
 * Completions for a load() path: `ext://NAME` for the built-in extensions, and files and folders relative to
 * the loading file's directory (hidden entries and node_modules left out).
 */
export function loadPathCandidates(prefix: string, fromFile: string): PathCandidate[] {
  const out: PathCandidate[] = [];
  if ('ext://'.startsWith(prefix) || prefix.startsWith('ext://')) {
    for (const n of builtInExtensionNames) out.push({ text: `ext://${n}`, kind: 'extension' });
    if (prefix.startsWith('ext://')) return out.filter((c) => c.text.startsWith(prefix));
  }
  const slash = prefix.lastIndexOf('/');
  const typedDir = slash >= 0 ? prefix.slice(0, slash + 1) : '';
  const base = isAbsolute(typedDir) ? typedDir : resolve(dirname(fromFile), typedDir || '.');
  let entries: string[];
  try {
    entries = readdirSync(base).sort();
  } catch {
    return out;
  }
  const shown = typedDir === '' ? './' : typedDir;
  for (const e of entries) {
    if (e.startsWith('.') || e === 'node_modules') continue;
    const p = join(base, e);
    if (p === resolve(fromFile)) continue; // a file does not load itself
    let dir: boolean;
    try {
      dir = statSync(p).isDirectory();
    } catch {
      continue;
    }
    out.push({ text: dir ? `${shown}${e}/` : `${shown}${e}`, kind: dir ? 'folder' : 'file' });
  }
  return out;
}

// ---------------------------------------------------------------- outline

/** Calls listed in the outline under their first string argument (the resource or image they name). */
const OUTLINE_CALLS: Record<string, SymbolKind> = {
  k8s_resource: 'resource',
  local_resource: 'resource',
  dc_resource: 'resource',
  helm_resource: 'resource',
  docker_build: 'image',
  custom_build: 'image',
};

/** The outline: top-level defs (with their nested defs), assignments, imports, and resource/image calls. */
export function documentSymbols(idx: SourceIndex): SourceSymbol[] {
  return blockSymbols(idx.ast.stmts, idx.lines, idx.lines.length, true);
}

function blockSymbols(stmts: Stmt[], lines: string[], blockEnd: number, top: boolean): SourceSymbol[] {
  const ex = extents(stmts, lines, blockEnd);
  const out: SourceSymbol[] = [];
  stmts.forEach((s, i) => {
    const [first, last] = ex[i]!;
    const whole = { start: { line: first, character: 0 }, stop: { line: last, character: (lines[last] ?? '').length } };
    const ident = (id: { line: number; col: number; name: string }) => {
      const at = pos(id.line, id.col);
      return { at, end: { line: at.line, character: at.character + id.name.length } };
    };
    if (s.k === 'def') {
      out.push({ name: s.name.name, kind: 'function', detail: `(${paramList(s.fn)})`, ...ident(s.name), ...whole, children: blockSymbols(s.fn.body, lines, last + 1, false) });
    } else if (!top) {
      return; // inside a def only nested defs are worth listing
    } else if (s.k === 'assign' && s.op === '=') {
      for (const id of targetIdents(s.lhs)) out.push({ name: id.name, kind: 'variable', ...ident(id), ...whole, children: [] });
    } else if (s.k === 'load') {
      for (const [id, original] of s.names) {
        out.push({ name: id.name, kind: 'import', detail: original === id.name ? s.module : `${s.module} (${original})`, ...ident(id), ...whole, children: [] });
      }
    } else if (s.k === 'expr' && s.x.k === 'call' && s.x.fn.k === 'ident' && OUTLINE_CALLS[s.x.fn.name]) {
      const callee = s.x.fn;
      const first0 = s.x.args[0];
      const named = first0 && first0.kind === 'pos' && first0.value.k === 'lit' && typeof first0.value.value === 'string' ? first0.value.value : undefined;
      out.push({ name: named ?? callee.name, kind: OUTLINE_CALLS[callee.name]!, detail: callee.name, ...ident(callee), ...whole, children: [] });
    }
  });
  return out;
}

function paramList(fn: FuncDef): string {
  return fn.params.map((p) => (p.kind === 'star' ? `*${p.name?.name ?? ''}` : p.kind === 'starstar' ? `**${p.name?.name}` : p.name?.name)).join(', ');
}
