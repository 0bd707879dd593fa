// `innerloop down` on the todo app on the real local cluster (test/env): each round brings the app up with `ci`
// (in-process, not timed), then times either the whole process `node dist/cli.js down` (wall and CPU via
// /usr/bin/time; odd rounds) or `Session.down()` in this process (in-process Tiltfile load, connect, deletes; no process
// start; even rounds), the part this code controls and less swamped by the machine's load.
// INNERLOOP_CLI=path/to/cli.js measures another build (e.g. an older commit's) the same way.
// Prints "skipped: ..." without a cluster.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { todoEnv, useFreePorts } from '../test/integration/todo/harness';
import { runBench } from './run';

const ROUNDS = Number(process.env.INNERLOOP_BENCH_ROUNDS ?? 10);
const cli = process.env.INNERLOOP_CLI ?? resolve(__dirname, '../dist/cli.js');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const env = await todoEnv();
  if ('skip' in env) {
    console.log(`skipped: ${env.skip}`);
    return;
  }
  const wall: number[] = [];
  const cpu: number[] = [];
  const inProcess: number[] = [];
  try {
    await useFreePorts(env.dir);
    for (let i = 0; i < ROUNDS; i++) {
      // Not timed: the previous round's pods finish terminating first, so this round's `ci` never sees them.
      while ((await env.client.core.listNamespacedPod({ namespace: env.namespace })).items.length > 0) await new Promise((r) => setTimeout(r, 500));
      const session = env.session({ subcommand: 'ci' });
      await session.start();
      const ci = await session.waitCi({ timeoutMs: 240_000 });
      await session.stop();
      if (ci.state !== 'succeeded') throw new Error(`todo app did not come up: ${ci.error}`);
      if (i % 2 === 1) {
        const s = env.session({ subcommand: 'down' });
        const t0 = performance.now();
        const { errors } = await s.down({ onOutput: () => undefined });
        inProcess.push(performance.now() - t0);
        await s.stop();
        if (errors.length > 0) throw new Error(`down: ${errors.join('; ')}`);
        continue;
      }
      const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S', process.execPath, cli, 'down', '--file', env.dir, '--namespace', env.namespace], {
        encoding: 'utf8',
        env: { ...process.env, KUBECONFIG: env.kubeconfig },
      });
      if (r.status !== 0) throw new Error(`down exited ${r.status}: ${r.stderr}`);
      const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+)/.exec(r.stderr);
      if (!m) throw new Error(`no timing in ${r.stderr}`);
      wall.push(Number(m[1]) * 1000);
      cpu.push((Number(m[2]) + Number(m[3])) * 1000);
    }
    console.log(`down todo-app, whole CLI process, wall (median of ${wall.length}): ${Math.round(median(wall))} ms (all: ${wall.join(', ')})`);
    console.log(`down todo-app, whole CLI process, CPU (median of ${cpu.length}): ${Math.round(median(cpu))} ms`);
    console.log(`down todo-app, Session.down() in-process (median of ${inProcess.length}): ${Math.round(median(inProcess))} ms (all: ${inProcess.map(Math.round).join(', ')})`);
  } finally {
    await env.cleanup();
  }
}

runBench(main);
