// Python file save -> new response, through the CLI as a user runs it: the real `node dist/cli.js up` on a temp copy
// of the todo app (bench/cliUp.ts). This process rewrites api/app.py with a new response token and polls the API's
// port forward (bench/served.ts: one clock, 5 ms polls, fresh connection each); p50/p95 over the edits. Then where
// the time went, per edit, every time on this machine's one wall clock (the cluster is local, so the engine, the
// container runtime's log timestamps and this process read the same clock):
//   save → update started        the watcher and the quiet window (the engine's update record, `innerloop dump engine`)
//   → files synced, restart file written   the live update's finish time
//   → wrapper saw it             the restart wrapper's "restarting process" line (the pod log's timestamps)
//   → new process started        the old process and its orphans gone (the wrapper's "starting it again" line)
//   → debugpy listening          Python's start, imports, debugpy.listen (app.py's log line)
//   → server listening           the app module, Flask, the socket bound (Werkzeug's "Running on" line)
//   → first response             the port forward and the poll
// A phase whose marker line is missing (e.g. an older wrapper or app) is left out. Prints "skipped: ..." without a
// cluster. Needs dist/ (scripts/bench.mjs builds it first). To compare commits: INNERLOOP_CLI=path/to/cli.js and
// INNERLOOP_TODO_FIXTURE=path/to/todo-app; INNERLOOP_BENCH_EDITS (default 20, at most 20: the engine keeps 20
// update records per resource).
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import type { KubeClient } from '../src/engine/k8s/client';
import { withCliUp } from './cliUp';
import { runBench } from './run';
import { pct, waitServed, writeProbeRoute } from './served';

const EDITS = Math.min(20, Number(process.env.INNERLOOP_BENCH_EDITS ?? 20));
// Think time between edits (not measured): the previous restart has served, so its process is up.
const PAUSE_MS = 1_000;
const cli = process.env.INNERLOOP_CLI ?? path.resolve(__dirname, '../dist/cli.js');
const fixture = process.env.INNERLOOP_TODO_FIXTURE;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Marker lines of the API container's log, in order after the save. */
const MARKS: { key: string; re: RegExp }[] = [
  { key: 'wrapper saw the restart file', re: /\[innerloop\] restarting process after live update/ },
  { key: 'new process started', re: /\[innerloop\] old process gone; starting it again/ },
  { key: 'debugpy listening', re: /debugpy \S+ listening on/ },
  { key: 'server listening', re: /Running on http/ },
];

interface Edit {
  saved: number;
  served: number;
}

interface LogLine {
  at: number;
  text: string;
}

/** The API container's log with the runtime's timestamps (epoch ms). */
async function apiLog(client: KubeClient, namespace: string): Promise<LogLine[]> {
  const pods = await client.core.listNamespacedPod({ namespace, labelSelector: 'app=todo-api' });
  const pod = pods.items.find((p) => !p.metadata?.deletionTimestamp && p.status?.phase === 'Running');
  if (!pod) return [];
  const text = await client.core.readNamespacedPodLog({ namespace, name: pod.metadata!.name!, container: 'api', timestamps: true });
  return text.split('\n').flatMap((l) => {
    const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?Z (.*)$/.exec(l);
    if (!m) return [];
    return [{ at: Date.parse(`${m[1]}${(m[2] ?? '').slice(0, 4)}Z`), text: m[3]! }];
  });
}

/** The todo API's live update records (start, finish), from the running engine. */
function liveUpdates(dir: string): { startTime: number; finishTime?: number }[] {
  const r = spawnSync(process.execPath, [cli, 'dump', 'engine', '--file', dir], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`innerloop dump engine exited ${r.status}: ${r.stderr}`);
  const state = JSON.parse(r.stdout) as { state: { resources: Record<string, { buildHistory: { kind: string; startTime: number; finishTime?: number }[] }> } };
  return (state.state.resources['todo-api']?.buildHistory ?? []).filter((b) => b.kind === 'live_update');
}

async function main(): Promise<void> {
  await withCliUp(cli, async ({ env, ports, running }) => {
    const url = `http://127.0.0.1:${ports[5734]}/innerloop-probe`;
    writeProbeRoute(env.dir, 'warmup');
    await waitServed(url, 'warmup', 300_000);
    const edits: Edit[] = [];
    for (let i = 0; i < EDITS; i++) {
      await sleep(PAUSE_MS);
      if (!running()) throw new Error('innerloop up exited');
      const token = `py-${i}-${Date.now()}`;
      const t0 = performance.now();
      const saved = Date.now();
      writeProbeRoute(env.dir, token);
      const lat = (await waitServed(url, token, 60_000)) - t0;
      edits.push({ saved, served: saved + lat });
    }
    const lat = edits.map((e) => e.served - e.saved);
    console.log(`python save to new response via CLI p50: ${Math.round(pct(lat, 50))} ms`);
    console.log(`python save to new response via CLI p95: ${Math.round(pct(lat, 95))} ms`);

    // Where the time went: each edit's marks, in order, between its save and its first response.
    const updates = liveUpdates(env.dir);
    const log = await apiLog(env.client, env.namespace);
    const phases = new Map<string, number[]>();
    const add = (k: string, ms: number): void => void (phases.get(k) ?? phases.set(k, []).get(k)!).push(ms);
    for (const e of edits) {
      const u = updates.find((b) => b.startTime >= e.saved && b.startTime <= e.served);
      const marks: [string, number][] = [['save', e.saved]];
      if (u) marks.push(['update started', u.startTime]);
      if (u?.finishTime) marks.push(['synced, restart file written', u.finishTime]);
      let from = e.saved;
      for (const m of MARKS) {
        const line = log.find((l) => l.at >= from && l.at <= e.served && m.re.test(l.text));
        if (!line) continue;
        marks.push([m.key, line.at]);
        from = line.at;
      }
      marks.push(['first response', e.served]);
      for (let i = 1; i < marks.length; i++) add(`${marks[i - 1]![0]} → ${marks[i]![0]}`, marks[i]![1] - marks[i - 1]![1]);
    }
    for (const [k, v] of phases) console.log(`python phase ${k} p50: ${Math.round(pct(v, 50))} ms (n=${v.length}, p95 ${Math.round(pct(v, 95))} ms)`);
  }, fixture);
}

runBench(main);
