// CLI hygiene without a cluster: help and exit codes on every command, one-line errors printed once, durations,
// colour switches, visible-width truncation, escaping of log text for terminals and HTML.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../../src/cli/main';
import { commands } from '../../../src/cli/commands';
import { useColor, truncateVisible, visibleWidth } from '../../../src/cli/render/color';
import { ansiToHtml } from '../../../src/cli/render/ansi';
import { formatLogLines } from '../../../src/cli/render/terminal';
import { colorFor, paint } from '../../../src/cli/render/status';
import { loadKubeClient } from '../../../src/engine/k8s/client';
import { contextLabel, kubeTarget } from '../../../src/vscode/kubeTarget';

async function run(argv: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (t) => { out += t; }, stderr: (t) => { err += t; }, cwd: opts.cwd ?? os.tmpdir(), env: opts.env ?? { XDG_RUNTIME_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'h-cli-xdg-')) } });
  return { code, out, err };
}

const emptyDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'h-cli-empty-'));

test('every command has --help with its usage and the exit codes, exit 0', async () => {
  for (const c of commands) {
    const r = await run([c.name, '--help']);
    assert.equal(r.code, 0, c.name);
    assert.match(r.out, new RegExp(`^innerloop ${c.name}\\b`), c.name);
    assert.match(r.out, /Exit codes: 0 ok, 1 failure, 2 usage error\./, c.name);
  }
});

test('version and --version print the version', async () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../package.json'), 'utf8')) as { version: string };
  for (const argv of [['version'], ['--version']]) {
    const r = await run(argv);
    assert.equal(r.code, 0);
    assert.match(r.out, new RegExp(`^innerloop ${pkg.version.replace(/\./g, '\\.')} \\(node v`));
  }
});

