// Starlark value representations (see README.md for the JS mapping).
import { charge } from './meter';
import { StrBuf } from './strbuf';
import type { Thread, ThreadImpl } from './thread';

export type Value =
  | null
  | boolean
  | number
  | bigint
  | string
  | Float
  | Bytes
  | List
  | Tuple
  | Dict
  | StarlarkSet
  | StarlarkFunction
  | Builtin
  | Struct
  | HostObject;

/** Thrown for Starlark-level runtime errors raised by the value layer; positions are added by the evaluator. */
export class EvalError extends Error {}

// Size limits: far beyond any real Tiltfile, well below V8's hard limits (a list growing past ~2^27 elements
// aborts the whole process, a string past ~2^29 chars throws a RangeError).
export const MAX_LIST_LEN = 1 << 25;
export const MAX_STRING_LEN = 1 << 28;

/** Throws a clean error when a list/tuple/string/bytes of `n` elements would exceed the limits. */
export function checkSize(n: number, kind: 'list' | 'tuple' | 'string' | 'bytes'): void {
  const max = kind === 'string' || kind === 'bytes' ? MAX_STRING_LEN : MAX_LIST_LEN;
  if (n > max) throw new EvalError(`${kind} too large: ${n} ${kind === 'string' || kind === 'bytes' ? 'bytes' : 'elements'} (limit ${max})`);
}

// Hot classes declare fields and assign them in constructors: with ES2022 [[Define]] class
// fields every instance would otherwise run a separate field-initializer function.

export class Float {
  declare readonly value: number;
  constructor(value: number) {
    this.value = value;
  }
}

export class Bytes {
  declare readonly bytes: Uint8Array;
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }
}

/** Shared state for list/dict/set: frozen flag and active-iteration counter. */
abstract class Mutable {
  declare frozen: boolean;
  declare iterating: number;
  constructor() {
    this.frozen = false;
    this.iterating = 0;
  }
  protected checkMutable(verb: string, type: string): void {
    if (this.frozen) throw new EvalError(`cannot ${verb} frozen ${type}`);
    if (this.iterating > 0) throw new EvalError(`cannot ${verb} ${type} during iteration`);
  }
}

export class List extends Mutable {
  declare elems: Value[];
  constructor(elems: Value[] = []) {
    super();
    this.elems = elems;
  }
  /** verb e.g. "append to" → "cannot append to frozen list". */
  mutable(verb: string): void {
    if (this.frozen || this.iterating > 0) this.checkMutable(verb, 'list');
  }
}

export class Tuple {
  declare readonly elems: Value[];
  constructor(elems: Value[]) {
    this.elems = elems;
  }
}

let nextId = 1;

/** The canonical Map key for a hashable value; composite values get a string encoding. */
type Canon = null | boolean | number | bigint | string | object;

export class Dict extends Mutable {
  /** canonical key -> value; for strings and ints the canonical key is the key itself. */
  declare private m: Map<Canon, Value>;
  /** canonical key -> original key, only where they differ (floats, tuples, ...). */
  declare private orig: Map<Canon, Value> | undefined;
  /** encoding -> token object used as the canonical key of a composite value. */
  declare private comp: Map<string, object> | undefined;
  constructor() {
    super();
    this.m = new Map();
    this.orig = undefined;
    this.comp = undefined;
  }

