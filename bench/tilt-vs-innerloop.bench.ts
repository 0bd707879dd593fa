// Issue 14's table, measured side by side: Tilt built from source (bench/tilt/install.sh) and Innerloop's CLI
// (dist/cli.js) on the todo app and the local cluster (test/env), one tool at a time, alternating tools round by
// round (the order flips every round) so the machine's load swings hit both. Every time is taken in this process:
// save -> served with bench/served.ts (5 ms polls, fresh connection each), whole commands with /usr/bin/time.
// Each tool gets its own throwaway namespace and temp copy of the fixture, with free local ports.
// Tilt runs bench/tilt/tiltfile.ts's variant of the Tiltfile (why: see there); its web server binds 127.0.0.1 on a
// port this bench picks. Prints "skipped: ..." without the Tilt binary or a cluster.
// INNERLOOP_BENCH_ROUNDS (default 2), TILT_BIN (default ~/.cache/innerloop/tilt-v0.33.21/tilt),
// INNERLOOP_BENCH_TOOLS (default "tilt,innerloop"; one tool alone checks the harness).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { todoEnv, useFreePorts, type TodoEnv } from '../test/integration/todo/harness';
import { runBench } from './run';
import { pct, staticEdits, waitServed, writeRoute } from './served';
import { tiltVariant } from './tilt/tiltfile';

const ROUNDS = Number(process.env.INNERLOOP_BENCH_ROUNDS ?? 2);
const STATIC_EDITS = 10;
const PY_EDITS = 5;
const IDLE_MS = 20_000;
const TILT = process.env.TILT_BIN ?? path.join(os.homedir(), '.cache', 'innerloop', 'tilt-v0.33.21', 'tilt');
const CLI = path.resolve(__dirname, '../dist/cli.js');
const CLK_TCK = 100;
const TOOLS = (process.env.INNERLOOP_BENCH_TOOLS ?? 'tilt,innerloop').split(',');

type Tool = 'tilt' | 'innerloop';
const samples: Record<Tool, Record<string, number[]>> = { tilt: {}, innerloop: {} };
const add = (tool: Tool, key: string, ...v: number[]): void => void (samples[tool][key] ??= []).push(...v);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

/** The command line of `verb` (up, ci, down, tiltfile) for a tool. */
async function argv(tool: Tool, verb: string, tiltfile: string, env?: TodoEnv): Promise<string[]> {
  if (tool === 'innerloop') {
    const ns = env ? ['--namespace', env.namespace, '--kubeconfig', env.kubeconfig] : [];
    return [process.execPath, CLI, verb, '--file', tiltfile, ...ns];
  }
  if (verb === 'tiltfile') return [TILT, 'alpha', 'tiltfile-result', '--file', tiltfile, '--context', 'innerloop'];
  const ns = env ? ['--namespace', env.namespace] : [];
  const server = verb === 'down' ? [] : ['--host', '127.0.0.1', '--port', String(await freePort()), '--web-mode', 'prod'];
  return [TILT, verb, '--file', tiltfile, '--context', 'innerloop', ...ns, ...server];
}

function toolEnv(kubeconfig: string): NodeJS.ProcessEnv {
  return { ...process.env, KUBECONFIG: kubeconfig, TILT_DISABLE_ANALYTICS: '1' };
}

/** Whole-process wall and CPU (user + system, waited-for children included), ms. */
function timed(cmd: string[], env: NodeJS.ProcessEnv, cwd: string): { wall: number; cpu: number } {
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S', ...cmd], { encoding: 'utf8', env, cwd, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd.slice(0, 3).join(' ')} exited ${r.status}:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+)/.exec(r.stderr);
  if (!m) throw new Error(`no timing in ${r.stderr.slice(-500)}`);
  return { wall: Number(m[1]) * 1000, cpu: (Number(m[2]) + Number(m[3])) * 1000 };
}

/** CPU ticks used so far by `pid` and every live descendant (plus the children they waited for). */
function treeTicks(pid: number): number {
  const parent = new Map<number, number>();
  const ticks = new Map<number, number>();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(d), Number(f[1]));
      ticks.set(Number(d), Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]));
    } catch { /* exited meanwhile */ }
  }
  let sum = 0;
  for (const [p, t] of ticks) {
    for (let q: number | undefined = p; q !== undefined && q > 1; q = parent.get(q)) {
      if (q === pid) { sum += t; break; }
    }
  }
  return sum;
}

