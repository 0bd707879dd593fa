// Runs every bench/*.bench.ts in its own Node process and prints their numbers.
// Benchmarks print lines `name: value unit`; they never fail a build (no timed assertions anywhere).
import { spawnSync } from 'node:child_process';
import { readdirSync, existsSync } from 'node:fs';

const only = process.argv.slice(2);
const dir = 'bench';
const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).sort() : [];
if (!existsSync('node_modules')) spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit' });
spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
let failed = 0;
for (const f of files) {
  if (only.length && !only.some((o) => f.includes(o))) continue;
  console.log(`\n== ${f}`);
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', `${dir}/${f}`], { stdio: 'inherit' });
  if (r.status !== 0) { failed++; console.log(`(${f} exited with ${r.status})`); }
}
process.exit(failed ? 1 : 0);
