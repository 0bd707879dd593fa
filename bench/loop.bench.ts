// The inner loop on the real local cluster (test/env), todo app, engine in this process (a Session, as the editor
// runs it): file save -> new content served through the port forward, timed as bench/served.ts describes (one
// clock, 5 ms polls, fresh connection each). p50/p95 over 20 edits of a static file and of a Python file, and one
// full rebuild-and-rollout (Dockerfile edit). The same static measure through the CLI: loop-cli.bench.ts.
// Prints "skipped: ..." without a cluster.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { todoEnv, useFreePorts } from '../test/integration/todo/harness';
import { runBench } from './run';
import { pct, staticEdits, waitServed as served, writeProbeRoute } from './served';

const EDITS = 20;
// Free local ports instead of the fixture's fixed ones (another suite may hold them); set in main().
let API = '';
// Static files the frontend serves straight from disk: no process restart between sync and serve.
let STATIC = '';

function waitServed(token: string, timeoutMs: number, url = API): Promise<number> {
  return served(url, token, timeoutMs);
}

async function main(): Promise<void> {
  const env = await todoEnv();
  if ('skip' in env) {
    console.log(`skipped: ${env.skip}`);
    return;
  }
  try {
    const ports = await useFreePorts(env.dir);
    API = `http://127.0.0.1:${ports[5734]}/innerloop-probe`;
    STATIC = `http://127.0.0.1:${ports[3734]}/innerloop-probe.txt`;
    const session = env.session({ subcommand: 'up' });
    const t0 = performance.now();
    await session.start();
    const ci = await session.waitCi({ timeoutMs: 240_000 });
    if (ci.state !== 'succeeded') throw new Error(`todo app did not come up: ${ci.error}`);
    console.log(`loop up (build, push, deploy, ready): ${Math.round(performance.now() - t0)} ms`);
    writeProbeRoute(env.dir, 'warmup');
    await waitServed('warmup', 60_000);

    const probeFile = path.join(env.dir, 'frontend', 'public', 'innerloop-probe.txt');
    // Where each edit's time goes: save -> the live update starts -> its copy is done -> served.
    const parts = { start: [] as number[], copy: [] as number[], serve: [] as number[] };
    const stat = await staticEdits(probeFile, STATIC, EDITS, (savedAt, servedAt) => {
      const b = session.store.resource('todo-frontend')?.buildHistory.find((x) => x.kind === 'live_update' && x.startTime >= savedAt && x.finishTime);
      if (!b?.finishTime) return;
      parts.start.push(b.startTime - savedAt);
      parts.copy.push(b.finishTime - b.startTime);
      parts.serve.push(servedAt - b.finishTime);
    });
    console.log(`loop live update p50 (static file, save to served via port forward): ${Math.round(pct(stat, 50))} ms`);
    console.log(`loop live update p95 (static file): ${Math.round(pct(stat, 95))} ms`);
    if (parts.start.length > 0) {
      const p = (xs: number[]): string => `${Math.round(pct(xs, 50))}/${Math.round(pct(xs, 95))}`;
      console.log(`loop static file breakdown p50/p95 (n=${parts.start.length}): save to update start ${p(parts.start)} ms, update ${p(parts.copy)} ms, update done to served ${p(parts.serve)} ms`);
    }

    const lat: number[] = [];
    const synced: number[] = [];
    for (let i = 0; i < EDITS; i++) {
      // A short pause (user think time, not measured): the restarted process is up before the next edit lands.
      await new Promise((r) => setTimeout(r, 500));
      const token = `edit-${i}-${Date.now()}`;
      const saved = performance.now();
      writeProbeRoute(env.dir, token);
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
    // Includes the process restart (ext://restart_process) and Python's start.
    console.log(`loop live update p50 (Python file, save to served incl. the process restart): ${Math.round(pct(lat, 50))} ms`);
    console.log(`loop live update p95 (Python file): ${Math.round(pct(lat, 95))} ms`);
    if (synced.length > 0) console.log(`loop live update p50 (Python file, save to synced in container): ${Math.round(pct(synced, 50))} ms`);

    const token = `rebuilt-${Date.now()}`;
    const saved = performance.now();
    fs.appendFileSync(path.join(env.dir, 'api', 'Dockerfile'), `ENV INNERLOOP_BENCH=${Date.now()}\n`);
    writeProbeRoute(env.dir, token);
    console.log(`loop full rebuild and rollout (save to served): ${Math.round((await waitServed(token, 180_000)) - saved)} ms`);
    await session.stop();
    await session.down();
  } finally {
    await env.cleanup();
  }
}

runBench(main);
