// Docker faults without a daemon: a daemon that never answers fails a call instead of hanging it, and a push to a
// registry that is down is retried with backoff, then fails naming the registry; so is a build while the daemon
// itself is down or restarting. The real-daemon versions are test/integration/engine/dockerdRestart.test.ts and
// test/integration/engine/registryDown.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDockerClient, DOCKER_RESPONSE_TIMEOUT_MS } from '../../../src/engine/build/dockerClient';
import { DockerOperationError } from '../../../src/engine/build/docker';
import { pushWithRetry, registryOf, registryUnreachable } from '../../../src/engine/build/pushRetry';
import { daemonAddress, daemonUnreachable, withDaemonRetry } from '../../../src/engine/build/daemonRetry';

test('docker client: a daemon that accepts but never answers fails the call (no hang)', async () => {
  const sock = join(mkdtempSync(join(tmpdir(), 'il-docker-')), 'docker.sock');
  const held: net.Socket[] = [];
  const silent = net.createServer((s) => void held.push(s)); // reads the request, never answers
  await new Promise<void>((r) => silent.listen(sock, () => r()));
  try {
    const docker = await createDockerClient({ socketPath: sock, connectionTimeout: 300 });
    await assert.rejects(docker.ping());
    await assert.rejects(docker.getImage('x').inspect());
    assert.ok(DOCKER_RESPONSE_TIMEOUT_MS > 0);
  } finally {
    held.forEach((s) => s.destroy());
    silent.close();
  }
});

test('push: a registry that is down is retried with backoff, then the push succeeds', async () => {
  const out: string[] = [];
  const slept: number[] = [];
  let calls = 0;
  await pushWithRetry('127.0.0.1:5055/api:t1', async () => {
    if (++calls < 3) throw new DockerOperationError('Get "http://127.0.0.1:5055/v2/": dial tcp 127.0.0.1:5055: connect: connection refused', 'push');
  }, { onOutput: (l) => out.push(l), sleep: async (ms) => void slept.push(ms) });
  assert.equal(calls, 3);
  assert.deepEqual(slept, [1000, 2000]);
  assert.equal(out[0], 'Push failed: the registry 127.0.0.1:5055 is not reachable (Get "http://127.0.0.1:5055/v2/": dial tcp 127.0.0.1:5055: connect: connection refused); retrying in 1 s (attempt 2 of 6)');
  assert.equal(out.at(-1), 'Pushed 127.0.0.1:5055/api:t1 (attempt 3)');
});

test('push: a registry that stays down fails the build naming the registry, after the last attempt', async () => {
  const slept: number[] = [];
  let calls = 0;
  await assert.rejects(
    pushWithRetry('127.0.0.1:5055/api:t1', async () => {
      calls++;
      throw new Error('dial tcp 127.0.0.1:5055: connect: connection refused');
    }, { onOutput: () => undefined, sleep: async (ms) => void slept.push(ms) }),
    (e: unknown) => e instanceof DockerOperationError && e.operation === 'push' &&
      e.message === 'cannot push 127.0.0.1:5055/api:t1: the registry 127.0.0.1:5055 is not reachable (dial tcp 127.0.0.1:5055: connect: connection refused); gave up after 6 attempts',
  );
  assert.equal(calls, 6);
  assert.deepEqual(slept, [1000, 2000, 4000, 8000, 15000]);
});

test('push: other errors (auth, a missing image) fail at once; a cancelled build stops retrying', async () => {
  let calls = 0;
  await assert.rejects(pushWithRetry('r.example:5000/a:t', async () => {
    calls++;
    throw new Error('unauthorized: authentication required');
  }, { onOutput: () => undefined, sleep: async () => undefined }), /unauthorized/);
  assert.equal(calls, 1);
  const ac = new AbortController();
  calls = 0;
  await assert.rejects(pushWithRetry('r.example:5000/a:t', async () => {
    calls++;
    ac.abort();
    throw new Error('connection refused');
  }, { onOutput: () => undefined, signal: ac.signal }), /connection refused/);
  assert.equal(calls, 1);
});

