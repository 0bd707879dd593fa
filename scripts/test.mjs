// Runs the test suites with node's built-in runner (TypeScript through tsx).
//   npm test            -> unit, then integration (real Docker/Kubernetes), then e2e (real VS Code)
//   npm test -- --unit  -> unit tests only;  --e2e -> e2e only;  extra words filter file paths
// Test files: test/unit/**/*.test.ts (pure Node, fast), test/integration/**/*.test.ts (real Docker/Kubernetes;
// each suite skips with a reason when its environment is not up) and test/e2e/*.test.ts (code-server + chromium).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function find(dir, out = []) {
  let names = [];
  try { names = readdirSync(dir); } catch { return out; }
  for (const n of names.sort()) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) find(p, out);
    else if (n.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const onlyUnit = process.argv.includes('--unit');
const filter = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const build = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const onlyE2e = process.argv.includes('--e2e');
let files = onlyE2e ? [] : find('test/unit');
if (!onlyUnit && !onlyE2e) files = files.concat(find('test/integration'));
if (!onlyUnit) files = files.concat(find('test/e2e'));
if (filter.length) files = files.filter((f) => filter.some((x) => f.includes(x)));
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
