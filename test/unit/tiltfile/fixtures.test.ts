// The realistic projects under test/fixtures/ load into the plans their Tiltfiles describe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { loadTiltfile, type LoadResult } from '../../../src/tiltfile/loader';
import type { DockerBuildTarget, K8sResource, LocalResource } from '../../../src/tiltfile/plan';

const fixtures = resolve(__dirname, '../../fixtures');

function loadFixture(name: string, args: string[] = []): LoadResult & { dir: string } {
  const dir = join(fixtures, name);
  const r = loadTiltfile(join(dir, 'Tiltfile'), { args, kubeContext: undefined });
  assert.equal(r.ok, true, JSON.stringify(r.diagnostics, null, 1));
  return { ...r, dir };
}

const k8s = (r: LoadResult, name: string): K8sResource => r.plan.resources.find((x) => x.name === name) as K8sResource;

test('todo-app: two resources with live update, port forwards (incl. debug), labels, deps', () => {
  const r = loadFixture('todo-app');
  assert.deepEqual(r.plan.resources.map((x) => x.name), ['todo-api', 'todo-frontend']);
  const api = k8s(r, 'todo-api');
  assert.deepEqual(api.objects.map((o) => o.kind), ['Service', 'Deployment']);
  assert.deepEqual(api.imageRefs, ['localhost:5000/todo-api']);
  assert.deepEqual(api.portForwards.map((p) => [p.localPort, p.containerPort, p.name]), [[5734, 5000, 'api'], [5678, 5678, 'debug']]);
  assert.deepEqual(api.labels, ['backend']);
  const fe = k8s(r, 'todo-frontend');
  assert.deepEqual(fe.objects.map((o) => o.kind), ['ConfigMap', 'Service', 'Deployment']);
  assert.deepEqual(fe.portForwards.map((p) => [p.localPort, p.containerPort, p.name]), [[3734, 3000, 'app'], [9229, 9229, 'debug']]);
  assert.deepEqual(fe.resourceDeps, ['todo-api']);
  assert.deepEqual(fe.labels, ['frontend']);
  const img = r.plan.images.find((i) => i.ref === 'localhost:5000/todo-api') as DockerBuildTarget;
  assert.equal(img.context, join(r.dir, 'api'));
  assert.deepEqual(img.liveUpdate.map((s) => s.kind), ['fall_back_on', 'sync', 'run']);
  assert.ok(r.plan.k8s.allowedContexts.includes('k3d-dev'));
  assert.ok(r.configFiles.includes(join(r.dir, 'k8s/api.yaml')));
  assert.deepEqual(r.plan.warnings, []);
  // The manifests carry the seed's securityContext.
  const dep = api.objects[1] as unknown as { spec: { template: { spec: { containers: Array<{ securityContext: Record<string, unknown> }> } } } };
  assert.deepEqual(dep.spec.template.spec.containers[0]!.securityContext, { runAsNonRoot: true, runAsUser: 1000, allowPrivilegeEscalation: false, readOnlyRootFilesystem: false });
});

test('seed k3d myapp: live update steps, port forward 8080, global manual trigger with an auto resource', () => {
  const r = loadFixture('seed-k3d-myapp');
  const app = k8s(r, 'myapp');
  assert.deepEqual(app.objects.map((o) => o.kind), ['Service', 'Deployment']);
  assert.deepEqual(app.portForwards, [{ localPort: 8080, containerPort: 8080, host: '' }]);
  assert.equal(app.triggerMode, 'auto');
  assert.equal(r.plan.settings.triggerMode, 'manual');
  assert.deepEqual(r.plan.images[0]!.liveUpdate.map((s) => s.kind), ['fall_back_on', 'sync', 'run']);
});

test('seed k3d myapp with restart_process', () => {
  const r = loadFixture('seed-k3d-myapp-restart');
  assert.deepEqual(r.plan.images[0]!.restartProcess?.restartFile, '/tmp/.restart-proc');
  assert.deepEqual(k8s(r, 'myapp').imageRefs, ['k3d-registry.localhost:5000/myapp']);
});

test('seed companyname: api and web from app.yaml, api forwarded on 5734 with a label', () => {
  const r = loadFixture('seed-companyname');
  assert.deepEqual(r.plan.resources.map((x) => x.name), ['api', 'web']);
  assert.deepEqual(k8s(r, 'api').portForwards, [{ localPort: 5734, containerPort: 5000, host: '' }]);
  assert.deepEqual(k8s(r, 'api').labels, ['backend']);
  assert.deepEqual(k8s(r, 'web').imageRefs, ['companyname/web']);
});

test('ten-services: 10 workloads, helpers from a loaded file, extensions, config args', () => {
  const r = loadFixture('ten-services');
  const names = r.plan.resources.map((x) => x.name);
  assert.deepEqual(names, ['uncategorized', 'gateway', 'users', 'orders', 'payments', 'inventory', 'notifications', 'search', 'web', 'postgres', 'redis', 'codegen', 'docs']);
  assert.equal(r.plan.resources.filter((x) => x.type === 'k8s' && x.name !== 'uncategorized').length, 10);
  assert.equal(r.plan.images.length, 8);
  assert.deepEqual(k8s(r, 'orders').resourceDeps, ['payments', 'inventory', 'postgres']);
  assert.deepEqual(k8s(r, 'redis').objects.map((o) => o.kind), ['ConfigMap', 'Service', 'Deployment']);
  assert.ok(r.plan.secrets.includes('s3cr3t-dev-only'));
  assert.equal(r.plan.buttons[0]!.name, 'seed-db');
  assert.equal((r.plan.resources.find((x) => x.name === 'docs') as LocalResource).readinessProbe?.action.kind, 'http_get');
  assert.deepEqual(r.output, ['shop: 8 services']);
  assert.equal(r.plan.settings.maxParallelUpdates, 4);
  assert.deepEqual(r.plan.warnings, []);

  const some = loadFixture('ten-services', ['web', '--no-db']);
  assert.deepEqual(some.plan.enabledResources, ['uncategorized', 'gateway', 'users', 'orders', 'payments', 'inventory', 'search', 'web']);
  assert.equal(some.plan.resources.some((x) => x.name === 'postgres'), false);
});

test('compose-app: docker_compose services as resources, built image matched, restart_container allowed', () => {
  const r = loadFixture('compose-app');
  assert.deepEqual(r.plan.resources.map((x) => `${x.name}:${x.type}`), ['web:docker_compose', 'redis:docker_compose', 'smoke:local']);
  const web = r.plan.resources[0]!;
  assert.equal(web.type === 'docker_compose' && web.imageRefs[0], 'compose-app/web');
  assert.deepEqual(web.resourceDeps, ['redis']);
  assert.deepEqual(web.labels, ['app']);
  assert.deepEqual(r.plan.images[0]!.liveUpdate.map((s) => s.kind), ['sync', 'restart_container']);
  assert.deepEqual(r.plan.warnings, []);
});
