// A string builder for output that can grow large (repr of shared structures, hash-key encodings): flattens in
// chunks so it never holds millions of tiny pieces, and stops at the string size limit with a clean error.
import { charge } from './meter';

const CHUNK = 1 << 16;

export class StrBuf {
  private parts: string[] = [];
  private cur: string[] = [];
  private curLen = 0;
  private total = 0;
  constructor(private readonly limit: number, private readonly what: string) {}

  add(s: string): void {
    this.total += s.length;
    if (this.total > this.limit) throw new LimitError(`${this.what} too large: more than ${this.limit} bytes`);
    this.cur.push(s);
    this.curLen += s.length;
    if (this.curLen >= CHUNK) {
      this.parts.push(this.cur.join(''));
      this.cur = [];
      this.curLen = 0;
      charge(1);
    }
  }

  get length(): number {
    return this.total;
  }

  toString(): string {
    const tail = this.cur.join('');
    if (this.parts.length === 0) return tail;
    this.parts.push(tail);
    const s = this.parts.join('');
    this.parts = [s];
    this.cur = [];
    this.curLen = 0;
    return s;
  }
}

/** A size limit was hit (an Error subclass so callers report it as a Starlark error at the current position). */
export class LimitError extends Error {}
