// Dependency change -> new pod serving, as issue 14 measured it: the real `node dist/cli.js up` on a temp copy of
// the todo app (bench/cliUp.ts); this process appends to api/requirements.txt (in the API's fall_back_on: a full
// image rebuild and a new pod) and changes the probe route in app.py, then polls the route through the port forward
// (bench/served.ts: one clock, 5 ms polls, fresh connection each) until the new pod's answer comes back.
// One untimed rebuild first (caches warm alike for every timed one); between edits, think time until only the new
// pod is left, plus 1-2 s at random (see settle()). Prints p50/p95 and, per phase, the median time since the save:
//   change seen   `up` prints "Falling back to a full rebuild" (debounce + scheduling + live-update planning)
//   build start / push start / pushed / applied   `up`'s build log ("Building", "Pushing", "digest:", "deployment/... applied")
//   pod created / scheduled / started / ready      this process's own pod watch (ADDED, spec.nodeName, container running, Ready)
//   retargeted    the first poll of the last run not answered by the old pod (new connections go to the new pod)
//   served        the first poll answered with the new route
// Log lines are stamped when they reach this process (stdout of `up`, printed as they come on a non-TTY).
// INNERLOOP_CLI=path/to/cli.js measures another build; INNERLOOP_BENCH_EDITS (default 5); INNERLOOP_BENCH_VERBOSE=1
// prints todo-api's log lines with their time since the save; INNERLOOP_BENCH_POLL_MS (default 5). Needs dist/.
import { Watch, type V1Pod } from '@kubernetes/client-node';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { withCliUp } from './cliUp';
import { runBench } from './run';
import { getFresh, pct, writeProbeRoute } from './served';

const EDITS = Number(process.env.INNERLOOP_BENCH_EDITS ?? 5);
const cli = process.env.INNERLOOP_CLI ?? path.resolve(__dirname, '../dist/cli.js');
// The issue's clock polls every 5 ms; another period (INNERLOOP_BENCH_POLL_MS) shows what the polling itself costs.
const POLL_MS = Number(process.env.INNERLOOP_BENCH_POLL_MS ?? 5);
const VERBOSE = process.env.INNERLOOP_BENCH_VERBOSE === '1';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Phases in the order they usually happen; each with the log line (of todo-api) that marks it, if any. */
const LOG_PHASES: Array<[string, RegExp]> = [
  ['change seen', /Falling back to a full rebuild/],
  ['build start', /Building localhost:5000\/todo-api from/],
  ['push start', /^Pushing /],
  ['pushed', /digest: sha256:/],
  ['applied', /^deployment\/todo-api applied/],
];
const PHASES = ['change seen', 'build start', 'push start', 'pushed', 'applied', 'pod created', 'scheduled', 'started', 'retargeted', 'ready', 'served'];

interface PodSeen { created: number; scheduled?: number; started?: number; ready?: number; gone?: number }

