// Static file save -> served through the CLI path, as a user runs it: the real `node dist/cli.js up` on a temp copy
// of the todo app, in a throwaway namespace (--namespace), with free local ports; this process writes the file and
// polls (bench/served.ts: one clock, 5 ms polls, fresh connection each). p50/p95 over 20 edits, then Ctrl-C and
// `innerloop down`. Prints "skipped: ..." without a cluster. Needs dist/ (scripts/bench.mjs builds it first).
import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { todoEnv, useFreePorts } from '../test/integration/todo/harness';
import { runBench } from './run';
import { pct, staticEdits } from './served';

const EDITS = 20;
const cli = path.resolve(__dirname, '../dist/cli.js');

async function main(): Promise<void> {
  const env = await todoEnv();
  if ('skip' in env) {
    console.log(`skipped: ${env.skip}`);
    return;
  }
  const ports = await useFreePorts(env.dir);
  const flags = ['--file', env.dir, '--namespace', env.namespace, '--kubeconfig', env.kubeconfig];
  let log = '';
  const up = spawn(process.execPath, [cli, 'up', ...flags], { cwd: env.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  up.stdout.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-20_000)));
  up.stderr.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-20_000)));
  const exited = new Promise<void>((r) => up.once('exit', () => r()));
  try {
    const url = `http://127.0.0.1:${ports[3734]}/innerloop-probe.txt`;
    const lat = await staticEdits(path.join(env.dir, 'frontend', 'public', 'innerloop-probe.txt'), url, EDITS);
    console.log(`loop via CLI: static file save to served p50: ${Math.round(pct(lat, 50))} ms`);
    console.log(`loop via CLI: static file save to served p95: ${Math.round(pct(lat, 95))} ms`);
  } catch (err) {
    console.error(log);
    throw err;
  } finally {
    up.kill('SIGINT');
    await exited;
    spawnSync(process.execPath, [cli, 'down', ...flags], { cwd: env.dir, stdio: 'ignore' });
    await env.cleanup();
  }
}

runBench(main);