  get size(): number {
    return this.m.size;
  }
  private canon(k: Value, create: boolean): Canon | undefined {
    const c = primKey(k);
    if (c !== NOT_PRIM) return c;
    const enc = encodeKey(k);
    if (!this.comp) {
      if (!create) return undefined;
      this.comp = new Map();
    }
    if (k instanceof HostObject) return this.hostToken(enc, k, create);
    let tok = this.comp.get(enc);
    if (!tok && create) {
      tok = { enc };
      this.comp.set(enc, tok);
    }
    return tok;
  }
  /** Host objects with equal hashes may still differ: a bucket per hash, searched with equals(). */
  private hostToken(enc: string, k: HostObject, create: boolean): object | undefined {
    let bucket = this.comp!.get(enc) as { enc: string; toks: object[] } | undefined;
    if (!bucket) {
      if (!create) return undefined;
      bucket = { enc, toks: [] };
      this.comp!.set(enc, bucket);
    }
    for (const t of bucket.toks) {
      const orig = this.orig?.get(t);
      if (orig !== undefined && k.equals(orig)) return t;
    }
    if (!create) return undefined;
    const tok = { enc, bucket };
    bucket.toks.push(tok);
    return tok;
  }
  get(k: Value): Value | undefined {
    if (typeof k === 'string') return this.m.get(k);
    const c = this.canon(k, false);
    return c === undefined ? undefined : this.m.get(c);
  }
  has(k: Value): boolean {
    return this.get(k) !== undefined;
  }
  set(k: Value, v: Value): void {
    if (this.frozen || this.iterating > 0) this.checkHash('insert into');
    if (typeof k === 'string') {
      this.m.set(k, v);
      return;
    }
    const c = this.canon(k, true) as Canon;
    if (c !== k && !this.m.has(c)) (this.orig ??= new Map()).set(c, k);
    this.m.set(c, v);
  }
  delete(k: Value): Value | undefined {
    if (this.frozen || this.iterating > 0) this.checkHash('delete from');
    const c = typeof k === 'string' ? k : this.canon(k, false);
    if (c === undefined) return undefined;
    const v = this.m.get(c);
    if (v === undefined) return undefined;
    this.m.delete(c);
    this.orig?.delete(c);
    if (typeof c === 'object' && c !== null) {
      const tok = c as { enc: string; bucket?: { toks: object[] } };
      if (tok.bucket) tok.bucket.toks.splice(tok.bucket.toks.indexOf(tok), 1);
      else this.comp?.delete(tok.enc);
    }
    return v;
  }
  clear(): void {
    if (this.frozen || this.iterating > 0) this.checkHash('clear');
    this.m.clear();
    this.orig = undefined;
    this.comp = undefined;
  }
  private keyOf(c: Canon): Value {
    if (this.orig) {
      const k = this.orig.get(c);
      if (k !== undefined) return k;
    }
    return c as Value;
  }
  keys(): Value[] {
    const out: Value[] = [];
    if (!this.orig) this.m.forEach((_v, c) => out.push(c as Value));
    else this.m.forEach((_v, c) => out.push(this.keyOf(c)));
    return out;
  }
  values(): Value[] {
    return Array.from(this.m.values());
  }
  /** Visits entries without allocating (used by freeze and equality). */
  forEach(fn: (k: Value, v: Value) => void): void {
    this.m.forEach((v, c) => fn(this.keyOf(c), v));
  }
  entries(): Array<[Value, Value]> {
    const out: Array<[Value, Value]> = [];
    this.m.forEach((v, c) => out.push([this.keyOf(c), v]));
    return out;
  }
  private checkHash(verb: string): void {
    if (this.frozen) throw new EvalError(verb === 'clear' ? 'cannot clear frozen hash table' : `cannot ${verb} frozen hash table`);
    throw new EvalError(verb === 'clear' ? 'cannot clear hash table during iteration' : `cannot ${verb} hash table during iteration`);
  }
}

export class StarlarkSet extends Mutable {
  private d = new Dict();
  get size(): number {
    return this.d.size;
  }
  has(k: Value): boolean {
    return this.d.get(k) !== undefined;
  }
  add(k: Value): void {
    this.mutable('insert into');
    this.d.set(k, true);
  }
  delete(k: Value): boolean {
    this.mutable('delete from');
    return this.d.delete(k) !== undefined;
  }
  clear(): void {
    this.mutable('clear');
    this.d.clear();
  }
  values(): Value[] {
    return this.d.keys();
  }
  private mutable(verb: string): void {
    if (this.frozen) throw new EvalError(verb === 'clear' ? 'cannot clear frozen hash table' : `cannot ${verb} frozen hash table`);
    if (this.iterating > 0) throw new EvalError(verb === 'clear' ? 'cannot clear hash table during iteration' : `cannot ${verb} hash table during iteration`);
  }
}

/** Compiled function body: given the call's bound locals, runs and returns the result. */
export interface FunctionCode {
  name: string;
  file: string;
  pos: { line: number; col: number };
  params: string[]; // all named params (positional then kw-only), then *args name, then **kwargs name
  numParams: number; // named params (excluding *args/**kwargs)
  numKwonly: number;
  hasVarargs: boolean;
  hasKwargs: boolean;
  numLocals: number;
}

export class StarlarkFunction {
  readonly id = nextId++;
  constructor(
    readonly code: FunctionCode,
    /** Default values for the last params (Mandatory marks a required keyword-only param). */
    readonly defaults: Array<Value | typeof MANDATORY>,
    readonly freevars: Cell[],
    readonly module: ModuleState,
    readonly invoke: (fn: StarlarkFunction, locals: Array<Value | Cell | undefined>, thread: ThreadImpl) => Value,
  ) {}
  get name(): string {
    return this.code.name;
  }
}

export const MANDATORY: unique symbol = Symbol('mandatory');

export interface Cell {
  v: Value | undefined;
}

