// Demo: bring up the local environment (test/env: dockerd, registry, single-node Kubernetes; needs root), then
// open the todo-app fixture in code-server with Innerloop running it, and print the URL (scripts/demo-codeserver.ts).
// Without code-server (or with INNERLOOP_DEMO_TERMINAL=1) it runs `innerloop up` in this terminal instead.
// Ctrl-C stops the editor/engine and leaves the app running (`node dist/cli.js down --file test/fixtures/todo-app`).
// When the environment cannot start, it says why and prints the Tiltfile's plan instead.
//   npm run demo            (installs dependencies on a fresh clone, builds if needed)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) process.exit(r.status ?? 1);
  return r;
};

if (!existsSync(join(root, 'node_modules'))) {
  console.error('demo: node_modules missing, running npm ci');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

// Rebuild when the bundle is missing or older than any source file.
function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}
const cli = join(root, 'dist', 'cli.js');
if (!existsSync(cli) || statSync(cli).mtimeMs < newest(join(root, 'src'))) {
  console.error('demo: building (node scripts/build.mjs)');
  run(process.execPath, ['scripts/build.mjs']);
}

const tiltfile = join('test', 'fixtures', 'todo-app', 'Tiltfile');
const KUBECONFIG = process.env.INNERLOOP_KUBECONFIG ?? '/var/lib/innerloop-env/kubeconfig';
// The demo cluster (context `innerloop`) has its API server on 127.0.0.1, which alone never counts as local (a
// tunnel to production looks the same): allow it explicitly, as a user would (README: production guard).
const INNERLOOP_ALLOW_K8S_CONTEXTS = [process.env.INNERLOOP_ALLOW_K8S_CONTEXTS, 'innerloop'].filter(Boolean).join(',');

/** Start test/env (or find it running); returns undefined when up, else the reason it is not. */
function environment() {
  const status = spawnSync('bash', ['test/env/status.sh'], { cwd: root, encoding: 'utf8' });
  if (status.status === 0) return undefined;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'the local environment needs root (run npm run demo as root)';
  console.error('demo: starting the local environment (bash test/env/up.sh)');
  const up = spawnSync('bash', ['test/env/up.sh'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (up.status !== 0) return `test/env/up.sh exited with code ${up.status ?? up.signal}`;
  return existsSync(KUBECONFIG) ? undefined : `no kubeconfig at ${KUBECONFIG}`;
}

/** code-server for the editor demo (installed outside the repo, cached); undefined when ready, else why not. */
function editor() {
  if (process.env.INNERLOOP_DEMO_TERMINAL) return 'INNERLOOP_DEMO_TERMINAL is set';
  const r = spawnSync('bash', ['scripts/codeserver-install.sh'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  return r.status === 0 ? undefined : 'code-server could not be installed (see above)';
}

const reason = process.env.INNERLOOP_DEMO_PLAN_ONLY ? 'INNERLOOP_DEMO_PLAN_ONLY is set' : environment();
const noEditor = reason ? reason : editor();
if (!reason && !noEditor) {
  // The main job: the todo app open in a real VS Code with Innerloop running it on the local cluster.
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo-codeserver.ts'], { cwd: root, stdio: 'inherit', env: { ...process.env, KUBECONFIG, INNERLOOP_ALLOW_K8S_CONTEXTS } });
  process.on('SIGINT', () => undefined);
  child.on('close', (code) => process.exit(code ?? 0));
} else if (!reason) {
  console.error(`demo: no editor (${noEditor}); running the engine in this terminal instead.`);
  console.error(`demo: node dist/cli.js up --file ${tiltfile}  (Ctrl-C stops; resources keep running)\n`);
  const child = spawn(process.execPath, [cli, 'up', '--file', tiltfile], { cwd: root, stdio: 'inherit', env: { ...process.env, KUBECONFIG, INNERLOOP_ALLOW_K8S_CONTEXTS } });
  // The child gets Ctrl-C too (same process group); wait for it to stop cleanly.
  process.on('SIGINT', () => undefined);
  child.on('close', (code) => process.exit(code ?? 0));
} else {
  console.error(`demo: not starting the app: ${reason}. Printing the plan instead.\n`);
  printPlan();
}

function printPlan() {
  console.error(`demo: node dist/cli.js tiltfile --file ${tiltfile}\n`);
  const r = spawnSync(process.execPath, [cli, 'tiltfile', '--file', tiltfile], { cwd: root, encoding: 'utf8' });
  process.stderr.write(r.stderr);
  if (r.status !== 0) {
    process.stdout.write(r.stdout);
    process.exit(r.status ?? 1);
  }
  const plan = JSON.parse(r.stdout);
  process.stdout.write(r.stdout);

  // A short human summary after the JSON.
  const lines = ['', `Plan for ${plan.tiltfile}:`];
  for (const res of plan.resources) {
    const pf = (res.portForwards ?? []).map((p) => `localhost:${p.localPort}→${p.containerPort || 'first port'}${p.name ? ` (${p.name})` : ''}`).join(', ');
    lines.push(`  ${res.name} [${res.type}] labels=${res.labels.join(',') || '-'} deps=${res.resourceDeps.join(',') || '-'} trigger=${res.triggerMode}`);
    if (res.imageRefs?.length) lines.push(`    images: ${res.imageRefs.join(', ')}`);
    if (res.objects) lines.push(`    objects: ${res.objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
    if (pf) lines.push(`    port forwards: ${pf}`);
  }
  for (const img of plan.images) {
    lines.push(`  image ${img.ref}: context ${img.context ?? '-'}, live update ${img.liveUpdate.map((s) => s.kind).join(' → ') || 'none'}`);
  }
  lines.push(`  files read: ${plan.configFiles.length}, warnings: ${plan.warnings.length}`);
  console.error(lines.join('\n'));
}
