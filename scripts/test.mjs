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
const pick = (list) => (filter.length ? list.filter((f) => filter.some((x) => f.includes(x))) : list);
// Unit files run in parallel (pure Node). Integration and e2e files share one Docker daemon, one cluster and two
// cores with code-server and chromium, so they run one file at a time: concurrent suites made UI waits flaky.
// Unit and integration files must exit by themselves (no --test-force-exit: a handle left open is a leak the editor
// would carry too). Integration once needed the flag (watcherStorm and podKilledLiveUpdate passed but never exited);
// since 2dfaa33 (a directory watch opened across an await is closed if the watcher was disposed meanwhile) every
// integration file, run alone, exits by itself; the hang itself was not reproduced again. e2e keeps the flag:
// debug.test.ts has not been shown to exit by itself; electron.test.ts only skips here (no desktop VS Code).
// `innerloop ci`'s own exit is proven without any runner help: test/integration/ci spawns the real CLI.
const phases = [];
if (!onlyE2e) phases.push({ files: pick(find('test/unit')), serial: false, forceExit: false });
if (!onlyUnit && !onlyE2e) phases.push({ files: pick(find('test/integration')), serial: true, forceExit: false });
if (!onlyUnit) phases.push({ files: pick(find('test/e2e')), serial: true, forceExit: true });
// The test cluster (test/env: context `innerloop`, API server on 127.0.0.1) is not a kind/k3d/minikube cluster, and
// a loopback server alone never counts as local (it is how a tunnel to production looks): allow it explicitly,
// as a user would (src/engine/safety.ts). Suites and code-server inherit this.
const allow = [...(process.env.INNERLOOP_ALLOW_K8S_CONTEXTS ?? '').split(','), 'innerloop'].map((s) => s.trim()).filter(Boolean);
const env = { ...process.env, INNERLOOP_ALLOW_K8S_CONTEXTS: [...new Set(allow)].join(',') };
let status = 0;
for (const { files, serial, forceExit } of phases) {
  if (files.length === 0) continue;
  const args = ['--import', 'tsx', '--test', '--test-reporter=spec', ...(serial ? ['--test-concurrency=1'] : []), ...(forceExit ? ['--test-force-exit'] : []), ...files];
  const r = spawnSync(process.execPath, args, { stdio: 'inherit', env });
  if (r.status !== 0) status = r.status ?? 1;
}
process.exit(status);