export interface ModuleState {
  globals: Array<Value | undefined>;
  names: string[];
  file: string;
}

export interface Call {
  name: string;
  args: Value[];
  kwargs: Array<[string, Value]>;
  thread: Thread;
}
export type BuiltinFn = (call: Call) => Value;

export class Builtin {
  readonly id = nextId++;
  constructor(
    readonly name: string,
    readonly fn: BuiltinFn,
    /** For bound methods: the receiver (used by repr/equality). */
    readonly recv?: Value,
  ) {}
}

export class Struct {
  frozen = false;
  constructor(readonly fields: Record<string, Value>) {}
}

export abstract class HostObject {
  abstract readonly typeName: string;
  attr(_name: string): Value | undefined {
    return undefined;
  }
  attrNames(): string[] {
    return [];
  }
  truth(): boolean {
    return true;
  }
  repr(): string {
    return `<${this.typeName}>`;
  }
  str(): string {
    return this.repr();
  }
  hash(): number {
    throw new EvalError(`unhashable type: ${this.typeName}`);
  }
  equals(other: Value): boolean {
    return this === other;
  }
  freeze(): void {}
}

/** Lazy range(start, stop, step). */
export class RangeValue extends HostObject {
  readonly typeName = 'range';
  readonly len: number;
  constructor(
    readonly start: number,
    readonly stop: number,
    readonly step: number,
  ) {
    super();
    const n = step > 0 ? Math.ceil((stop - start) / step) : Math.ceil((start - stop) / -step);
    this.len = Math.max(0, n);
  }
  at(i: number): number {
    return this.start + i * this.step;
  }
  override truth(): boolean {
    return this.len > 0;
  }
  override repr(): string {
    return this.step === 1 ? (this.start === 0 ? `range(${this.stop})` : `range(${this.start}, ${this.stop})`) : `range(${this.start}, ${this.stop}, ${this.step})`;
  }
  override equals(other: Value): boolean {
    if (!(other instanceof RangeValue)) return false;
    if (this.len !== other.len) return false;
    if (this.len === 0) return true;
    return this.start === other.start && (this.len === 1 || this.step === other.step);
  }
  override hash(): number {
    throw new EvalError('unhashable type: range');
  }
}

// ---- hashing -------------------------------------------------------------------------------------

const NOT_PRIM = Symbol('notprim');

function primKey(k: Value): Canon | typeof NOT_PRIM {
  switch (typeof k) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'bigint':
      return k;
    case 'object':
      if (k === null) return null;
      if (k instanceof Float) {
        const f = k.value;
        if (Number.isInteger(f) && !Number.isSafeInteger(f)) return BigInt(f);
        return f;
      }
      return NOT_PRIM;
    default:
      return NOT_PRIM;
  }
}

/** A string encoding of a hashable composite value; throws "unhashable type: T" otherwise. */
export function encodeKey(k: Value): string {
  if (!(k instanceof Tuple) && !(k instanceof Struct)) return encodeLeaf(k);
  // Tuples and structs nest arbitrarily deep and may share substructure: an explicit work list (no JS
  // recursion), a metered, size-limited builder (an exponentially shared tuple fails cleanly).
  const out = new StrBuf(MAX_STRING_LEN, 'hash key');
  const work: Array<Value | KeyText> = [k];
  while (work.length > 0) {
    const w = work.pop()!;
    if (w instanceof KeyText) {
      out.add(w.s);
      continue;
    }
    charge(1);
    if (w instanceof Tuple) {
      const a = w.elems;
      out.add('t' + a.length + '(');
      work.push(CLOSE);
      for (let i = a.length - 1; i >= 0; i--) {
        work.push(a[i]);
        if (i > 0) work.push(COMMA);
      }
    } else if (w instanceof Struct) {
      const names = Object.keys(w.fields).sort();
      out.add('S(');
      work.push(CLOSE);
      for (let i = names.length - 1; i >= 0; i--) {
        work.push(w.fields[names[i]], new KeyText((i > 0 ? ',' : '') + names[i] + '='));
      }
    } else out.add(encodeLeaf(w));
  }
  return out.toString();
}

class KeyText {
  constructor(readonly s: string) {}
}
const CLOSE = new KeyText(')');
const COMMA = new KeyText(',');

