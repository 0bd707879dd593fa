// Seeded, bounded fuzzing of the Starlark interpreter: mutates Tiltfiles (test/fixtures) and small programs
// (seeds.ts), runs each in a child process (so a V8 abort or a hang can be detected and killed), and classifies
// it as ok / Starlark error / crash (any non-Starlark JS error, or the child dying) / hang (wall-time bound).
//   npm run fuzz -- --count 100000 --seed 7 [--timeout-ms 15000 (of the child's CPU time)] [--jobs 2] [--from 0]
import { fork, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SEEDS, FRAGMENTS } from './seeds';
import type { Result } from './worker';

export interface FuzzOptions {
  count: number;
  seed: number;
  timeoutMs: number;
  /** Child processes run in parallel (default 1); inputs and their numbering depend only on the seed. */
  jobs?: number;
  /** First input index to run (default 0): the inputs before it are generated and skipped, so a long run can be
   * split into shards (--from 0 --count 500000 and --from 500000 --count 500000 run the same inputs as one). */
  from?: number;
  /** Called for each crash or hang (the input that caused it). */
  onFinding?: (kind: 'crash' | 'hang', source: string, detail: string, index: number) => void;
  onProgress?: (done: number, counts: FuzzCounts) => void;
}

export interface FuzzCounts {
  ok: number;
  error: number;
  crash: number;
  hang: number;
}

/** mulberry32: a small, fast, seedable PRNG (runs must be reproducible from --seed). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function fixtureTiltfiles(): string[] {
  const root = path.join(__dirname, '..', 'fixtures');
  const out: string[] = [];
  const walk = (dir: string, depth: number): void => {
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      const st = statSync(p);
      if (st.isDirectory() && depth < 3 && name !== 'node_modules') walk(p, depth + 1);
      else if (st.isFile() && (name === 'Tiltfile' || name.endsWith('.star') || name.endsWith('.tiltfile'))) out.push(readFileSync(p, 'utf8'));
    }
  };
  walk(root, 0);
  return out;
}

/** Builds one input: a seed with 1-4 mutations (byte edits, fragment insertion, splices, repetition). */
export function makeInput(r: () => number, corpus: string[]): string {
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)];
  let s = pick(corpus);
  const n = 1 + Math.floor(r() * 4);
  for (let k = 0; k < n; k++) {
    const at = Math.floor(r() * (s.length + 1));
    const len = Math.floor(r() * Math.min(40, s.length - at + 1));
    switch (Math.floor(r() * 7)) {
      case 0: // delete a slice
        s = s.slice(0, at) + s.slice(at + len);
        break;
      case 1: // duplicate a slice
        s = s.slice(0, at + len) + s.slice(at, at + len) + s.slice(at + len);
        break;
      case 2: // insert a fragment
        s = s.slice(0, at) + pick(FRAGMENTS) + s.slice(at);
        break;
      case 3: // append a line from another program
        s = s + '\n' + pick(pick(corpus).split('\n'));
        break;
      case 4: // flip one character to a random ASCII or non-ASCII one
        s = s.slice(0, at) + pick(['(', ')', '[', ']', '{', '}', ':', ',', '"', "'", '\\', '\n', ' ', '*', '%', '世', '\u00e9', '0', 'x', '#']) + s.slice(at + 1);
        break;
      case 5: // repeat a small slice many times (deep nesting, long lines)
        s = s.slice(0, at) + s.slice(at, at + Math.min(len, 4)).repeat(Math.floor(r() * 2000)) + s.slice(at);
        break;
      default: // splice two programs
        s = s.slice(0, at) + '\n' + pick(corpus) + '\n' + s.slice(at);
    }
    if (s.length > 200_000) s = s.slice(0, 200_000);
  }
  return s;
}

/** The wall-time backstop for a child that makes no progress without using CPU (see Runner.run). */
const WALL_FACTOR = 6;

/** User + system CPU time of a process in ms, from /proc (Linux); undefined elsewhere. */
function cpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // fields after the command name (which may contain spaces): utime and stime are the 12th and 13th
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** USER_HZ: 100 on every Linux architecture Node supports. */
const CLOCK_TICKS = 100;

class Runner {
  private child: ChildProcess | undefined;
  /** Resolves when the current child has loaded the interpreter (startup is not charged to an input). */
  private ready: Promise<void> = Promise.resolve();
  private pending: ((r: Result | { id: number; outcome: 'died'; detail: string }) => void) | undefined;

