import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configMap, deployment, fails, k8s, ok, service } from './helpers';

test('one resource per workload; Services attach by selector; the rest is uncategorized and first', () => {
  const r = ok(`
docker_build('api-img', '.')
k8s_yaml(['all.yaml'])
`, { 'all.yaml': [configMap('shared'), service('api', 'app: api'), deployment('api', 'api-img:1.0'), deployment('redis', 'redis:7'), service('redis', 'app: redis'), service('orphan', 'app: nothing')].join('---\n') });
  assert.deepEqual(r.plan.resources.map((x) => x.name), ['uncategorized', 'api', 'redis']);
  assert.deepEqual(k8s(r, 'api').objects.map((o) => o.kind), ['Service', 'Deployment']);
  assert.deepEqual(k8s(r, 'api').imageRefs, ['api-img']);
  assert.deepEqual(k8s(r, 'redis').imageRefs, []);
  assert.equal(k8s(r, 'redis').podReadiness, 'wait');
  assert.deepEqual(k8s(r, 'uncategorized').objects.map((o) => o.metadata.name), ['shared', 'orphan']);
  assert.equal(k8s(r, 'uncategorized').podReadiness, 'ignore');
});

test('a Service in another namespace does not attach', () => {
  const r = ok(`k8s_yaml('all.yaml')`, { 'all.yaml': [deployment('api', 'x', { ns: 'a' }), service('api', 'app: api', 'b')].join('---\n') });
  assert.deepEqual(k8s(r, 'api').objects.map((o) => o.kind), ['Deployment']);
});

test('images match by name ignoring tag and docker.io; also in init containers and with match_in_env_vars', () => {
  const withEnv = deployment('runner', 'busybox', { env: '          env:\n            - {name: JOB_IMAGE, value: "job-img:latest"}\n' });
  const init = deployment('db', 'docker.io/library/postgres:16').replace('      containers:', '      initContainers:\n        - {name: migrate, image: migrate-img}\n      containers:');
  const r = ok(`
docker_build('job-img', '.', match_in_env_vars=True)
docker_build('migrate-img', '.')
docker_build('postgres', '.')
k8s_yaml(['runner.yaml', 'db.yaml'])
`, { 'runner.yaml': withEnv, 'db.yaml': init });
  assert.deepEqual(k8s(r, 'runner').imageRefs, ['job-img']);
  assert.deepEqual(k8s(r, 'db').imageRefs, ['migrate-img', 'postgres']);
});

test('base images built by Tilt come first (FROM dependency)', () => {
  const r = ok(`
docker_build('base', 'base')
docker_build('app', 'app')
k8s_yaml('app.yaml')
`, { 'base/Dockerfile': 'FROM debian\n', 'app/Dockerfile': 'FROM base:latest AS build\nFROM scratch\n', 'app.yaml': deployment('app', 'app') });
  assert.deepEqual(k8s(r, 'app').imageRefs, ['base', 'app']);
  assert.deepEqual(r.plan.images.find((i) => i.ref === 'app')!.imageDeps, ['base']);
  assert.equal(r.plan.warnings.length, 0);
});

test('unique names: name, then name:kind, then name:kind:namespace', () => {
  const cron = `apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: web\nspec:\n  schedule: "* * * * *"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers: [{name: c, image: x}]\n`;
  const r = ok(`k8s_yaml('all.yaml')`, { 'all.yaml': [deployment('web', 'x'), cron, deployment('api', 'x', { ns: 'a' }), deployment('api', 'x', { ns: 'b' })].join('---\n') });
  assert.deepEqual(r.plan.resources.map((x) => x.name), ['web:deployment', 'web:cronjob', 'api:deployment:a', 'api:deployment:b']);
});

test('warnings: unused image (with a suggestion), conflicting port forwards; suppression', () => {
  const r = ok(`
docker_build('gcr.io/fooo', '.')
k8s_yaml(['a.yaml', 'b.yaml'])
k8s_resource('a', port_forwards=8080)
k8s_resource('b', port_forwards='8080:80')
`, { 'a.yaml': deployment('a', 'gcr.io/foo'), 'b.yaml': deployment('b', 'nginx') });
  const msgs = r.plan.warnings.map((w) => w.message);
  assert.ok(msgs.some((m) => m === 'Image not used in any deploy config:\n    ✕ gcr.io/fooo\nDid you mean…\n    - gcr.io/foo\nSkipping this image build'), msgs.join('\n'));
  assert.ok(msgs.some((m) => /Port forward conflict: local port 8080 is forwarded by both "a" and "b"/.test(m)));
  const w = r.plan.warnings.find((x) => x.message.startsWith('Port forward'))!;
  assert.equal(w.pos?.line, 5);
  const r2 = ok(`docker_build('unused', '.')\nupdate_settings(suppress_unused_image_warnings=['unused'])`);
  assert.equal(r2.plan.warnings.length, 0);
});

