// Every engine command against a real `innerloop up` on the local cluster (test/env): the engine runs in this
// process (as `innerloop up` does), the commands talk to it over its control socket exactly as from a terminal.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { main } from '../../../src/cli/main';
import { runUp } from '../../../src/cli/commands/up';
import { clusterClient, kubeconfigPath, waitFor } from '../k8s/cluster';
import type { KubeClient } from '../../../src/engine/k8s/client';
import type { ResourceState } from '../../../src/shared/state';

const BASE = 'localhost:5000/innerloop/busybox:latest';
const CHROMIUM = process.env.INNERLOOP_CHROMIUM ?? '/usr/bin/chromium';

const TILTFILE = `
config.define_string('greeting')
cfg = config.parse()
docker_build('localhost:5000/h-cli-web', '.')
k8s_yaml('web.yaml')
local_resource('greet', cmd='echo greeting=%s' % cfg.get('greeting', 'none'))
`;

const WEB_YAML = `apiVersion: apps/v1
kind: Deployment
metadata: {name: h-cli-web, labels: {app: h-cli-web}}
spec:
  replicas: 1
  selector: {matchLabels: {app: h-cli-web}}
  template:
    metadata: {labels: {app: h-cli-web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: web
        image: localhost:5000/h-cli-web
        command: ["sh", "-c", "echo web-started; printf '\\\\033[32mgreen <b>tag</b>\\\\033[0m\\\\n'; i=0; while true; do i=$((i+1)); echo tick $i; sleep 1; done"]
`;

let skip: string | undefined;
let dir = '';
let env: NodeJS.ProcessEnv = {};
let client: KubeClient;
let namespace = '';
let stopUp!: (sig: string) => void;
let upDone: Promise<number> | undefined;
const upOut: string[] = [];

async function cli(argv: string[], extra: { interrupted?: Promise<string>; onOut?: (all: string) => void } = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, {
    stdout: (t) => { out += t; extra.onOut?.(out); },
    stderr: (t) => { err += t; },
    cwd: dir,
    env,
    interrupted: extra.interrupted,
  });
  return { code, out, err };
}

async function resource(name: string): Promise<ResourceState> {
  const r = await cli(['get', name, '-o', 'json']);
  assert.equal(r.code, 0, r.err);
  return (JSON.parse(r.out) as ResourceState[])[0]!;
}

before(async () => {
  const c = await clusterClient();
  if ('skip' in c) { skip = c.skip; return; }
  client = c.client;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'h-cli-engine-'));
  fs.writeFileSync(path.join(dir, 'Tiltfile'), TILTFILE);
  fs.writeFileSync(path.join(dir, 'web.yaml'), WEB_YAML);
  fs.writeFileSync(path.join(dir, 'Dockerfile'), `FROM ${BASE}\nCOPY hello.txt /hello.txt\n`);
  fs.writeFileSync(path.join(dir, 'hello.txt'), 'hello\n');
  env = { XDG_RUNTIME_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'h-cli-xdg-')) };
  namespace = `h-cli-${process.pid}-${Date.now().toString(36)}`;
  await client.core.createNamespace({ body: { metadata: { name: namespace } } });
  const stop = new Promise<string>((r) => { stopUp = r; });
  upDone = runUp(['--file', dir, '--kubeconfig', kubeconfigPath()!, '--namespace', namespace], {
    stdout: (t) => void upOut.push(t), stderr: (t) => void upOut.push(t), cwd: dir, env,
  }, stop, false);
});

