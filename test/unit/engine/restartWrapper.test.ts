import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { RESTART_WRAPPER_SCRIPT, wrappedCommand } from '../../../src/engine/build/restartWrapper';
import { restartRequestScript } from '../../../src/shared/restartRequest';

function tmp(): { dir: string; script: string; restart: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'il-rw-'));
  fs.writeFileSync(path.join(dir, 'restart-wrapper.sh'), RESTART_WRAPPER_SCRIPT);
  return { dir, script: path.join(dir, 'restart-wrapper.sh'), restart: path.join(dir, 'restart-proc') };
}

test('the wrapper travels in the container command, with its restart file', () => {
  const cmd = wrappedCommand(['node', 'server.js'], "/tmp/it's here");
  assert.deepEqual([cmd[0], cmd[1], cmd[3], ...cmd.slice(4)], ['/bin/sh', '-c', 'innerloop-restart-wrapper', 'node', 'server.js']);
  assert.equal(cmd[2], `INNERLOOP_RESTART_FILE='/tmp/it'\\''s here'\n${RESTART_WRAPPER_SCRIPT}`);
});

test('the supervisor passes through the exit code when the process exits by itself', () => {
  const { dir, script, restart } = tmp();
  try {
    const r = spawnSync('/bin/sh', [script, 'sh', '-c', 'exit 3'], { env: { ...process.env, INNERLOOP_RESTART_FILE: restart } });
    assert.equal(r.status, 3);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the supervisor restarts the process when the restart file content changes (run as the container command)', async () => {
  const { dir, restart } = tmp();
  const [sh, ...args] = wrappedCommand(['sh', '-c', 'echo started; exec sleep 100'], restart);
  const { INNERLOOP_RESTART_FILE: _unused, ...env } = process.env;
  const p = spawn(sh as string, args, { env });
  let out = '';
  p.stdout.on('data', (d) => (out += d));
  const starts = () => (out.match(/started/g) ?? []).length;
  const until = async (pred: () => boolean) => {
    for (let i = 0; i < 200 && !pred(); i++) await new Promise((r) => setTimeout(r, 25));
  };
  try {
    await until(() => starts() >= 1);
    fs.writeFileSync(restart, 'token-1');
    await until(() => starts() >= 2);
    assert.equal(starts(), 2, out);
    assert.match(out, /restarting process after live update/);
    assert.equal(p.exitCode, null, 'wrapper still running');
  } finally {
    p.kill('SIGTERM');
    await new Promise((r) => p.once('exit', r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** Runs the live update's restart request (shared/restartRequest.ts) as the exec does: `sh -c SCRIPT`. */
function request(restart: string, token: string): void {
  const r = spawnSync('sh', ['-c', restartRequestScript(restart, token)], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

test('a restart request wakes the supervisor at once: with its poll stalled, the request still restarts the process', async () => {
  const { dir, script, restart } = tmp();
  // A `sleep` that never returns for the poll (the wrapper's probe of fractional sleep still succeeds): only the
  // request's USR1 can end the wait, so a restart proves the wake-up, with no timing in the test.
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'sleep'), '#!/bin/sh\n[ "$1" = 0.01 ] && exit 0\nexec /bin/sleep 1000\n', { mode: 0o755 });
  const p = spawn('/bin/sh', [script, '/bin/sh', '-c', 'echo started; exec /bin/sleep 100'], {
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, INNERLOOP_RESTART_FILE: restart },
  });
  let out = '';
  p.stdout.on('data', (d) => (out += d));
  const starts = () => (out.match(/started/g) ?? []).length;
  const until = async (pred: () => boolean) => {
    for (let i = 0; i < 400 && !pred(); i++) await new Promise((r) => setTimeout(r, 25));
  };
  try {
    await until(() => starts() >= 1 && fs.existsSync(`${restart}.pid`));
    assert.equal(fs.readFileSync(`${restart}.pid`, 'utf8').trim(), String(p.pid), 'the wrapper keeps its pid next to the restart file');
    request(restart, 'token-1');
    await until(() => starts() >= 2);
    assert.equal(starts(), 2, out);
    assert.match(out, /restarting process after live update\n\[innerloop\] old process gone; starting it again\nstarted/);
    // Not PID 1 here: a USR1 without the wrapper's trap would have ended it.
    assert.equal(p.exitCode, null, 'wrapper still running');
  } finally {
    p.kill('SIGTERM');
    await new Promise((r) => p.once('exit', r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a restart request succeeds without a wrapper to wake (no pid file) and fails when the file cannot be written', () => {
  const { dir, restart } = tmp();
  try {
    request(restart, 'token-1');
    assert.equal(fs.readFileSync(restart, 'utf8'), 'token-1\n');
    const r = spawnSync('sh', ['-c', restartRequestScript(path.join(dir, 'missing', 'restart-proc'), 'token-2')], { encoding: 'utf8' });
    assert.notEqual(r.status, 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('requests that arrive while the old process is still stopping do not start the new one early', async () => {
  const { dir, script, restart } = tmp();
  // The app takes a moment to stop on TERM; the wrapper must wait it out even as more USR1s end its wait.
  const app = 'echo "started $$"; trap \'/bin/sleep 0.3; echo "stopped $$"; exit 0\' TERM; while :; do /bin/sleep 0.05 & wait $!; done';
  const p = spawn('/bin/sh', [script, '/bin/sh', '-c', app], { env: { ...process.env, INNERLOOP_RESTART_FILE: restart } });
  let out = '';
  p.stdout.on('data', (d) => (out += d));
  const count = (re: RegExp) => (out.match(re) ?? []).length;
  const until = async (pred: () => boolean) => {
    for (let i = 0; i < 400 && !pred(); i++) await new Promise((r) => setTimeout(r, 10));
  };
  try {
    await until(() => count(/started \d+/g) >= 1 && fs.existsSync(`${restart}.pid`));
    request(restart, 'token-1');
    await until(() => /restarting process/.test(out));
    for (let i = 0; i < 5; i++) request(restart, 'token-1'); // the same token: wake-ups, no new restart
    await until(() => count(/started \d+/g) >= 2);
    const [first, second] = [...out.matchAll(/started (\d+)/g)].map((m) => m[1]);
    assert.ok(second, out);
    assert.ok(out.indexOf(`stopped ${first}`) >= 0 && out.indexOf(`stopped ${first}`) < out.indexOf(`started ${second}`), `the old process exited before the new one started:\n${out}`);
    assert.equal(count(/left behind/g), 0, `the poll's own sleep is not taken for an orphan:\n${out}`);
  } finally {
    p.kill('SIGTERM');
    await new Promise((r) => p.once('exit', r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// The app starts a detached helper (its own session, like debugpy's adapter) that listens on a port and outlives the
// app. The wrapper runs as PID 1 of a new PID namespace (as in a container), so the helper is reparented to it; on
// restart the wrapper must stop it, or the next run's helper cannot listen ("Address already in use").
const APP = `
const { spawn } = require('node:child_process');
const helper = spawn(process.execPath, ['-e', \`
  const s = require('node:net').createServer();
  s.on('error', (e) => { console.log('helper-failed ' + e.code); process.exit(1); });
  s.listen(Number(process.env.HELPER_PORT), '127.0.0.1', () => console.log('helper-listening ' + process.pid));
  setInterval(() => undefined, 1000);
\`], { detached: true, stdio: 'inherit' });
helper.unref();
console.log('app-started');
setInterval(() => undefined, 1000);
`;

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

const canUnshare = spawnSync('unshare', ['-pf', '--mount-proc', 'true']).status === 0;

test('on restart and on TERM the supervisor stops what the app left behind (a daemonized helper holding a port)', { skip: canUnshare ? false : 'needs unshare -p (root)' }, async () => {
  const { dir, script, restart } = tmp();
  const port = await freePort();
  const p = spawn('unshare', ['-pf', '--mount-proc', '--kill-child=SIGTERM', '/bin/sh', script, process.execPath, '-e', APP], {
    env: { ...process.env, INNERLOOP_RESTART_FILE: restart, HELPER_PORT: String(port) },
  });
  let out = '';
  p.stdout.on('data', (d) => (out += d));
  p.stderr.on('data', (d) => (out += d));
  const count = (re: RegExp) => (out.match(re) ?? []).length;
  const until = async (pred: () => boolean) => {
    for (let i = 0; i < 600 && !pred(); i++) await new Promise((r) => setTimeout(r, 50));
  };
  const helperPids = () => [...out.matchAll(/helper-listening (\d+)/g)].map((m) => m[1]);
  try {
    await until(() => count(/helper-listening/g) >= 1);
    assert.equal(count(/helper-listening/g), 1, out);
    fs.writeFileSync(restart, 'token-1');
    await until(() => count(/helper-listening|helper-failed/g) >= 2);
    assert.equal(count(/helper-failed/g), 0, out);
    assert.equal(count(/helper-listening/g), 2, out);
    assert.match(out, /stopping processes the previous run left behind: \d+/);
    assert.equal(count(/app-started/g), 2, out);
    assert.equal(p.exitCode, null, 'wrapper still running');
    // TERM to the wrapper (unshare -f ignores it): the helper goes too, so the port is free again.
    const wrapper = Number(fs.readFileSync(`/proc/${p.pid}/task/${p.pid}/children`, 'utf8').trim());
    process.kill(wrapper, 'SIGTERM');
    await new Promise((r) => p.once('exit', r));
    assert.match(out, new RegExp(`left behind: ${helperPids()[1]}`), out);
    const s = net.createServer();
    await new Promise<void>((resolve, reject) => s.once('error', reject).listen(port, '127.0.0.1', resolve));
    await new Promise((r) => s.close(r));
  } finally {
    if (p.exitCode === null) p.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
