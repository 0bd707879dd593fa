import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main } from '../../../src/cli/main';
import type { Plan } from '../../../src/tiltfile/plan';

const root = resolve(__dirname, '../../..');
const todo = join(root, 'test/fixtures/todo-app/Tiltfile');

async function run(argv: string[], cwd = root): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (t) => { out += t; }, stderr: (t) => { err += t; }, cwd });
  return { code, out, err };
}

function tiltfile(src: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'innerloop-cli-'));
  writeFileSync(join(dir, 'Tiltfile'), src);
  return dir;
}

test('innerloop tiltfile prints the plan as JSON and exits 0', async () => {
  const r = await run(['tiltfile', '--file', todo]);
  assert.equal(r.code, 0, r.err);
  const plan = JSON.parse(r.out) as Plan;
  assert.deepEqual(plan.resources.map((x) => x.name), ['todo-api', 'todo-frontend']);
  assert.equal(plan.tiltfile, todo);
});

test('innerloop tiltfile: diagnostics as file:line:col: message on stderr, exit 1', async () => {
  const dir = tiltfile(`warn('heads up')\nk8s_yaml('missing.yaml')\n`);
  const r = await run(['tiltfile'], dir);
  assert.equal(r.code, 1);
  assert.match(r.err, /^WARNING: heads up\nTiltfile:1:5: warning: heads up\nTiltfile:2:9: Error in k8s_yaml: error reading yaml file: open .*missing.yaml: no such file or directory\n$/);
  assert.doesNotThrow(() => JSON.parse(r.out));
});

test('innerloop tiltfile: args after -- reach config.parse; --subcommand; --untrusted', async () => {
  const dir = tiltfile(`config.define_string('env')\ncfg = config.parse()\nprint(cfg.get('env'), config.tilt_subcommand)\nlocal('true')\n`);
  const r = await run(['tiltfile', '--subcommand', 'ci', '--untrusted', '--', '--env', 'prod'], dir);
  assert.equal(r.code, 1);
  assert.match(r.err, /^prod ci\nTiltfile:4:6: local\(\) is disabled in an untrusted workspace\n$/);
});

test('innerloop tiltfile --file DIR uses DIR/Tiltfile', async () => {
  const r = await run(['tiltfile', '-f', 'test/fixtures/todo-app']);
  assert.equal(r.code, 0, r.err);
  assert.equal((JSON.parse(r.out) as Plan).tiltfile, todo);
});

test('innerloop: usage errors exit 2, help exits 0 (also with no arguments, as documented in the help)', async () => {
  const none = await run([]);
  assert.equal(none.code, 0);
  assert.match(none.out, /^Usage: innerloop <command>[\s\S]*Exit codes: 0 ok, 1 failure, 2 usage error/);
  assert.equal((await run(['frobnicate'])).code, 2);
  assert.equal((await run(['tiltfile', '--bogus'])).code, 2);
  const h = await run(['tiltfile', '--help']);
  assert.equal(h.code, 0);
  assert.match(h.out, /innerloop tiltfile \[--file PATH\]/);
  assert.match((await run(['help'])).out, /tiltfile\s+Load a Tiltfile/);
});

test('the built CLI (dist/cli.js) loads in a worker and turns an endless loop into a clean error', { skip: !existsSync(join(root, 'dist/cli.js')) }, () => {
  const ok = spawnSync(process.execPath, [join(root, 'dist/cli.js'), 'tiltfile', '--file', todo], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal((JSON.parse(ok.stdout) as Plan).resources.length, 2);
  const dir = tiltfile(`x = 0\nwhile True:\n    x += 1\n`);
  const bad = spawnSync(process.execPath, [join(root, 'dist/cli.js'), 'tiltfile', '--max-steps', '100000'], { cwd: dir, encoding: 'utf8' });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /Tiltfile:\d+:\d+: Starlark computation cancelled: too many steps/);
});

const DEEP = `def f(n):\n    return 0 if n == 0 else 1 + f(n - 1)\nprint(f(10000))\n`;

test('the built CLI (dist/cli.js) runs recursion 10,000 deep, trusted (in-process) and untrusted (child)', { skip: !existsSync(join(root, 'dist/cli.js')) }, () => {
  const dir = tiltfile(DEEP);
  for (const flags of [[], ['--untrusted']]) {
    const r = spawnSync(process.execPath, [join(root, 'dist/cli.js'), 'tiltfile', ...flags], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /^10000$/m);
  }
});

test('the built CLI: endless recursion is a clean Starlark error, never a JS RangeError', { skip: !existsSync(join(root, 'dist/cli.js')) }, () => {
  const dir = tiltfile(`def f(n):\n    return f(n + 1)\nf(0)\n`);
  const r = spawnSync(process.execPath, [join(root, 'dist/cli.js'), 'tiltfile'], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /Tiltfile:2:\d+: Starlark stack overflow \(recursion too deep\)/);
  assert.doesNotMatch(r.stderr, /RangeError/);
});

test('innerloop tiltfile --timeout takes a duration (a bare number is seconds), through the shared flag parser', async () => {
  const dir = tiltfile(`local('sleep 5')\n`);
  const ms = await run(['tiltfile', '--timeout', '500ms'], dir);
  assert.equal(ms.code, 1);
  assert.match(ms.err, /timed out after 500 ms/);
  const bare = await run(['tiltfile', '--timeout=1'], dir);
  assert.equal(bare.code, 1);
  assert.match(bare.err, /timed out after 1000 ms/);
  const bad = await run(['tiltfile', '--timeout', '5 parsecs'], dir);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /^innerloop tiltfile: --timeout: invalid duration "5 parsecs"/);
  assert.equal((await run(['tiltfile', '--max-steps', 'many'], dir)).code, 2);
  assert.match((await run(['tiltfile', '--file'], dir)).err, /^innerloop tiltfile: Option '-f, --file <value>' argument missing/);
  const h = await run(['tiltfile', '--help']);
  assert.match(h.out, /--timeout DURATION {2}give up on the load.*\n.*a bare number is seconds/);
});
