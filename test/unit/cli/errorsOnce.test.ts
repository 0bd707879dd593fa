// The real CLI (bundled fresh from the sources, run as a process): each error is printed once, `up` without any
// kubeconfig exits 1 with one sentence and the fix, and `up` honours NO_COLOR/FORCE_COLOR.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundleWorker } from '../vscode/workerBundle';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'h-cli-once-'));
const cli = path.join(tmp, 'cli.js');

before(() => bundleWorker(cli));

interface Run { code: number | null; out: string; err: string }

/** Runs the CLI; `until` (on stdout) ends a long-running command with SIGINT, as Ctrl-C would. */
function run(args: string[], dir: string, env: NodeJS.ProcessEnv, until?: RegExp): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [cli, ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: dir, XDG_RUNTIME_DIR: dir, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (until?.test(out)) p.kill('SIGINT');
    });
    p.stderr.on('data', (b: Buffer) => { err += b.toString(); });
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, out, err }));
  });
}

function project(tiltfile: string): string {
  const dir = fs.mkdtempSync(path.join(tmp, 'p-'));
  fs.writeFileSync(path.join(dir, 'Tiltfile'), tiltfile);
  return dir;
}

const count = (text: string, needle: string): number => text.split(needle).length - 1;

const CONFIGMAP = `k8s_yaml(blob('apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: x}\\n'))\n`;

test('ci: an unknown builtin is printed once (the verdict on stderr), exit 1', async () => {
  const r = await run(['ci', '--timeout', '1m'], project('foo_bar()\n'), { KUBECONFIG: '/nonexistent' });
  assert.equal(r.code, 1, r.out + r.err);
  const all = r.out + r.err;
  assert.equal(count(all, 'undefined: foo_bar'), 1, all);
  assert.match(r.err, /^ERROR: Tiltfile failed to load: .*Tiltfile:1:1: undefined: foo_bar$/m);
});

test('ci: a kube error (no kubeconfig) is printed once, exit 1', async () => {
  const r = await run(['ci', '--timeout', '1m'], project(CONFIGMAP), { KUBECONFIG: '/nonexistent' });
  assert.equal(r.code, 1, r.out + r.err);
  const all = r.out + r.err;
  assert.equal(count(all, 'no Kubernetes context configured'), 1, all);
  assert.match(r.err, /^ERROR: no Kubernetes context configured/m);
});

test('up with no kubeconfig: one sentence with the fix on stderr, exit 1 (it does not keep running)', async () => {
  // Anything on stdout means it went on running (printing logs): Ctrl-C it then, so the test fails instead of hanging.
  const r = await run(['up'], project(CONFIGMAP), { KUBECONFIG: '/nonexistent' }, /\n/);
  assert.equal(r.code, 1, r.out + r.err);
  assert.equal(r.out, '');
  assert.equal(r.err, 'innerloop up: no Kubernetes context configured (no kubeconfig at /nonexistent): create a local cluster (kind, k3d, minikube) or point KUBECONFIG at one\n');
});

test('up honours NO_COLOR and FORCE_COLOR (prefixes and the log\'s own colours)', async () => {
  // A cluster-free Tiltfile: the local resource prints a coloured line.
  const tf = `local_resource('hello', cmd="printf '\\\\033[32mgreen\\\\033[0m\\\\n'")\n`;
  // Stop once the command's output arrived (the "Running cmd: printf ... green" line comes first).
  const forced = await run(['up'], project(tf), { FORCE_COLOR: '1' }, /\x1b\[32mgreen.*\n/);
  assert.match(forced.out, /\x1b\[\d+mhello\s*\x1b\[0m │ /, forced.out + forced.err);
  assert.match(forced.out, /\x1b\[32mgreen\x1b\[0m/);
  const plain = await run(['up'], project(tf), { NO_COLOR: '1' }, /│ green\n/);
  assert.match(plain.out, /^hello\s+│ green$/m, plain.out + plain.err);
  assert.doesNotMatch(plain.out, /\x1b/);
  const piped = await run(['up'], project(tf), {}, /│ green\n/);
  assert.doesNotMatch(piped.out, /\x1b\[\d+mhello/, 'not a terminal: no colour by default');
});

test('up on a terminal with NO_COLOR: the live status table is drawn without colours', async () => {
  const { runUp } = await import('../../../src/cli/commands/up');
  const dir = project(`local_resource('hello', cmd="printf '\\\\033[32mgreen\\\\033[0m\\\\n'")\n`);
  let out = '';
  let stop!: (s: string) => void;
  let sawDone!: () => void;
  const done = new Promise<void>((r) => { sawDone = r; });
  const io = {
    stdout: (t: string) => { out += t; if (/^hello +done/m.test(out)) sawDone(); },
    stderr: () => undefined,
    cwd: dir,
    env: { NO_COLOR: '1', XDG_RUNTIME_DIR: dir },
  };
  const running = runUp([], io, new Promise<string>((r) => { stop = r; }), true);
  await done;
  stop('SIGINT');
  assert.equal(await running, 0);
  // The table (its rule and the row) is there, and no SGR sequence at all, from us or from the log.
  assert.match(out, /─+\nhello +done/);
  assert.doesNotMatch(out, /\x1b\[[0-9;]*m/, out);
  assert.match(out, /hello +│ green\n/);
});