test('usage errors: one message, then the usage, exit 2', async () => {
  const r = await run(['logs', '--level', 'loud']);
  assert.equal(r.code, 2);
  assert.match(r.err, /^innerloop logs: --level must be one of warn, error \(got "loud"\)\n\ninnerloop logs \[/);
  const d = await run(['wait', '--for=condition=Ready', 'x', '--timeout', '5 parsecs']);
  assert.equal(d.code, 2);
  assert.match(d.err, /^innerloop wait: --timeout: invalid duration "5 parsecs"/);
  const u = await run(['get', '--bogus']);
  assert.equal(u.code, 2);
  assert.match(u.err, /^innerloop get: Unknown option '--bogus'\n/);
  assert.equal((await run(['trigger'])).code, 2);
  assert.equal((await run(['dump'])).code, 2);
});

test('up, ci and down without a Tiltfile: one sentence with the fix, exit 1', async () => {
  const dir = emptyDir();
  for (const cmd of ['up', 'ci', 'down']) {
    const r = await run([cmd], { cwd: dir });
    assert.equal(r.code, 1, cmd);
    assert.equal(r.err, `innerloop ${cmd}: no Tiltfile at ${path.join(dir, 'Tiltfile')}: create one, or pass --file PATH\n`);
  }
});

test('ci and up take durations: --timeout 30m is accepted, seconds-only numbers still work', async () => {
  const dir = emptyDir();
  // Parsing succeeds (the failure is the missing Tiltfile, exit 1, not a usage error).
  assert.equal((await run(['ci', '--timeout', '30m'], { cwd: dir })).code, 1);
  assert.equal((await run(['ci', '--timeout', '90'], { cwd: dir })).code, 1);
});

test('commands that need a running engine say there is none, once, with the fix, exit 1', async () => {
  const dir = emptyDir();
  fs.writeFileSync(path.join(dir, 'Tiltfile'), '');
  const r = await run(['get'], { cwd: dir });
  assert.equal(r.code, 1);
  assert.match(r.err, /^innerloop get: no running engine for .*Tiltfile: start one with `innerloop up` \(or Innerloop: Up in VS Code\) \[no engine is running \(nothing listens on .*\.sock\)\]\n$/);
});

test('no kubeconfig at all: "no Kubernetes context configured", not a localhost:8080 error', () => {
  const saved = { KUBECONFIG: process.env.KUBECONFIG, HOME: process.env.HOME };
  process.env.KUBECONFIG = path.join(emptyDir(), 'missing');
  try {
    assert.throws(() => loadKubeClient(), /^KubeconfigError: no Kubernetes context configured \(no kubeconfig at .*missing\): create a local cluster/);
    const t = kubeTarget({ kubeconfig: '', context: '', namespace: '' });
    assert.ok('none' in t && /no Kubernetes context configured/.test(t.none));
  } finally {
    if (saved.KUBECONFIG === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = saved.KUBECONFIG;
  }
});

test('the editor\'s context label: local plain, allowed non-local in the warning colour', () => {
  const dir = emptyDir();
  const kc = path.join(dir, 'config');
  fs.writeFileSync(kc, `apiVersion: v1
kind: Config
current-context: kind-dev
clusters:
- {name: kind-dev, cluster: {server: "https://127.0.0.1:6443"}}
- {name: prod, cluster: {server: "https://prod.example.com"}}
contexts:
- {name: kind-dev, context: {cluster: kind-dev, user: u, namespace: team}}
- {name: prod, context: {cluster: prod, user: u}}
users:
- {name: u, user: {}}
`);
  const local = kubeTarget({ kubeconfig: kc, context: '', namespace: '' });
  assert.deepEqual(local, { context: 'kind-dev', namespace: 'team', local: true, error: undefined });
  assert.equal(contextLabel(local as Exclude<typeof local, { none: string }>).warn, false);
  const prod = kubeTarget({ kubeconfig: kc, context: 'prod', namespace: 'web' });
  assert.deepEqual(prod, { context: 'prod', namespace: 'web', local: false, error: undefined });
  const l = contextLabel(prod as Exclude<typeof prod, { none: string }>);
  assert.equal(l.warn, true);
  assert.equal(l.text, '$(warning) prod/web');
});

test('colour: NO_COLOR wins, FORCE_COLOR forces, otherwise only on a terminal', () => {
  assert.equal(useColor(true, {}), true);
  assert.equal(useColor(false, {}), false);
  assert.equal(useColor(true, { NO_COLOR: '1' }), false);
  assert.equal(useColor(false, { FORCE_COLOR: '1' }), true);
  assert.equal(useColor(true, { FORCE_COLOR: '0' }), false);
  assert.equal(useColor(true, { TERM: 'dumb' }), false);
});

test('truncation counts visible columns only and closes an open colour', () => {
  const row = `\x1b[32m${'a'.repeat(50)}\x1b[0m ${'b'.repeat(50)}`;
  assert.equal(visibleWidth(row), 101);
  const cut = truncateVisible(row, 80);
  assert.equal(visibleWidth(cut), 80);
  assert.ok(cut.endsWith('…\x1b[0m'));
  assert.equal(truncateVisible('short', 80), 'short');
});

test('log text: terminals keep only colours (when on); HTML is escaped with colours as classes', () => {
  const line = '\x1b[31mred\x1b[0m \x1b]0;title\x07<script>\x1b[2J\x07';
  const one = (color: boolean): string => formatLogLines([{ resource: 'api', text: line, level: 'info' }], color, 3);
  assert.equal(one(false), 'api │ red <script>\n');
  assert.equal(one(true), `${paint(true, colorFor('api'), 'api')} │ \x1b[31mred\x1b[0m <script>\x1b[0m\n`);
  assert.equal(ansiToHtml(line), '<span class="a31">red</span> &lt;script&gt;');
  assert.equal(ansiToHtml('\x1b[1;92mok\x1b[39m & done'), '<span class="a92 b">ok</span><span class="b"> &amp; done</span>');
});

test('the up/ci status table fits the terminal: rows are cut by visible width, escape codes not counted', async () => {
  const { Store } = await import('../../../src/engine/store');
  const { initialResourceState } = await import('../../../src/shared/state');
  const { statusTable } = await import('../../../src/cli/render/status');
  const store = new Store();
  store.setResources([initialResourceState({ name: 'api', type: 'k8s', labels: [], triggerMode: 'auto', autoInit: true })]);
  store.updateResource('api', { buildHistory: [{ startTime: 1, finishTime: 2, kind: 'full', error: `boom ${'x'.repeat(200)}` }] });
  const lines = statusTable(store.snapshot(), true, 80);
  assert.equal(lines.length, 1);
  assert.equal(visibleWidth(lines[0]!), 80);
  assert.match(lines[0]!, /\x1b\[31m/);
});
