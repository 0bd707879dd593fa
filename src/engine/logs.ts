// Per-resource log buffers. Each resource keeps its own newest N lines, so one chatty pod can never push a
// quiet resource's logs out (Tilt's single 2 MB store truncates chattiest-first, and still loses context).
// Secrets are scrubbed on the way in, so no stored line, snapshot or UI ever holds them.
// Listeners are told which resources got lines once per tick, not once per line, to survive log storms.

import { Emitter, type Disposable, type Event } from '../shared/events';

export type LogSource = 'build' | 'runtime' | 'system';
export type LogLevel = 'info' | 'warn' | 'error';

export interface LogLine {
  /** Global, strictly increasing: readers resume with linesSince(seq). */
  seq: number;
  resource: string;
  /** Epoch ms. */
  time: number;
  source: LogSource;
  level: LogLevel;
  text: string;
}

export interface LogStoreOptions {
  /** Lines kept per resource. */
  maxLinesPerResource: number;
  /** Longer lines are cut (keeps memory bounded when a program prints a 50 MB JSON blob on one line). */
  maxLineLength: number;
  now: () => number;
  /** Defers change notifications; default queueMicrotask. */
  defer: (fn: () => void) => void;
}

export const DEFAULT_LOG_OPTIONS: LogStoreOptions = {
  maxLinesPerResource: 10_000,
  maxLineLength: 16_384,
  now: () => Date.now(),
  defer: queueMicrotask,
};

/** Fixed-capacity ring of lines for one resource. */
class Ring {
  private buf: (LogLine | undefined)[];
  private head = 0;
  size = 0;
  constructor(readonly capacity: number) {
    this.buf = new Array<LogLine | undefined>(capacity);
  }
  push(l: LogLine): void {
    const idx = (this.head + this.size) % this.capacity;
    this.buf[idx] = l;
    if (this.size < this.capacity) this.size++;
    else this.head = (this.head + 1) % this.capacity;
  }
  at(i: number): LogLine {
    return this.buf[(this.head + i) % this.capacity] as LogLine;
  }
  /** Lines with seq > after (binary search: seqs are increasing). */
  since(after: number): LogLine[] {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.at(mid).seq <= after) lo = mid + 1;
      else hi = mid;
    }
    const out: LogLine[] = [];
    for (let i = lo; i < this.size; i++) out.push(this.at(i));
    return out;
  }
  clear(): void {
    this.buf = new Array<LogLine | undefined>(this.capacity);
    this.head = 0;
    this.size = 0;
  }
}

/**
 * Replaces every occurrence of any secret with [redacted]. One combined regexp (longest secrets first so a
 * secret containing another is redacted whole); a cheap first-character prefilter skips most lines.
 */
export class SecretScrubber {
  static readonly REDACTED = '[redacted]';
  /** Shorter values would redact ordinary words and digits. */
  static readonly MIN_LENGTH = 4;
  private re: RegExp | undefined;
  private firstChars = new Set<number>();

  constructor(secrets: Iterable<string> = []) {
    this.setSecrets(secrets);
  }

  /**
   * Also scrubs the base64 forms, as Kubernetes Secret data appears both ways. A multi-line secret (a PEM key)
   * is also scrubbed line by line: logs are stored per line and a stream may split it anywhere, so each of its
   * lines must be recognisable alone (PEM armour lines like -----BEGIN …----- are not secret and stay).
   */
  setSecrets(secrets: Iterable<string>): void {
    const all = new Set<string>();
    const add = (s: string): void => {
      if (s.length >= SecretScrubber.MIN_LENGTH) all.add(s);
    };
    for (const s of secrets) {
      if (s.length < SecretScrubber.MIN_LENGTH) continue;
      add(s);
      add(Buffer.from(s).toString('base64'));
      if (/[\r\n]/.test(s)) {
        for (const line of s.split(/\r?\n/)) {
          const t = line.trim();
          if (!/^-----(BEGIN|END) [A-Z0-9 ]+-----$/.test(t)) add(t);
        }
      }
    }
    const list = [...all].sort((a, b) => b.length - a.length);
    this.firstChars = new Set(list.map((s) => s.charCodeAt(0)));
    this.re = list.length ? new RegExp(list.map(escapeRegExp).join('|'), 'g') : undefined;
  }

