// The todo-app frontend survives its own restarts (issue 15, point 3): five live updates of server.js in a row,
// each restarting node through ext://restart_process. After each, the new code answers over the port forward, in
// the same pod and container (a live update, not a rebuild, no container restart), and the pod is ready before
// the next edit (node is down for a moment during each restart, so back-to-back edits can fail three probes). (`node --watch` served
// the first edit and missed or broke on the later ones.) A temp copy of the fixture, a throwaway namespace, free
// local ports. Skips without a cluster.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { waitFor } from '../k8s/cluster';
import { execInContainer } from '../../../src/engine/k8s/exec';
import type { Session } from '../../../src/engine/session';
import { get, todoEnv, useFreePorts, type TodoEnv } from './harness';

/** server.js with a route answering `token` (replacing the one a previous edit added). */
function withVersionRoute(src: string, token: string): string {
  const route = `app.get('/innerloop-version', (_req, res) => res.send('${token}'));\n`;
  const cleaned = src.replace(/app\.get\('\/innerloop-version'.*\n/, '');
  return cleaned.replace("app.get('/healthz'", `${route}app.get('/healthz'`);
}

describe('todo-app frontend: repeated live updates of server.js', () => {
  let env: TodoEnv | undefined;
  let skip: string | undefined;
  let session: Session;

  before(async () => {
    const e = await todoEnv();
    if ('skip' in e) skip = e.skip;
    else env = e;
  });
  after(async () => {
    await env?.cleanup();
  });

  it('five edits in a row: each is served and the pod stays ready', async (t) => {
    if (!env) return t.skip(skip);
    const ports = await useFreePorts(env.dir);
    const app = `http://127.0.0.1:${ports[3734]}`;
    session = env.session({ subcommand: 'up' });
    await session.start();
    assert.deepEqual(await session.waitCi({ timeoutMs: 300_000 }), { state: 'succeeded' });
    // The frontend pod, once it is ready: its name, its container's restart count and id.
    const readyPod = (what: string): Promise<{ name: string; restarts: number; containerId?: string }> => waitFor(`${what}: the frontend pod ready`, 60_000, async () => {
      const pods = await env!.client.core.listNamespacedPod({ namespace: env!.namespace, labelSelector: 'app=todo-frontend' });
      const live = pods.items.filter((p) => !p.metadata?.deletionTimestamp);
      assert.equal(live.length, 1, `one frontend pod: ${live.map((p) => p.metadata?.name).join(', ')}`);
      const pod = live[0]!;
      if (pod.status?.conditions?.find((c) => c.type === 'Ready')?.status !== 'True') return undefined;
      const c = pod.status?.containerStatuses?.[0];
      return { name: pod.metadata!.name!, restarts: c?.restartCount ?? 0, containerId: c?.containerID };
    }, 250);
    const first = await readyPod('before the edits');
    const file = path.join(env.dir, 'frontend', 'server.js');
    for (let i = 1; i <= 5; i++) {
      const token = `restart-${i}`;
      const edited = Date.now();
      fs.writeFileSync(file, withVersionRoute(fs.readFileSync(file, 'utf8'), token));
      // A restart that fails leaves the old code or nothing answering: this wait then fails.
      await waitFor(`edit ${i} ("${token}") served at ${app}/innerloop-version`, 120_000, async () => (await get(`${app}/innerloop-version`)).body === token, 200);
      const servedAfter = Date.now() - edited;
      const now = await readyPod(`after edit ${i}`);
      assert.deepEqual(now, first, `edit ${i}: same pod and container, no container restart`);
      const r = session.store.resource('todo-frontend');
      assert.equal(r?.buildHistory[0]?.kind, 'live_update', `edit ${i} was live-updated`);
      assert.equal(r?.buildHistory[0]?.error, undefined, `edit ${i}: ${r?.buildHistory[0]?.error}`);
      t.diagnostic(`edit ${i}: served ${servedAfter} ms after the write, pod ${now.name} ready ${Date.now() - edited} ms after it`);
    }
    // The copies and restart tokens went over one reused exec stream (k8s/execSession.ts): its shell, a process whose
    // command line is just "sh", is still there. (The session's exec port once dropped the step options, so every
    // step took a fresh exec and this count was 0.)
    const target = { namespace: env.namespace, pod: first.name, container: 'frontend' };
    const shells = await execInContainer(env.client, target, ['sh', '-c', `for p in /proc/[0-9]*; do [ "$(tr '\\0' ' ' < $p/cmdline 2>/dev/null)" = 'sh ' ] && echo $p; done; true`]);
    assert.equal(shells.stdout.split('\n').filter(Boolean).length, 1, `one reused exec shell in the frontend container: ${shells.stdout}`);
    // For the record: readiness-probe failures during the restarts (a restart's moment without a listener).
    const events = await env.client.core.listNamespacedEvent({ namespace: env.namespace, fieldSelector: `involvedObject.name=${first.name}` });
    for (const e of events.items.filter((x) => x.type === 'Warning')) t.diagnostic(`event: ${e.reason} x${e.count ?? 1}: ${e.message}`);
  });
});
