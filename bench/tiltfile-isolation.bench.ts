// What isolating a Tiltfile load costs: the same load in-process, in a worker thread (the old editor/session
// path) and in a child process with a heap limit (the current path, src/tiltfile/childLoader.ts), through the
// bundled CLI as it ships. Prints `name: value unit` lines; no assertions.
import { Worker } from 'node:worker_threads';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync, type BuildOptions } from 'esbuild';
import type { loadTiltfile as LoadFn } from '../src/tiltfile/loader';
import { loadTiltfileInChild } from '../src/tiltfile/childLoader';

const dir = mkdtempSync(join(tmpdir(), 'innerloop-bench-iso-'));
const cli = join(dir, 'cli.js');
const loaderBundle = join(dir, 'loader.js');
const childBundle = join(dir, 'tiltfile-loader.js');
const common: BuildOptions = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning', external: ['vscode', 'cpu-features', 'ssh2'] };
buildSync({ ...common, entryPoints: [resolve(__dirname, '../src/cli/main.ts')], outfile: cli });
buildSync({ ...common, entryPoints: [resolve(__dirname, '../src/tiltfile/loader.ts')], outfile: loaderBundle });
buildSync({ ...common, entryPoints: [resolve(__dirname, '../src/tiltfile/childMain.ts')], outfile: childBundle });
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { loadTiltfile } = require(loaderBundle) as { loadTiltfile: typeof LoadFn };

/** The old path, rebuilt here for comparison only: a worker thread that loads the CLI-sized bundle and runs the load. */
function inThread(path: string): Promise<void> {
  const src = `const { parentPort, workerData } = require('node:worker_threads');
require(${JSON.stringify(cli)});
const { loadTiltfile } = require(${JSON.stringify(loaderBundle)});
parentPort.postMessage(loadTiltfile(workerData, {}));`;
  return new Promise((res, rej) => {
    const w = new Worker(src, { eval: true, workerData: path });
    w.once('message', (r: { ok: boolean }) => { void w.terminate(); if (r.ok) res(); else rej(new Error('load failed')); });
    w.once('error', rej);
  });
}

async function median(runs: number, f: () => Promise<void> | void): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    await f();
    xs.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  xs.sort((a, b) => a - b);
  return xs[Math.floor(xs.length / 2)]!;
}

async function main(): Promise<void> {
  for (const [name, tf] of [['todo-app', '../test/fixtures/todo-app/Tiltfile'], ['ten-services', '../test/fixtures/ten-services/Tiltfile']] as const) {
    const path = resolve(__dirname, tf);
    loadTiltfile(path, {}); // warm the in-process JIT
    const inproc = await median(10, () => { if (!loadTiltfile(path, {}).ok) throw new Error('load failed'); });
    const thread = await median(10, () => inThread(path));
    const viaChild = (childScript: string) => async (): Promise<void> => {
      const r = await loadTiltfileInChild(path, {}, { childScript });
      if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
    };
    const childCli = await median(10, viaChild(cli));
    const child = await median(10, viaChild(childBundle));
    console.log(`tiltfile load ${name} in-process (median of 10): ${inproc.toFixed(1)} ms`);
    console.log(`tiltfile load ${name} in a worker thread, old path (median of 10): ${thread.toFixed(1)} ms`);
    console.log(`tiltfile load ${name} in a child process running dist/cli.js (median of 10): ${childCli.toFixed(1)} ms`);
    console.log(`tiltfile load ${name} in a child process running dist/tiltfile-loader.js, the shipped path (median of 10): ${child.toFixed(1)} ms`);
  }
  console.log(`machine load average (1 min, ${cpus().length} cores): ${loadavg()[0]!.toFixed(1)}`);
}

main().finally(() => rmSync(dir, { recursive: true, force: true }));
