// YAML as Kubernetes reads it (go-yaml v2 / sigs.k8s.io/yaml, YAML 1.1 resolution), and what we write reading back
// unchanged. test/integration/tiltfile/yaml.test.ts checks the same table against kubectl and the API server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseK8sYaml, parseYamlStream, toYaml } from '../../../src/tiltfile/yaml';
import { ok } from './helpers';
import { TRICKY } from './yamlTable';


test('plain scalars resolve as go-yaml v2 (kubectl) does: octal, 1.1 booleans, underscores, timestamps as strings', () => {
  const text = TRICKY.map(([raw], i) => `k${i}: ${raw}`).join('\n');
  const [doc] = parseYamlStream(text, 't') as [Record<string, unknown>];
  for (const [i, [raw, want]] of TRICKY.entries()) assert.deepEqual(doc[`k${i}`], want, `${raw}`);
  // Quoted scalars are strings; keys resolve too and become their JSON text (the famous `on:` key).
  const [q] = parseYamlStream(`a: '0755'\nb: "yes"\non: 1\nn: 2\n1.0: 3\n`, 't') as [Record<string, unknown>];
  assert.deepEqual(q, { a: '0755', b: 'yes', true: 1, false: 2, 1: 3 });
});

test('manifests: defaultMode 0755 is 493', () => {
  const [o] = parseK8sYaml('apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  volumes:\n  - name: v\n    configMap: {name: c, defaultMode: 0755}\n', 'p.yaml');
  assert.equal(((o!.spec as { volumes: Array<{ configMap: { defaultMode: number } }> }).volumes[0]!.configMap.defaultMode), 493);
});

test('what we write reads back unchanged: ambiguous strings are quoted; encode_yaml sorts keys as Tilt does', () => {
  const strings = TRICKY.map(([raw]) => raw).concat(['', ' lead', 'x: y', '- a', '#c', 'multi\nline', '@at', '`tick', '%p', '!bang', '*star', '&amp']);
  const value = { strings, nums: [493, 0.5, -1, 1e21], bools: [true, false], nil: null, nested: { on: 'on', y: 'n' } };
  const text = toYaml(value);
  assert.deepEqual(parseYamlStream(text, 'rt')[0], value);
  for (const s of ['yes', 'on', 'n', '0755', '08', '1_000', '~', '']) assert.match(text, new RegExp(`- '${s}'\\n`), `${s} quoted`);
  const r = ok(`print(str(encode_yaml({'z': 'yes', 'a': ['0755', 'on', 1]})))`);
  assert.equal(r.output[0], "a:\n- '0755'\n- 'on'\n- 1\nz: 'yes'\n");
  const r2 = ok(`print(decode_yaml(encode_yaml({'v': ['yes', 'off', '0755', '1:20']})) == {'v': ['yes', 'off', '0755', '1:20']})`);
  assert.deepEqual(r2.output, ['True']);
});

test('docker compose files keep YAML 1.2 rules (compose-go reads them with go-yaml v3)', () => {
  const r = ok(`docker_compose('dc.yml')`, { 'dc.yml': 'services:\n  web:\n    image: nginx\n    environment:\n      DEBUG: "yes"\n    labels:\n      enabled: yes\n' });
  const svc = r.plan.resources[0] as unknown as { serviceConfig: { labels: Record<string, unknown> } };
  assert.equal(svc.serviceConfig.labels.enabled, 'yes');
});
