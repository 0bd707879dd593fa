import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { deployment, fails, k8s, ok, project, resource } from './helpers';
import type { K8sCustomDeployResource } from '../../../src/tiltfile/plan';

test('ext://restart_process: docker_build_with_restart records the restart intent', () => {
  const r = ok(`
load('ext://restart_process', 'docker_build_with_restart')
docker_build_with_restart('app', '.', entrypoint='python -m app', live_update=[sync('src', '/app/src')], trigger=['src/reload'], target='dev')
k8s_yaml('app.yaml')
`, { 'app.yaml': deployment('app', 'app'), 'src/x.py': '' });
  const img = r.plan.images[0]!;
  assert.deepEqual(img.entrypoint, ['sh', '-c', 'python -m app']);
  assert.deepEqual(img.restartProcess, { entrypoint: ['sh', '-c', 'python -m app'], restartFile: '/tmp/.restart-proc', triggered: true });
  assert.equal(img.kind === 'docker_build' && img.target, 'dev');
  assert.deepEqual(img.liveUpdate.map((s) => s.kind), ['sync', 'run']);
  const run = img.liveUpdate[1]!;
  assert.ok(run.kind === 'run' && run.triggers.length === 1 && run.triggers[0]!.endsWith('/src/reload') && run.triggers[0]!.startsWith('/'), 'trigger resolved like run(trigger=)');
  fails(`load('ext://restart_process', 'docker_build_with_restart')\ndocker_build_with_restart('app', '.', live_update=[])`, /missing argument for entrypoint/);
  fails(`load('ext://restart_process', 'docker_build_with_restart')\ndocker_build_with_restart('app', '.', entrypoint='x', live_update=[], exit_policy='die')`, /exit_policy must be/);
});

test('ext://restart_process: custom_build_with_restart', () => {
  const r = ok(`
load('ext://restart_process', 'custom_build_with_restart')
custom_build_with_restart('app', 'make', deps=['src'], entrypoint=['/app/server'], live_update=[sync('src', '/app')], restart_file='/tmp/r')
k8s_yaml('app.yaml')
`, { 'app.yaml': deployment('app', 'app'), 'src/x': '' });
  assert.deepEqual(r.plan.images[0]!.restartProcess, { entrypoint: ['/app/server'], restartFile: '/tmp/r' });
});

test('ext://namespace', () => {
  const r = ok(`
load('ext://namespace', 'namespace_create', 'namespace_inject', 'namespace_yaml')
namespace_create('dev')
k8s_yaml(namespace_inject('app.yaml', 'dev'))
print(str(namespace_yaml('other')).count('kind: Namespace'))
`, { 'app.yaml': deployment('app', 'x') });
  assert.deepEqual(r.output, ['1']);
  assert.equal(k8s(r, 'uncategorized').objects[0]!.kind, 'Namespace');
  assert.equal(k8s(r, 'app').objects[0]!.metadata.namespace, 'dev');
  fails(`load('ext://namespace', 'namespace_create')\nnamespace_create('Bad_Name')`, /invalid namespace name/);
});

test('ext://dotenv', () => {
  const r = ok(`
load('ext://dotenv', 'dotenv')
dotenv()
dotenv(fn='other.env')
print(os.getenv('A'), os.getenv('B'), str(local('echo $A', quiet=True, echo_off=True)).strip())
`, { '.env': '# comment\nA=1\nexport B="two words"\n', 'other.env': 'C=3\n' });
  assert.deepEqual(r.output, ['1 two words 1']);
  assert.ok(r.plan.configFiles.includes(join(r.dir, '.env')));
  fails(`load('ext://dotenv', 'dotenv')\ndotenv('missing.env')`, /file not found/);
});

test('ext://uibutton', () => {
  const r = ok(`
load('ext://uibutton', 'cmd_button', 'location', 'text_input', 'bool_input', 'choice_input')
local_resource('db', 'true')
cmd_button('seed', resource='db', argv=['./seed.sh'], text='Seed', icon_name='grass', requires_confirmation=True,
           inputs=[text_input('N', default='10'), bool_input('FAST'), choice_input('MODE', choices=['a', 'b'])], env=['X=1'])
cmd_button('nav', argv='echo hi', location=location.NAV)
`);
  assert.deepEqual(r.plan.buttons[0], {
    name: 'seed', resource: 'db', location: 'resource', text: 'Seed', icon: 'grass', command: ['./seed.sh'], shell: false, dir: r.dir,
    env: { X: '1' }, requiresConfirmation: true,
    inputs: [{ name: 'N', label: undefined, type: 'text', default: '10' }, { name: 'FAST', label: undefined, type: 'bool', default: false },
      { name: 'MODE', label: undefined, type: 'choice', choices: ['a', 'b'], default: 'a' }],
  });
  assert.equal(r.plan.buttons[1]!.location, 'nav');
  assert.equal(r.plan.buttons[1]!.shell, true);
  fails(`load('ext://uibutton', 'cmd_button')\ncmd_button('x', argv=[])`, /argv must not be empty/);
});

