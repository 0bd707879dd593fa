import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fails, ok, resource } from './helpers';
import type { DockerComposeResource } from '../../../src/tiltfile/plan';

const compose = `services:
  web:
    build: ./web
    image: myorg/web
    ports: ["8000:8000"]
    depends_on: [redis]
    environment:
      TAG: \${TAG:-dev}
  redis:
    image: redis:7
  debug:
    image: busybox
    profiles: [debug]
`;

test('docker_compose + dc_resource: one resource per service, images matched, deps from depends_on', () => {
  const r = ok(`
docker_build('myorg/web', 'web')
docker_compose('docker-compose.yml', project_name='Shop')
dc_resource('web', labels=['frontend'], trigger_mode=TRIGGER_MODE_MANUAL, links=['http://localhost:8000'])
dc_resource('redis', new_name='cache', auto_init=False)
`, { 'docker-compose.yml': compose, 'web/Dockerfile': 'FROM x\n' });
  assert.deepEqual(r.plan.resources.map((x) => x.name), ['web', 'cache']);
  const web = resource(r, 'web') as DockerComposeResource;
  assert.equal(web.type, 'docker_compose');
  assert.equal(web.service, 'web');
  assert.deepEqual(web.imageRefs, ['myorg/web']);
  assert.deepEqual(web.labels, ['frontend']);
  assert.equal(web.triggerMode, 'manual');
  assert.deepEqual(web.resourceDeps, ['cache']);
  assert.equal(web.project.name, 'shop');
  assert.deepEqual(web.project.configPaths, [join(r.dir, 'docker-compose.yml')]);
  assert.equal((web.serviceConfig.environment as Record<string, string>).TAG, 'dev');
  const cache = resource(r, 'cache') as DockerComposeResource;
  assert.equal(cache.autoInit, false);
  assert.equal(cache.service, 'redis');
  assert.equal(r.plan.warnings.length, 0);
});

test('docker_compose: profiles, env file, blobs, and errors', () => {
  const r = ok(`docker_compose(['docker-compose.yml', blob('services:\\n  extra:\\n    image: x\\n')], profiles=['debug'], env_file='my.env')`,
    { 'docker-compose.yml': compose, 'my.env': 'TAG=from-env-file\n' });
  assert.deepEqual(r.plan.resources.map((x) => x.name), ['web', 'redis', 'debug', 'extra']);
  const web = resource(r, 'web') as DockerComposeResource;
  assert.equal((web.serviceConfig.environment as Record<string, string>).TAG, 'from-env-file');
  assert.ok(web.project.yaml?.includes('extra'));
  fails(`docker_compose('missing.yml')`, /file not found/);
  fails(`docker_compose('docker-compose.yml')\ndc_resource('nope')`, /no Docker Compose service found with name "nope"/, { 'docker-compose.yml': compose });
  fails(`dc_resource('a')\ndc_resource('a')`, /dc_resource already called for a/);
});
