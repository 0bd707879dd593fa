// CPU while idle, as the issue measured Tilt's (0.07 s in 20 s): the real `node dist/cli.js up` on a temp copy of
// the todo app in a throwaway namespace (free local ports); once both services answer through their port forwards
// and a few seconds have passed, nothing is touched for 20 s and the CPU time (user + system, from /proc) the `up`
// process and its descendants spent in that window is printed. Linux only; prints "skipped: ..." without a cluster.
// Needs dist/ (scripts/bench.mjs builds it first). INNERLOOP_CLI=path/to/cli.js measures another build.
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { get } from '../test/integration/todo/harness';
import { withCliUp } from './cliUp';
import { runBench } from './run';

const IDLE_MS = Number(process.env.INNERLOOP_BENCH_IDLE_MS ?? 20_000);
// After serving, wait this long before the window (default 5 s, as the side-by-side bench; V8's memory reducer runs
// its post-start GCs in the first ~25 s: INNERLOOP_BENCH_IDLE_SETTLE_MS=30000 measures the steady state).
const SETTLE_MS = Number(process.env.INNERLOOP_BENCH_IDLE_SETTLE_MS ?? 5_000);
const cli = process.env.INNERLOOP_CLI ?? path.resolve(__dirname, '../dist/cli.js');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** utime + stime (clock ticks, 100 per second on Linux) of pid and every live descendant, by pid. */
function treeTicks(root: number): Map<number, number> {
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      // Fields after the command name (which may hold spaces): state ppid ... utime(14) stime(15).
      const s = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(d), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
    } catch { /* exited meanwhile */ }
  }
  const out = new Map<number, number>();
  const visit = (pid: number): void => {
    const s = stats.get(pid);
    if (!s || out.has(pid)) return;
    out.set(pid, s.ticks);
    for (const [p, c] of stats) if (c.ppid === pid) visit(p);
  };
  visit(root);
  return out;
}

async function until(what: string, ok: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

async function main(): Promise<void> {
  if (process.platform !== 'linux') {
    console.log('skipped: reads /proc (Linux only)');
    return;
  }
  await withCliUp(cli, async ({ ports, pid, running }) => {
    const serving = async (port: number | undefined, p: string): Promise<boolean> => (await get(`http://127.0.0.1:${port}${p}`, 2_000, true)).status === 200;
    await until('the todo app to serve', async () => {
      if (!running()) throw new Error('innerloop up exited');
      return (await serving(ports[5734], '/todos')) && (await serving(ports[3734], '/'));
    }, 240_000);
    await sleep(SETTLE_MS);
    const before = treeTicks(pid);
    await sleep(IDLE_MS);
    const after = treeTicks(pid);
    // A process alive at both samples counts its difference; one started in between counts whole.
    let ticks = 0;
    for (const [p, t] of after) ticks += t - (before.get(p) ?? 0);
    console.log(`idle: innerloop up on the todo app, CPU in ${IDLE_MS / 1000} s idle: ${(ticks / 100).toFixed(2)} s (${after.size} processes)`);
  });
}

runBench(main);
