// Tilt's assembly of image dependencies (FROM / COPY --from another Tiltfile image) and live-update-only images,
// from the Tiltfile to what the engine's updater builds, injects and live-updates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ResourceUpdater } from '../../../src/engine/update';
import { fakePorts } from '../../fakes/ports';
import { routedEdits } from '../../fakes/routing';
import type { ContainerRef } from '../../../src/engine/liveupdate/containerUpdate';
import type { CustomBuildTarget, K8sObject, Plan } from '../../../src/tiltfile/plan';
import { deployment, fails, k8s, ok } from './helpers';

// Tilt's integration/live_update_base_image, with our own files.
const baseImageCase = {
  Tiltfile: '',
  'common/Dockerfile': 'FROM alpine\nRUN mkdir -p /usr/src/common\nADD message.txt /usr/src/common/regular\n',
  'common/message.txt': 'hi\n',
  'app/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n\nWORKDIR /app\nENTRYPOINT busybox httpd -f -p 8000\n',
  'app.yaml': deployment('live-update-base-image', 'gcr.io/w/live-update-base-image-app'),
};
const baseImageTiltfile = `
repo = 'gcr.io/w'
docker_build(repo + '/live-update-base-image-common', 'common')
docker_build(repo + '/live-update-base-image-app', 'app',
             live_update=[sync('common/', '/app/')],
             build_args={'BASE_IMAGE': repo + '/live-update-base-image-common'})
k8s_yaml(['app.yaml'])
k8s_resource('live-update-base-image', new_name='regular', port_forwards='31000:8000')
`;

test("Tilt's live_update_base_image loads: FROM ${BASE_IMAGE} via build_args is a dependency; sync from the base's context is valid", () => {
  const r = ok(baseImageTiltfile, baseImageCase);
  assert.deepEqual(k8s(r, 'regular').imageRefs, ['gcr.io/w/live-update-base-image-common', 'gcr.io/w/live-update-base-image-app']);
  assert.deepEqual(r.plan.images.find((i) => i.ref.endsWith('-app'))!.imageDeps, ['gcr.io/w/live-update-base-image-common']);
  assert.deepEqual(r.plan.warnings, [], 'no "image not used" warning for the base image');
});

test('a sync outside every watched path of the image and its dependencies still fails, at the docker_build call', () => {
  const f = fails(`docker_build('base', 'common')\ndocker_build('app', 'app', live_update=[sync('elsewhere', '/x')])\nk8s_yaml('app.yaml')`,
    /sync step source '.*\/elsewhere' is not a child of any watched filepaths \(.*\/app, .*\/common\)/,
    { 'common/Dockerfile': 'FROM alpine\n', 'app/Dockerfile': 'FROM base\n', 'app.yaml': deployment('app', 'app') });
  assert.equal(f.line, 2);
});

test('COPY --from=<image> is a dependency; ARG defaults apply; stage names are not; unrelated images stay independent', () => {
  const r = ok(`
docker_build('tools', 'tools')
docker_build('base', 'base')
docker_build('app', 'app')
k8s_yaml('app.yaml')
`, {
    'tools/Dockerfile': 'FROM alpine\n', 'base/Dockerfile': 'FROM alpine\n',
    'app/Dockerfile': 'ARG B=base\nFROM ${B} AS tools\nCOPY --from=tools /a /a\nCOPY --from=docker.io/library/tools:latest /t /t\n',
    'app.yaml': deployment('app', 'app'),
  });
  assert.deepEqual(r.plan.images.find((i) => i.ref === 'app')!.imageDeps, ['base', 'tools']);
  assert.deepEqual(k8s(r, 'app').imageRefs, ['base', 'tools', 'app']);
  assert.deepEqual(r.plan.warnings, []);
});

test('an image dependency cycle is an error', () => {
  fails(`docker_build('a', 'a')\ndocker_build('b', 'b')\nk8s_yaml('app.yaml')`, /Image dependency cycle: a -> b -> a/,
    { 'a/Dockerfile': 'FROM b\n', 'b/Dockerfile': 'FROM a\n', 'app.yaml': deployment('app', 'a') });
});

