import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fails, local, ok } from './helpers';

test('local_resource: every parameter', () => {
  const r = ok(`
local_resource('build', cmd='make', deps=['src', 'Makefile'], trigger_mode=TRIGGER_MODE_MANUAL, resource_deps=['gen'],
    ignore=['src/*.tmp'], auto_init=False, serve_cmd=['./server', '--port', '8000'], allow_parallel=True,
    links=['http://localhost:8000'], env={'A': '1'}, serve_env={'B': '2'}, dir='src', serve_dir='bin', labels=['tools'],
    readiness_probe=probe(initial_delay_secs=1, timeout_secs=2, period_secs=3, success_threshold=4, failure_threshold=5,
                          http_get=http_get_action(8000, path='healthz')))
local_resource('gen', 'echo gen', tags=['codegen'])
`, { 'src/a': '', 'bin/.keep': '' });
  const b = local(r, 'build');
  assert.deepEqual(b.cmd, { command: ['make'], shell: true, dir: join(r.dir, 'src'), env: { A: '1' } });
  assert.deepEqual(b.serveCmd, { command: ['./server', '--port', '8000'], shell: false, dir: join(r.dir, 'bin'), env: { B: '2' } });
  assert.deepEqual(b.deps, [join(r.dir, 'src'), join(r.dir, 'Makefile')]);
  assert.deepEqual(b.ignore, ['src/*.tmp']);
  assert.equal(b.triggerMode, 'manual');
  assert.deepEqual(b.resourceDeps, ['gen']);
  assert.equal(b.autoInit, false);
  assert.equal(b.allowParallel, true);
  assert.deepEqual(b.links, [{ url: 'http://localhost:8000' }]);
  assert.deepEqual(b.labels, ['tools']);
  assert.deepEqual(b.readinessProbe, {
    initialDelaySecs: 1, timeoutSecs: 2, periodSecs: 3, successThreshold: 4, failureThreshold: 5,
    action: { kind: 'http_get', host: 'localhost', port: 8000, path: '/healthz', scheme: 'http' },
  });
  const g = local(r, 'gen');
  assert.deepEqual(g.labels, ['codegen']);
  assert.deepEqual(g.serveCmd.command, []);
  assert.equal(g.cmd.dir, r.dir);
});

test('probe helpers: exec, tcp_socket, defaults and errors', () => {
  const r = ok(`
local_resource('a', serve_cmd='x', readiness_probe=probe(exec=exec_action(['true'])))
local_resource('b', serve_cmd='x', readiness_probe=probe(tcp_socket=tcp_socket_action(5432, host='db')))
`);
  assert.deepEqual(local(r, 'a').readinessProbe, { initialDelaySecs: 0, timeoutSecs: 1, periodSecs: 10, successThreshold: 1, failureThreshold: 3, action: { kind: 'exec', command: ['true'] } });
  assert.deepEqual(local(r, 'b').readinessProbe!.action, { kind: 'tcp_socket', port: 5432, host: 'db' });
  fails(`probe()`, /exactly one of exec, http_get, or tcp_socket must be specified/);
  fails(`probe(exec=exec_action(['a']), tcp_socket=tcp_socket_action(1))`, /exactly one of/);
  fails(`http_get_action(0)`, /port 0 is not in the valid range \[1-65535\]/);
  fails(`http_get_action(80, scheme='ftp')`, /scheme must be http or https/);
  fails(`exec_action([])`, /command must not be empty/);
  fails(`local_resource('a', serve_cmd='x', readiness_probe='soon')`, /for parameter "readiness_probe": got string, want probe/);
});

test('local_resource: errors', () => {
  fails(`local_resource('a')`, /local_resource must have a cmd and\/or a serve_cmd, but both were empty/);
  fails(`local_resource('', 'true')`, /name must not be empty/);
  fails(`local_resource('a', 'true')\nlocal_resource('a', 'true')`, /local_resource named "a" already exists/);
  fails(`local_resource('a', 'true', deps=3)`, /for parameter "deps": got int, want string or list of strings/);
  fails(`local_resource('a', 'true', env={'A': None})`, /value for key "A" must be a string/);
});

test("local(): runs at load time in the file's directory, with env, dir and stdin; output echoed unless quiet", () => {
  const r = ok(`
a = local('echo hello; pwd')
b = local(['printf', '%s', 'argv'], quiet=True)
c = local('echo $GREETING', env={'GREETING': 'hi'}, echo_off=True)
d = local('cat', stdin='from stdin', quiet=True)
e = local('pwd', dir='sub', quiet=True)
print(str(b), str(c).strip(), str(d), str(e).strip().endswith('/sub'))
`, { 'sub/.keep': '' });
  assert.deepEqual(r.output, [
    'local: echo hello; pwd', ` → hello`, ` → ${r.dir}`, 'local: printf %s argv', ' → hi', 'local: cat', 'local: pwd', 'argv hi from stdin True',
  ]);
  const f = fails(`\nlocal('echo out; echo err >&2; exit 3')`, /command "echo out; echo err >&2; exit 3" failed.\nerror: exit status 3\nstdout: out\nstderr: err/);
  assert.equal(f.line, 2);
  fails(`local(['definitely-not-a-binary-xyz'])`, /executable not found: definitely-not-a-binary-xyz/);
});

test('allow_parallel defaults to True when there is only a serve_cmd (nothing to serialise), False with a cmd', () => {
  const r = ok(`local_resource('srv', serve_cmd='python -m http.server')\nlocal_resource('both', cmd='make', serve_cmd='./run')\nlocal_resource('off', serve_cmd='x', allow_parallel=False)`);
  assert.equal(local(r, 'srv').allowParallel, true);
  assert.equal(local(r, 'both').allowParallel, false);
  assert.equal(local(r, 'off').allowParallel, false);
});

test("test(): Tilt's deprecated builtin is a local_resource (tests/golang calls test(name, cmd, deps=...))", () => {
  const r = ok(`test('unit', 'go test ./...', deps=['.'], tags=['tests'], timeout='30s')`);
  const t = local(r, 'unit');
  assert.deepEqual(t.cmd.command, ['go test ./...']);
  assert.equal(t.cmd.shell, true);
  assert.deepEqual(t.labels, ['tests']);
  assert.deepEqual(t.deps, [r.dir]);
  fails(`test('unit')`, /missing argument for cmd/);
});

test('local_git_repo(path).paths(p) joins onto the repository root; a directory without .git/ is an error', () => {
  const r = ok(`repo = local_git_repo('.')\nprint(repo.paths('src/a.go'))\nprint(type(repo))`, { '.git/HEAD': 'ref: refs/heads/main\n' });
  assert.deepEqual(r.output, [join(r.dir, 'src/a.go'), 'git.Repo']);
  fails(`local_git_repo('.')`, /isn't a valid git repo: it doesn't have a \.git\/ directory/);
});
