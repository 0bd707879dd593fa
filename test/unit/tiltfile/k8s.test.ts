import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTiltfile } from '../../../src/tiltfile/loader';
import { configMap, deployment, fails, k8s, ok, project, resource, service } from './helpers';
import type { K8sCustomDeployResource } from '../../../src/tiltfile/plan';

test('k8s_yaml: a path, a list of paths, a blob, a List object; files are recorded', () => {
  const r = ok(`
k8s_yaml('a.yaml')
k8s_yaml(['b.yaml', 'c.yaml'])
k8s_yaml(blob(${JSON.stringify(configMap('from-blob'))}))
k8s_yaml('list.yaml')
`, {
    'a.yaml': deployment('a', 'a'), 'b.yaml': deployment('b', 'b'), 'c.yaml': configMap('c'),
    'list.yaml': `apiVersion: v1\nkind: List\nitems:\n  - ${configMap('l1').replace(/\n/g, '\n    ').trimEnd()}\n`,
  });
  assert.deepEqual(r.plan.resources.map((x) => x.name), ['uncategorized', 'a', 'b']);
  assert.deepEqual(k8s(r, 'uncategorized').objects.map((o) => o.metadata.name), ['c', 'from-blob', 'l1']);
  for (const f of ['a.yaml', 'b.yaml', 'c.yaml', 'list.yaml']) assert.ok(r.plan.configFiles.includes(join(r.dir, f)), f);
});

test('k8s_yaml: errors', () => {
  fails(`k8s_yaml('missing.yaml')`, /^Error in k8s_yaml: error reading yaml file: open \/.*\/missing.yaml: no such file or directory$/);
  fails(`read_yaml('missing.yaml')`, /^Error in read_yaml: error reading yaml file: open \/.*\/missing.yaml: no such file or directory$/);
  fails(`read_yaml_stream('missing.yaml')`, /error reading yaml file: open .*: no such file or directory/);
  fails(`k8s_yaml(blob(''))`, /Empty or Invalid YAML Resource Detected/);
  fails(`k8s_yaml(None)`, /Empty or Invalid YAML Resource Detected/);
  fails(`k8s_yaml(42)`, /got int, want string, blob/);
  fails(`k8s_yaml(blob('kind: Foo\\n'))`, /missing apiVersion or kind/);
  fails(`k8s_yaml(blob('apiVersion: v1\\nkind: ConfigMap\\n'))`, /ConfigMap is missing metadata.name/);
  fails(`k8s_yaml(blob('a: [\\n'))`, /error parsing YAML from blob \(line \d+\)/);
  const d = fails(`k8s_yaml('a.yaml')\nk8s_yaml('a.yaml')`, /Duplicate YAML: a:deployment\nIgnore this error with k8s_yaml\(..., allow_duplicates=True\)/, { 'a.yaml': deployment('a', 'a') });
  assert.equal(d.line, 2);
  ok(`k8s_yaml('a.yaml')\nk8s_yaml('a.yaml', allow_duplicates=True)`, { 'a.yaml': deployment('a', 'a') });
});

test('filter_yaml: by kind, name, labels, namespace, api_version', () => {
  const r = ok(`
all = read_file('all.yaml')
match, rest = filter_yaml(all, kind='Service')
k8s_yaml(match)
m2, r2 = filter_yaml(rest, name='^a$', labels={'tier': 'web'})
print(str(m2).count('kind:'), str(r2).count('kind:'))
m3, _ = filter_yaml('all.yaml', namespace='other', api_version='apps/v1')
print(str(m3).count('kind:'))
`, { 'all.yaml': [deployment('a', 'a'), service('a', 'app: a'), deployment('b', 'b', { ns: 'other' })].join('---\n').replace('name: a\nspec', 'name: a\n  labels: {tier: web}\nspec') });
  assert.deepEqual(r.output, ['1 1', '1']);
  assert.deepEqual(k8s(r, 'uncategorized').objects.map((o) => o.kind), ['Service']);
});