function updater(plan: Plan, containers: ContainerRef[] = [{ pod: 'p', container: 'c', containerId: 'c1' }]) {
  const { images, kube, local } = fakePorts();
  images.result = (i) => ({ clusterRef: `${i.ref}:innerloop-1`, buildStartTime: 1, reused: false });
  kube.containers = containers;
  const u = new ResourceUpdater({ plan: () => plan, images, kube, local, exists: () => true, output: () => undefined, now: () => 2 });
  return {
    u,
    built: images.built,
    execs: kube.execs,
    get applied(): K8sObject[][] {
      return kube.applied.map((a) => a.objects);
    },
  };
}

const imageOf = (objs: K8sObject[]): string => (objs[0]!.spec as { template: { spec: { containers: Array<{ image: string }> } } }).template.spec.containers[0]!.image;

test('engine: base image built first; a change in the base context that the child syncs is live-updated into the child', async () => {
  const r = ok(baseImageTiltfile, baseImageCase);
  const f = updater(r.plan);
  await f.u.update({ name: 'regular', reason: 'initial', edits: [] });
  assert.deepEqual(f.built, ['gcr.io/w/live-update-base-image-common', 'gcr.io/w/live-update-base-image-app']);
  const res = await f.u.update({ name: 'regular', reason: 'changes', edits: routedEdits(r.plan, 'regular', [join(r.dir, 'common/message.txt')]) });
  assert.equal(res.kind, 'live_update', JSON.stringify(res));
  assert.equal(f.built.length, 2, 'no rebuild');
  assert.deepEqual(f.execs.map((e) => e.slice(0, 2)), [['c1', 'tar']]);
});

test("custom_build(command=':', live_update=...) is live-update-only: in the plan, never built or injected, still live-updated", async () => {
  const r = ok(`
custom_build('gcr.io/w/frontend', ':', deps=['src'], live_update=[sync('src', '/app/src')])
custom_build('noop-with-skip', 'true', deps=['src'], skips_local_docker=True, live_update=[sync('src', '/app/src')])
custom_build('real', 'docker build -t $EXPECTED_REF .', deps=['src'], live_update=[sync('src', '/app/src')])
k8s_yaml(['fe.yaml', 'b.yaml', 'c.yaml'])
`, { 'src/a.js': '', 'fe.yaml': deployment('fe', 'gcr.io/w/frontend:v1'), 'b.yaml': deployment('b', 'noop-with-skip'), 'c.yaml': deployment('c', 'real') });
  const byRef = (ref: string): CustomBuildTarget => r.plan.images.find((i) => i.ref === ref) as CustomBuildTarget;
  assert.equal(byRef('gcr.io/w/frontend').liveUpdateOnly, true);
  assert.equal(byRef('noop-with-skip').liveUpdateOnly, true);
  assert.equal(byRef('real').liveUpdateOnly, undefined);
  assert.deepEqual(k8s(r, 'fe').imageRefs, ['gcr.io/w/frontend']);
  assert.deepEqual(r.plan.warnings, []);

  const f = updater(r.plan);
  assert.deepEqual(await f.u.update({ name: 'fe', reason: 'initial', edits: [] }), { kind: 'full', reason: undefined });
  assert.deepEqual(f.built, []);
  assert.equal(imageOf(f.applied[0]!), 'gcr.io/w/frontend:v1', 'the YAML image is left as written');
  const res = await f.u.update({ name: 'fe', reason: 'changes', edits: routedEdits(r.plan, 'fe', [join(r.dir, 'src/a.js')]) });
  assert.equal(res.kind, 'live_update');
  assert.deepEqual(f.built, []);
  assert.equal(f.execs.length > 0, true);
  // An ordinary custom_build is still built and injected.
  await f.u.update({ name: 'c', reason: 'initial', edits: [] });
  assert.deepEqual(f.built, ['real']);
  assert.equal(imageOf(f.applied[1]!), 'real:innerloop-1');
});

test("custom_build(':') without live_update is not live-update-only (Tilt's rule)", () => {
  const r = ok(`custom_build('x', ':', deps=['.'])\nk8s_yaml('x.yaml')`, { 'x.yaml': deployment('x', 'x') });
  assert.equal((r.plan.images[0] as CustomBuildTarget).liveUpdateOnly, undefined);
});
