import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { Engine } from '../../../src/engine/engine';
import { realClock } from '../../../src/engine/clock';
import type { K8sObject } from '../../../src/tiltfile/plan';
import { dockerImage, k8sResource, localResource, plan as makePlan } from './planFixtures';
import { updateStatus } from '../../../src/shared/status';

async function until(pred: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (pred()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`timed out waiting for ${what}`);
}

test('engine: initial deploy, then an edit under a sync is live-updated; a Tiltfile edit asks for a reload', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'il-engine-'));
  fs.mkdirSync(path.join(root, 'api', 'src'), { recursive: true });
  fs.writeFileSync(path.join(root, 'Tiltfile'), 'docker_build(...)');
  fs.writeFileSync(path.join(root, 'api', 'Dockerfile'), 'FROM x');
  fs.writeFileSync(path.join(root, 'api', 'src', 'a.ts'), 'v1');
  const obj: K8sObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api' }, spec: { template: { spec: { containers: [{ name: 'api', image: 'api' }] } } } };
  const img = dockerImage('api', path.join(root, 'api'), { liveUpdate: [{ kind: 'sync', localPath: path.join(root, 'api', 'src'), remotePath: '/app/src' }] });
  const plan = makePlan(path.join(root, 'Tiltfile'), [k8sResource('api', { imageRefs: ['api'], objects: [obj] })], [img], { secrets: ['supersecret'] });

  const builds: string[] = [];
  const execs: string[][] = [];
  const reloads: string[][] = [];
  let running = [{ pod: 'api-1', container: 'api', containerId: 'c1' }];
  const engine = new Engine({
    clock: realClock,
    watch: { enabled: true, coalesce: { quietMs: 20, maxWaitMs: 500 } },
    images: {
      buildImage: async (i, ctx) => {
        builds.push(i.ref);
        ctx.onOutput('Step 1/1 : FROM x (token supersecret)');
        return { clusterRef: 'localhost:5000/api:innerloop-0000000000000000', buildStartTime: Date.now(), reused: false };
      },
    },
    kube: {
      apply: async () => undefined,
      runningContainers: () => running,
      exec: { exec: async (c, argv: string[], stdin?: Readable) => { stdin?.resume(); execs.push([c.containerId, ...argv]); return { exitCode: 0, output: '' }; } },
    },
    local: { run: async () => ({ exitCode: 0 }) },
    onConfigChanged: (files) => reloads.push(files),
  });
  try {
    engine.tiltfileLoading(plan.tiltfile);
    assert.equal(engine.store.snapshot().session.tiltfile.status, 'loading');
    await engine.setPlan(plan);
    assert.equal(engine.store.snapshot().session.tiltfile.status, 'ok');
    await until(() => updateStatus(engine.store.resource('api')!) === 'ok', 'initial update');
    assert.deepEqual(builds, ['api']);
    const lines = engine.logs.linesSince('api').map((l) => l.text);
    assert.ok(lines.includes('Step 1/1 : FROM x (token [redacted])'), lines.join('\n'));

    fs.writeFileSync(path.join(root, 'api', 'src', 'a.ts'), 'v2');
    await until(() => engine.store.resource('api')?.buildHistory[0]?.kind === 'live_update', 'live update');
    assert.deepEqual(execs.map((a) => a.slice(0, 2)), [['c1', 'tar']]);
    assert.deepEqual(builds, ['api'], 'no rebuild');

    // Discovery reports that the container restarted (new ID): the live-updated file is replayed onto it.
    running = [{ pod: 'api-1', container: 'api', containerId: 'c2' }];
    const pod = (id: string) => [{ name: 'api-1', status: 'Running', ready: true, restarts: 1, containers: [{ name: 'api', id, ready: true, restarts: 1, state: 'running' as const }] }];
    engine.store.updateResource('api', { pods: pod('c2') });
    await until(() => execs.some((a) => a[0] === 'c2'), 'replay onto the restarted container');
    assert.deepEqual(execs.at(-1)?.slice(0, 2), ['c2', 'tar']);
    assert.equal(engine.store.resource('api')?.buildHistory[0]?.edits?.[0], path.join(root, 'api', 'src', 'a.ts'));

    fs.writeFileSync(path.join(root, 'Tiltfile'), 'docker_build(..., changed)');
    await until(() => reloads.length > 0, 'reload request');
    assert.deepEqual(reloads[0], [plan.tiltfile]);
    await engine.waitIdle();
  } finally {
    engine.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('engine: a reload keeps resource state by name, adds and removes resources; a failed load keeps the old plan', async () => {
  const builds: string[] = [];
  const removed: string[] = [];
  const engine = new Engine({
    clock: realClock,
    watch: { enabled: false },
    images: { buildImage: async (i) => { builds.push(i.ref); return { clusterRef: i.ref, buildStartTime: 0, reused: false }; } },
    kube: {
      apply: async () => undefined,
      runningContainers: () => [],
      exec: { exec: async () => ({ exitCode: 0, output: '' }) },
      remove: async (name, ctx) => { removed.push(name); ctx.onOutput(`deployment/${name} deleted`); },
    },
    local: { run: async () => ({ exitCode: 0 }), remove: async (name) => { removed.push(`local:${name}`); } },
    onConfigChanged: () => undefined,
  });
  try {
    await engine.setPlan(makePlan('/r/Tiltfile', [k8sResource('a'), k8sResource('b'), localResource('srv')]));
    await engine.waitIdle();
    const a1 = engine.store.resource('a');
    assert.equal(updateStatus(a1!), 'ok');
    engine.tiltfileLoading('/r/Tiltfile');
    engine.tiltfileFailed('/r/Tiltfile', 'line 3: undefined name', [{ severity: 'error', message: 'undefined name' }]);
    const session = engine.store.snapshot().session.tiltfile;
    assert.equal(session.status, 'error');
    assert.equal(session.diagnostics.length, 1);
    assert.deepEqual(engine.store.snapshot().order, ['a', 'b', 'srv'], 'old resources stay');
    await engine.setPlan(makePlan('/r/Tiltfile', [k8sResource('a', { labels: ['backend'] }), k8sResource('c')]));
    await engine.waitIdle();
    assert.deepEqual(engine.store.snapshot().order, ['a', 'c']);
    assert.equal(engine.store.resource('b'), undefined, 'removed from the store');
    await engine.waitRemovals();
    assert.deepEqual(removed, ['b', 'local:srv'], 'only the dropped resources are cleaned up (objects deleted, serve_cmd stopped)');
    const tfLog = engine.logs.linesSince('(Tiltfile)').map((l) => l.text);
    assert.ok(tfLog.includes('b was removed from the Tiltfile: deleting its objects'), tfLog.join('\n'));
    assert.ok(tfLog.includes('deployment/b deleted'), tfLog.join('\n'));
    assert.equal(engine.store.resource('a')?.buildHistory.at(-1), a1?.buildHistory[0], 'history kept');
    assert.deepEqual(engine.store.resource('a')?.labels, ['backend']);
    assert.equal(engine.store.resource('a')?.buildHistory.length, 1, 'only labels changed: not updated again');
    await engine.setPlan(makePlan('/r/Tiltfile', [k8sResource('a', { labels: ['backend'], links: [{ url: 'http://localhost:9/' }], resourceDeps: ['c'] }), k8sResource('c')]));
    await engine.waitIdle();
    assert.equal(engine.store.resource('a')?.buildHistory.length, 1, 'links and resource_deps changed: no update');
    assert.deepEqual(engine.store.resource('a')?.links, [{ url: 'http://localhost:9/' }], 'links reach the state');
    await engine.setPlan(makePlan('/r/Tiltfile', [k8sResource('a', { labels: ['backend'], objects: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a2' } }] }), k8sResource('c')]));
    await engine.waitIdle();
    assert.equal(engine.store.resource('a')?.buildHistory.length, 2, 'what runs changed (objects): updated again');
    await engine.waitRemovals();
    assert.deepEqual(removed, ['b', 'local:srv'], 'nothing else removed');
    assert.equal(updateStatus(engine.store.resource('c')!), 'ok');
    assert.equal(engine.store.snapshot().session.tiltfile.status, 'ok');
  } finally {
    engine.dispose();
  }
});
