// The control channel against a real engine store and log store (no cluster): protocol, filters, streaming,
// permissions, and another local user being refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ControlClient, ControlError, ControlServer, EngineAlreadyRunningError, NoEngineError, controlDir, socketPathFor, type ControlTarget } from '../../../src/control';
import { Store } from '../../../src/engine/store';
import { LogStore } from '../../../src/engine/logs';
import { initialResourceState } from '../../../src/shared/state';

function fakeEngine() {
  const store = new Store();
  const logs = new LogStore();
  const triggered: string[] = [];
  const calls: { args?: string[]; enabled?: [string[], boolean] } = {};
  store.setResources(['api', 'web'].map((name) => initialResourceState({ name, type: 'k8s', labels: [], triggerMode: 'auto', autoInit: true })));
  store.updateSession((s) => ({ ...s, tiltfile: { ...s.tiltfile, status: 'ok' } }));
  const target: ControlTarget = {
    info: () => ({ version: '0.0.0', pid: process.pid, tiltfile: '/x/Tiltfile', args: calls.args ?? [], host: 'cli', startTime: 1 }),
    store,
    logs,
    trigger: (n) => void triggered.push(n),
    setArgs: async (a) => { calls.args = a; },
    setEnabled: (r, e) => { calls.enabled = [r, e]; },
  };
  return { store, logs, triggered, calls, target };
}

function tmpRuntime(): NodeJS.ProcessEnv {
  return { XDG_RUNTIME_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'h-cli-xdg-')) };
}

test('socket: one per Tiltfile under $XDG_RUNTIME_DIR/innerloop, a per-user temp dir otherwise', () => {
  const env = tmpRuntime();
  const a = socketPathFor('/w/a/Tiltfile', env);
  assert.equal(path.dirname(a), path.join(env.XDG_RUNTIME_DIR!, 'innerloop'));
  assert.notEqual(a, socketPathFor('/w/b/Tiltfile', env));
  assert.equal(a, socketPathFor('/w/a/Tiltfile', env));
  assert.ok(a.length < 100, 'Unix socket paths must stay short');
  assert.equal(controlDir({}), path.join(os.tmpdir(), `innerloop-${process.getuid!()}`));
  assert.match(socketPathFor('/w/a/Tiltfile', env, 'win32'), /^\\\\\.\\pipe\\innerloop-/);
});

test('server: 0600 socket in a 0700 directory; a second engine for the same Tiltfile is refused; stale sockets are replaced', async () => {
  const env = tmpRuntime();
  const sock = socketPathFor('/w/perm/Tiltfile', env);
  const { target } = fakeEngine();
  const s = await ControlServer.start(sock, target);
  try {
    assert.equal(fs.statSync(sock).mode & 0o777, 0o600);
    assert.equal(fs.statSync(path.dirname(sock)).mode & 0o777, 0o700);
    await assert.rejects(ControlServer.start(sock, target), EngineAlreadyRunningError);
  } finally {
    await s.close();
  }
  assert.equal(fs.existsSync(sock), false, 'closing removes the socket file');
  // A socket file left by a killed engine (nothing listening) does not block the next one.
  fs.writeFileSync(sock, '');
  const s2 = await ControlServer.start(sock, target);
  // Restart (the editor's Up while up): dispose() frees the path at once for the next engine.
  s2.dispose();
  const s3 = await ControlServer.start(sock, target);
  await s3.close();
});

test('server: a group/world-open control directory is closed to 0700; one owned by someone else is refused', async () => {
  const env = tmpRuntime();
  const dir = path.join(env.XDG_RUNTIME_DIR!, 'innerloop');
  fs.mkdirSync(dir, { mode: 0o777 });
  fs.chmodSync(dir, 0o777);
  const { target } = fakeEngine();
  const s = await ControlServer.start(socketPathFor('/w/x/Tiltfile', env), target);
  await s.close();
  assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
  if (process.getuid!() === 0) {
    fs.chownSync(dir, 65534, 65534);
    await assert.rejects(ControlServer.start(socketPathFor('/w/x/Tiltfile', env), target), /belongs to another user/);
  }
});

test('client: no engine is a NoEngineError naming the socket', async () => {
  const sock = socketPathFor('/w/none/Tiltfile', tmpRuntime());
  await assert.rejects(ControlClient.connect(sock), (e: unknown) => e instanceof NoEngineError && e.message.includes(sock));
});

test('protocol: info, state, trigger, args, enable; unknown resources and methods are errors', async () => {
  const env = tmpRuntime();
  const f = fakeEngine();
  const s = await ControlServer.start(socketPathFor('/w/p/Tiltfile', env), f.target);
  const c = await ControlClient.connect(s.socketPath);
  try {
    assert.equal((await c.call('info', {})).tiltfile, '/x/Tiltfile');
    assert.deepEqual((await c.call('state', {})).order, ['api', 'web']);
    assert.deepEqual(await c.call('trigger', { resources: ['web'] }), { triggered: ['web'] });
    assert.deepEqual(f.triggered, ['web']);
    await c.call('args', { args: ['--env', 'dev'] });
    assert.deepEqual(f.calls.args, ['--env', 'dev']);
    await c.call('enable', { resources: ['api'], enabled: false });
    assert.deepEqual(f.calls.enabled, [['api'], false]);
    await assert.rejects(c.call('trigger', { resources: ['nope'] }), (e: unknown) => e instanceof ControlError && e.code === 'not_found' && /no resource named "nope" \(resources: api, web\)/.test(e.message));
    await assert.rejects(c.call('bogus' as 'info', {}), /unknown method "bogus"/);
  } finally {
    c.close();
    await s.close();
  }
});

