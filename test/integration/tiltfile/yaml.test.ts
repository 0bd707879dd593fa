// YAML as Kubernetes reads it, on the real cluster: the same manifest text applied with `kubectl apply -f` and
// through Innerloop (Tiltfile k8s_yaml -> plan -> server-side apply) must store the same values, field by field;
// and encode_yaml output applied with kubectl must store exactly the strings we encoded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyObjects } from '../../../src/engine/k8s/apply';
import { loadTiltfile } from '../../../src/tiltfile/loader';
import type { K8sResource } from '../../../src/tiltfile/plan';
import { clusterClient, kubeconfigPath, waitFor } from '../k8s/cluster';
import { TRICKY } from '../../unit/tiltfile/yamlTable';

const BIN = '/var/lib/innerloop-env/bin';
const GROUP = 'h-tiltfile.innerloop.dev';
const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: yamlprobes.${GROUP}
spec:
  group: ${GROUP}
  scope: Namespaced
  names: {plural: yamlprobes, singular: yamlprobe, kind: YamlProbe}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
`;

function kubectl(args: string[], input?: string): string {
  const r = spawnSync('kubectl', args, {
    encoding: 'utf8', input,
    env: { ...process.env, KUBECONFIG: kubeconfigPath(), PATH: `${BIN}:${process.env.PATH ?? ''}` },
  });
  if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr || r.error?.message}`);
  return r.stdout;
}

/** The manifest text: every tricky scalar, plain, as a value and in a list; plus a real int field (defaultMode). */
function probeYaml(name: string): string {
  return `apiVersion: ${GROUP}/v1
kind: YamlProbe
metadata:
  name: ${name}
values:
${TRICKY.map(([raw], i) => `  k${i}: ${raw}`).join('\n')}
list: [${TRICKY.filter(([raw]) => !raw.includes(':') && !raw.startsWith('=')).map(([raw]) => raw).join(', ')}]
keys:
  on: 1
  n: 2
  "yes": 3
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}-cm
data:
  a: "yes"
---
apiVersion: v1
kind: Pod
metadata:
  name: ${name}-pod
spec:
  restartPolicy: Never
  containers:
  - name: c
    image: localhost:5000/innerloop/busybox:latest
    command: ["true"]
  volumes:
  - name: v
    configMap: {name: ${name}-cm, defaultMode: 0755}
`;
}

test('tricky YAML scalars: kubectl apply -f and Innerloop store the same values on the real cluster', { timeout: 180_000 }, async (t) => {
  const found = await clusterClient();
  if ('skip' in found) { t.skip(found.skip); return; }
  const { client } = found;
  const ns = `h-tiltfile-yaml-${Date.now().toString(36)}`;
  const dir = mkdtempSync(join(tmpdir(), 'h-tiltfile-yaml-'));
  try {
    kubectl(['apply', '-f', '-'], CRD);
    await waitFor('CRD established', 60_000, () => /True/.test(kubectl(['get', 'crd', `yamlprobes.${GROUP}`, '-o', 'jsonpath={.status.conditions[?(@.type=="Established")].status}'])));
    kubectl(['create', 'namespace', ns]);

    // 1. kubectl apply -f
    writeFileSync(join(dir, 'kubectl.yaml'), probeYaml('via-kubectl'));
    kubectl(['apply', '-n', ns, '-f', join(dir, 'kubectl.yaml')]);

    // 2. Innerloop: the Tiltfile reads the same text; the plan's objects go through the engine's apply.
    writeFileSync(join(dir, 'innerloop.yaml'), probeYaml('via-innerloop'));
    writeFileSync(join(dir, 'Tiltfile'), `k8s_yaml('innerloop.yaml')\nk8s_kind('YamlProbe')\n`);
    const r = loadTiltfile(join(dir, 'Tiltfile'));
    assert.equal(r.ok, true, JSON.stringify(r.diagnostics));
    const objects = r.plan.resources.flatMap((x) => (x as K8sResource).objects);
    assert.equal(objects.length, 3);
    await applyObjects(client, objects, { namespace: ns });

    const get = (kind: string, name: string): Record<string, unknown> => JSON.parse(kubectl(['get', '-n', ns, kind, name, '-o', 'json'])) as Record<string, unknown>;
    const a = get(`yamlprobes.${GROUP}`, 'via-kubectl');
    const b = get(`yamlprobes.${GROUP}`, 'via-innerloop');
    const values = a.values as Record<string, unknown>;
    for (const [i, [raw, want]] of TRICKY.entries()) {
      const ours = (b.values as Record<string, unknown>)[`k${i}`];
      if (want === null) {
        // Both read null; kubectl's client-side apply then drops null fields, while server-side apply (the engine's
        // path) stores them. An apply difference, not a YAML one (reported; engine/k8s/apply.ts).
        assert.equal(values[`k${i}`], undefined, `${raw}: kubectl drops nulls`);
        assert.equal(ours, null, `${raw}: innerloop read null`);
        continue;
      }
      assert.deepEqual(ours, values[`k${i}`], `${raw}: innerloop vs kubectl`);
      assert.deepEqual(values[`k${i}`], want, `${raw}: kubectl stored`);
    }
    assert.deepEqual(b.list, a.list);
    assert.deepEqual(b.keys, a.keys);
    assert.deepEqual(a.keys, { true: 1, false: 2, yes: 3 });
    const mode = (o: Record<string, unknown>): unknown => ((o.spec as { volumes: Array<{ configMap: { defaultMode: number } }> }).volumes[0]!.configMap.defaultMode);
    assert.equal(mode(get('pod', 'via-kubectl-pod')), 493);
    assert.equal(mode(get('pod', 'via-innerloop-pod')), 493);

    // 3. What we write round-trips through kubectl: encode_yaml of ambiguous strings, applied with kubectl.
    const strings = TRICKY.map(([raw]) => raw);
    writeFileSync(join(dir, 'Tiltfile'), `
strings = ${JSON.stringify(strings)}
obj = {'apiVersion': '${GROUP}/v1', 'kind': 'YamlProbe', 'metadata': {'name': 'encoded'}, 'values': strings, 'on': 'off'}
print(str(encode_yaml(obj)))
`);
    const enc = loadTiltfile(join(dir, 'Tiltfile'));
    assert.equal(enc.ok, true, JSON.stringify(enc.diagnostics));
    kubectl(['apply', '-n', ns, '-f', '-'], enc.output[0]);
    const c = get(`yamlprobes.${GROUP}`, 'encoded');
    assert.deepEqual(c.values, strings);
    assert.equal(c.on, 'off');
  } finally {
    spawnSync('kubectl', ['delete', 'namespace', ns, '--wait=false'], { env: { ...process.env, KUBECONFIG: kubeconfigPath(), PATH: `${BIN}:${process.env.PATH ?? ''}` } });
    spawnSync('kubectl', ['delete', 'crd', `yamlprobes.${GROUP}`, '--wait=false'], { env: { ...process.env, KUBECONFIG: kubeconfigPath(), PATH: `${BIN}:${process.env.PATH ?? ''}` } });
    rmSync(dir, { recursive: true, force: true });
  }
});