test('k8s_resource: every parameter and every port_forwards form', () => {
  const r = ok(`
k8s_yaml(['a.yaml', 'b.yaml', 'cm.yaml'])
k8s_resource('a', new_name='api',
    port_forwards=[8000, '9000:8080', '0.0.0.0:9001:8081', port_forward(9002, 8082, name='debug', link_path='/debug', host='127.0.0.1')],
    extra_pod_selectors=[{'team': 'x'}], trigger_mode=TRIGGER_MODE_MANUAL, resource_deps=['b'], objects=['cfg'],
    auto_init=False, pod_readiness='ignore', links=['http://localhost:8000', link('http://localhost:9000/x', 'x')],
    labels=['backend', 'team-x'], discovery_strategy='selectors-only')
k8s_resource('b', port_forwards='7000')
`, { 'a.yaml': deployment('a', 'a'), 'b.yaml': deployment('b', 'b'), 'cm.yaml': configMap('cfg') });
  const a = k8s(r, 'api');
  assert.deepEqual(a.portForwards, [
    { localPort: 8000, containerPort: 0, host: '' },
    { localPort: 9000, containerPort: 8080, host: '' },
    { localPort: 9001, containerPort: 8081, host: '0.0.0.0' },
    { localPort: 9002, containerPort: 8082, host: '127.0.0.1', name: 'debug', linkPath: '/debug' },
  ]);
  assert.deepEqual(a.extraPodSelectors, [{ team: 'x' }]);
  assert.equal(a.triggerMode, 'manual');
  assert.deepEqual(a.resourceDeps, ['b']);
  assert.deepEqual(a.objects.map((o) => o.metadata.name), ['cfg', 'a']);
  assert.equal(a.autoInit, false);
  assert.equal(a.podReadiness, 'ignore');
  assert.deepEqual(a.links, [{ url: 'http://localhost:8000' }, { url: 'http://localhost:9000/x', name: 'x' }]);
  assert.deepEqual(a.labels, ['backend', 'team-x']);
  assert.equal(a.discoveryStrategy, 'selectors-only');
  assert.deepEqual(k8s(r, 'b').portForwards, [{ localPort: 7000, containerPort: 0, host: '' }]);
  assert.equal(r.plan.resources.some((x) => x.name === 'uncategorized'), false);
});

