// Peak memory of a Tiltfile load of 1,000 resources (bench/generate.ts), as the built CLI runs it: peak RSS from
// /usr/bin/time (the largest of the process and the children it waited for) of `node dist/cli.js tiltfile
// --untrusted`, whose load runs in the loader child (dist/tiltfile-loader.js, as the editor and `up` load), and of
// the trusted `tiltfile`, which loads in-process on a worker thread (as `down` does). Medians of RUNS. Goal: 150 MiB.
// Needs dist/ (scripts/bench.mjs builds it first). INNERLOOP_CLI=path/to/cli.js measures another build.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { generateTiltfile } from './generate';

const RUNS = 5;
const cli = process.env.INNERLOOP_CLI ?? resolve(__dirname, '../dist/cli.js');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function peakRssMiB(args: string[]): number {
  const kb: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = spawnSync('/usr/bin/time', ['-f', 'MAXRSS %M', process.execPath, cli, ...args], { encoding: 'utf8', maxBuffer: 256 << 20 });
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
    const m = /MAXRSS (\d+)/.exec(r.stderr);
    if (!m) throw new Error(`no peak RSS in ${r.stderr.slice(-500)}`);
    kb.push(Number(m[1]));
  }
  return median(kb) / 1024;
}

if (!existsSync(cli)) throw new Error('dist/cli.js missing: run node scripts/build.mjs');
const dir = generateTiltfile(1000);
try {
  console.log(`tiltfile load 1000 resources, loader child (tiltfile --untrusted), peak RSS (median of ${RUNS}): ${peakRssMiB(['tiltfile', '--untrusted', '-f', dir]).toFixed(0)} MiB`);
  console.log(`tiltfile load 1000 resources, in-process (tiltfile), peak RSS (median of ${RUNS}): ${peakRssMiB(['tiltfile', '-f', dir]).toFixed(0)} MiB`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
