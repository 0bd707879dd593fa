import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fails, ok } from './helpers';

test('os module: getcwd, getenv/putenv/unsetenv, environ, name, os.path.*', () => {
  const r = ok(`
print(os.getcwd() == config.main_dir)
print(os.getenv('HOME_X'), os.getenv('NOPE', 'dflt'), os.getenv('NOPE'))
os.putenv('NEW_VAR', 'v')
print(os.getenv('NEW_VAR'), os.environ['HOME_X'], os.name)
os.unsetenv('NEW_VAR')
print(os.getenv('NEW_VAR'))
print(os.path.basename('/a/b.txt'), os.path.dirname('/a/b.txt'), os.path.join('a', 'b', 'c'))
print(os.path.exists('sub'), os.path.exists('missing'), os.path.isdir('sub'), os.path.isfile('sub/f.txt'))
print(os.path.abspath('sub') == os.getcwd() + '/sub', os.path.relpath(os.getcwd() + '/sub/f.txt'))
print(os.path.realpath('sub') == os.path.abspath('sub'))
`, { 'sub/f.txt': 'x' }, { env: { HOME_X: '/home/x', PATH: process.env.PATH } });
  assert.deepEqual(r.output, ['True', '/home/x dflt None', 'v /home/x posix', 'None', 'b.txt /a a/b/c', 'True False True True', 'True sub/f.txt', 'True']);
  assert.ok(r.plan.configFiles.includes(join(r.dir, 'missing')), 'os.path.exists watches the path');
});

test('sys.argv', () => {
  assert.deepEqual(ok(`print(sys.argv)`, {}, { args: ['--x'], subcommand: 'ci' }).output, ['["innerloop", "ci", "--", "--x"]']);
});

test('read_file, watch_file, listdir, blob', () => {
  const r = ok(`
print(str(read_file('a.txt')).strip())
print(read_file('missing.txt', 'fallback'))
print(read_file('missing2.txt', None))
watch_file('watched.cfg')
print([os.path.basename(f) for f in listdir('d')])
print([f[len(os.getcwd()) + 1:] for f in listdir('d', recursive=True)])
b = blob('text')
print(type(b), str(b))
`, { 'a.txt': 'contents\n', 'd/1.txt': '', 'd/2.txt': '', 'd/sub/3.txt': '' });
  assert.deepEqual(r.output, ['contents', 'fallback', 'None', '["1.txt", "2.txt"]', '["d/1.txt", "d/2.txt", "d/sub/3.txt"]', 'blob text']);
  for (const f of ['a.txt', 'missing.txt', 'watched.cfg', 'd']) assert.ok(r.plan.configFiles.includes(join(r.dir, f)), f);
  fails(`read_file('nope.txt')`, /file not found: .*nope.txt/);
  fails(`listdir('nope')`, /file not found/);
});

test('read_json / read_yaml / decode_* / encode_*', () => {
  const r = ok(`
j = read_json('a.json')
y = read_yaml('a.yaml')
print(j['x'], y['list'], read_json('nope.json', default={'d': 1}))
print(len(read_yaml_stream('stream.yaml')))
print(decode_json('{"a": [1, 2.5, true, null]}'))
print(decode_yaml('a: b')['a'], len(decode_yaml_stream('a: 1\\n---\\nb: 2\\n')))
print(str(encode_json({'k': [1, 'two']})).replace('\\n', ' '))
print(str(encode_yaml({'k': 'v'})).strip())
print(str(encode_yaml_stream([{'a': 1}, {'b': 2}])).replace('\\n', ' '))
`, { 'a.json': '{"x": 1}', 'a.yaml': 'list: [1, 2]\n', 'stream.yaml': 'a: 1\n---\nb: 2\n---\nc: 3\n' });
  assert.deepEqual(r.output, [
    '1 [1, 2] {"d": 1}', '3', '{"a": [1, 2.5, True, None]}', 'b 2', '{   "k": [     1,     "two"   ] } ', 'k: v', 'a: 1 --- b: 2 ',
  ]);
  fails(`decode_json('{')`, /error parsing JSON from decode_json/);
  fails(`decode_yaml('a: 1\\n---\\nb: 2\\n')`, /found a stream of 2 documents/);
  fails(`read_yaml('bad.yaml')`, /error parsing YAML from .*bad.yaml \(line 2\)/, { 'bad.yaml': 'a: 1\n b: [\n' });
  fails(`decode_json(3)`, /for parameter "json": got int, want string or blob/);
});

test('warn, fail, exit, print, struct', () => {
  const r = ok(`
warn('careful')
s = struct(a=1, b='x')
print(s.a, s.b)
exit()
fail('not reached')
`);
  assert.deepEqual(r.output, ['WARNING: careful', '1 x']);
  assert.equal(r.plan.warnings[0]!.message, 'careful');
  assert.equal(r.plan.warnings[0]!.pos!.line, 2);
  const f = fails(`\n\nfail('custom failure')`, /Error in fail: custom failure/);
  assert.equal(f.line, 3);
  fails(`exit(2)`, /exit\(2\) called/);
});

