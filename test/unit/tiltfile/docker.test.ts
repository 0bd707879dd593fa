import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { deployment, fails, ok } from './helpers';
import type { CustomBuildTarget, DockerBuildTarget } from '../../../src/tiltfile/plan';

const yaml = (img: string): Record<string, string> => ({ 'app.yaml': deployment('app', img) });

test('docker_build: minimal, defaults', () => {
  const r = ok(`docker_build('localhost:5000/app:dev', '.')\nk8s_yaml('app.yaml')`, yaml('localhost:5000/app:dev'));
  const img = r.plan.images[0] as DockerBuildTarget;
  assert.equal(img.kind, 'docker_build');
  assert.equal(img.ref, 'localhost:5000/app:dev');
  assert.equal(img.matchName, 'localhost:5000/app');
  assert.equal(img.context, r.dir);
  assert.equal(img.dockerfile, join(r.dir, 'Dockerfile'));
  assert.deepEqual([img.only, img.ignore, img.entrypoint, img.extraTags, img.liveUpdate], [[], [], [], [], []]);
  assert.equal(img.pull, false);
  assert.equal(img.matchInEnvVars, false);
  assert.equal(img.containerArgs, undefined);
  assert.deepEqual(img.pos, { file: join(r.dir, 'Tiltfile'), line: 1, col: 13 });
});

test('docker_build: every parameter', () => {
  const r = ok(`
docker_build(
    'app', 'src',
    build_args={'A': '1', 'B': 'two'},
    dockerfile='docker/Dockerfile.dev',
    live_update=[sync('src/code', '/app/code')],
    match_in_env_vars=True,
    ignore=['*.log', 'tmp/'],
    only=['code', 'requirements.txt'],
    entrypoint=['python', 'main.py'],
    target='dev',
    ssh='default',
    network='host',
    secret=['id=npm,src=.npmrc'],
    extra_tag=['app:latest', 'app:extra'],
    container_args=['--verbose'],
    cache_from='app:cache',
    pull=True,
    platform='linux/amd64',
    extra_hosts=['db:127.0.0.1'],
)
k8s_yaml('app.yaml')
`, { ...yaml('app'), 'src/code/main.py': '', 'src/requirements.txt': '', 'docker/Dockerfile.dev': 'FROM x\n' });
  const img = r.plan.images[0] as DockerBuildTarget;
  assert.deepEqual(img.buildArgs, { A: '1', B: 'two' });
  assert.equal(img.dockerfile, join(r.dir, 'docker/Dockerfile.dev'));
  assert.equal(img.context, join(r.dir, 'src'));
  assert.deepEqual(img.liveUpdate, [{ kind: 'sync', localPath: join(r.dir, 'src/code'), remotePath: '/app/code' }]);
  assert.equal(img.matchInEnvVars, true);
  assert.deepEqual(img.ignore, ['*.log', 'tmp/']);
  assert.deepEqual(img.only, ['code', 'requirements.txt']);
  assert.deepEqual(img.entrypoint, ['python', 'main.py']);
  assert.equal(img.target, 'dev');
  assert.deepEqual(img.ssh, ['default']);
  assert.equal(img.network, 'host');
  assert.deepEqual(img.secret, ['id=npm,src=.npmrc']);
  assert.deepEqual(img.extraTags, ['app:latest', 'app:extra']);
  assert.deepEqual(img.containerArgs, ['--verbose']);
  assert.deepEqual(img.cacheFrom, ['app:cache']);
  assert.equal(img.pull, true);
  assert.equal(img.platform, 'linux/amd64');
  assert.deepEqual(img.extraHosts, ['db:127.0.0.1']);
  assert.ok(r.plan.configFiles.includes(join(r.dir, 'docker/Dockerfile.dev')));
});

test('docker_build: string entrypoint is shell form; dockerfile_contents from a string or blob', () => {
  const r = ok(`
docker_build('a', '.', entrypoint='npm start', dockerfile_contents='FROM node\\n')
docker_build('b', '.', dockerfile_contents=blob('FROM python\\n'))
k8s_yaml(['a.yaml', 'b.yaml'])
`, { 'a.yaml': deployment('a', 'a'), 'b.yaml': deployment('b', 'b') });
  const [a, b] = r.plan.images as DockerBuildTarget[];
  assert.deepEqual(a!.entrypoint, ['sh', '-c', 'npm start']);
  assert.equal(a!.dockerfileContents, 'FROM node\n');
  assert.equal(a!.dockerfile, undefined);
  assert.equal(b!.dockerfileContents, 'FROM python\n');
});