test('push: registry names and unreachable messages', () => {
  assert.equal(registryOf('localhost:5000/api:t'), 'localhost:5000');
  assert.equal(registryOf('localhost/api'), 'localhost');
  assert.equal(registryOf('gcr.io/p/api:t'), 'gcr.io');
  assert.equal(registryOf('library/busybox'), 'docker.io');
  assert.equal(registryOf('busybox'), 'docker.io');
  assert.ok(registryUnreachable('Get "http://127.0.0.1:5055/v2/": dial tcp 127.0.0.1:5055: connect: connection refused'));
  assert.ok(registryUnreachable('received unexpected HTTP status: 503 Service Unavailable'));
  assert.ok(!registryUnreachable('denied: requested access to the resource is denied'));
});

test('daemon down: the errors of a missing or dead daemon count as unreachable, the daemon\'s own errors do not', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'il-docker-'));
  // No socket at all (ENOENT on connect), then a socket file nobody listens on (ECONNREFUSED).
  const missing = await createDockerClient({ socketPath: join(dir, 'none.sock') });
  const err1 = await docker(missing);
  assert.ok(daemonUnreachable(err1), String(err1));
  assert.equal(daemonAddress(missing), `unix://${join(dir, 'none.sock')}`);
  // A SIGKILLed dockerd leaves its socket file behind: a listener killed the same way does too.
  const dead = join(dir, 'dead.sock');
  const listener = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(dead)}, () => console.log('up'))`]);
  await new Promise((r) => listener.stdout.once('data', r));
  const exited = new Promise((r) => listener.once('exit', r));
  listener.kill('SIGKILL');
  await exited;
  assert.ok(existsSync(dead));
  const err2 = await docker(await createDockerClient({ socketPath: dead }));
  assert.ok(daemonUnreachable(err2) && /ECONNREFUSED/.test(String(err2)), String(err2));
  assert.ok(!daemonUnreachable(new DockerOperationError('COPY failed: file not found in build context', 'build')));
  assert.ok(!daemonUnreachable(Object.assign(new Error("ENOENT: no such file or directory, lstat '/x'"), { code: 'ENOENT', syscall: 'lstat' })));
  assert.ok(daemonUnreachable(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })));
  async function docker(d: Awaited<ReturnType<typeof createDockerClient>>): Promise<unknown> {
    try {
      await d.ping();
    } catch (e) {
      return e;
    }
    throw new Error('ping succeeded');
  }
});

test('daemon down: the build is retried with backoff and says where the daemon is, then succeeds', async () => {
  const out: string[] = [];
  const slept: number[] = [];
  let calls = 0;
  const r = await withDaemonRetry('unix:///run/x.sock', async () => {
    if (++calls < 3) throw Object.assign(new Error('connect ECONNREFUSED /run/x.sock'), { code: 'ECONNREFUSED', syscall: 'connect' });
    return 'built';
  }, { onOutput: (l) => out.push(l), sleep: async (ms) => void slept.push(ms) });
  assert.equal(r, 'built');
  assert.deepEqual(slept, [1000, 2000]);
  assert.equal(out[0], 'Docker daemon is not reachable at unix:///run/x.sock (restarting?): connect ECONNREFUSED /run/x.sock; retrying in 1 s (attempt 2 of 8)');
  assert.equal(out.at(-1), 'Docker daemon at unix:///run/x.sock is back (attempt 3)');
});

test('daemon down: a daemon that stays down fails the build naming it; other errors and a cancel stop at once', async () => {
  const slept: number[] = [];
  await assert.rejects(
    withDaemonRetry('unix:///run/x.sock', () => Promise.reject(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })), { onOutput: () => undefined, sleep: async (ms) => void slept.push(ms) }),
    (e: unknown) => e instanceof DockerOperationError && e.message === 'the Docker daemon is not reachable at unix:///run/x.sock (the connection was lost mid-call: aborted); gave up after 8 attempts. Start Docker, or point DOCKER_HOST at it',
  );
  assert.deepEqual(slept, [1000, 2000, 4000, 8000, 15000, 15000, 15000]);
  let calls = 0;
  await assert.rejects(withDaemonRetry('x', async () => {
    calls++;
    throw new DockerOperationError('The command \'/bin/sh -c false\' returned a non-zero code: 1', 'build');
  }, { onOutput: () => undefined, sleep: async () => undefined }), /non-zero code/);
  assert.equal(calls, 1);
  const ac = new AbortController();
  calls = 0;
  await assert.rejects(withDaemonRetry('x', async () => {
    calls++;
    ac.abort();
    throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  }, { onOutput: () => undefined, signal: ac.signal }), /ECONNREFUSED/);
  assert.equal(calls, 1);
});
