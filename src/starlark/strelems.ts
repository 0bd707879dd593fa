// The iterables that string.elems(), .elem_ords(), .codepoints() and .codepoint_ords() return (starlark-go's
// stringElems / stringCodepoints): lazy views, so ("a" * (1 << 27)).elems() costs nothing until iterated.
import { quote } from './ops';
import { byteChar, byteView, codePointAtUnit, fromUtf8 } from './strings';
import { EvalError, HostObject, MAX_LIST_LEN, type Value } from './values';

export type StringIterKind = 'elems' | 'elem_ords' | 'codepoints' | 'codepoint_ords';

export class StringIterable extends HostObject {
  readonly typeName: string;
  constructor(
    readonly s: string,
    readonly kind: StringIterKind,
  ) {
    super();
    this.typeName = kind === 'elems' || kind === 'elem_ords' ? 'string.elems' : 'string.codepoints';
  }
  /** elems and elem_ords are indexable sequences of bytes; codepoints are only iterable. */
  get indexable(): boolean {
    return this.kind === 'elems' || this.kind === 'elem_ords';
  }
  get len(): number {
    const v = byteView(this.s);
    return v === null ? this.s.length : v.length;
  }
  at(i: number): Value {
    const v = byteView(this.s);
    const b = v === null ? this.s.charCodeAt(i) : v[i];
    return this.kind === 'elem_ords' ? b : byteChar(b);
  }
  override repr(): string {
    return `${quote(this.s)}.${this.kind}()`;
  }
  override hash(): number {
    throw new EvalError(`unhashable: ${this.typeName}`);
  }
  /** Visits the elements; fn returns true to stop. */
  forEach(fn: (x: Value) => boolean | void): void {
    const s = this.s;
    if (this.indexable) {
      const v = byteView(s);
      const ords = this.kind === 'elem_ords';
      const n = v === null ? s.length : v.length;
      for (let i = 0; i < n; i++) {
        const b = v === null ? s.charCodeAt(i) : v[i];
        if (fn(ords ? b : byteChar(b))) return;
      }
      return;
    }
    const ords = this.kind === 'codepoint_ords';
    for (let i = 0; i < s.length; ) {
      const [cp, units] = codePointAtUnit(s, i);
      const x: Value = ords ? cp : cp === 0xfffd ? '\ufffd' : s.slice(i, i + units);
      i += units;
      if (fn(x)) return;
    }
  }
  /** The elements as an array, refusing sizes a list cannot hold. */
  toArray(): Value[] {
    const bound = this.indexable ? this.len : this.s.length;
    if (bound > MAX_LIST_LEN) throw new EvalError(`${this.typeName} too large to materialize (${bound} elements; limit ${MAX_LIST_LEN})`);
    const out: Value[] = [];
    this.forEach((x) => {
      out.push(x);
    });
    return out;
  }
}

/** bytes.elems(): starlark-go's bytesIterable, an iterable (not a sequence) of the byte values. */
export class BytesElems extends HostObject {
  readonly typeName = 'bytes.elems';
  constructor(readonly bytes: Uint8Array) {
    super();
  }
  override repr(): string {
    return `${bytesQuote(this.bytes)}.elems()`;
  }
  override hash(): number {
    throw new EvalError(`unhashable: ${this.typeName}`);
  }
  forEach(fn: (x: Value) => boolean | void): void {
    for (const b of this.bytes) if (fn(b)) return;
  }
  toArray(): Value[] {
    return Array.from(this.bytes);
  }
}

function bytesQuote(b: Uint8Array): string {
  return 'b' + quote(fromUtf8(b));
}
