// The restart_process wrapper against a real container: writing a new token to the restart file restarts the
// process; the container keeps running. Skips without a Docker daemon or the base image.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Dockerode from 'dockerode';
import { wrappedCommand } from '../../../src/engine/build/restartWrapper';
import { restartRequestScript } from '../../../src/shared/restartRequest';

const BASE = process.env.INNERLOOP_TEST_BASE_IMAGE ?? 'localhost:5000/innerloop/busybox:latest';
// Debian's sh (dash), as in the todo app's images; busybox's sh runs its own sleep, whatever PATH says.
const DEBIAN = 'localhost:5000/innerloop/debian-python:bookworm';
const docker = new Dockerode();

async function problem(image = BASE): Promise<string | undefined> {
  try {
    await docker.ping();
    await docker.getImage(image).inspect();
    return undefined;
  } catch (err) {
    return `Docker or ${image} unavailable (${(err as Error).message})`;
  }
}

async function logsOf(c: Dockerode.Container): Promise<string> {
  const buf = (await c.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
  return buf.toString('latin1');
}

/** `sh -c cmd` in the container; its output (stdout and stderr, with the stream framing bytes). */
async function execIn(container: Dockerode.Container, cmd: string): Promise<string> {
  const exec = await container.exec({ Cmd: ['sh', '-c', cmd], AttachStdout: true, AttachStderr: true });
  const s = await exec.start({});
  let out = '';
  s.on('data', (d: Buffer) => (out += d.toString('latin1')));
  await new Promise((r) => s.on('end', r));
  return out;
}

test('restart wrapper restarts the process when the restart file changes', async (t) => {
  const why = await problem();
  if (why) return t.skip(why);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'il-wrapper-'));
  const container = await docker.createContainer({
    Image: BASE, // the wrapper is in the command, as the engine runs it: no image of its own
    Entrypoint: wrappedCommand(['sh', '-c', 'echo started-$$; exec sleep 1000'], '/tmp/.restart-proc'),
    Cmd: [],
    // No network needed.
    HostConfig: { NetworkMode: 'none' },
  });
  try {
    await container.start();
    const count = async () => ((await logsOf(container)).match(/started-/g) ?? []).length;
    const waitFor = async (n: number) => {
      for (let i = 0; i < 100 && (await count()) < n; i++) await new Promise((r) => setTimeout(r, 100));
      return count();
    };
    assert.equal(await waitFor(1), 1);
    const exec = await container.exec({ Cmd: ['sh', '-c', 'echo token-1 > /tmp/.restart-proc'], AttachStdout: true, AttachStderr: true });
    const s = await exec.start({});
    s.resume();
    await new Promise((r) => s.on('end', r));
    assert.equal(await waitFor(2), 2, await logsOf(container));
    assert.match(await logsOf(container), /restarting process after live update/);
    assert.equal((await container.inspect()).State.Running, true);
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('restart wrapper (PID 1) stops what the app left behind before restarting it', async (t) => {
  const why = await problem();
  if (why) return t.skip(why);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'il-wrapper-'));
  // The app daemonizes a helper (own session, its parent exits), as debugpy does with its adapter: the helper is
  // reparented to PID 1, the wrapper.
  const container = await docker.createContainer({
    Image: BASE, // the wrapper is in the command, as the engine runs it: no image of its own
    Entrypoint: wrappedCommand(['sh', '-c', `(setsid sh -c 'echo helper-$$; exec sleep 1000' &); echo started-$$; exec sleep 1000`], '/tmp/.restart-proc'),
    Cmd: [],
    HostConfig: { NetworkMode: 'none' },
  });
  const run = (cmd: string): Promise<string> => execIn(container, cmd);
  try {
    await container.start();
    const helpers = async () => [...(await logsOf(container)).matchAll(/helper-(\d+)/g)].map((m) => m[1]);
    const waitFor = async (n: number) => {
      for (let i = 0; i < 100 && (await helpers()).length < n; i++) await new Promise((r) => setTimeout(r, 100));
      return helpers();
    };
    const [first] = await waitFor(1);
    assert.ok(first, await logsOf(container));
    await run('echo token-1 > /tmp/.restart-proc');
    assert.equal((await waitFor(2)).length, 2, await logsOf(container));
    assert.match(await logsOf(container), new RegExp(`stopping processes the previous run left behind: ${first}\\b`));
    // Gone (or a zombie the wrapper has not reaped yet), not running.
    assert.equal((await run(`grep -q ') [^Z]' /proc/${first}/stat 2>/dev/null && echo alive || echo gone`)).trim().replace(/[^a-z]/g, ''), 'gone');
    assert.equal((await container.inspect()).State.Running, true);
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('restart wrapper (PID 1) wakes at once for a restart request, even with its poll stalled', async (t) => {
  const why = await problem(DEBIAN);
  if (why) return t.skip(why);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'il-wrapper-'));
  // A `sleep` first on PATH (mounted: dash remembers where it found a command) that, once /tmp/stall exists, never
  // returns: the wrapper's poll stalls, and only the request's USR1 can end its wait (no timing in the test).
  fs.mkdirSync(path.join(dir, 'shim'));
  fs.writeFileSync(path.join(dir, 'shim', 'sleep'), '#!/bin/sh\n[ -e /tmp/stall ] && exec /usr/bin/sleep 1001\nexec /usr/bin/sleep "$@"\n', { mode: 0o755 });
  const container = await docker.createContainer({
    Image: DEBIAN, // the wrapper is in the command, as the engine runs it: no image of its own
    Entrypoint: wrappedCommand(['sh', '-c', 'echo started-$$; exec /usr/bin/sleep 1000'], '/tmp/.restart-proc'),
    Cmd: [],
    Env: ['PATH=/tmp/shim:/usr/bin:/bin'],
    User: '1000',
    HostConfig: { NetworkMode: 'none', Binds: [`${path.join(dir, 'shim')}:/tmp/shim:ro`] },
  });
  const run = (cmd: string): Promise<string> => execIn(container, cmd);
  try {
    await container.start();
    const count = async () => ((await logsOf(container)).match(/started-/g) ?? []).length;
    const until = async (what: string, ok: () => Promise<boolean>) => {
      for (let i = 0; i < 200 && !(await ok()); i++) await new Promise((r) => setTimeout(r, 100));
      assert.ok(await ok(), `${what}:\n${await logsOf(container)}`);
    };
    await until('the first start', async () => (await count()) === 1);
    await run('touch /tmp/stall');
    // The wrapper's poll now sleeps in the shim (a child of PID 1 running `sleep 1001`).
    await until('the poll to stall', async () => /yes/.test(await run("for s in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < $s 2>/dev/null; echo; done | grep -q '^/usr/bin/sleep 1001' && echo yes")));
    assert.match(await run(`( ${restartRequestScript('/tmp/.restart-proc', 'token-1')} ); echo rc=$?`), /rc=0/);
    await until('the restart', async () => (await count()) === 2);
    assert.match(await logsOf(container), /restarting process after live update/);
    assert.equal((await container.inspect()).State.Running, true);
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