async function podsGone(env: TodoEnv): Promise<void> {
  while ((await env.client.core.listNamespacedPod({ namespace: env.namespace })).items.length > 0) await new Promise((r) => setTimeout(r, 500));
}

/** One tool through the whole table on a fresh namespace. */
async function round(tool: Tool): Promise<void> {
  const env = await todoEnv();
  if ('skip' in env) throw new Error(env.skip);
  const tiltfile = path.join(env.dir, 'Tiltfile');
  if (tool === 'tilt') fs.writeFileSync(tiltfile, tiltVariant(fs.readFileSync(tiltfile, 'utf8')));
  const ports = await useFreePorts(env.dir);
  const api = `http://127.0.0.1:${ports[5734]}/innerloop-probe`;
  const stat = `http://127.0.0.1:${ports[3734]}/innerloop-probe.txt`;
  const penv = toolEnv(env.kubeconfig);
  let log = '';
  let up: ChildProcess | undefined;
  try {
    writeRoute(env.dir, 'warmup');
    const cmd = await argv(tool, 'up', tiltfile, env);
    const t0 = performance.now();
    up = spawn(cmd[0]!, cmd.slice(1), { cwd: env.dir, env: penv, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d: Buffer): void => void (log = (log + d.toString()).slice(-30_000));
    up.stdout!.on('data', keep);
    up.stderr!.on('data', keep);
    await waitServed(api, 'warmup', 300_000);
    add(tool, 'up → API served (first start of the round)', performance.now() - t0);

    add(tool, 'static file save → served', ...(await staticEdits(path.join(env.dir, 'frontend', 'public', 'innerloop-probe.txt'), stat, STATIC_EDITS)));

    for (let i = 0; i < PY_EDITS; i++) {
      // Think time (not measured): the restarted server is up before the next edit lands.
      await new Promise((r) => setTimeout(r, 500));
      const token = `py-${i}-${Date.now()}`;
      const saved = performance.now();
      writeRoute(env.dir, token);
      add(tool, 'Python file save → new response', (await waitServed(api, token, 60_000)) - saved);
    }

    await new Promise((r) => setTimeout(r, 5_000));
    const c0 = treeTicks(up.pid!);
    await new Promise((r) => setTimeout(r, IDLE_MS));
    add(tool, `CPU while idle, ${IDLE_MS / 1000} s`, ((treeTicks(up.pid!) - c0) / CLK_TCK) * 1000);

    // requirements.txt is in fall_back_on: a full image rebuild and a new pod; the new route proves the new pod.
    const token = `rebuilt-${Date.now()}`;
    const saved = performance.now();
    fs.appendFileSync(path.join(env.dir, 'api', 'requirements.txt'), `# bench ${Date.now()}\n`);
    writeRoute(env.dir, token);
    add(tool, '`requirements.txt` save → new pod serving', (await waitServed(api, token, 300_000)) - saved);

    const exited = new Promise<void>((r) => up!.once('exit', () => r()));
    up.kill('SIGINT');
    await exited;
    up = undefined;

    add(tool, '`down` (whole process)', timed(await argv(tool, 'down', tiltfile, env), penv, env.dir).wall);
    await podsGone(env);
    const ci = timed(await argv(tool, 'ci', tiltfile, env), penv, env.dir);
    add(tool, '`ci` cold, images cached (whole process)', ci.wall);
    add(tool, '`down` (whole process)', timed(await argv(tool, 'down', tiltfile, env), penv, env.dir).wall);
  } catch (err) {
    console.error(`${tool} failed; its last output:\n${log}`);
    throw err;
  } finally {
    if (up) {
      const exited = new Promise<void>((r) => up!.once('exit', () => r()));
      up.kill('SIGINT');
      await exited;
    }
    // Whatever happened above, leave nothing deployed.
    const down = await argv(tool, 'down', tiltfile, env);
    spawnSync(down[0]!, down.slice(1), { cwd: env.dir, env: penv, stdio: 'ignore' });
    await env.cleanup();
  }
}

/** Tiltfile load, whole process: 1 resource, and 300 resources + 50 images (the cli-start generator's shape). */
async function loads(tool: Tool, kubeconfig: string, files: Array<[string, string]>, runs: number): Promise<void> {
  for (const [name, file] of files) {
    for (let i = 0; i < runs; i++) add(tool, name, timed(await argv(tool, 'tiltfile', file), toolEnv(kubeconfig), path.dirname(file)).wall);
  }
}

function tiltfiles(): Array<[string, string]> {
  const one = fs.mkdtempSync(path.join(os.tmpdir(), 'innerloop-bench-tvi-1-'));
  fs.writeFileSync(path.join(one, 'Tiltfile'), "allow_k8s_contexts('innerloop')\nk8s_yaml(blob('''apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: one\n'''))\n");
  const many = fs.mkdtempSync(path.join(os.tmpdir(), 'innerloop-bench-tvi-n-'));
  fs.mkdirSync(path.join(many, 'src'));
  fs.writeFileSync(path.join(many, 'src', 'Dockerfile'), 'FROM scratch\nCOPY . /\n');
  const docs: string[] = [];
  for (let i = 0; i < 300; i++) {
    const image = i < 50 ? `bench/svc${i}` : 'busybox:1.36';
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
  fs.writeFileSync(path.join(many, 'all.yaml'), docs.join('---\n'));
  fs.writeFileSync(path.join(many, 'Tiltfile'), `allow_k8s_contexts('innerloop')
k8s_yaml('all.yaml')
for i in range(50):
    docker_build('bench/svc%d' % i, 'src', live_update=[sync('src', '/app')])
for i in range(300):
    k8s_resource('svc%d' % i, labels=['group%d' % (i % 10)])
`);
  return [
    ['`tiltfile` load, 1 resource (whole process)', path.join(one, 'Tiltfile')],
    ['`tiltfile` load, 300 resources + 50 images (whole process)', path.join(many, 'Tiltfile')],
  ];
}

function fmt(ms: number | undefined): string {
  if (ms === undefined) return '—';
  return ms >= 2_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

async function main(): Promise<void> {
  if (TOOLS.includes('tilt') && !fs.existsSync(TILT)) {
    console.log(`skipped: no Tilt binary at ${TILT} (build it with bench/tilt/install.sh, or set TILT_BIN)`);
    return;
  }
  if (!fs.existsSync(CLI)) throw new Error('dist/cli.js missing: run node scripts/build.mjs');
  const probe = await todoEnv();
  if ('skip' in probe) {
    console.log(`skipped: ${probe.skip}`);
    return;
  }
  const kubeconfig = probe.kubeconfig;
  await probe.cleanup();
  const version = TOOLS.includes('tilt') ? spawnSync(TILT, ['version'], { encoding: 'utf8' }).stdout.trim() : 'not run';
  const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
  console.log(`tilt: ${version}; innerloop: ${commit}; load average at start: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);

  const files = tiltfiles();
  for (let r = 0; r < ROUNDS; r++) {
    const order: Tool[] = r % 2 === 0 ? ['tilt', 'innerloop'] : ['innerloop', 'tilt'];
    for (const tool of order.filter((t) => TOOLS.includes(t))) {
      console.log(`round ${r + 1}: ${tool} (load ${os.loadavg()[0]!.toFixed(1)})`);
      await round(tool);
      await loads(tool, kubeconfig, files, 3);
    }
  }

  console.log(`load average at end: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log('| measure (todo app) | n (Tilt, Innerloop) | Tilt p50 | Innerloop p50 | Innerloop / Tilt | Tilt p95 | Innerloop p95 |');
  console.log('|---|---|---|---|---|---|---|');
  for (const key of new Set([...Object.keys(samples.tilt), ...Object.keys(samples.innerloop)])) {
    const t = samples.tilt[key] ?? [];
    const i = samples.innerloop[key] ?? [];
    const tp = t.length ? pct(t, 50) : undefined;
    const ip = i.length ? pct(i, 50) : undefined;
    const ratio = tp && ip !== undefined ? (ip / tp).toFixed(2) : '—';
    console.log(`| ${key} | ${t.length}, ${i.length} | ${fmt(tp)} | ${fmt(ip)} | ${ratio} | ${fmt(t.length ? pct(t, 95) : undefined)} | ${fmt(i.length ? pct(i, 95) : undefined)} |`);
  }
  for (const tool of ['tilt', 'innerloop'] as Tool[]) {
    for (const [key, xs] of Object.entries(samples[tool])) console.log(`${tool} ${key}: ${xs.map(Math.round).join(', ')}`);
  }
}

runBench(main);
