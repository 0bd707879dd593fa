// Demo: load the todo-app fixture's Tiltfile with the built CLI and print the plan.
//   npm run demo            (installs dependencies on a fresh clone, builds if needed)
import { spawnSync } from 'node:child_process';
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