test('renames, resource_deps validation and cycles', () => {
  const files = { 'a.yaml': deployment('a', 'x'), 'b.yaml': deployment('b', 'y') };
  const r = ok(`k8s_yaml(['a.yaml', 'b.yaml'])\nk8s_resource('a', new_name='alpha', resource_deps=['b'])`, files);
  assert.deepEqual(r.plan.resources.map((x) => x.name), ['alpha', 'b']);
  fails(`k8s_yaml(['a.yaml', 'b.yaml'])\nk8s_resource('a', resource_deps=['zzz'])`, /resource a specified a dependency on unknown resource zzz/, files);
  fails(`k8s_yaml(['a.yaml', 'b.yaml'])\nk8s_resource('a', resource_deps=['b'])\nk8s_resource('b', resource_deps=['a'])`, /resource_deps form a cycle: a -> b -> a/, files);
  fails(`k8s_yaml(['a.yaml', 'b.yaml'])\nk8s_resource('a', new_name='b')`, /Resource name "b" is used by more than one resource/, files);
  fails(`k8s_yaml('a.yaml')\nlocal_resource('a', 'true')`, /Resource name "a" is used by more than one resource/, files);
});

test('global trigger_mode applies to resources that do not set one, whenever it is called', () => {
  const r = ok(`
k8s_yaml('a.yaml')
local_resource('l', 'true')
local_resource('m', 'true', trigger_mode=TRIGGER_MODE_AUTO)
trigger_mode(TRIGGER_MODE_MANUAL)
`, { 'a.yaml': deployment('a', 'x') });
  assert.deepEqual(r.plan.resources.map((x) => [x.name, x.triggerMode]), [['a', 'manual'], ['l', 'manual'], ['m', 'auto']]);
  assert.equal(r.plan.settings.triggerMode, 'manual');
  fails(`trigger_mode(TRIGGER_MODE_MANUAL)\ntrigger_mode(TRIGGER_MODE_AUTO)`, /trigger_mode can only be called once/);
});

test('objects are in apply order inside a resource', () => {
  const r = ok(`k8s_yaml('all.yaml')`, { 'all.yaml': [deployment('a', 'x'), service('a', 'app: a'), configMap('c'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns\n'].join('---\n') });
  assert.deepEqual(k8s(r, 'uncategorized').objects.map((o) => o.kind), ['Namespace', 'ConfigMap']);
  assert.deepEqual(k8s(r, 'a').objects.map((o) => o.kind), ['Service', 'Deployment']);
});

test('secrets: Secret data (base64) and stringData are collected; secret_settings(disable_scrub=True) turns it off', () => {
  const secret = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  password: ${Buffer.from('hunter2').toString('base64')}\nstringData:\n  token: abc123\n`;
  const r = ok(`k8s_yaml('s.yaml')`, { 's.yaml': secret });
  assert.deepEqual(r.plan.secrets.sort(), ['abc123', 'hunter2']);
  const r2 = ok(`secret_settings(disable_scrub=True)\nk8s_yaml('s.yaml')`, { 's.yaml': secret });
  assert.deepEqual(r2.plan.secrets, []);
  assert.equal(r2.plan.settings.secretScrub, false);
});

test('a docker_build ref with a tag matches only that tag (Tilt RefSelector); without a tag, any tag', () => {
  const r = ok(`
docker_build('app:dev', '.')
docker_build('app:prod', '.')
docker_build('tool', '.')
k8s_yaml(['a.yaml', 'b.yaml', 'c.yaml'])
`, { 'a.yaml': deployment('a', 'app:prod'), 'b.yaml': deployment('b', 'app:other'), 'c.yaml': deployment('c', 'tool:1.2') });
  assert.deepEqual(k8s(r, 'a').imageRefs, ['app:prod']);
  assert.deepEqual(k8s(r, 'b').imageRefs, []);
  assert.deepEqual(k8s(r, 'c').imageRefs, ['tool']);
  assert.ok(r.plan.warnings.some((w) => w.message.includes('✕ app:dev')));
});