test('ext://helm_resource: helm upgrade --install as a k8s_custom_deploy, images via --set', () => {
  const r = ok(`
load('ext://helm_resource', 'helm_resource', 'helm_repo')
docker_build('app-img', '.')
helm_repo('bitnami', 'https://charts.bitnami.com/bitnami')
helm_resource('app', './chart', namespace='dev', image_deps=['app-img'], image_keys=[('image.repository', 'image.tag')],
              flags=['--set', 'replicas=2'], resource_deps=['bitnami'], port_forwards=['8080:80'], labels=['apps'])
`, { 'chart/Chart.yaml': 'name: app\n' });
  const app = resource(r, 'app') as K8sCustomDeployResource;
  assert.equal(app.type, 'k8s_custom_deploy');
  assert.equal(app.applyCmd.shell, true);
  assert.match(app.applyCmd.command[0]!, /^helm upgrade --install --namespace 'dev' --create-namespace --set 'image.repository'="\$\{TILT_IMAGE_0%:\*\}" --set 'image.tag'="\$\{TILT_IMAGE_0##\*:\}" '--set' 'replicas=2' 'app' '.*\/chart' >&2 && helm get manifest --namespace 'dev' 'app'$/);
  assert.deepEqual(app.deleteCmd.command, [`helm uninstall --namespace 'dev' 'app'`]);
  assert.deepEqual(app.imageRefs, ['app-img']);
  assert.deepEqual(app.resourceDeps, ['bitnami']);
  assert.deepEqual(app.portForwards, [{ localPort: 8080, containerPort: 80, host: '' }]);
  assert.deepEqual(app.labels, ['apps']);
  assert.equal(resource(r, 'bitnami').type, 'local');
  assert.equal(r.plan.warnings.length, 0);
  fails(`load('ext://helm_resource', 'helm_resource')\nhelm_resource('a', 'c', image_deps=['x'])`, /image_keys must have one entry per image_deps entry/);
});

test('ext://secret: Secret YAML built natively, values recorded for scrubbing', () => {
  const r = ok(`
load('ext://secret', 'secret_create_generic', 'secret_from_dict', 'secret_yaml_tls', 'secret_create_registry')
secret_create_generic('files', namespace='ns', from_file=['key.txt', 'renamed=other.txt'], from_env_file='s.env')
k8s_yaml(secret_from_dict('d', inputs={'PASSWORD': 'pw-123'}))
k8s_yaml(secret_yaml_tls('tls', 'c.crt', 'c.key'))
secret_create_registry('reg', flags_dict={'docker-server': 'r.io', 'docker-username': 'u', 'docker-password': 'regpass'})
`, { 'key.txt': 'k-value', 'other.txt': 'o-value', 's.env': 'E=env-value\n', 'c.crt': 'CERT', 'c.key': 'KEY' });
  const objs = k8s(r, 'uncategorized').objects;
  assert.deepEqual(objs.map((o) => `${o.metadata.name}:${o.type as string}`), ['files:Opaque', 'd:Opaque', 'tls:kubernetes.io/tls', 'reg:kubernetes.io/dockerconfigjson']);
  const files = objs[0]!.data as Record<string, string>;
  assert.equal(Buffer.from(files['key.txt']!, 'base64').toString(), 'k-value');
  assert.equal(Buffer.from(files.renamed!, 'base64').toString(), 'o-value');
  assert.equal(Buffer.from(files.E!, 'base64').toString(), 'env-value');
  for (const v of ['k-value', 'o-value', 'env-value', 'pw-123', 'CERT', 'KEY', 'regpass']) assert.ok(r.plan.secrets.includes(v), v);
});

test('ext:// not built in: untrusted never fetches; a vendored tilt_modules extension loads as Tilt loads it', () => {
  // Untrusted (and an empty cache): never fetched from the default repository.
  const e = fails(`\nload('ext://git_resource', 'git_checkout')`, /cannot load ext:\/\/git_resource: extension repo "default" \(https:\/\/github.com\/tilt-dev\/tilt-extensions\) is not in the cache .*an untrusted workspace never fetches anything/, {}, { untrusted: true, extensionCacheDir: project({}) });
  assert.equal(e.line, 2);
  const r = ok(`
load('ext://git_resource', 'git_checkout')
git_checkout('https://example.com/repo.git')
load('ext://dotenv', 'dotenv')
`, {
    'tilt_modules/git_resource/Tiltfile': `def git_checkout(url):\n    print('checkout', url)\n`,
    'tilt_modules/dotenv/Tiltfile': `fail('the built-in dotenv wins over the vendored copy')\n`,
  });
  assert.deepEqual(r.output, ['checkout https://example.com/repo.git']);
  assert.ok(r.plan.configFiles.includes(join(r.dir, 'tilt_modules/git_resource/Tiltfile')));
});

test('v1alpha1.extension_repo / extension with a file:// repository', () => {
  const r = ok(`
v1alpha1.extension_repo(name='default', url='file://./exts')
v1alpha1.extension_repo(name='team', url='file://./team-exts')
v1alpha1.extension(name='greeter', repo_name='team', repo_path='tools/greeter')
load('ext://hello', 'hello')
load('ext://greeter', 'greet')
hello()
greet()
`, {
    'exts/hello/Tiltfile': `def hello():\n    print('hello from the default repo')\n`,
    'team-exts/tools/greeter/Tiltfile': `def greet():\n    print('greetings')\n`,
  });
  assert.deepEqual(r.output, ['hello from the default repo', 'greetings']);
  fails(`v1alpha1.extension_repo(name='default', url='')`, /url must not be empty/);
  fails(`v1alpha1.extension(name='x', repo_name='nope')\nload('ext://x', 'y')`, /cannot load ext:\/\/x: extension repo "nope" is not defined/);
  fails(`v1alpha1.extension_repo(name='default', url='file://./exts')\nload('ext://nope', 'y')`, /cannot load ext:\/\/nope: no nope\/Tiltfile in extension repo "default" \(file:\/\/.*\/exts\)/, { 'exts/README': '' });
  fails(`v1alpha1.extension_repo(name='default', url='ftp://x')\nload('ext://nope', 'y')`, /unsupported URL/);
});
