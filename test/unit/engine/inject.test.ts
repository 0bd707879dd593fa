import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { K8sObject } from '../../../src/tiltfile/plan';
import { parseYamlStream } from '../../../src/tiltfile/yaml';
import { injectObjects, MANAGED_BY_LABEL, POD_TEMPLATE_HASH_LABEL, type InjectImage } from '../../../src/engine/deploy/inject';
import { parseImageRef, sameImageName } from '../../../src/engine/deploy/imageRef';
import { parseJsonPath } from '../../../src/engine/deploy/jsonPath';

function load(): K8sObject[] {
  const text = fs.readFileSync(path.join(__dirname, 'fixtures', 'workloads.yaml'), 'utf8');
  return parseYamlStream(text, 'workloads.yaml') as K8sObject[];
}

const API: InjectImage = { matchName: 'localhost:5000/api', ref: 'localhost:5000/api:innerloop-aaaaaaaaaaaaaaaa', matchInEnvVars: false, entrypoint: [] };
const WORKER: InjectImage = { matchName: 'worker', ref: 'localhost:5000/worker:innerloop-bbbbbbbbbbbbbbbb', matchInEnvVars: true, entrypoint: [] };

/** Deep read by a dotted path with [i] indexes, e.g. get(o, 'spec.containers[0].image'). */
function get(o: unknown, p: string): unknown {
  let v = o;
  for (const part of p.replace(/\[(\d+)\]/g, '.$1').split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

test('image refs match by normalised name, ignoring tag and digest', () => {
  assert.equal(parseImageRef('nginx').name, 'docker.io/library/nginx');
  assert.equal(parseImageRef('localhost:5000/api:v1').name, 'localhost:5000/api');
  assert.deepEqual(parseImageRef('localhost:5000/api'), { name: 'localhost:5000/api', tag: undefined, digest: undefined });
  assert.equal(parseImageRef('me/app@sha256:ab').digest, 'sha256:ab');
  assert.equal(sameImageName('worker', 'docker.io/library/worker:5'), true);
  assert.equal(sameImageName('worker', 'me/worker'), false);
});

test('containers, initContainers, CronJob, StatefulSet and Pod images are injected; others untouched', () => {
  const input = load();
  const before = JSON.stringify(input);
  const { objects, injections, unusedImages } = injectObjects(input, { images: [API, WORKER] });
  assert.equal(JSON.stringify(input), before, 'input not mutated');
  const [dep, cron, sts, pod, svc] = objects;
  const c = get(dep, 'spec.template.spec');
  assert.equal(get(c, 'initContainers[0].image'), API.ref);
  assert.equal(get(c, 'containers[0].image'), API.ref);
  assert.equal(get(c, 'containers[0].imagePullPolicy'), 'IfNotPresent');
  assert.equal(get(c, 'containers[1].image'), 'redis:7');
  assert.equal(get(c, 'containers[1].imagePullPolicy'), undefined, 'non-injected container untouched');
  assert.equal(get(c, 'containers[0].env[0].value'), WORKER.ref, 'matchInEnvVars');
  assert.equal(get(cron, 'spec.jobTemplate.spec.template.spec.containers[0].image'), WORKER.ref);
  assert.equal(get(sts, 'spec.template.spec.containers[0].image'), WORKER.ref);
  assert.equal(get(sts, 'spec.podManagementPolicy'), 'Parallel');
  assert.equal(get(pod, 'spec.containers[0].image'), WORKER.ref);
  assert.equal(get(svc, 'spec.selector.app'), 'api');
  assert.deepEqual(unusedImages, []);
  assert.ok(injections.some((i) => i.location === 'spec.template.spec.containers[0].env WORKER_IMAGE'));
  assert.equal(get(c, 'containers[0].env[1].value'), 'redis');
});

test('env values are rewritten only with matchInEnvVars', () => {
  const { objects } = injectObjects(load(), { images: [API, WORKER] });
  assert.equal(get(objects[0], 'spec.template.spec.containers[0].env[0].value'), WORKER.ref);
  const { objects: o2 } = injectObjects(load(), { images: [{ ...WORKER, matchInEnvVars: false }] });
  assert.equal(get(o2[0], 'spec.template.spec.containers[0].env[0].value'), 'worker:latest');
});

test('managed-by labels on objects and pod templates, plus a stable pod-template hash', () => {
  const a = injectObjects(load(), { images: [API, WORKER] }).objects;
  const b = injectObjects(load(), { images: [API, WORKER] }).objects;
  const labels = (o: unknown, p: string): Record<string, string> => get(o, p) as Record<string, string>;
  for (const o of a) assert.equal(labels(o, 'metadata.labels')[MANAGED_BY_LABEL], 'innerloop', o.kind);
  const tplLabels = labels(a[0], 'spec.template.metadata.labels');
  assert.equal(tplLabels[MANAGED_BY_LABEL], 'innerloop');
  assert.match(tplLabels[POD_TEMPLATE_HASH_LABEL], /^[0-9a-f]{10}$/);
  assert.equal(tplLabels[POD_TEMPLATE_HASH_LABEL], labels(b[0], 'spec.template.metadata.labels')[POD_TEMPLATE_HASH_LABEL]);
  const c = injectObjects(load(), { images: [{ ...API, ref: 'localhost:5000/api:innerloop-cccccccccccccccc' }, WORKER] }).objects;
  assert.notEqual(labels(c[0], 'spec.template.metadata.labels')[POD_TEMPLATE_HASH_LABEL], tplLabels[POD_TEMPLATE_HASH_LABEL]);
  assert.ok(labels(a[1], 'spec.jobTemplate.spec.template.metadata.labels')[POD_TEMPLATE_HASH_LABEL]);
});

test('entrypoint overrides command and drops args; container_args sets args', () => {
  const withEp = injectObjects(load(), { images: [{ ...API, entrypoint: ['/bin/app', '--dev'] }] }).objects;
  const c0 = get(withEp[0], 'spec.template.spec.containers[0]');
  assert.deepEqual(get(c0, 'command'), ['/bin/app', '--dev']);
  assert.equal(get(c0, 'args'), undefined);
  const withArgs = injectObjects(load(), { images: [{ ...API, entrypoint: ['/bin/app'], containerArgs: ['-v'] }] }).objects;
  assert.deepEqual(get(withArgs[0], 'spec.template.spec.containers[0].args'), ['-v']);
});

test('k8s_kind locators: image_json_path and image_object_json_path', () => {
  const { objects, unusedImages } = injectObjects(load(), {
    images: [API, WORKER, { matchName: 'unused', ref: 'unused:x', matchInEnvVars: false, entrypoint: [] }],
    locators: [
      { kind: 'UselessMachine', imageJsonPath: '{.spec.image}' },
      { kind: 'uselessmachine', imageObjectJsonPath: { path: '{.spec.images[*]}', repoField: 'repo', tagField: 'tag' } },
    ],
  });
  const um = objects[5];
  assert.equal(get(um, 'spec.image'), API.ref);
  assert.deepEqual(get(um, 'spec.images[0]'), { repo: 'localhost:5000/worker', tag: 'innerloop-bbbbbbbbbbbbbbbb' });
  assert.deepEqual(get(um, 'spec.images[1]'), { repo: 'nginx', tag: '1' });
  assert.deepEqual(unusedImages, ['unused']);
});

test('jsonPath parser', () => {
  assert.deepEqual(parseJsonPath('{.spec.containers[*].image}'), [{ key: 'spec' }, { key: 'containers' }, { wildcard: true }, { key: 'image' }]);
  assert.deepEqual(parseJsonPath("{.a['b.c'][2]}"), [{ key: 'a' }, { key: 'b.c' }, { index: 2 }]);
  assert.throws(() => parseJsonPath('{.a[?(@.x)]}'), /unsupported JSONPath/);
});
