// Fault on the real Docker daemon: the registry goes down mid-session. A registry of our own (Debian's
// docker-registry binary on a free loopback port, temp storage; never the shared one on :5000) takes a push, is
// killed, and the next push says the registry is unreachable and retries with backoff; when the registry is started
// again, the same push succeeds. Skips without the daemon, the base image or the binary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { createDockerClient } from '../../../src/engine/build/dockerClient';
import { DockerImageBuilder } from '../../../src/engine/build/docker';
import { pushWithRetry } from '../../../src/engine/build/pushRetry';
import { BUSYBOX, dockerProblem } from '../docker';

const REGISTRY_BIN = '/usr/bin/docker-registry';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 3_000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

async function until<T>(what: string, timeoutMs: number, fn: () => T | undefined | false | Promise<T | undefined | false>): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await Promise.resolve(fn()).catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('registry down mid-session: the push says so, retries with backoff, and succeeds once the registry is back', { timeout: 240_000 }, async (t) => {
  const docker = await createDockerClient();
  const problem = await dockerProblem(docker);
  if (problem) return t.skip(problem);
  if (!fs.existsSync(REGISTRY_BIN)) return t.skip(`${REGISTRY_BIN} not installed (apt-get install docker-registry)`);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'il-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const config = path.join(dir, 'config.yml');
  fs.writeFileSync(config, `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${path.join(dir, 'data')}\nhttp:\n  addr: ${host}\n`);
  let registry: ChildProcess | undefined;
  const startRegistry = async (): Promise<void> => {
    registry = spawn(REGISTRY_BIN, ['serve', config], { stdio: 'ignore' });
    await until('the registry to answer', 30_000, async () => (await get(`http://${host}/v2/`)).status === 200);
  };
  const stopRegistry = async (): Promise<void> => {
    const r = registry;
    registry = undefined;
    if (!r || r.exitCode !== null) return;
    const gone = new Promise((resolve) => r.once('exit', resolve));
    r.kill('SIGKILL');
    await gone;
  };
  const repo = `${host}/il-faults-${Date.now().toString(36)}/busybox`;
  const tags = async (): Promise<string[]> => {
    const r = await get(`http://${repo.replace(host, `${host}/v2`)}/tags/list`);
    return r.status === 200 ? ((JSON.parse(r.body) as { tags?: string[] }).tags ?? []) : [];
  };
  const builder = new DockerImageBuilder(docker);
  try {
    await startRegistry();
    await docker.getImage(BUSYBOX).tag({ repo, tag: 't1' });
    await docker.getImage(BUSYBOX).tag({ repo, tag: 't2' });

    await t.test('a push to the running registry succeeds', async () => {
      await pushWithRetry(`${repo}:t1`, () => builder.push(`${repo}:t1`), { onOutput: () => undefined });
      assert.deepEqual(await tags(), ['t1']);
    });

    await t.test('with the registry killed, the push reports it and retries; restarted, the push succeeds', async () => {
      await stopRegistry();
      const out: string[] = [];
      const pushing = pushWithRetry(`${repo}:t2`, () => builder.push(`${repo}:t2`), { onOutput: (l) => out.push(l) });
      const failed = await until('the push to report the registry down', 60_000, () => out.find((l) => l.startsWith('Push failed')));
      assert.match(failed, new RegExp(`^Push failed: the registry ${host.replace(/\./g, '\\.')} is not reachable \\(.*connection refused.*\\); retrying in \\d+ s \\(attempt 2 of 6\\)$`));
      await startRegistry();
      await pushing;
      assert.match(out.at(-1)!, new RegExp(`^Pushed ${repo.replace(/\./g, '\\.')}:t2 \\(attempt \\d\\)$`));
      assert.deepEqual((await tags()).sort(), ['t1', 't2']);
    });
  } finally {
    await stopRegistry();
    for (const tag of ['t1', 't2']) await docker.getImage(`${repo}:${tag}`).remove().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
