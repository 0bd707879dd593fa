// The inner loop on the real local cluster (test/env), todo app: file save -> new content served through the
// port forward. Live update p50/p95 over 20 edits of a Python file, and one full rebuild-and-rollout (Dockerfile
// edit). Prints "skipped: cluster not reachable" without a cluster.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { get, todoEnv } from '../test/integration/todo/harness';

const API = 'http://127.0.0.1:5734/innerloop-probe';
// Static files the frontend serves straight from disk: no process restart between sync and serve.
const STATIC = 'http://127.0.0.1:3734/innerloop-probe.txt';
const EDITS = 20;

function writeRoute(dir: string, token: string): void {
  const file = path.join(dir, 'api', 'app.py');
  const src = fs.readFileSync(file, 'utf8').replace(/\n@app\.get\("\/innerloop-probe"\)[\s\S]*?# end-probe\n/, '\n');
  const route = `\n@app.get("/innerloop-probe")\ndef innerloop_probe():\n    return "${token}"\n# end-probe\n`;
  const at = src.indexOf('if __name__');
  fs.writeFileSync(file, src.slice(0, at) + route + '\n' + src.slice(at));
}

async function waitServed(token: string, timeoutMs: number, url = API): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    if ((await get(url, 1_000)).body === token) return performance.now();
    if (performance.now() - t0 > timeoutMs) throw new Error(`"${token}" not served after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] as number;
}

async function main(): Promise<void> {
  const env = await todoEnv();
  if ('skip' in env) {
    console.log(`skipped: ${env.skip}`);
    return;
  }
  try {
    const session = env.session({ subcommand: 'up' });
    const t0 = performance.now();
    await session.start();
    const ci = await session.waitCi({ timeoutMs: 240_000 });
    if (ci.state !== 'succeeded') throw new Error(`todo app did not come up: ${ci.error}`);
    console.log(`loop up (build, push, deploy, ready): ${Math.round(performance.now() - t0)} ms`);
    writeRoute(env.dir, 'warmup');
    await waitServed('warmup', 60_000);

    const stat: number[] = [];
    const probeFile = path.join(env.dir, 'frontend', 'public', 'innerloop-probe.txt');
    fs.writeFileSync(probeFile, 'warmup');
    await waitServed('warmup', 60_000, STATIC);
    for (let i = 0; i < EDITS; i++) {
      const token = `static-${i}-${Date.now()}`;
      const saved = performance.now();
      fs.writeFileSync(probeFile, token);
      stat.push((await waitServed(token, 30_000, STATIC)) - saved);
    }
    console.log(`loop live update p50 (static file, save to served via port forward): ${Math.round(pct(stat, 50))} ms`);
    console.log(`loop live update p95 (static file): ${Math.round(pct(stat, 95))} ms`);

    const lat: number[] = [];
    const synced: number[] = [];
    for (let i = 0; i < EDITS; i++) {
      // Werkzeug serves before its stat reloader records the files' mtimes: an edit landing in that window is
      // never noticed. A short pause (user think time, not measured) keeps the bench about our loop.
      await new Promise((r) => setTimeout(r, 500));
      const token = `edit-${i}-${Date.now()}`;
      const saved = performance.now();
      writeRoute(env.dir, token);
      const savedEpoch = Date.now();
      try {
        lat.push((await waitServed(token, 30_000)) - saved);
        // The engine's share: save -> files in the container (the live update's finish time).
        const done = session.store.resource('todo-api')?.buildHistory.find((b) => b.kind === 'live_update' && b.startTime >= savedEpoch && b.finishTime);
        if (done?.finishTime) synced.push(done.finishTime - savedEpoch);
      } catch (err) {
        const r = session.store.resource('todo-api');
        console.error(JSON.stringify({ lastBuild: r?.buildHistory[0], pods: r?.pods, pf: r?.portForwards }, null, 1));
        console.error(session.logs.linesSince('todo-api').slice(-40).map((l) => l.text).join('\n'));
        throw err;
      }
    }
    // Includes Flask's stat reloader (polls once a second) restarting the app.
    console.log(`loop live update p50 (Python file, save to served incl. Flask reload): ${Math.round(pct(lat, 50))} ms`);
    console.log(`loop live update p95 (Python file): ${Math.round(pct(lat, 95))} ms`);
    if (synced.length > 0) console.log(`loop live update p50 (Python file, save to synced in container): ${Math.round(pct(synced, 50))} ms`);

    const token = `rebuilt-${Date.now()}`;
    const saved = performance.now();
    fs.appendFileSync(path.join(env.dir, 'api', 'Dockerfile'), `ENV INNERLOOP_BENCH=${Date.now()}\n`);
    writeRoute(env.dir, token);
    console.log(`loop full rebuild and rollout (save to served): ${Math.round((await waitServed(token, 180_000)) - saved)} ms`);
    await session.stop();
    await session.down();
  } finally {
    await env.cleanup();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