function encodeLeaf(k: Value): string {
  if (k === null) return 'N';
  switch (typeof k) {
    case 'boolean':
      return k ? 'T' : 'F';
    case 'number':
    case 'bigint':
      return 'i' + k;
    case 'string':
      return 's' + k.length + ':' + k;
  }
  if (k instanceof Float) {
    const p = primKey(k);
    return (typeof p === 'number' && Number.isInteger(p)) || typeof p === 'bigint' ? 'i' + String(p) : 'f' + k.value;
  }
  if (k instanceof Bytes) return 'b' + k.bytes.length + ':' + Buffer.from(k.bytes.buffer, k.bytes.byteOffset, k.bytes.length).toString('latin1');
  if (k instanceof StarlarkFunction || k instanceof Builtin) return '@' + k.id;
  if (k instanceof HostObject) return 'h' + k.typeName + ':' + k.hash();
  throw new EvalError(`unhashable type: ${typeName(k)}`);
}

/** Validates hashability (used by set/dict insertion paths that bypass encodeKey). */
export function checkHashable(k: Value): void {
  if (primKey(k) === NOT_PRIM) encodeKey(k);
}

// ---- basic protocols -----------------------------------------------------------------------------

export function typeName(v: Value): string {
  if (v === null) return 'NoneType';
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'number':
    case 'bigint':
      return 'int';
    case 'string':
      return 'string';
  }
  if (v instanceof Float) return 'float';
  if (v instanceof List) return 'list';
  if (v instanceof Tuple) return 'tuple';
  if (v instanceof Dict) return 'dict';
  if (v instanceof StarlarkSet) return 'set';
  if (v instanceof StarlarkFunction) return 'function';
  if (v instanceof Builtin) return 'builtin_function_or_method';
  if (v instanceof Struct) return 'struct';
  if (v instanceof Bytes) return 'bytes';
  return (v as HostObject).typeName;
}

export function truth(v: Value): boolean {
  if (v === null) return false;
  switch (typeof v) {
    case 'boolean':
      return v;
    case 'number':
      return v !== 0;
    case 'bigint':
      return v !== 0n;
    case 'string':
      return v.length > 0;
  }
  if (v instanceof Float) return v.value !== 0;
  if (v instanceof List || v instanceof Tuple) return v.elems.length > 0;
  if (v instanceof Dict || v instanceof StarlarkSet) return v.size > 0;
  if (v instanceof Bytes) return v.bytes.length > 0;
  if (v instanceof HostObject) return v.truth();
  return true;
}

/** Deep-freezes a value. */
export function freeze(v: Value | undefined): void {
  freezeAll([v]);
}

/**
 * Deep-freezes values (module globals after execution) with an explicit work list, so nesting depth cannot
 * overflow the JS stack, and visits each tuple/function once, so shared substructure (x = (x, x) thirty
 * times) costs linear, not exponential, work.
 */
export function freezeAll(roots: ReadonlyArray<Value | undefined>): void {
  const work: Array<Value | undefined> = roots.slice();
  let seen: Set<object> | undefined; // values without a frozen flag
  const once = (o: object): boolean => {
    seen ??= new Set();
    if (seen.has(o)) return false;
    seen.add(o);
    return true;
  };
  const pushAll = (a: readonly Value[]): void => {
    for (let i = 0; i < a.length; i++) if (typeof a[i] === 'object' && a[i] !== null) work.push(a[i]);
  };
  while (work.length > 0) {
    const v = work.pop();
    if (v === null || v === undefined || typeof v !== 'object') continue;
    if (v instanceof List) {
      if (v.frozen) continue;
      v.frozen = true;
      pushAll(v.elems);
    } else if (v instanceof Tuple) {
      if (once(v)) pushAll(v.elems);
    } else if (v instanceof Dict) {
      if (v.frozen) continue;
      v.frozen = true;
      v.forEach((k, x) => {
        work.push(k, x);
      });
    } else if (v instanceof StarlarkSet) {
      if (v.frozen) continue;
      v.frozen = true;
      pushAll(v.values());
    } else if (v instanceof Struct) {
      if (v.frozen) continue;
      v.frozen = true;
      for (const k in v.fields) work.push(v.fields[k]);
    } else if (v instanceof StarlarkFunction) {
      if (!once(v)) continue;
      for (const d of v.defaults) if (d !== MANDATORY) work.push(d);
      for (const c of v.freevars) work.push(c.v);
    } else if (v instanceof Builtin) {
      if (v.recv !== undefined && once(v)) work.push(v.recv);
    } else if (v instanceof HostObject) {
      if (once(v)) v.freeze();
    }
  }
}

// ---- ints ----------------------------------------------------------------------------------------

/** Canonical int: a safe-integer number, else a bigint. */
export function normInt(b: bigint): number | bigint {
  if (b >= -9007199254740991n && b <= 9007199254740991n) return Number(b);
  return b;
}

export function isInt(v: Value): v is number | bigint {
  return typeof v === 'number' || typeof v === 'bigint';
}