test('docker_build: errors', () => {
  fails(`docker_build('a', '.', dockerfile='Dockerfile', dockerfile_contents='FROM x')`, /Cannot specify both dockerfile and dockerfile_contents/);
  fails(`docker_build('a', '.', dockerfile_contents=3)`, /dockerfile_contents\): must be string or blob/);
  fails(`docker_build('a', 'nope')`, /Argument 2 \(context\): directory not found/);
  fails(`docker_build('a', 'Dockerfile')`, /the build context must be a directory/);
  fails(`docker_build('a', '.', dockerfile='Missing.dockerfile')`, /error reading dockerfile: file not found/);
  fails(`docker_build('UPPER/case', '.')`, /can't parse "UPPER\/case": invalid reference format/);
  fails(`docker_build('a', '.')\ndocker_build('a', '.')`, /Image for ref "a" has already been defined/);
  fails(`docker_build('a')`, /missing argument for context/);
  fails(`docker_build('a', '.', only=['../outside'])`, /outside the build context/);
  fails(`docker_build('a', '.', build_args={'A': [1]})`, /value for key "A" must be a string/);
  fails(`docker_build('a', '.', pull='yes')`, /for parameter "pull": got string, want bool/);
  fails(`docker_build('a', '.', extra_tag='Bad Tag')`, /extra_tag: can't parse/);
});

test('custom_build: parameters and errors', () => {
  const r = ok(`
custom_build('gcr.io/app', 'ko build ./cmd > $EXPECTED_REF', deps=['cmd', 'go.mod'], tag='dev', disable_push=True,
             skips_local_docker=True, live_update=[sync('cmd', '/ko-app')], match_in_env_vars=True, ignore=['*.md'],
             entrypoint=['/ko-app/cmd'], image_deps=['base'], env={'GOFLAGS': '-mod=vendor'}, dir='cmd')
custom_build('gcr.io/other', ['make', 'image'], ['Makefile'], outputs_image_ref_to='ref.txt')
k8s_yaml(['a.yaml', 'b.yaml'])
`, { 'a.yaml': deployment('a', 'gcr.io/app'), 'b.yaml': deployment('b', 'gcr.io/other'), 'cmd/main.go': '', 'go.mod': '', Makefile: '' });
  const [a, b] = r.plan.images as CustomBuildTarget[];
  assert.equal(a!.kind, 'custom_build');
  assert.deepEqual(a!.command, ['ko build ./cmd > $EXPECTED_REF']);
  assert.equal(a!.shell, true);
  assert.deepEqual(a!.deps, [join(r.dir, 'cmd'), join(r.dir, 'go.mod')]);
  assert.equal(a!.tag, 'dev');
  assert.equal(a!.disablePush, true);
  assert.equal(a!.skipsLocalDocker, true);
  assert.deepEqual(a!.imageDeps, ['base']);
  assert.deepEqual(a!.env, { GOFLAGS: '-mod=vendor' });
  assert.equal(a!.dir, join(r.dir, 'cmd'));
  assert.deepEqual(b!.command, ['make', 'image']);
  assert.equal(b!.shell, false);
  assert.equal(b!.outputsImageRefTo, join(r.dir, 'ref.txt'));
  fails(`custom_build('a', '', ['.'])`, /Argument 2 \(command\) can't be empty/);
  fails(`custom_build('a', 'make', ['.'], tag='x', outputs_image_ref_to='f')`, /Cannot specify both tag and outputs_image_ref_to/);
  fails(`custom_build('a', 'make', ['.'], live_update=[sync('/elsewhere', '/app')])`, /not a child of any watched filepaths/);
});

test('default_registry', () => {
  const r = ok(`default_registry('localhost:5000', host_from_cluster='registry:5000', single_name='dev')`);
  assert.deepEqual(r.plan.k8s.defaultRegistry, { host: 'localhost:5000', hostFromCluster: 'registry:5000', singleName: 'dev' });
  fails(`default_registry('a')\ndefault_registry('b')`, /default registry already defined/);
});

test('live_update steps: all kinds, paths resolved, order enforced', () => {
  const r = ok(`
docker_build('app', '.', live_update=[
    initial_sync(),
    fall_back_on(['package.json', 'Dockerfile']),
    sync('src', '/app/src'),
    run('npm install', trigger='package-lock.json'),
    run(['touch', '/tmp/x'], echo_off=True),
    restart_container(),
])
k8s_yaml('app.yaml')
`, { ...yaml('app'), 'src/index.js': '' });
  const img = r.plan.images[0]!;
  assert.deepEqual(img.liveUpdate, [
    { kind: 'initial_sync' },
    { kind: 'fall_back_on', files: [join(r.dir, 'package.json'), join(r.dir, 'Dockerfile')] },
    { kind: 'sync', localPath: join(r.dir, 'src'), remotePath: '/app/src' },
    { kind: 'run', command: ['npm install'], shell: true, triggers: [join(r.dir, 'package-lock.json')], echoOff: false },
    { kind: 'run', command: ['touch', '/tmp/x'], shell: false, triggers: [], echoOff: true },
    { kind: 'restart_container' },
  ]);
  fails(`docker_build('a', '.', live_update=[sync('.', '/a'), fall_back_on('x')])`, /fall_back_on steps must appear at the start/);
  fails(`docker_build('a', '.', live_update=[restart_container(), sync('.', '/a')])`, /all sync steps must precede/);
  fails(`docker_build('a', '.', live_update=[restart_container(), run('x')])`, /run step is out of order/);
  fails(`docker_build('a', '.', live_update=[sync('.', '/a'), initial_sync()])`, /initial_sync must be the first step/);
  fails(`docker_build('a', '.', live_update=[sync('.', 'relative')])`, /remote_path must be an absolute path/);
  fails(`docker_build('a', '.', live_update=sync('.', '/a'))`, /live_update must be a list of live update steps; got sync/);
  fails(`docker_build('a', '.', live_update=['x'])`, /live_update must contain only live update steps/);
  fails(`docker_build('a', 'sub', live_update=[sync('.', '/a')])`, /sync step source '.*' is not a child of any watched filepaths/, { 'sub/Dockerfile': 'FROM x' });
  fails(`run('')`, /cmd must not be empty/);
});