  private start(): ChildProcess {
    const c = fork(path.join(__dirname, 'worker.ts'), [], {
      execArgv: ['--import', 'tsx', '--max-old-space-size=1024'],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    let markReady: () => void = () => {};
    this.ready = new Promise((resolve) => {
      markReady = resolve;
    });
    c.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    c.on('message', (m: Result | { ready: true }) => {
      if ('ready' in m) return markReady();
      const p = this.pending;
      this.pending = undefined;
      p?.(m);
    });
    c.on('exit', (code, sig) => {
      markReady();
      if (this.child !== c) return; // killed after a hang: its input is already classified
      this.child = undefined;
      const p = this.pending;
      this.pending = undefined;
      p?.({ id: -1, outcome: 'died', detail: `child exited (code ${code}, signal ${sig}): ${stderr}` });
    });
    return c;
  }

  /**
   * A hang is timeoutMs of the child's CPU time on one input: on a shared, loaded machine the child may get a
   * tenth of a core, so wall time would call a loop that ends at the step budget a hang. A child that does not
   * run at all (blocked reading a FIFO) is caught by the wall-time backstop, WALL_FACTOR times the timeout.
   */
  async run(id: number, source: string, timeoutMs: number): Promise<Result | { id: number; outcome: 'died' | 'hang'; detail: string }> {
    const c = (this.child ??= this.start());
    await this.ready;
    if (this.child !== c) return { id, outcome: 'died', detail: 'child exited during startup' };
    const cpu0 = cpuMs(c.pid);
    const wall0 = Date.now();
    return new Promise((resolve) => {
      const hang = (detail: string): void => {
        clearInterval(timer);
        this.pending = undefined;
        this.child = undefined;
        c.kill('SIGKILL');
        resolve({ id, outcome: 'hang', detail });
      };
      const timer = setInterval(() => {
        const wall = Date.now() - wall0;
        const cpu = cpu0 === undefined ? undefined : (cpuMs(c.pid) ?? cpu0) - cpu0;
        if (cpu === undefined ? wall > timeoutMs : cpu > timeoutMs) hang(`no result within ${timeoutMs} ms of CPU time (${wall} ms wall)`);
        else if (wall > timeoutMs * WALL_FACTOR) hang(`no result within ${wall} ms wall (${cpu ?? '?'} ms of CPU time)`);
      }, Math.min(250, timeoutMs));
      this.pending = (r) => {
        clearInterval(timer);
        resolve(r);
      };
      c.send({ id, source });
    });
  }

  stop(): void {
    this.child?.kill('SIGKILL');
    this.child = undefined;
  }
}

export async function runFuzz(opts: FuzzOptions): Promise<FuzzCounts> {
  const corpus = [...SEEDS, ...fixtureTiltfiles()];
  const r = rng(opts.seed);
  const counts: FuzzCounts = { ok: 0, error: 0, crash: 0, hang: 0 };
  const runners = Array.from({ length: Math.max(1, opts.jobs ?? 1) }, () => new Runner());
  const from = opts.from ?? 0;
  for (let i = 0; i < from; i++) makeInput(r, corpus);
  let next = from;
  const end = from + opts.count;
  let done = 0;
  // Each runner takes the next input in seed order, so input i is the same whatever the number of jobs.
  const work = async (runner: Runner): Promise<void> => {
    while (next < end) {
      const i = next++;
      const src = makeInput(r, corpus);
      const res = await runner.run(i, src, opts.timeoutMs);
      if (res.outcome === 'ok') counts.ok++;
      else if (res.outcome === 'error') counts.error++;
      else if (res.outcome === 'hang') {
        counts.hang++;
        opts.onFinding?.('hang', src, res.detail ?? '', i);
      } else {
        counts.crash++;
        opts.onFinding?.('crash', src, ('detail' in res && res.detail) || '', i);
      }
      opts.onProgress?.(++done, counts);
    }
  };
  try {
    await Promise.all(runners.map(work));
  } finally {
    for (const runner of runners) runner.stop();
  }
  return counts;
}

async function main(): Promise<void> {
  const arg = (name: string, dflt: number): number => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? Number(process.argv[i + 1]) : dflt;
  };
  const opts: FuzzOptions = {
    count: arg('--count', 10_000),
    seed: arg('--seed', 1),
    timeoutMs: arg('--timeout-ms', 15_000),
    jobs: arg('--jobs', 1),
    from: arg('--from', 0),
    onFinding: (kind, source, detail, index) => {
      const file = path.join(os.tmpdir(), `starlark-fuzz-${opts.seed}-${index}.star`);
      writeFileSync(file, source);
      console.log(`\n=== ${kind.toUpperCase()} (input ${index}, saved to ${file}): ${detail.split('\n')[0]}\n${source.slice(0, 600)}\n===`);
    },
    onProgress: (done, c) => {
      if (done % 1000 === 0) console.log(`${done} inputs: ok ${c.ok}, starlark error ${c.error}, crash ${c.crash}, hang ${c.hang}`);
    },
  };
  const t0 = Date.now();
  const c = await runFuzz(opts);
  console.log(`seed ${opts.seed}, ${opts.count} inputs from ${opts.from ?? 0} in ${((Date.now() - t0) / 1000).toFixed(1)} s: ok ${c.ok}, starlark error ${c.error}, crash ${c.crash}, hang ${c.hang}`);
  process.exitCode = c.crash + c.hang > 0 ? 1 : 0;
}

if (require.main === module) void main();