async function main(): Promise<void> {
  await withCliUp(cli, async ({ env, ports, running, onOutput }) => {
    const api = `http://127.0.0.1:${ports[5734]}/innerloop-probe`;
    // Marks of the rebuild in progress (performance.now() when the line or event reached this process).
    let marks: Record<string, number> = {};
    let savedAt = 0;
    let partial = '';
    onOutput((chunk) => {
      const now = performance.now();
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const m = /^todo-api\s+│ (.*)$/.exec(line);
        if (!m) continue;
        if (VERBOSE && savedAt > 0) console.log(`  +${Math.round(now - savedAt)} ${m[1]}`);
        for (const [phase, re] of LOG_PHASES) if (marks[phase] === undefined && re.test(m[1]!)) marks[phase] = now;
      }
    });

    const pods = new Map<string, PodSeen>();
    const watched = await new Watch(env.client.kc).watch(`/api/v1/namespaces/${env.namespace}/pods`, { labelSelector: 'app=todo-api' }, (type: string, pod: V1Pod) => {
      const now = performance.now();
      const uid = pod.metadata?.uid ?? '';
      const p = pods.get(uid) ?? { created: now };
      pods.set(uid, p);
      if (type === 'DELETED') p.gone ??= now;
      if (pod.spec?.nodeName) p.scheduled ??= now;
      if (pod.status?.containerStatuses?.some((c) => c.name === 'api' && c.state?.running)) p.started ??= now;
      if (pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) p.ready ??= now;
    }, () => undefined);

    /** Think time: until one pod is left, ready, and serving `token`. */
    const settle = async (token: string): Promise<void> => {
      for (const end = Date.now() + 300_000; (await getFresh(api)).body !== token; await sleep(50)) {
        if (!running()) throw new Error('innerloop up exited');
        if (Date.now() > end) throw new Error(`"${token}" not served after 300 s`);
      }
      for (const end = Date.now() + 120_000; ; await sleep(100)) {
        if (!running()) throw new Error('innerloop up exited');
        const live = [...pods.values()].filter((p) => p.gone === undefined);
        if (live.length === 1 && live[0]!.ready !== undefined) break;
        if (Date.now() > end) throw new Error('old todo-api pods still there after 120 s');
      }
      // 1-2 s, at random: the kubelet notices container changes on a 1 s relist (PLEG) and the readiness probe has a
      // 2 s period; a fixed pause after Ready would phase-lock every save to them and bias each phase the same way.
      await sleep(1_000 + Math.random() * 1_000);
    };

    /** One requirements.txt save; the phase marks as ms since the save. */
    const rebuild = async (token: string, old: string): Promise<Record<string, number>> => {
      marks = {};
      const before = new Set(pods.keys());
      const saved = (savedAt = performance.now());
      fs.appendFileSync(path.join(env.dir, 'api', 'requirements.txt'), `# bench ${token}\n`);
      writeProbeRoute(env.dir, token);
      for (const end = saved + 300_000; ; await sleep(POLL_MS)) {
        const { body } = await getFresh(api);
        const now = performance.now();
        // A poll that failed for another reason (a timeout under load) is not the retarget if the old pod answers again.
        if (body === old) delete marks.retargeted;
        else marks.retargeted ??= now;
        if (body === token) {
          marks.served = now;
          break;
        }
        if (now > end || !running()) throw new Error(`"${token}" not served after ${Math.round(now - saved)} ms`);
      }
      const fresh = [...pods.entries()].find(([uid]) => !before.has(uid))?.[1];
      if (fresh) Object.assign(marks, { 'pod created': fresh.created, scheduled: fresh.scheduled, started: fresh.started, ready: fresh.ready });
      // Ready may come after served (the readiness probe's period); wait for it, for the breakdown.
      for (const end = Date.now() + 10_000; fresh && fresh.ready === undefined && Date.now() < end;) await sleep(20);
      if (fresh?.ready !== undefined) marks.ready = fresh.ready;
      const out: Record<string, number> = {};
      for (const [k, v] of Object.entries(marks)) if (v !== undefined) out[k] = v - saved;
      return out;
    };

    writeProbeRoute(env.dir, 'warmup');
    await settle('warmup');
    console.log(`polling every ${POLL_MS} ms; load average at start: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    let old = 'warmup';
    await rebuild('rebuild-warmup', old);
    old = 'rebuild-warmup';
    await settle(old);

    const runs: Array<Record<string, number>> = [];
    for (let i = 0; i < EDITS; i++) {
      const token = `rebuild-${i}-${Date.now()}`;
      const r = await rebuild(token, old);
      runs.push(r);
      console.log(`rebuild ${i + 1}: ${PHASES.map((p) => `${p} ${r[p] === undefined ? '-' : Math.round(r[p]!)}`).join(', ')} (load ${os.loadavg()[0]!.toFixed(1)})`);
      old = token;
      await settle(token);
    }
    watched.abort();
    const served = runs.map((r) => r.served!);
    console.log(`load average at end: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    console.log(`rebuild: requirements.txt save to new pod serving p50: ${Math.round(pct(served, 50))} ms`);
    console.log(`rebuild: requirements.txt save to new pod serving p95: ${Math.round(pct(served, 95))} ms`);
    for (const p of PHASES) {
      const xs = runs.map((r) => r[p]).filter((x): x is number => x !== undefined);
      if (xs.length > 0) console.log(`rebuild: ${p}, ms since save, p50: ${Math.round(pct(xs, 50))}`);
    }
  });
}

runBench(main);