  scrub(text: string): string {
    if (!this.re) return text;
    // Prefilter: no secret can match unless some character of the line starts one.
    let possible = false;
    for (let i = 0; i < text.length; i++) {
      if (this.firstChars.has(text.charCodeAt(i))) {
        possible = true;
        break;
      }
    }
    return possible ? text.replace(this.re, SecretScrubber.REDACTED) : text;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

export interface LogsAppended {
  resources: string[];
}

export class LogStore implements Disposable {
  private rings = new Map<string, Ring>();
  private partial = new Map<string, string>();
  private seq = 0;
  private dirty = new Set<string>();
  private scheduled = false;
  private readonly emitter = new Emitter<LogsAppended>();
  private readonly opts: LogStoreOptions;
  readonly scrubber = new SecretScrubber();

  /** Once per tick: which resources got new lines. Read them with linesSince. */
  readonly onDidAppend: Event<LogsAppended> = this.emitter.event;

  constructor(opts: Partial<LogStoreOptions> = {}) {
    // Explicit undefined means "default", not "unset".
    const given = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) as Partial<LogStoreOptions>;
    this.opts = { ...DEFAULT_LOG_OPTIONS, ...given };
  }

  get lastSeq(): number {
    return this.seq;
  }

  /** Append complete text (may hold several lines; a trailing newline does not add an empty line). */
  append(resource: string, source: LogSource, text: string, level: LogLevel = 'info'): void {
    // Scrub the whole text first, so a multi-line secret inside it becomes one [redacted], not one per line.
    const lines = this.scrubber.scrub(text).split(/\r?\n/);
    if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
    for (const l of lines) this.pushLine(resource, source, level, l);
  }

  /**
   * Append a chunk of a stream: complete lines are stored, an unfinished last line waits for the next chunk
   * (or flushPartial) so a line split across chunks stays one line.
   */
  write(resource: string, source: LogSource, chunk: string, level: LogLevel = 'info'): void {
    const key = `${source}\u0000${resource}`;
    const text = (this.partial.get(key) ?? '') + chunk;
    const nl = text.lastIndexOf('\n');
    if (nl < 0) {
      this.partial.set(key, text);
      return;
    }
    this.partial.delete(key);
    if (nl < text.length - 1) this.partial.set(key, text.slice(nl + 1));
    this.append(resource, source, text.slice(0, text[nl - 1] === '\r' ? nl - 1 : nl), level);
  }

  /** Emit any unfinished line (stream ended). */
  flushPartial(resource: string, source: LogSource, level: LogLevel = 'info'): void {
    const key = `${source}\u0000${resource}`;
    const rest = this.partial.get(key);
    this.partial.delete(key);
    if (rest) this.pushLine(resource, source, level, rest);
  }

  linesSince(resource: string, afterSeq = 0): LogLine[] {
    return this.rings.get(resource)?.since(afterSeq) ?? [];
  }

  /** All resources interleaved in arrival order. */
  allSince(afterSeq = 0): LogLine[] {
    const parts = [...this.rings.values()].map((r) => r.since(afterSeq));
    return parts.flat().sort((a, b) => a.seq - b.seq);
  }

  lineCount(resource: string): number {
    return this.rings.get(resource)?.size ?? 0;
  }

  clear(resource?: string): void {
    if (resource === undefined) for (const r of this.rings.values()) r.clear();
    else this.rings.get(resource)?.clear();
  }

  dispose(): void {
    this.emitter.dispose();
  }

  private pushLine(resource: string, source: LogSource, level: LogLevel, raw: string): void {
    let ring = this.rings.get(resource);
    if (!ring) this.rings.set(resource, (ring = new Ring(this.opts.maxLinesPerResource)));
    // Scrub before cutting, so a secret straddling the cut cannot leak its first half.
    const clean = this.scrubber.scrub(raw);
    const text = clean.length > this.opts.maxLineLength ? clean.slice(0, this.opts.maxLineLength) + ' …[truncated]' : clean;
    ring.push({ seq: ++this.seq, resource, time: this.opts.now(), source, level, text });
    this.dirty.add(resource);
    if (!this.scheduled) {
      this.scheduled = true;
      this.opts.defer(() => this.notify());
    }
  }

  private notify(): void {
    this.scheduled = false;
    if (this.dirty.size === 0) return;
    const resources = [...this.dirty];
    this.dirty.clear();
    this.emitter.fire({ resources });
  }
}
