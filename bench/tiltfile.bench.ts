// Tiltfile load time: the todo-app fixture, and a generated Tiltfile of 1,000 resources over 1,000 YAML documents.
// Prints `name: value unit` lines. Goal: the large load under 300 ms.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import type { loadTiltfile as LoadFn } from '../src/tiltfile/loader';

// Measure the code as it ships: bundle the loader with esbuild (as scripts/build.mjs does) rather than
// running it through tsx's on-the-fly transform.
const bundle = join(mkdtempSync(join(tmpdir(), 'innerloop-bench-loader-')), 'loader.js');
buildSync({ entryPoints: [resolve(__dirname, '../src/tiltfile/loader.ts')], outfile: bundle, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' });
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { loadTiltfile } = require(bundle) as { loadTiltfile: typeof LoadFn };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Wall and CPU milliseconds per load. CPU time is the steadier number on a shared, busy machine. */
function time(path: string, runs: number, args: string[] = []): { median: number; min: number; cpu: number } {
  const times: number[] = [];
  const cpus: number[] = [];
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < runs; i++) {
    gc?.(); // scripts/bench.mjs runs with --expose-gc: start each load from a clean heap
    const t = process.hrtime.bigint();
    const c = process.cpuUsage();
    const r = loadTiltfile(path, { args });
    const dc = process.cpuUsage(c);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
    cpus.push((dc.user + dc.system) / 1000);
    if (!r.ok) throw new Error(`load failed: ${JSON.stringify(r.diagnostics.slice(0, 3))}`);
  }
  return { median: median(times), min: Math.min(...times), cpu: median(cpus) };
}

function generate(n: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'innerloop-bench-'));
  mkdirSync(join(dir, 'src'));
  const docs: string[] = [];
  for (let i = 0; i < n; i++) {
    docs.push(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc${i}
  labels: {app: svc${i}}
spec:
  selector:
    matchLabels: {app: svc${i}}
  template:
    metadata:
      labels: {app: svc${i}}
    spec:
      containers:
        - name: main
          image: bench/svc${i}
          ports: [{containerPort: 8080}]
          env:
            - {name: INDEX, value: "${i}"}
`);
  }
  writeFileSync(join(dir, 'all.yaml'), docs.join('---\n'));
  writeFileSync(join(dir, 'Tiltfile'), `
N = ${n}
k8s_yaml('all.yaml')
for i in range(N):
    name = 'svc%d' % i
    docker_build('bench/' + name, 'src', dockerfile_contents='FROM scratch\\nCOPY . /\\n',
                 live_update=[sync('src', '/app'), run('true', trigger=['src/requirements.txt'])])
    k8s_resource(name, port_forwards=[20000 + i], labels=['group%d' % (i % 10)],
                 resource_deps=['svc%d' % (i - 1)] if i > 0 else [])
`);
  return dir;
}

const todo = resolve(__dirname, '../test/fixtures/todo-app/Tiltfile');
time(todo, 3); // warm up the JIT
const t1 = time(todo, 20);
console.log(`tiltfile load todo-app (median of 20): ${t1.median.toFixed(1)} ms`);
console.log(`tiltfile load todo-app CPU time (median of 20): ${t1.cpu.toFixed(1)} ms`);

const shop = resolve(__dirname, '../test/fixtures/ten-services/Tiltfile');
const t2 = time(shop, 10);
console.log(`tiltfile load ten-services (median of 10): ${t2.median.toFixed(1)} ms`);

const dir = generate(1000);
try {
  const first = time(join(dir, 'Tiltfile'), 1);
  const t3 = time(join(dir, 'Tiltfile'), 10);
  console.log(`tiltfile load 1000 resources / 1000 YAML docs, first run: ${first.median.toFixed(1)} ms`);
  console.log(`tiltfile load 1000 resources / 1000 YAML docs (median of 10): ${t3.median.toFixed(1)} ms`);
  console.log(`tiltfile load 1000 resources / 1000 YAML docs CPU time (median of 10): ${t3.cpu.toFixed(1)} ms`);
  console.log(`tiltfile load 1000 resources fastest of 10: ${t3.min.toFixed(1)} ms`);
  console.log(`tiltfile load 1000 resources goal met by CPU time (< 300 ms): ${t3.cpu < 300 ? 'yes' : 'no'}`);
  console.log(`tiltfile load 1000 resources goal met by wall time (< 300 ms): ${t3.median < 300 ? 'yes' : 'no'}`);
  console.log(`machine load average (1 min, ${cpus().length} cores): ${loadavg()[0]!.toFixed(1)}`);
  // End to end through the bundled CLI (process start, worker, load, JSON out), when built.
  const cli = resolve(__dirname, '../dist/cli.js');
  if (existsSync(cli)) {
    const wall: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = process.hrtime.bigint();
      const r = spawnSync(process.execPath, [cli, 'tiltfile', '--file', join(dir, 'Tiltfile')], { encoding: 'utf8', maxBuffer: 1 << 30 });
      wall.push(Number(process.hrtime.bigint() - t) / 1e6);
      if (r.status !== 0) throw new Error(r.stderr);
    }
    console.log(`innerloop tiltfile CLI, 1000 resources, wall time (median of 3): ${median(wall).toFixed(0)} ms`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
