// Whole-process CLI start, as a user runs it: `node dist/cli.js version`, and `node dist/cli.js tiltfile` on a
// one-resource Tiltfile and on a generated one of 300 resources + 50 images. Wall and CPU time (user + system,
// children included, from /usr/bin/time) are medians of RUNS; on a shared, loaded machine CPU time is the steadier
// number. Needs dist/ (scripts/bench.mjs builds it first).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const RUNS = 11;
// INNERLOOP_CLI=path/to/cli.js measures another build (e.g. an older commit's) the same way.
const cli = process.env.INNERLOOP_CLI ?? resolve(__dirname, '../dist/cli.js');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function measure(args: string[]): { wall: number; cpu: number } {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    // GNU time counts the children a process waited for: the Tiltfile loader child is included.
    const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S', process.execPath, cli, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
    const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+)/.exec(r.stderr);
    if (!m) throw new Error(`no timing in ${r.stderr.slice(-500)}`);
    wall.push(Number(m[1]) * 1000);
    cpu.push((Number(m[2]) + Number(m[3])) * 1000);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

function oneResource(): string {
  const dir = mkdtempSync(join(tmpdir(), 'innerloop-bench-cli-1-'));
  writeFileSync(join(dir, 'Tiltfile'), "k8s_yaml(blob('''apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: one\n'''))\n");
  return join(dir, 'Tiltfile');
}

/** 300 Deployments; the first 50 built from images, the rest using a prebuilt image. */
function many(resources: number, images: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'innerloop-bench-cli-n-'));
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src', 'Dockerfile'), 'FROM scratch\nCOPY . /\n');
  const docs: string[] = [];
  for (let i = 0; i < resources; i++) {
    const image = i < images ? `bench/svc${i}` : 'busybox:1.36';
    docs.push(`apiVersion: apps/v1
kind: Deployment
metadata: {name: svc${i}, labels: {app: svc${i}}}
spec:
  selector: {matchLabels: {app: svc${i}}}
  template:
    metadata: {labels: {app: svc${i}}}
    spec:
      containers: [{name: main, image: "${image}", ports: [{containerPort: 8080}]}]
`);
  }
  writeFileSync(join(dir, 'all.yaml'), docs.join('---\n'));
  writeFileSync(join(dir, 'Tiltfile'), `
k8s_yaml('all.yaml')
for i in range(${images}):
    docker_build('bench/svc%d' % i, 'src', live_update=[sync('src', '/app')])
for i in range(${resources}):
    k8s_resource('svc%d' % i, labels=['group%d' % (i % 10)])
`);
  return join(dir, 'Tiltfile');
}

if (!existsSync(cli)) throw new Error('dist/cli.js missing: run node scripts/build.mjs');
const cases: Array<[string, string[]]> = [
  ['cli version', ['version']],
  ['cli tiltfile, 1 resource', ['tiltfile', '-f', oneResource()]],
  ['cli tiltfile, 300 resources + 50 images', ['tiltfile', '-f', many(300, 50)]],
];
for (const [name, args] of cases) {
  const r = measure(args);
  console.log(`${name} wall (median of ${RUNS}): ${Math.round(r.wall)} ms`);
  console.log(`${name} CPU (median of ${RUNS}): ${Math.round(r.cpu)} ms`);
}
