// The webview's log store: columns in typed arrays (resource index, source+level bits) plus one string per
// line, so a million lines cost little more than their text. Filtering produces an Int32Array of matching
// line numbers that grows as lines arrive; the virtual list only ever reads the rows it shows.
// No DOM here: unit-tested under plain Node.
import type { LogBatch } from '../shared/webviewProtocol';
import { visibleText } from '../shared/ansi';

export const SOURCE = { build: 0, runtime: 1, system: 2 } as const;
export const LEVEL = { info: 0, warn: 1, error: 2 } as const;
const SRC_BITS: Record<string, number> = { b: SOURCE.build, r: SOURCE.runtime, s: SOURCE.system };
const LVL_BITS: Record<string, number> = { i: LEVEL.info, w: LEVEL.warn, e: LEVEL.error };

export type SourceFilter = 'all' | 'build' | 'runtime';
export type LevelFilter = 'all' | 'warn' | 'error';

export interface LogFilter {
  /** Resource name; undefined = every resource. */
  resource?: string;
  source: SourceFilter;
  level: LevelFilter;
  /** Substring (case-insensitive) or, with regex, a regular expression. Empty = everything. */
  text: string;
  regex: boolean;
}

export const NO_FILTER: LogFilter = { source: 'all', level: 'all', text: '', regex: false };

export class WebviewLogStore {
  readonly resources: string[] = [];
  private readonly resIndex = new Map<string, number>();
  private res = new Uint16Array(1024);
  /** Bits 0-1 source, 2-3 level. */
  private meta = new Uint8Array(1024);
  private text: string[] = [];
  private n = 0;
  /** Bumps on clear and when old lines are dropped (the store stays bounded): line numbers shifted. */
  private gen = 0;

  /** @param maxLines oldest lines are dropped (a tenth at a time) beyond this. */
  constructor(readonly maxLines = 2_000_000) {}

  get size(): number {
    return this.n;
  }

  /** Changes whenever line numbers shift (clear, old lines dropped): filtered views must rebuild. */
  get generation(): number {
    return this.gen;
  }

  clear(): void {
    this.n = 0;
    this.text = [];
    this.gen++;
  }

  append(b: LogBatch): void {
    const map = b.resources.map((r) => this.resourceId(r));
    const count = b.text.length;
    this.reserve(this.n + count);
    for (let i = 0; i < count; i++) {
      const at = this.n + i;
      this.res[at] = map[b.res[i]!] ?? 0;
      this.meta[at] = (SRC_BITS[b.src[i]!] ?? 0) | ((LVL_BITS[b.lvl[i]!] ?? 0) << 2);
      this.text.push(b.text[i]!);
    }
    this.n += count;
    if (this.n > this.maxLines) this.dropFront(this.n - this.maxLines + Math.floor(this.maxLines / 10));
  }

  resourceOf(i: number): string {
    return this.resources[this.res[i]!] ?? '';
  }
  textOf(i: number): string {
    return this.text[i] ?? '';
  }
  sourceOf(i: number): number {
    return this.meta[i]! & 3;
  }
  levelOf(i: number): number {
    return (this.meta[i]! >> 2) & 3;
  }

  /** A predicate for one filter; throws SyntaxError for an invalid regex. */
  matcher(f: LogFilter): (i: number) => boolean {
    // -1: any resource; -2: a resource that has not logged yet (looked up again until it has).
    let res = f.resource === undefined ? -1 : (this.resIndex.get(f.resource) ?? -2);
    const src = f.source === 'build' ? 1 : f.source === 'runtime' ? 2 : 0;
    const lvl = f.level === 'warn' ? LEVEL.warn : f.level === 'error' ? LEVEL.error : -1;
    let textOk: (s: string) => boolean = () => true;
    if (f.text) {
      if (f.regex) {
        const re = new RegExp(f.text, 'i');
        textOk = (s) => re.test(s);
      } else {
        const needle = f.text.toLowerCase();
        textOk = (s) => s.toLowerCase().includes(needle);
      }
    }
    return (i) => {
      if (res === -2) res = this.resIndex.get(f.resource!) ?? -2;
      if (res !== -1 && this.res[i] !== res) return false;
      const m = this.meta[i]!;
      // System lines (Tiltfile loads, engine notes) count as build output, like Tilt's UI.
      if (src === 1 && (m & 3) === SOURCE.runtime) return false;
      if (src === 2 && (m & 3) !== SOURCE.runtime) return false;
      if (lvl !== -1 && (m >> 2) !== lvl) return false;
      // Search what the user sees, not the colour codes around it.
      return textOk(visibleText(this.text[i]!));
    };
  }

  private resourceId(name: string): number {
    let id = this.resIndex.get(name);
    if (id === undefined) {
      id = this.resources.length;
      this.resources.push(name);
      this.resIndex.set(name, id);
    }
    return id;
  }

  private reserve(need: number): void {
    if (need <= this.res.length) return;
    let cap = this.res.length;
    while (cap < need) cap *= 2;
    const res = new Uint16Array(cap);
    res.set(this.res.subarray(0, this.n));
    const meta = new Uint8Array(cap);
    meta.set(this.meta.subarray(0, this.n));
    this.res = res;
    this.meta = meta;
  }

  private dropFront(k: number): void {
    this.res.copyWithin(0, k, this.n);
    this.meta.copyWithin(0, k, this.n);
    this.text = this.text.slice(k);
    this.n -= k;
    this.gen++;
  }
}

/** Line numbers of the store that pass a filter; extended incrementally as lines arrive. */
export class FilteredView {
  private idx = new Int32Array(1024);
  private n = 0;
  private scanned = 0;
  private generation: number;
  private match: (i: number) => boolean;
  /** Set when the filter's regex is invalid (then nothing matches). */
  readonly error: string | undefined;

  constructor(
    private readonly store: WebviewLogStore,
    readonly filter: LogFilter,
  ) {
    this.generation = store.generation;
    try {
      this.match = store.matcher(filter);
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
      this.match = () => false;
    }
    this.update();
  }

  get size(): number {
    return this.n;
  }

  /** The store line shown at row `k`. */
  line(k: number): number {
    return this.idx[k]!;
  }

  /** Takes in lines appended since the last call; rescans when the store dropped old lines. */
  update(): void {
    if (this.store.generation !== this.generation) {
      this.generation = this.store.generation;
      this.n = 0;
      this.scanned = 0;
    }
    const end = this.store.size;
    for (let i = this.scanned; i < end; i++) {
      if (!this.match(i)) continue;
      if (this.n === this.idx.length) {
        const grown = new Int32Array(this.idx.length * 2);
        grown.set(this.idx);
        this.idx = grown;
      }
      this.idx[this.n++] = i;
    }
    this.scanned = end;
  }
}
