import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResourceUpdater, imagesInBuildOrder } from '../../../src/engine/update';
import type { ContainerRef } from '../../../src/engine/liveupdate/containerUpdate';
import { fakePorts } from '../../fakes/ports';
import { routedEdits } from '../../fakes/routing';
import type { K8sObject, Plan } from '../../../src/tiltfile/plan';
import { dockerImage, k8sResource, localResource, plan as makePlan } from './planFixtures';

const deployment: K8sObject = {
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api' },
  spec: { template: { metadata: {}, spec: { containers: [{ name: 'api', image: 'api' }] } } },
};

function fixture(opts: { containers?: ContainerRef[]; execExit?: number; planOverride?: (p: Plan) => Plan } = {}) {
  let now = 1000;
  const { images, kube, local } = fakePorts();
  kube.containers = opts.containers ?? [{ pod: 'api-1', container: 'api', containerId: 'c1' }];
  kube.execExit = opts.execExit ?? 0;
  images.result = (i) => ({ clusterRef: `localhost:5000/${i.ref}:innerloop-0123456789abcdef`, buildStartTime: 1, reused: false });
  local.exitCode = 2;
  const img = dockerImage('api', '/repo/api', {
    liveUpdate: [
      { kind: 'fall_back_on', files: ['/repo/api/package.json'] },
      { kind: 'sync', localPath: '/repo/api/src', remotePath: '/app/src' },
    ],
  });
  let p = makePlan('/repo/Tiltfile', [k8sResource('api', { imageRefs: ['api'], objects: [deployment] }), localResource('gen', { cmd: { command: ['make'], shell: false, dir: '/repo', env: {} } })], [img]);
  if (opts.planOverride) p = opts.planOverride(p);
  const output: string[] = [];
  const updater = new ResourceUpdater({
    plan: () => p,
    images,
    kube,
    local,
    exists: () => true,
    output: (_r, l) => output.push(l),
    now: () => now,
  });
  return {
    /** Paths as the watcher routes them for api. */
    edits: (...paths: string[]) => routedEdits(p, 'api', paths),
    updater, built: images.built, execs: kube.execs, gone: kube.gone, output,
    get applied(): K8sObject[][] { return kube.applied.map((a) => a.objects); },
    setContainers: (c: ContainerRef[]) => (kube.containers = c),
    tick: () => (now += 1000),
  };
}

test('initial update builds, injects the built ref and applies', async () => {
  const f = fixture();
  const r = await f.updater.update({ name: 'api', reason: 'initial', edits: [] });
  assert.deepEqual(r, { kind: 'full', reason: undefined });
  assert.deepEqual(f.built, ['api']);
  const c = (f.applied[0][0].spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0];
  assert.equal(c.image, 'localhost:5000/api:innerloop-0123456789abcdef');
});

test('changes under a sync are live-updated without a build', async () => {
  const f = fixture();
  const r = await f.updater.update({ name: 'api', reason: 'changes', edits: f.edits('/repo/api/src/a.ts') });
  assert.equal(r.kind, 'live_update');
  assert.equal(r.error, undefined);
  assert.deepEqual(f.built, []);
  assert.deepEqual(f.execs.map((a) => a.slice(0, 2)), [['c1', 'tar']]);
});

test('high-water marks: each container gets what it missed; a restarted container gets everything since the build', async () => {
  const f = fixture({ containers: [{ pod: 'api-1', container: 'api', containerId: 'c1' }] });
  await f.updater.update({ name: 'api', reason: 'initial', edits: [] }); // image build started at t=1
  f.tick();
  await f.updater.update({ name: 'api', reason: 'changes', edits: f.edits('/repo/api/src/a.ts') });
  f.tick();
  // A second replica appears: it must get a.ts (changed after the build) plus the new b.ts; c1 only b.ts.
  f.setContainers([{ pod: 'api-1', container: 'api', containerId: 'c1' }, { pod: 'api-2', container: 'api', containerId: 'c2' }]);
  f.execs.length = 0;
  const r = await f.updater.update({ name: 'api', reason: 'changes', edits: f.edits('/repo/api/src/b.ts') });
  assert.equal(r.kind, 'live_update');
  assert.deepEqual(f.execs.map((a) => a[0]), ['c1', 'c2']);
  assert.ok(f.output.includes('[api-1/api] copying 1 file(s)') && f.output.includes('[api-2/api] copying 2 file(s)'), f.output.join('\n'));
  // c1 restarts (new container id c3): discovery asks for a resync, which replays a.ts and b.ts.
  f.setContainers([{ pod: 'api-1', container: 'api', containerId: 'c3' }, { pod: 'api-2', container: 'api', containerId: 'c2' }]);
  f.execs.length = 0;
  f.output.length = 0;
  assert.equal(await f.updater.syncNewContainers('api'), undefined);
  assert.deepEqual(f.execs.map((a) => a[0]), ['c3'], 'c2 is already up to date');
  assert.ok(f.output.includes('[api-1/api] copying 2 file(s)'), f.output.join('\n'));
  f.execs.length = 0;
  assert.equal(await f.updater.syncNewContainers('api'), undefined);
  assert.deepEqual(f.execs, [], 'nothing left to replay');
});