after(async () => {
  if (upDone) {
    stopUp('SIGINT');
    await upDone;
  }
  if (namespace) await client.core.deleteNamespace({ name: namespace }).catch(() => undefined);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('wait --for=condition=Ready returns once the resources are ready; get and describe show them', async (t) => {
  if (skip) return t.skip(skip);
  // The engine's socket appears once `up` has started; until then commands say no engine runs.
  await waitFor('the control socket', 60_000, async () => (await cli(['get'])).code === 0);
  const w = await cli(['wait', '--for=condition=Ready', 'h-cli-web', 'greet', '--timeout', '4m']);
  assert.equal(w.code, 0, w.err + upOut.join(''));
  assert.equal(w.out, 'h-cli-web condition met\ngreet condition met\n');
  const g = await cli(['get']);
  assert.match(g.out, /^NAME\s+STATUS\s+DETAIL\n/);
  assert.match(g.out, /\nh-cli-web\s+ready/);
  assert.match(g.out, /\ngreet\s+done/);
  assert.doesNotMatch(g.out, /\x1b\[/, 'no colour when not on a terminal');
  const wide = await cli(['get', '-o', 'wide']);
  assert.match(wide.out, /NAME\s+STATUS\s+TYPE\s+UPDATED\s+RESTARTS\s+DETAIL/);
  const d = await cli(['describe', 'h-cli-web']);
  assert.equal(d.code, 0, d.err);
  assert.match(d.out, /^Name:\s+h-cli-web\nType:\s+k8s\n/);
  assert.match(d.out, new RegExp(`Context:\\s+innerloop / ${namespace}`));
  assert.match(d.out, /Pods:\n  h-cli-web-\S+\s+Running\s+ready/);
  const bad = await cli(['describe', 'nope']);
  assert.equal(bad.code, 1);
  assert.equal(bad.err, 'innerloop describe: no resource named "nope" (resources: h-cli-web, greet)\n');
});

test('logs prints and follows a resource\'s lines; filters by source', async (t) => {
  if (skip) return t.skip(skip);
  // Ready comes from the pod's status; its log stream can deliver the first lines a little later.
  const l = await waitFor('the pod\'s first log lines', 60_000, async () => {
    const r = await cli(['logs', 'h-cli-web']);
    return /green <b>tag/.test(r.out) ? r : undefined;
  });
  assert.equal(l.code, 0, l.err);
  assert.match(l.out, /^h-cli-web │ web-started$/m);
  // Escape codes never reach a non-terminal; the text stays as it was printed.
  assert.match(l.out, /^h-cli-web │ green <b>tag<\/b>$/m);
  const build = await cli(['logs', 'h-cli-web', '--source', 'build']);
  assert.doesNotMatch(build.out, /tick/);
  assert.match(build.out, /h-cli-web │ /);
  // Follow: new tick lines keep arriving until interrupted.
  let interrupt!: (s: string) => void;
  const interrupted = new Promise<string>((r) => { interrupt = r; });
  const before = Number(/tick (\d+)\s*$/.exec(l.out)?.[1] ?? 0);
  const f = await cli(['logs', '-f', 'h-cli-web', '--since', '1m'], {
    interrupted,
    onOut: (all) => {
      const ticks = [...all.matchAll(/tick (\d+)/g)].map((m) => Number(m[1]));
      if (ticks.some((n) => n > before + 1)) interrupt('SIGINT');
    },
  });
  assert.equal(f.code, 0, f.err);
  assert.match(f.out, new RegExp(`tick ${before + 2}\\b`));
});

test('trigger causes a new build of the resource', async (t) => {
  if (skip) return t.skip(skip);
  const n = (await resource('h-cli-web')).buildHistory.length;
  const r = await cli(['trigger', 'h-cli-web']);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, 'triggered h-cli-web\n');
  const after = await waitFor('the triggered build', 180_000, async () => {
    const res = await resource('h-cli-web');
    return res.buildHistory.length > n && !res.currentBuild ? res : undefined;
  });
  assert.equal(after.buildHistory[0]!.reason, 'triggered');
  assert.equal(after.buildHistory[0]!.error, undefined);
  assert.equal((await cli(['wait', '--for=condition=Ready', 'h-cli-web', '--timeout', '3m'])).code, 0);
});

test('args -- ARGS reloads the Tiltfile with the new args', async (t) => {
  if (skip) return t.skip(skip);
  assert.match((await cli(['logs', 'greet'])).out, /greeting=none/);
  const r = await cli(['args', '--', '--greeting=hello-args']);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, 'reloaded with args: "--greeting=hello-args"\n');
  assert.equal((await cli(['args'])).out, '"--greeting=hello-args"\n');
  // The changed local_resource command makes greet run again with the new value.
  await waitFor('greet to run with the new args', 60_000, async () => /greeting=hello-args/.test((await cli(['logs', 'greet'])).out));
});

test('disable deletes what a resource deployed; enable brings it back', async (t) => {
  if (skip) return t.skip(skip);
  assert.equal((await cli(['disable', 'h-cli-web'])).code, 0);
  assert.match((await cli(['get', 'h-cli-web'])).out, /h-cli-web\s+disabled/);
  await waitFor('the Deployment to be deleted', 60_000, async () => {
    const list = await client.apps.listNamespacedDeployment({ namespace });
    return list.items.length === 0;
  });
  assert.equal((await cli(['enable', 'h-cli-web'])).code, 0);
  const w = await cli(['wait', '--for=condition=Ready', 'h-cli-web', '--timeout', '3m']);
  assert.equal(w.code, 0, w.err);
  assert.equal((await client.apps.listNamespacedDeployment({ namespace })).items.length, 1);
});

test('wait times out with exit 1 and says what it waited on', async (t) => {
  if (skip) return t.skip(skip);
  assert.equal((await cli(['disable', 'greet'])).code, 0);
  const w = await cli(['wait', '--for=condition=Ready', 'greet', '--timeout', '1s']);
  assert.equal(w.code, 1);
  assert.equal(w.err, 'innerloop wait: timed out after 1s waiting for condition=Ready (greet: disabled)\n');
  assert.equal((await cli(['enable', 'greet'])).code, 0);
});

test('dump engine prints the store as JSON', async (t) => {
  if (skip) return t.skip(skip);
  const r = await cli(['dump', 'engine']);
  assert.equal(r.code, 0, r.err);
  const d = JSON.parse(r.out) as { engine: { host: string; tiltfile: string }; state: { order: string[] } };
  assert.equal(d.engine.host, 'cli');
  assert.equal(d.engine.tiltfile, fs.realpathSync(path.join(dir, 'Tiltfile')) === path.join(dir, 'Tiltfile') ? path.join(dir, 'Tiltfile') : d.engine.tiltfile);
  assert.deepEqual(d.state.order, ['h-cli-web', 'greet']);
});

test('snapshot writes one HTML file that chromium opens without a server and shows the resources', async (t) => {
  if (skip) return t.skip(skip);
  if (!fs.existsSync(CHROMIUM)) return t.skip(`chromium not found at ${CHROMIUM}`);
  assert.equal((await cli(['wait', '--for=condition=Ready', 'h-cli-web', 'greet', '--timeout', '3m'])).code, 0);
  const r = await cli(['snapshot', 'snap.html']);
  assert.equal(r.code, 0, r.err);
  const file = path.join(dir, 'snap.html');
  const html = fs.readFileSync(file, 'utf8');
  assert.doesNotMatch(html, /<script|<b>tag/i, 'no scripts, and log text is escaped');
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'] });
  try {
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (req) => void requests.push(req.url()));
    await page.goto(`file://${file}`);
    const rows = await page.$$eval('tbody tr', (trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent)));
    assert.deepEqual(rows.map((x) => [x[0], x[2]]), [['h-cli-web', 'ready'], ['greet', 'done']]);
    // The coloured log line renders as a green span holding the literal text (not HTML).
    const green = await page.$$eval('span.a32', (els) => els.map((e) => e.textContent));
    assert.ok(green.includes('green <b>tag</b>'), JSON.stringify(green));
    assert.deepEqual(requests, [`file://${file}`], 'nothing but the file itself is loaded');
    fs.mkdirSync(path.join(__dirname, '..', '..', '..', '.test-artifacts'), { recursive: true });
    await page.screenshot({ path: path.join(__dirname, '..', '..', '..', '.test-artifacts', 'cli-snapshot.png'), fullPage: true });
  } finally {
    await browser.close();
  }
});
