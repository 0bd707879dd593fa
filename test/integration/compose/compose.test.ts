// A two-service Compose project on the real Docker Engine, without the compose CLI: busybox httpd serving a file,
// and a client that depends_on it (service_healthy) and fetches it by service name. Covers up, the published
// 127.0.0.1 port, recreate on config change, status events, logs, and down leaving nothing with the project label
// behind. (Live update for Compose is not wired: every change is a full update, see src/engine/adapters/compose.ts.)
// Skips when no daemon is reachable or the busybox image is missing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import Dockerode from 'dockerode';
import { ComposeRuntime } from '../../../src/engine/compose/runtime';
import type { ServiceStatus } from '../../../src/engine/compose/status';
import { followServiceLogs, type LogLine } from '../../../src/engine/compose/logs';
import type { ComposeProjectModel } from '../../../src/engine/compose/project';
import { BUSYBOX, dockerProblem } from '../docker';
import { waitFor } from '../k8s/cluster';

const docker = new Dockerode();

function get(port: number, p: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: p, agent: false, timeout: 3_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

test('compose: two services, recreate on config change, logs, down', async (t) => {
  const problem = await dockerProblem(docker);
  if (problem) {
    t.skip(problem);
    return;
  }
  const name = `iltest${process.pid}${Date.now().toString(36)}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'il-compose-'));
  fs.writeFileSync(path.join(dir, 'web.env'), 'GREETING=from-env-file\n');
  const project: ComposeProjectModel = {
    name,
    workingDir: dir,
    configFiles: [path.join(dir, 'compose.yaml')],
    services: {
      web: {
        image: BUSYBOX,
        // Keeps an updated index.html across restarts; logs a line at every start.
        command: ['sh', '-c', 'echo "starting web $GREETING"; mkdir -p /www; [ -f /www/index.html ] || echo hello-v1 > /www/index.html; exec httpd -f -v -p 8080 -h /www'],
        env_file: 'web.env',
        ports: ['8080'],
        volumes: ['data:/data', './shared:/shared:ro'],
        healthcheck: { test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8080/index.html'], interval: '1s', timeout: '2s', retries: 30 },
        stop_grace_period: '1s',
      },
      client: {
        image: BUSYBOX,
        command: 'sh -c "wget -q -O - http://web:8080/index.html; echo fetched; exec sleep 3600"',
        depends_on: { web: { condition: 'service_healthy' } },
        stop_signal: 'SIGKILL',
      },
    },
  };
  const runtime = new ComposeRuntime(docker, { pollMs: 100 });
  const statuses: ServiceStatus[] = [];
  const watch = runtime.watch(name, (s) => statuses.push(s));
  const webLogs: LogLine[] = [];
  const clientLogs: LogLine[] = [];
  const followers = [followServiceLogs(docker, name, 'web', (l) => webLogs.push(l), { pollMs: 100 }), followServiceLogs(docker, name, 'client', (l) => clientLogs.push(l), { pollMs: 100 })];
  t.after(async () => {
    watch.close();
    for (const f of followers) f.close();
    await runtime.down(name, { volumes: true }).catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // ---- up, in dependency order; the client waits for web to be healthy
  const output: string[] = [];
  const results = await runtime.upAll(project, {}, { onOutput: (l) => output.push(l) });
  assert.deepEqual(results.map((r) => [r.plan.service, r.action]), [['web', 'created'], ['client', 'created']]);
  assert.ok(output.some((l) => /warning: port 8080: .*127\.0\.0\.1 only/.test(l)), output.join('\n'));
  assert.ok(fs.existsSync(path.join(dir, 'shared')), 'bind mount source created');

  const web = await runtime.status(name, 'web');
  assert.equal(web.state, 'running');
  assert.equal(web.health, 'healthy');
  assert.equal(web.ports.length, 1);
  assert.equal(web.ports[0]!.hostIp, '127.0.0.1');
  const port = web.ports[0]!.hostPort;
  assert.equal((await get(port, '/index.html')).body, 'hello-v1\n');

  // The client reached web by its service name on the project network.
  await waitFor('client fetched index.html', 30_000, () => clientLogs.some((l) => l.text === 'fetched'));
  assert.ok(clientLogs.some((l) => l.text === 'hello-v1' && l.stream === 'stdout'));
  await waitFor('web start line', 30_000, () => webLogs.some((l) => l.text === 'starting web from-env-file'));
  // httpd -v logs requests on stderr: demultiplexed as such.
  await waitFor('httpd request log on stderr', 30_000, () => webLogs.some((l) => l.stream === 'stderr'));
  await waitFor('running statuses from events', 30_000, () => statuses.some((s) => s.service === 'client' && s.state === 'running'));

  // ---- idempotent up; a config change recreates the container
  assert.equal((await runtime.up(project, 'web')).action, 'unchanged');
  const changed: ComposeProjectModel = { ...project, services: { ...project.services, client: { ...project.services.client, environment: { X: '1' } } } };
  const re = await runtime.up(changed, 'client');
  assert.equal(re.action, 'recreated');
  await waitFor('recreated client fetched again', 30_000, () => clientLogs.filter((l) => l.text === 'fetched').length >= 2);

  // ---- down: containers (newest first), network, and named volumes when asked; nothing left behind
  const down = await runtime.down(name, { volumes: true });
  assert.deepEqual(down.containers, [`${name}-client-1`, `${name}-web-1`]);
  assert.deepEqual(down.networks, [`${name}_default`]);
  assert.deepEqual(down.volumes, [`${name}_data`]);
  const label = `com.docker.compose.project=${name}`;
  assert.deepEqual(await docker.listContainers({ all: true, filters: { label: [label] } }), []);
  assert.deepEqual(await docker.listNetworks({ filters: { label: [label] } }), []);
  assert.deepEqual((await docker.listVolumes({ filters: { label: [label] } })).Volumes ?? [], []);
  await waitFor('missing status after down', 30_000, () => statuses.some((s) => s.service === 'web' && s.state === 'missing'));
});

test('compose: up reports a dependency that exited, and down keeps volumes unless asked', async (t) => {
  const problem = await dockerProblem(docker);
  if (problem) {
    t.skip(problem);
    return;
  }
  const name = `iltestdep${process.pid}${Date.now().toString(36)}`;
  const project: ComposeProjectModel = {
    name, workingDir: os.tmpdir(), configFiles: [],
    services: {
      broken: { image: BUSYBOX, command: ['sh', '-c', 'exit 4'], volumes: ['keep:/keep'] },
      app: { image: BUSYBOX, command: ['sleep', '3600'], depends_on: ['broken'], stop_signal: 'SIGKILL' },
    },
  };
  const runtime = new ComposeRuntime(docker, { pollMs: 100 });
  t.after(async () => {
    await runtime.down(name, { volumes: true }).catch(() => undefined);
  });
  // A dependency that was never started does not block (the orchestrator orders through resource_deps).
  const notes: string[] = [];
  assert.equal((await runtime.up(project, 'app', { onOutput: (l) => notes.push(l) })).action, 'created');
  assert.ok(notes.some((l) => /broken has no container; starting app without waiting/.test(l)), notes.join('\n'));
  await runtime.up(project, 'broken');
  await waitFor('broken exited', 30_000, async () => (await runtime.status(name, 'broken')).state === 'exited');
  const st = await runtime.status(name, 'broken');
  assert.equal(st.runtimeStatus, 'error');
  assert.equal(st.reason, 'exited with code 4');
  await assert.rejects(runtime.up(project, 'app'), /app depends on broken, which exited with code 4/);

  const down = await runtime.down(name);
  assert.deepEqual(down.volumes, []);
  const vols = (await docker.listVolumes({ filters: { label: [`com.docker.compose.project=${name}`] } })).Volumes ?? [];
  assert.deepEqual(vols.map((v) => v.Name), [`${name}_keep`]);
});