test("load(): local files relative to the loading file; symbols, helpers' paths and print", () => {
  const r = ok(`
load('./lib/helpers.star', 'build', 'NAME')
load('lib/helpers.star', alias='NAME')
build(NAME)
print(alias)
`, {
    'lib/helpers.star': `load('./consts.star', 'BASE')\nNAME = BASE + '-svc'\ndef build(name):\n    docker_build(name, '.')\n    print('lib dir', os.getcwd().endswith('/lib'))\n`,
    'lib/consts.star': `BASE = 'app'\n`,
    'app.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers: [{name: c, image: app-svc}]\n',
  });
  assert.deepEqual(r.output, ['lib dir False', 'app-svc']);
  assert.equal(r.plan.images[0]!.ref, 'app-svc');
  assert.ok(r.plan.configFiles.includes(join(r.dir, 'lib/helpers.star')));
  assert.ok(r.plan.configFiles.includes(join(r.dir, 'lib/consts.star')));
  fails(`load('./nope.star', 'x')`, /cannot load .*nope.star: file not found/);
  fails(`load('./a.star', 'x')`, /cycle in load graph/, { 'a.star': `load('./b.star', 'y')\nx = 1\n`, 'b.star': `load('./a.star', 'x')\ny = 2\n` });
  fails(`load('./a.star', 'missing')`, /missing/, { 'a.star': 'x = 1\n' });
});

test('include(): runs another Tiltfile with paths relative to it; load_dynamic returns its globals', () => {
  const r = ok(`
include('./svc/Tiltfile')
d = load_dynamic('./vals.star')
print(d['V'])
`, {
    'svc/Tiltfile': `docker_build('svc', '.')\nk8s_yaml('svc.yaml')\n`,
    'svc/Dockerfile': 'FROM x\n',
    'svc/svc.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: svc\nspec:\n  containers: [{name: c, image: svc}]\n',
    'vals.star': 'V = 42\n',
  });
  assert.deepEqual(r.output, ['42']);
  const img = r.plan.images[0]!;
  assert.equal(img.kind === 'docker_build' && img.context, join(r.dir, 'svc'));
  assert.deepEqual(r.plan.resources.map((x) => x.name), ['svc']);
});

test('settings builtins', () => {
  const r = ok(`
update_settings(max_parallel_updates=5, k8s_upsert_timeout_secs=90, suppress_unused_image_warnings='x', k8s_server_side_apply=True)
watch_settings(ignore=['*.tmp', 'dist/'])
ci_settings(k8s_grace_period='10s', timeout='1h30m', readiness_timeout='90s')
docker_prune_settings(disable=True)
analytics_settings(False)
version_settings(constraint='>=0.30')
disable_snapshots()
`);
  const s = r.plan.settings;
  assert.equal(s.maxParallelUpdates, 5);
  assert.equal(s.k8sUpsertTimeoutSecs, 90);
  assert.deepEqual(s.suppressUnusedImageWarnings, ['x']);
  assert.deepEqual(s.watchIgnore, ['*.tmp', 'dist/']);
  assert.deepEqual(s.ci, { k8sGracePeriodSecs: 10, timeoutSecs: 5400, readinessTimeoutSecs: 90 });
  fails(`update_settings(max_parallel_updates=0)`, /max_parallel_updates must be >= 1/);
  fails(`ci_settings(timeout='soon')`, /timeout: invalid duration "soon"/);
});

test('.tiltignore adds watch ignores; .dockerignore files are recorded', () => {
  const r = ok(`docker_build('a', '.')\nk8s_yaml('a.yaml')`, {
    '.tiltignore': '# comment\n*.log\n\nnode_modules\n', '.dockerignore': 'tmp\n',
    'a.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers: [{name: c, image: a}]\n',
  });
  assert.deepEqual(r.plan.settings.watchIgnore, ['*.log', 'node_modules']);
  assert.ok(r.plan.configFiles.includes(join(r.dir, '.tiltignore')));
  assert.ok(r.plan.configFiles.includes(join(r.dir, '.dockerignore')));
});

test('YAML: dates stay strings, merge keys work, yes/no are booleans (YAML 1.1, as kubectl and Tilt read it)', () => {
  const r = ok(`d = decode_yaml('a: 2024-01-01\\nb: &x {k: 1}\\nc:\\n  <<: *x\\n  e: 2\\nf: yes\\ng: 0755\\n')\nprint(d['a'], d['c'], d['f'], d['g'])`);
  assert.deepEqual(r.output, ['2024-01-01 {"k": 1, "e": 2} True 493']);
});

test('accepted-but-ignored Tilt settings', () => {
  ok(`set_team('abc')\nenable_feature('x')\ndisable_feature('y')\nanalytics_settings(enable=True)\ndocker_prune_settings(max_age_mins=10, num_builds=2, interval_hrs=1, keep_recent=2)`);
  fails(`set_team()`, /missing argument for team_id/);
});

test('os.path.islink and os.path.sep', () => {
  const r = ok(`print(os.path.islink('a.txt'), os.path.sep)`, { 'a.txt': '' });
  assert.deepEqual(r.output, ['False /']);
});