test('a container that restarts during the copy is not a rebuild: its replacement gets the files replayed', async () => {
  const f = fixture({ containers: [{ pod: 'api-1', container: 'api', containerId: 'c1' }] });
  await f.updater.update({ name: 'api', reason: 'initial', edits: [] });
  f.built.length = 0;
  f.tick();
  f.gone.add('c1');
  const r = await f.updater.update({ name: 'api', reason: 'changes', edits: f.edits('/repo/api/src/a.ts') });
  assert.equal(r.kind, 'live_update');
  assert.equal(r.error, undefined);
  assert.deepEqual(f.built, [], 'no rebuild');
  assert.ok(f.output.includes('api-1/api: the container restarted during the live update; the changed files will be replayed onto the new container when it runs'), f.output.join('\n'));
  // The restarted container (c2) shows up: the replay sends it a.ts.
  f.setContainers([{ pod: 'api-1', container: 'api', containerId: 'c2' }]);
  f.execs.length = 0;
  assert.equal(await f.updater.syncNewContainers('api'), undefined);
  assert.deepEqual(f.execs.map((a) => a.slice(0, 2)), [['c2', 'tar']]);
});

test('fall_back_on, files outside syncs, missing containers and exec failures fall back to a full build with the reason', async () => {
  const cases: [ReturnType<typeof fixture>, string[], RegExp][] = [
    [fixture(), ['/repo/api/package.json'], /package.json matches fall_back_on/],
    [fixture(), ['/repo/api/Dockerfile'], /api\/Dockerfile is not under any sync path/],
    [fixture({ containers: [] }), ['/repo/api/src/a.ts'], /no running container/],
    [fixture({ execExit: 2 }), ['/repo/api/src/a.ts'], /copying files into api-1\/api failed/],
  ];
  for (const [f, edits, reason] of cases) {
    const r = await f.updater.update({ name: 'api', reason: 'changes', edits: f.edits(...edits) });
    assert.equal(r.kind, 'full');
    assert.match(r.reason ?? '', reason);
    assert.deepEqual(f.built, ['api']);
    assert.equal(f.applied.length, 1);
    assert.ok(f.output.some((l) => l.startsWith('Falling back to a full rebuild')));
  }
});

test('local resources report a failing cmd', async () => {
  const r = await fixture().updater.update({ name: 'gen', reason: 'initial', edits: [] });
  assert.deepEqual(r, { kind: 'full', error: 'cmd exited with code 2' });
});

test('images build base-first', () => {
  const p = makePlan('/r/Tiltfile', [], [dockerImage('app', '/r/app', { imageDeps: ['base'] }), dockerImage('base', '/r/base')]);
  assert.deepEqual(imagesInBuildOrder(p, ['app']).map((i) => i.ref), ['base', 'app']);
});

test('restart_process with trigger= restarts only when a trigger file changed (Tilt); without it, after every live update', async () => {
  const withRestart = (triggered: boolean) => (p: Plan): Plan => ({
    ...p,
    images: p.images.map((i) => ({
      ...i,
      restartProcess: { entrypoint: ['node', 'server.js'], restartFile: '/tmp/.restart-proc', ...(triggered ? { triggered: true } : {}) },
      liveUpdate: triggered
        ? [...i.liveUpdate, { kind: 'run' as const, command: ['date > /tmp/.restart-proc'], shell: true, triggers: ['/repo/api/src/server.js'], echoOff: true }]
        : i.liveUpdate,
    })),
  });
  const restarts = (execs: string[][]): number => execs.filter((a) => a.join(' ').includes('/tmp/.restart-proc')).length;

  const t = fixture({ planOverride: withRestart(true) });
  await t.updater.update({ name: 'api', reason: 'changes', edits: t.edits('/repo/api/src/public/index.html') });
  assert.equal(restarts(t.execs), 0, 'a static file: copied, no restart');
  await t.updater.update({ name: 'api', reason: 'changes', edits: t.edits('/repo/api/src/server.js') });
  assert.equal(restarts(t.execs), 1, 'the trigger file: one restart');

  const u = fixture({ planOverride: withRestart(false) });
  await u.updater.update({ name: 'api', reason: 'changes', edits: u.edits('/repo/api/src/public/index.html') });
  assert.equal(restarts(u.execs), 1);
});
