import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterRefFor, parseLocalRegistryHosting, targetRegistry } from '../../../src/engine/k8s/registry';

test('parses the KEP-1755 localRegistryHosting.v1 value', () => {
  const r = parseLocalRegistryHosting('host: "localhost:5001"\nhostFromContainerRuntime: "kind-registry:5000"\nhostFromClusterNetwork: "kind-registry:5000"\nhelp: "https://kind.sigs.k8s.io/docs/user/local-registry/"\n');
  assert.deepEqual(r, { host: 'localhost:5001', hostFromContainerRuntime: 'kind-registry:5000', hostFromClusterNetwork: 'kind-registry:5000', help: 'https://kind.sigs.k8s.io/docs/user/local-registry/' });
  assert.equal(parseLocalRegistryHosting('help: x\n'), undefined);
  assert.equal(parseLocalRegistryHosting(': : :'), undefined);
});

test('no registry: refs unchanged', () => {
  assert.deepEqual(clusterRefFor('myimage:tag', undefined), { pushRef: 'myimage:tag', clusterRef: 'myimage:tag' });
});

test('default_registry: prefix host and escape slashes, keep tag', () => {
  const reg = { host: 'localhost:5000' };
  assert.deepEqual(clusterRefFor('myimage', reg), { pushRef: 'localhost:5000/myimage', clusterRef: 'localhost:5000/myimage' });
  assert.equal(clusterRefFor('gcr.io/proj/api:innerloop-abc', reg).clusterRef, 'localhost:5000/gcr.io_proj_api:innerloop-abc');
  assert.equal(clusterRefFor('docker.io/library/redis:7', reg).clusterRef, 'localhost:5000/redis:7');
  assert.equal(clusterRefFor('org/app', reg).clusterRef, 'localhost:5000/org_app');
});

test('refs already under the registry host are left alone', () => {
  assert.equal(clusterRefFor('localhost:5000/innerloop/busybox:latest', { host: 'localhost:5000' }).clusterRef, 'localhost:5000/innerloop/busybox:latest');
});

test('single_name puts every image under one repository', () => {
  assert.equal(clusterRefFor('frontend:t1', { host: 'aws_account.dkr.ecr/repo', singleName: 'dev' }).clusterRef, 'aws_account.dkr.ecr/repo/dev:t1');
});

test('hostFromContainerRuntime: push to host, reference the runtime host', () => {
  const reg = targetRegistry({ host: 'localhost:5001', hostFromContainerRuntime: 'kind-registry:5000' });
  assert.deepEqual(reg, { host: 'localhost:5001', hostFromCluster: 'kind-registry:5000', singleName: undefined });
  assert.deepEqual(clusterRefFor('api:innerloop-1', reg), { pushRef: 'localhost:5001/api:innerloop-1', clusterRef: 'kind-registry:5000/api:innerloop-1' });
  // same host on both sides: no separate cluster ref
  assert.equal(targetRegistry({ host: 'localhost:5000', hostFromContainerRuntime: 'localhost:5000' })?.hostFromCluster, undefined);
});

test('a discovered registry overrides default_registry', () => {
  assert.equal(targetRegistry({ host: 'localhost:5000' }, { host: 'gcr.io/x' })?.host, 'localhost:5000');
  assert.equal(targetRegistry(undefined, { host: 'gcr.io/x' })?.host, 'gcr.io/x');
  assert.equal(targetRegistry(undefined, undefined), undefined);
});