test('k8s_resource: manual grouping of non-workload objects with new_name', () => {
  const r = ok(`
k8s_yaml(['cm.yaml', 'crd.yaml'])
k8s_resource(new_name='config', objects=['one:configmap', 'two'], labels=['infra'])
`, { 'cm.yaml': configMap('one') + '---\n' + configMap('two'), 'crd.yaml': 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\n' });
  const c = k8s(r, 'config');
  assert.deepEqual(c.objects.map((o) => o.metadata.name), ['one', 'two']);
  assert.equal(c.podReadiness, 'ignore');
  assert.deepEqual(k8s(r, 'uncategorized').objects.map((o) => o.kind), ['CustomResourceDefinition']);
});

test('k8s_resource: errors', () => {
  const files = { 'a.yaml': deployment('a', 'a'), 'cm.yaml': configMap('one') + '---\n' + configMap('one').replace('ConfigMap', 'Secret') };
  const u = fails(`k8s_yaml('a.yaml')\n\nk8s_resource('nope')`, /k8s_resource specified unknown resource "nope". known k8s resources: a/, files);
  assert.deepEqual([u.line, u.col], [3, 13]);
  fails(`k8s_resource('a')\nk8s_resource('a')`, /k8s_resource already called for a, at .*Tiltfile:1:13/);
  fails(`k8s_resource()`, /doesn't specify a workload or any objects/);
  fails(`k8s_resource(objects=['x'])`, /has only non-workload objects but doesn't provide a new_name/);
  fails(`k8s_yaml(['a.yaml', 'cm.yaml'])\nk8s_resource('a', objects=['zzz'])`, /No object identified by the fragment "zzz" could be found. Possible objects are: one:configmap, one:secret/, files);
  fails(`k8s_yaml(['a.yaml', 'cm.yaml'])\nk8s_resource('a', objects=['one'])`, /"one" matches more than one object/, files);
  fails(`k8s_resource('a', port_forwards='x:1')`, /invalid port forward "x:1"/);
  fails(`k8s_resource('a', port_forwards='1:2:3:4')`, /want 'LOCAL', 'LOCAL:CONTAINER' or 'HOST:LOCAL:CONTAINER'/);
  fails(`k8s_resource('a', port_forwards=70000)`, /port 70000 is not in the valid range \[0-65535\]/);
  fails(`k8s_resource('a', port_forwards='8000:70000')`, /port 70000 is not in the valid range \[0-65535\]/);
  fails(`k8s_resource('a', port_forwards=[1.5])`, /got float, want int, string, or port_forward/);
  fails(`k8s_resource('a', pod_readiness='maybe')`, /Invalid value. Allowed: \{ignore, wait\}. Got: maybe/);
  fails(`k8s_resource('a', trigger_mode='manual')`, /want TRIGGER_MODE_AUTO or TRIGGER_MODE_MANUAL/);
  fails(`k8s_resource('a', labels=['bad label'])`, /invalid label "bad label"/);
  fails(`k8s_resource('a', extra_pod_selectors='x')`, /pod labels must be a dict or a list; got string/);
  fails(`k8s_resource('a', extra_pod_selectors=[{'a': 1}])`, /pod label values must be strings/);
  fails(`k8s_resource('a', links=[3])`, /links: got int, want string or link/);
  fails(`k8s_resource('a', bogus=1)`, /unexpected keyword argument "bogus"/);
  fails(`k8s_resource(name='a')`, /deprecated arguments/);
  fails(`k8s_resource('a', 'a.yaml')`, /second arg looks like a yaml file name/);
  fails(`port_forward(0)`, /local_port 0 is not in the valid range \[0-65535\]/);
  fails(`link('')`, /url must not be empty/);
});

test('k8s_kind: CRD workloads with image_json_path and image_object_json_path', () => {
  const crd = `apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  image: widget-img\n---\napiVersion: example.com/v1\nkind: Gadget\nmetadata:\n  name: g\nspec:\n  img: {repo: gadget-img, tag: v1}\n`;
  const r = ok(`
k8s_kind('Widget', image_json_path='{.spec.image}')
k8s_kind('Gadget', api_version='example.com/v1', image_object_json_path={'json_path': '{.spec.img}', 'repo_field': 'repo', 'tag_field': 'tag'}, pod_readiness='ignore')
docker_build('widget-img', '.')
docker_build('gadget-img', '.')
k8s_yaml('crd.yaml')
`, { 'crd.yaml': crd });
  assert.deepEqual(k8s(r, 'w').imageRefs, ['widget-img']);
  const g = k8s(r, 'g');
  assert.deepEqual(g.imageRefs, ['gadget-img']);
  assert.equal(g.podReadiness, 'ignore');
  assert.equal(r.plan.k8s.imageLocators.length, 2);
  fails(`k8s_kind('')`, /kind must not be empty/);
  fails(`k8s_kind('X', image_json_path='a', image_object_json_path={})`, /Cannot specify both/);
});

test('k8s_custom_deploy: commands, deps, selectors; configured by k8s_resource', () => {
  const r = ok(`
docker_build('app', '.')
k8s_custom_deploy('cd', apply_cmd='kubectl apply -f x.yaml -o yaml', delete_cmd=['kubectl', 'delete', '-f', 'x.yaml'],
    deps=['x.yaml', 'sub'], image_deps=['app'], image_selector='app', live_update=[sync('sub', '/app')],
    apply_env={'A': '1'}, apply_dir='sub', delete_dir='sub')
k8s_resource('cd', port_forwards=8080, labels=['custom'])
`, { 'x.yaml': configMap('x'), 'sub/.keep': '' });
  const c = resource(r, 'cd') as K8sCustomDeployResource;
  assert.equal(c.type, 'k8s_custom_deploy');
  assert.deepEqual(c.applyCmd, { command: ['kubectl apply -f x.yaml -o yaml'], shell: true, dir: join(r.dir, 'sub'), env: { A: '1' } });
  assert.deepEqual(c.deleteCmd.command, ['kubectl', 'delete', '-f', 'x.yaml']);
  assert.equal(c.deleteCmd.shell, false);
  assert.deepEqual(c.deps, [join(r.dir, 'x.yaml'), join(r.dir, 'sub')]);
  assert.deepEqual(c.imageRefs, ['app']);
  assert.equal(c.imageSelector, 'app');
  assert.equal(c.liveUpdate.length, 1);
  assert.deepEqual(c.portForwards, [{ localPort: 8080, containerPort: 0, host: '' }]);
  assert.deepEqual(c.labels, ['custom']);
  assert.equal(r.plan.warnings.length, 0);
  fails(`k8s_custom_deploy('x', apply_cmd='', delete_cmd='y', deps=[])`, /apply_cmd must not be empty/);
  fails(`k8s_custom_deploy('x', 'a', 'b', [], image_selector='i', container_selector='c')`, /cannot specify both image_selector and container_selector/);
  fails(`k8s_custom_deploy('x', 'a', 'b', ['.'], live_update=[sync('.', '/a')])`, /live_update requires image_selector or container_selector/);
});

test('allow_k8s_contexts: the context guard, like Tilt', () => {
  const files = { 'a.yaml': deployment('a', 'a') };
  fails(`k8s_yaml('a.yaml')`, /Stop! prod-cluster might be production/, files, { kubeContext: 'prod-cluster' });
  const r = ok(`allow_k8s_contexts(['prod-cluster', 'other'])\nk8s_yaml('a.yaml')`, files, { kubeContext: 'prod-cluster' });
  assert.deepEqual(r.plan.k8s.allowedContexts, ['prod-cluster', 'other']);
  ok(`k8s_yaml('a.yaml')`, files, { kubeContext: 'kind-kind' });
  ok(`k8s_yaml('a.yaml')`, files, { kubeContext: 'k3d-dev' });
  ok(`local_resource('x', 'true')`, {}, { kubeContext: 'prod-cluster' });
});

test('k8s_context and k8s_namespace read the current context', () => {
  const r = ok(`print(k8s_context())\nprint(k8s_namespace())`, {}, { kubeContext: 'kind-dev' });
  assert.deepEqual(r.output, ['kind-dev', 'default']);
  const kc = 'apiVersion: v1\nkind: Config\ncurrent-context: my-ctx\ncontexts: []\n';
  const r2 = ok(`print(k8s_context())`, { kubeconfig: kc }, { env: { KUBECONFIG: '/nonexistent' } });
  assert.deepEqual(r2.output, ['']);
});

test('helm: clear error when the binary is absent', () => {
  const d = fails(`k8s_yaml(helm('chart'))`, /helm\(\) needs the helm binary, which is not on PATH/, { 'chart/Chart.yaml': 'name: x\n' }, { env: { PATH: '/nonexistent' } });
  assert.equal(d.line, 1);
});

test('helm: runs `helm template` with name, namespace, values and set', () => {
  const fakeHelm = `#!/bin/sh\necho "# args: $*" >&2\ncat <<EOF\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-helm\ndata:\n  args: "$*"\nEOF\n`;
  const dir = project({ Tiltfile: `k8s_yaml(helm('chart', name='rel', namespace='ns', values=['values.yaml'], set=['a=b']))`,
    'chart/Chart.yaml': 'name: x\n', 'values.yaml': 'a: 1\n', 'bin/helm': fakeHelm });
  chmodSync(join(dir, 'bin/helm'), 0o755);
  const r = loadTiltfile(join(dir, 'Tiltfile'), { env: { PATH: `${join(dir, 'bin')}:/usr/bin:/bin` } });
  assert.equal(r.ok, true, JSON.stringify(r.diagnostics));
  const cm = k8s(r, 'uncategorized').objects[0]!;
  assert.equal(cm.metadata.name, 'from-helm');
  assert.equal((cm.data as Record<string, string>).args,
    `template rel ${join(dir, 'chart')} --namespace ns --values ${join(dir, 'values.yaml')} --set a=b --include-crds`);
  assert.ok(r.configFiles.includes(join(dir, 'chart')));
  assert.ok(r.configFiles.includes(join(dir, 'values.yaml')));
});

test('kustomize: runs kubectl kustomize when kustomize is absent; clear error when neither is there', () => {
  fails(`kustomize('k')`, /kustomize\(\) needs the kustomize or kubectl binary/, { 'k/kustomization.yaml': 'resources: []\n' }, { env: { PATH: '/nonexistent' } });
});

test('untrusted: helm, kustomize and local are refused with a diagnostic, the load goes on', () => {
  const r = fails(`x = local('echo hi')\nk8s_yaml(helm('chart'))\ny = kustomize('k')\nprint('still running', str(x) == '')`, /local\(\) is disabled in an untrusted workspace/, {}, { trusted: false });
  const msgs = r.r.diagnostics.map((d) => d.message);
  assert.ok(msgs.includes('helm() is disabled in an untrusted workspace'));
  assert.ok(msgs.includes('kustomize() is disabled in an untrusted workspace'));
  assert.deepEqual(r.r.output, ['still running True']);
});

test('kustomize: renders with the kubectl on PATH', { skip: !process.env.PATH?.split(':').some((d) => existsSync(join(d, 'kubectl'))) }, () => {
  const r = ok(`k8s_yaml(kustomize('k', flags=[]))`, {
    'k/kustomization.yaml': 'resources: [cm.yaml]\nnamePrefix: dev-\n',
    'k/cm.yaml': configMap('settings'),
  });
  assert.deepEqual(k8s(r, 'uncategorized').objects.map((o) => o.metadata.name), ['dev-settings']);
  assert.ok(r.configFiles.includes(join(r.dir, 'k')));
});

test('k8s_image_json_path, workload_to_resource_function, k8s_resource_assembly_version', () => {
  const r = ok(`
k8s_image_json_path('{.spec.runtime.image}', kind='Runner')
docker_build('run-img', '.')
k8s_yaml(blob('apiVersion: x/v1\\nkind: Runner\\nmetadata:\\n  name: r\\nspec:\\n  runtime: {image: run-img}\\n'))
k8s_resource_assembly_version(2)
`);
  assert.deepEqual(k8s(r, 'r').imageRefs, ['run-img']);
  assert.ok(r.plan.warnings.some((w) => /k8s_resource_assembly_version is deprecated/.test(w.message)));
  fails(`k8s_image_json_path('{.a}')`, /kind is required/);
  ok(`workload_to_resource_function(lambda w: w.name)`); // works now: see workloadNames.test.ts
  fails(`k8s_resource_assembly_version(1)`, /only k8s resource assembly version 2 is supported/);
});

test('k8s_yaml: a reload sees edits to a YAML file, and a cached file is not shared between loads', () => {
  const dir = project({ Tiltfile: `k8s_yaml('a.yaml')`, 'a.yaml': configMap('first') });
  const r1 = loadTiltfile(join(dir, 'Tiltfile'));
  k8s(r1, 'uncategorized').objects[0]!.metadata.name = 'mutated-by-a-consumer';
  const r2 = loadTiltfile(join(dir, 'Tiltfile'));
  assert.equal(k8s(r2, 'uncategorized').objects[0]!.metadata.name, 'first');
  writeFileSync(join(dir, 'a.yaml'), configMap('second-version'));
  const r3 = loadTiltfile(join(dir, 'Tiltfile'));
  assert.equal(k8s(r3, 'uncategorized').objects[0]!.metadata.name, 'second-version');
  assert.ok(r3.configFiles.includes(join(dir, 'a.yaml')));
});
