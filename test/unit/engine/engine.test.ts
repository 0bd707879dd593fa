import { mock, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine, resourceFingerprint } from '../../../src/engine/engine';
import { ResourceUpdater } from '../../../src/engine/update';
import { PathRouter } from '../../../src/engine/watch/router';
import { realClock } from '../../../src/engine/clock';
import type { K8sObject } from '../../../src/tiltfile/plan';
import { dockerImage, k8sResource, localResource, plan as makePlan } from './planFixtures';
import { updateStatus } from '../../../src/shared/status';

import { fakePorts, until } from '../../fakes/ports';

const runningPod = (id: string) => [{ name: 'api-1', status: 'Running', ready: true, restarts: 1, containers: [{ name: 'api', id, ready: true, restarts: 1, state: 'running' as const }] }];

test('engine: initial deploy, then an edit under a sync is live-updated; a Tiltfile edit asks for a reload', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'il-engine-'));
  fs.mkdirSync(path.join(root, 'api', 'src'), { recursive: true });
  fs.writeFileSync(path.join(root, 'Tiltfile'), 'docker_build(...)');
  fs.writeFileSync(path.join(root, 'api', 'Dockerfile'), 'FROM x');
  fs.writeFileSync(path.join(root, 'api', 'src', 'a.ts'), 'v1');
  const obj: K8sObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api' }, spec: { template: { spec: { containers: [{ name: 'api', image: 'api' }] } } } };
  const img = dockerImage('api', path.join(root, 'api'), { liveUpdate: [{ kind: 'sync', localPath: path.join(root, 'api', 'src'), remotePath: '/app/src' }] });
  const plan = makePlan(path.join(root, 'Tiltfile'), [k8sResource('api', { imageRefs: ['api'], objects: [obj] })], [img], { secrets: ['supersecret'] });

  const { images, kube, local } = fakePorts();
  images.output = ['Step 1/1 : FROM x (token supersecret)'];
  kube.containers = [{ pod: 'api-1', container: 'api', containerId: 'c1' }];
  const builds = images.built;
  const execs = kube.execs;
  const reloads: string[][] = [];
  const engine = new Engine({
    clock: realClock,
    watch: { enabled: true, coalesce: { quietMs: 20, maxWaitMs: 500 } },
    images,
    kube,
    local,
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
    kube.containers = [{ pod: 'api-1', container: 'api', containerId: 'c2' }];
    engine.store.dispatch({ type: 'pods_observed', name: 'api', pods: runningPod('c2'), runtime: 'ok' });
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
  const { images, kube, local } = fakePorts();
  const engine = new Engine({
    clock: realClock,
    watch: { enabled: false },
    images,
    kube,
    local,
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
    assert.deepEqual([...kube.removed, ...local.removed], ['b', 'local:srv'], 'only the dropped resources are cleaned up (objects deleted, serve_cmd stopped)');
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
    assert.deepEqual([...kube.removed, ...local.removed], ['b', 'local:srv'], 'nothing else removed');
    assert.equal(updateStatus(engine.store.resource('c')!), 'ok');
    assert.equal(engine.store.snapshot().session.tiltfile.status, 'ok');
  } finally {
    engine.dispose();
  }
});

test('engine: a restart replay and a live update of the same resource never run at once (the build controller serialises them)', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'il-engine-race-'));
  fs.mkdirSync(path.join(root, 'api', 'src'), { recursive: true });
  fs.writeFileSync(path.join(root, 'Tiltfile'), 'docker_build(...)');
  fs.writeFileSync(path.join(root, 'api', 'Dockerfile'), 'FROM x');
  fs.writeFileSync(path.join(root, 'api', 'src', 'a.ts'), 'v1');
  fs.writeFileSync(path.join(root, 'api', 'src', 'b.ts'), 'v1');
  const img = dockerImage('api', path.join(root, 'api'), { liveUpdate: [{ kind: 'sync', localPath: path.join(root, 'api', 'src'), remotePath: '/app/src' }] });
  const plan = makePlan(path.join(root, 'Tiltfile'), [k8sResource('api', { imageRefs: ['api'] })], [img]);
  const { images, kube, local } = fakePorts();
  kube.containers = [{ pod: 'api-1', container: 'api', containerId: 'c1' }];
  const engine = new Engine({ clock: realClock, watch: { enabled: true, coalesce: { quietMs: 20, maxWaitMs: 500 } }, images, kube, local, onConfigChanged: () => undefined });
  const api = () => engine.store.resource('api')!;
  try {
    await engine.setPlan(plan);
    await until(() => updateStatus(api()) === 'ok', 'initial update');
    fs.writeFileSync(path.join(root, 'api', 'src', 'a.ts'), 'v2');
    await until(() => api().buildHistory[0]?.kind === 'live_update', 'first live update');

    // The container restarts; its replay of a.ts hangs in the container write.
    kube.hold();
    kube.containers = [{ pod: 'api-1', container: 'api', containerId: 'c2' }];
    engine.store.dispatch({ type: 'pods_observed', name: 'api', pods: runningPod('c2'), runtime: 'ok' });
    await until(() => kube.activeOn('c2') === 1, 'the replay writing to c2');

    // An edit arrives meanwhile: it is recorded, but no update of api starts while the replay runs.
    fs.writeFileSync(path.join(root, 'api', 'src', 'b.ts'), 'v2');
    await until(() => api().pendingChanges.length > 0 || api().currentBuild !== undefined, 'the edit to reach the engine');
    assert.equal(api().currentBuild, undefined, 'no live update beside the replay');
    assert.deepEqual(api().pendingChanges.map((c) => c.path), [path.join(root, 'api', 'src', 'b.ts')]);
    assert.equal(kube.maxConcurrentPerContainer, 1);

    // Once the replay is done, the live update runs, alone.
    kube.open();
    await until(() => api().buildHistory.length === 3, 'the live update after the replay');
    await engine.waitIdle();
    assert.equal(api().buildHistory[0]?.kind, 'live_update');
    assert.equal(api().buildHistory[0]?.error, undefined);
    assert.equal(kube.maxConcurrentPerContainer, 1, 'one writer per container at a time');
    assert.deepEqual(kube.execs.filter((e) => e[0] === 'c2').map((e) => e[1]), ['tar', 'tar'], 'replay, then the live update');
  } finally {
    kube.open();
    engine.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('engine: an edit is routed once and its live update planned once (the updater uses the watcher\'s routing)', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'il-engine-route-'));
  fs.mkdirSync(path.join(root, 'api', 'src'), { recursive: true });
  fs.writeFileSync(path.join(root, 'Tiltfile'), 'docker_build(...)');
  fs.writeFileSync(path.join(root, 'api', 'Dockerfile'), 'FROM x');
  const edited = path.join(root, 'api', 'src', 'a.ts');
  fs.writeFileSync(edited, 'v1');
  const img = dockerImage('api', path.join(root, 'api'), { liveUpdate: [{ kind: 'sync', localPath: path.join(root, 'api', 'src'), remotePath: '/app/src' }] });
  const plan = makePlan(path.join(root, 'Tiltfile'), [k8sResource('api', { imageRefs: ['api'] })], [img]);
  const { images, kube, local } = fakePorts();
  kube.containers = [{ pod: 'api-1', container: 'api', containerId: 'c1' }];
  const routes = mock.method(PathRouter.prototype, 'route');
  // planFiles is private: reach it through the prototype, the one place the updater plans a live update.
  const plans = mock.method(ResourceUpdater.prototype as unknown as { planFiles(plan: unknown, img: unknown, files: readonly string[]): unknown }, 'planFiles');
  const engine = new Engine({ clock: realClock, watch: { enabled: true, coalesce: { quietMs: 20, maxWaitMs: 500 } }, images, kube, local, onConfigChanged: () => undefined });
  const api = () => engine.store.resource('api')!;
  try {
    await engine.setPlan(plan);
    await until(() => updateStatus(api()) === 'ok', 'initial update');
    fs.writeFileSync(edited, 'v2');
    await until(() => api().buildHistory[0]?.kind === 'live_update', 'live update');
    await engine.waitIdle();
    assert.equal(api().buildHistory[0]?.error, undefined);
    assert.equal(routes.mock.calls.filter((c) => c.arguments[0] === edited).length, 1, 'routed once');
    assert.equal(plans.mock.calls.filter((c) => c.arguments[2].includes(edited)).length, 1, 'planned once');
  } finally {
    routes.mock.restore();
    plans.mock.restore();
    engine.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('engine: while the store says the Tiltfile is loading, no update starts; a failed load releases them', async () => {
  const { images, kube, local } = fakePorts();
  const engine = new Engine({ clock: realClock, watch: { enabled: false }, images, kube, local, onConfigChanged: () => undefined });
  const a = () => engine.store.resource('a')!;
  try {
    await engine.setPlan(makePlan('/r/Tiltfile', [k8sResource('a')]));
    await engine.waitIdle();
    assert.equal(a().buildHistory.length, 1);
    engine.tiltfileLoading('/r/Tiltfile');
    engine.trigger('a');
    await engine.waitIdle();
    assert.equal(engine.store.snapshot().session.tiltfile.status, 'loading');
    assert.equal(a().buildHistory.length, 1, 'held while loading');
    assert.equal(a().hold?.kind, 'tiltfile_loading');
    engine.tiltfileFailed('/r/Tiltfile', 'syntax error');
    await until(() => a().buildHistory.length === 2, 'the held update after the failed load');
    assert.equal(a().hold, undefined);
  } finally {
    engine.dispose();
  }
});

test('engine: moving resources and images in the Tiltfile (pos and display order only) does not rebuild', async () => {
  const pos = (line: number) => ({ file: '/r/Tiltfile', line, col: 1 });
  const images = (apiLine: number, webLine: number) => [dockerImage('api', '/r/api', { pos: pos(apiLine) }), dockerImage('web', '/r/web', { pos: pos(webLine) })];
  const before = makePlan('/r/Tiltfile', [k8sResource('api', { imageRefs: ['api'], pos: pos(3) }), k8sResource('web', { imageRefs: ['web'], pos: pos(5) })], images(1, 2));
  const after = makePlan('/r/Tiltfile', [k8sResource('web', { imageRefs: ['web'], pos: pos(4) }), k8sResource('api', { imageRefs: ['api'], pos: pos(12) })], images(10, 1).reverse());
  assert.equal(resourceFingerprint(after, 'api'), resourceFingerprint(before, 'api'));
  assert.equal(resourceFingerprint(after, 'web'), resourceFingerprint(before, 'web'));
  const ports = fakePorts();
  const engine = new Engine({ clock: realClock, watch: { enabled: false }, ...ports, onConfigChanged: () => undefined });
  try {
    await engine.setPlan(before);
    await engine.waitIdle();
    assert.deepEqual(ports.images.built.sort(), ['api', 'web']);
    await engine.setPlan(after);
    await engine.waitIdle();
    assert.deepEqual(engine.store.snapshot().order, ['web', 'api'], 'the new display order is shown');
    assert.deepEqual(ports.images.built.sort(), ['api', 'web'], 'nothing rebuilt');
    assert.deepEqual(['api', 'web'].map((n) => engine.store.resource(n)?.buildHistory.length), [1, 1], 'no update ran');
  } finally {
    engine.dispose();
  }
});
