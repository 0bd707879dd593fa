import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAppliedYaml } from '../../../src/engine/adapters/kube';
import { parseLocalRegistryHosting } from '../../../src/engine/k8s/registry';

test('k8s_custom_deploy apply_cmd output is read with YAML 1.1 rules, as kubectl printed it', () => {
  const text = [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata: {name: cfg}',
    'data: {enabled: "yes"}',
    'binaryData: {}',
    'immutable: no',
    '---',
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata: {name: web, namespace: other}',
    'spec:',
    '  template:',
    '    spec:',
    '      volumes: [{name: v, configMap: {name: cfg, defaultMode: 0755}}]',
    '',
  ].join('\n');
  const [cm, dep] = parseAppliedYaml(text, 'dev');
  assert.equal(cm!.namespace, 'dev');
  assert.equal((cm!.object as unknown as { immutable: unknown }).immutable, false, '`no` is a boolean in YAML 1.1');
  assert.equal(dep!.namespace, 'other');
  const spec = (dep!.object as unknown as { spec: { template: { spec: { volumes: { configMap: { defaultMode: unknown } }[] } } } }).spec;
  assert.equal(spec.template.spec.volumes[0]!.configMap.defaultMode, 493, '0755 is octal in YAML 1.1');
});

test('the local registry ConfigMap is read by the same parser', () => {
  assert.deepEqual(parseLocalRegistryHosting('host: "localhost:5000"\nhostFromClusterNetwork: "registry:5000"\n'), {
    host: 'localhost:5000', hostFromClusterNetwork: 'registry:5000', hostFromContainerRuntime: undefined, help: undefined,
  });
  assert.equal(parseLocalRegistryHosting('host: [unclosed'), undefined);
});
