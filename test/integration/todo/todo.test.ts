// The todo app against the real local cluster (test/env): `ci` brings it up, a Python edit is live-updated
// (same pod, same image, new behaviour over the port forward), a requirements.txt or Dockerfile edit rebuilds and
// rolls the pod, a killed container gets the live-updated files replayed, a broken Tiltfile keeps the app
// running, and down removes everything. Works on a temp copy of the fixture in a throwaway namespace. Skips without a cluster.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { waitFor } from '../k8s/cluster';
import { execInContainer } from '../../../src/engine/k8s/exec';
import type { Session } from '../../../src/engine/session';
import { get, todoEnv, useFreePorts, type TodoEnv } from './harness';
import { runCi } from '../../../src/cli/commands/ci';
import { runDown } from '../../../src/cli/commands/down';

/** The API's port forward, moved to a free local port (another todo-app suite may hold the fixture's 5734). */
let API = '';

let env: TodoEnv | undefined;
let skip: string | undefined;
let session: Session;

function apiPod(): { name: string; image?: string; containerId?: string } {
  const r = session.store.resource('todo-api');
  const pod = r?.pods.find((p) => p.status === 'Running' && p.ready);
  const c = pod?.containers.find((x) => x.name === 'api');
  return { name: pod?.name ?? '', image: c?.image, containerId: c?.id };
}

/** Append a route that returns `token` to app.py (before the __main__ block). */
function addRoute(dir: string, token: string): void {
  const file = path.join(dir, 'api', 'app.py');
  const src = fs.readFileSync(file, 'utf8');
  const route = `\n@app.get("/innerloop-probe")\ndef innerloop_probe():\n    return "${token}"\n\n`;
  const cleaned = src.replace(/\n@app\.get\("\/innerloop-probe"\)\ndef innerloop_probe\(\):\n {4}return "[^"]*"\n\n/, '\n');
  const at = cleaned.indexOf('if __name__');
  fs.writeFileSync(file, at >= 0 ? cleaned.slice(0, at) + route.trimStart() + '\n\n' + cleaned.slice(at) : cleaned + route);
}

async function served(token: string, timeoutMs = 60_000): Promise<void> {
  await waitFor(`"${token}" at ${API}/innerloop-probe`, timeoutMs, async () => (await get(`${API}/innerloop-probe`)).body === token, 100);
}