test('logs: filters by resource, source, level and time; follow streams new lines until the client leaves', async () => {
  const env = tmpRuntime();
  const f = fakeEngine();
  f.logs.append('api', 'build', 'building');
  f.logs.append('api', 'runtime', 'warned', 'warn');
  f.logs.append('web', 'runtime', 'failed', 'error');
  const s = await ControlServer.start(socketPathFor('/w/l/Tiltfile', env), f.target);
  const c = await ControlClient.connect(s.socketPath);
  try {
    const texts = async (q: Parameters<typeof c.call<'logs'>>[1]): Promise<string[]> => (await c.call('logs', q)).lines.map((l) => l.text);
    assert.deepEqual(await texts({}), ['building', 'warned', 'failed']);
    assert.deepEqual(await texts({ resources: ['api'] }), ['building', 'warned']);
    assert.deepEqual(await texts({ source: 'runtime' }), ['warned', 'failed']);
    assert.deepEqual(await texts({ level: 'warn' }), ['warned', 'failed']);
    assert.deepEqual(await texts({ level: 'error' }), ['failed']);
    assert.deepEqual(await texts({ sinceTime: Date.now() + 60_000 }), []);
    const got: string[] = [];
    let seen!: () => void;
    const two = new Promise<void>((r) => { seen = r; });
    void c.stream('logs', { resources: ['web'], follow: true }, (e) => {
      got.push(...(e as { lines: { text: string }[] }).lines.map((l) => l.text));
      if (got.length === 2) seen();
    }).catch(() => undefined);
    // The backlog event arrives first; lines appended later follow (api's line is filtered out).
    setImmediate(() => { f.logs.append('api', 'runtime', 'not mine'); f.logs.append('web', 'runtime', 'live'); });
    await two;
    assert.deepEqual(got, ['failed', 'live']);
  } finally {
    c.close();
    await s.close();
  }
});

test('requests naming resources wait for the Tiltfile load in progress, then judge the names', async () => {
  const env = tmpRuntime();
  const f = fakeEngine();
  f.store.updateSession((s) => ({ ...s, tiltfile: { ...s.tiltfile, status: 'loading' } }));
  const s = await ControlServer.start(socketPathFor('/w/ld/Tiltfile', env), f.target);
  const c = await ControlClient.connect(s.socketPath);
  try {
    const t = c.call('trigger', { resources: ['late'] });
    await c.call('info', {});
    f.store.setResources(['late'].map((name) => initialResourceState({ name, type: 'local', labels: [], triggerMode: 'auto', autoInit: true })));
    f.store.updateSession((x) => ({ ...x, tiltfile: { ...x.tiltfile, status: 'ok' } }));
    assert.deepEqual(await t, { triggered: ['late'] });
  } finally {
    c.close();
    await s.close();
  }
});

test('wait: resolves once every named resource is Ready', async () => {
  const env = tmpRuntime();
  const f = fakeEngine();
  const s = await ControlServer.start(socketPathFor('/w/wt/Tiltfile', env), f.target);
  const c = await ControlClient.connect(s.socketPath);
  try {
    let done = false;
    const w = c.call('wait', { resources: ['api'] }).then((r) => { done = true; return r; });
    await c.call('info', {});
    assert.equal(done, false);
    f.store.updateResource('api', { buildHistory: [{ startTime: 1, finishTime: 2, kind: 'full' }], runtimeStatus: 'ok' });
    assert.deepEqual(await w, { ready: ['api'] });
  } finally {
    c.close();
    await s.close();
  }
});

// Another local user must not reach the engine: the socket is 0600 and its directory 0700. Proven with a real
// throwaway user (needs root: useradd/runuser), each layer on its own.
test('another local user cannot connect to the control socket', async (t) => {
  if (process.getuid!() !== 0 || !fs.existsSync('/usr/sbin/useradd') || !fs.existsSync('/usr/sbin/runuser')) return t.skip('needs root with useradd and runuser');
  const user = `h-cli-probe${process.pid % 100000}`;
  const add = spawnSync('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', user]);
  assert.equal(add.status, 0, add.stderr.toString());
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'h-cli-xdg-'));
  fs.chmodSync(base, 0o755);
  const { target } = fakeEngine();
  const s = await ControlServer.start(socketPathFor('/w/u/Tiltfile', { XDG_RUNTIME_DIR: base }), target);
  const probe = (): string => {
    const code = `require('net').connect(${JSON.stringify(s.socketPath)}).on('connect',()=>{console.log('CONNECTED');process.exit(0)}).on('error',(e)=>{console.log(e.code);process.exit(0)})`;
    const r = spawnSync('runuser', ['-u', user, '--', process.execPath, '-e', code], { encoding: 'utf8' });
    return (r.stdout + r.stderr).trim();
  };
  try {
    assert.equal(probe(), 'EACCES', 'the 0700 directory keeps the other user out');
    // Open the directory: the socket's own 0600 mode still refuses.
    fs.chmodSync(path.dirname(s.socketPath), 0o755);
    assert.equal(probe(), 'EACCES', 'the 0600 socket refuses the other user');
    // Sanity: with the socket opened too, the same probe connects (so EACCES above was the permission).
    fs.chmodSync(s.socketPath, 0o666);
    assert.equal(probe(), 'CONNECTED');
  } finally {
    await s.close();
    spawnSync('userdel', [user]);
  }
});
