// Static file save -> served through the CLI path, as a user runs it: the real `node dist/cli.js up` on a temp copy
// of the todo app, in a throwaway namespace (--namespace), with free local ports; this process writes the file and
// polls (bench/served.ts: one clock, 5 ms polls, fresh connection each). p50/p95 over 20 edits, then Ctrl-C and
// `innerloop down`. Prints "skipped: ..." without a cluster. Needs dist/ (scripts/bench.mjs builds it first).
import * as path from 'node:path';
import { withCliUp } from './cliUp';
import { runBench } from './run';
import { pct, staticEdits } from './served';

const EDITS = 20;
const cli = path.resolve(__dirname, '../dist/cli.js');

async function main(): Promise<void> {
  await withCliUp(cli, async ({ env, ports }) => {
    const url = `http://127.0.0.1:${ports[3734]}/innerloop-probe.txt`;
    const lat = await staticEdits(path.join(env.dir, 'frontend', 'public', 'innerloop-probe.txt'), url, EDITS);
    console.log(`loop via CLI: static file save to served p50: ${Math.round(pct(lat, 50))} ms`);
    console.log(`loop via CLI: static file save to served p95: ${Math.round(pct(lat, 95))} ms`);
  });
}

runBench(main);