describe('todo app on the local cluster', { concurrency: false }, () => {
  before(async () => {
    const e = await todoEnv();
    if ('skip' in e) skip = e.skip;
    else {
      env = e;
      API = `http://127.0.0.1:${(await useFreePorts(e.dir))[5734]}`;
    }
  });
  after(async () => {
    await env?.cleanup();
  });

  it('ci brings the app up', async (t) => {
    if (!env) return t.skip(skip);
    session = env.session();
    await session.start();
    const r = await session.waitCi({ timeoutMs: 240_000 });
    assert.deepEqual(r, { state: 'succeeded' });
    const todos = await waitFor('GET /todos over the port forward', 30_000, async () => {
      const res = await get(`${API}/todos`);
      return res.status === 200 ? res : undefined;
    });
    assert.equal(todos.body.trim().startsWith('['), true);
  });

  it('live-updates a Python edit in place', async (t) => {
    if (!env) return t.skip(skip);
    const before = apiPod();
    assert.ok(before.name, 'a ready todo-api pod');
    addRoute(env.dir, 'live-1');
    await served('live-1');
    const afterEdit = apiPod();
    assert.equal(afterEdit.name, before.name, 'same pod');
    assert.equal(afterEdit.image, before.image, 'same image');
    assert.equal(session.store.resource('todo-api')?.buildHistory[0]?.kind, 'live_update');
  });

  it('a requirements.txt edit rebuilds the image and rolls the pod (fall_back_on)', async (t) => {
    if (!env) return t.skip(skip);
    const before = apiPod();
    fs.appendFileSync(path.join(env.dir, 'api', 'requirements.txt'), '# innerloop test\n');
    await waitFor('a new pod with a new image', 120_000, () => {
      const now = apiPod();
      return now.name !== '' && now.name !== before.name && now.image !== before.image;
    });
    const r = session.store.resource('todo-api');
    assert.equal(r?.buildHistory[0]?.kind, 'full', r?.buildHistory[0]?.error);
    assert.ok(session.logs.linesSince('todo-api').some((l) => l.text.includes('requirements.txt')),
      'the log says which file forced the rebuild');
    await served('live-1');
  });

  it('replays live-updated files onto a restarted container', async (t) => {
    if (!env) return t.skip(skip);
    const { name, containerId } = apiPod();
    // Kill the Flask worker: the reloader exits with it, so the kubelet restarts the container from the image
    // (which has no /innerloop-probe route).
    const kill = "import os\nfor p in os.listdir('/proc'):\n  if p.isdigit() and int(p) not in (1, os.getpid()):\n    try:\n      c = open('/proc/%s/cmdline' % p, 'rb').read()\n    except OSError:\n      continue\n    if b'app.py' in c:\n      os.kill(int(p), 9)\n";
    await execInContainer(env.client, { namespace: env.namespace, pod: name, container: 'api' }, ['python3', '-c', kill]).catch(() => undefined);
    await waitFor('a new container', 60_000, () => {
      const now = apiPod();
      return now.containerId !== undefined && now.containerId !== containerId;
    });
    await served('live-1');
    assert.equal(apiPod().name, name, 'same pod, restarted container');
  });

  it('a broken Tiltfile keeps the app running and reports the error', async (t) => {
    if (!env) return t.skip(skip);
    const tf = path.join(env.dir, 'Tiltfile');
    const good = fs.readFileSync(tf, 'utf8');
    fs.writeFileSync(tf, good + '\nk8s_resource(\n');
    await waitFor('the Tiltfile error', 30_000, () => session.store.snapshot().session.tiltfile.status === 'error');
    assert.match(session.store.snapshot().session.tiltfile.error ?? '', /Tiltfile/);
    assert.equal((await get(`${API}/todos`)).status, 200);
    addRoute(env.dir, 'live-2');
    await served('live-2');
    fs.writeFileSync(tf, good);
    await waitFor('the Tiltfile to load again', 30_000, () => session.store.snapshot().session.tiltfile.status === 'ok');
  });

  it('a Dockerfile edit rebuilds the image and rolls the pod', async (t) => {
    if (!env) return t.skip(skip);
    const before = apiPod();
    fs.appendFileSync(path.join(env.dir, 'api', 'Dockerfile'), `ENV INNERLOOP_TEST_REBUILD=${Date.now()}\n`);
    addRoute(env.dir, 'rebuilt');
    await waitFor('a new pod with a new image', 120_000, () => {
      const now = apiPod();
      return now.name !== '' && now.name !== before.name && now.image !== before.image;
    });
    await served('rebuilt');
    assert.equal(session.store.resource('todo-api')?.buildHistory[0]?.kind, 'full');
  });

  it('down removes what the Tiltfile deployed', async (t) => {
    if (!env) return t.skip(skip);
    await session.stop();
    const res = await session.down();
    assert.deepEqual(res.errors, []);
    const deps = await env.client.apps.listNamespacedDeployment({ namespace: env.namespace });
    assert.deepEqual(deps.items.map((d) => d.metadata?.name), []);
    const svcs = await env.client.core.listNamespacedService({ namespace: env.namespace });
    assert.deepEqual(svcs.items.map((d) => d.metadata?.name), []);
  });

  it('the CLI: `innerloop ci` exits 0 with --session-json, `innerloop down` cleans up', async (t) => {
    if (!env) return t.skip(skip);
    const out: string[] = [];
    const io = { stdout: (x: string) => void out.push(x), stderr: (x: string) => void out.push(x), cwd: env.dir };
    const flags = ['--kubeconfig', env.kubeconfig, '--namespace', env.namespace];
    const code = await runCi([...flags, '--session-json', 'session.json', '--timeout', '240'], io);
    assert.equal(code, 0, out.join(''));
    const summary = JSON.parse(fs.readFileSync(path.join(env.dir, 'session.json'), 'utf8')) as { result: { state: string }; resources: { name: string; runtimeStatus: string }[] };
    assert.equal(summary.result.state, 'succeeded');
    assert.deepEqual(summary.resources.map((r) => [r.name, r.runtimeStatus]), [['todo-api', 'ok'], ['todo-frontend', 'ok']]);
    assert.equal(await runDown(flags, io), 0, out.join(''));
    const deps = await env.client.apps.listNamespacedDeployment({ namespace: env.namespace });
    assert.equal(deps.items.length, 0);
  });
});
