// LoadOptions used by the editor: `source` (unsaved buffer), kube context checks on local(), diagnostic ranges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadTiltfile } from '../../../src/tiltfile/loader';
import { loadTiltfileInWorker } from '../../../src/tiltfile/worker';
import { fails, load, ok, project } from './helpers';

const workerScript = join(__dirname, 'workerEntry.cjs');

test('source: the main Tiltfile text comes from memory; loaded and read files still come from disk', () => {
  const dir = project({
    Tiltfile: 'fail("the saved file must not run")\n',
    'lib.star': 'greeting = "from disk"\n',
    'note.txt': 'disk note',
  });
  const r = loadTiltfile(join(dir, 'Tiltfile'), {
    source: 'load("./lib.star", "greeting")\nprint(greeting)\nprint(str(read_file("note.txt")))\n',
  });
  assert.equal(r.ok, true, JSON.stringify(r.diagnostics));
  assert.deepEqual(r.output, ['from disk', 'disk note']);
  assert.ok(r.configFiles.includes(join(dir, 'Tiltfile')));
});

test('source: works when the Tiltfile does not exist on disk yet', () => {
  const dir = project({});
  const r = loadTiltfile(join(dir, 'Tiltfile'), { source: 'x = undefined_name\n' });
  assert.equal(r.ok, false);
  assert.match(r.diagnostics[0]!.message, /undefined: undefined_name/);
  assert.equal(r.diagnostics[0]!.pos!.file, join(dir, 'Tiltfile'));
});

test('source: passes through loadTiltfileInWorker', async () => {
  const dir = project({ Tiltfile: 'print("disk")\n' });
  const r = await loadTiltfileInWorker(join(dir, 'Tiltfile'), { source: 'print("memory")\n' }, { workerScript });
  assert.equal(r.ok, true, JSON.stringify(r.diagnostics));
  assert.deepEqual(r.output, ['memory']);
});

const REFUSAL = /^Error in local: Refusing to run 'local' because prod-cluster might be a production kube context\.\nIf you're sure you want to continue add:\nallow_k8s_contexts\('prod-cluster'\)\nbefore this function call in your Tiltfile\. Otherwise, switch k8s contexts and restart Tilt\.$/;

test('local() refuses to run against a non-allowed, non-local kube context (Tilt wording)', () => {
  const e = fails('local("echo hi")\n', REFUSAL, {}, { kubeContext: 'prod-cluster' });
  assert.deepEqual([e.line, e.col], [1, 6]);
});

test('local() runs after allow_k8s_contexts(), for local clusters, without a context, and when kubeContextIsLocal', () => {
  ok('allow_k8s_contexts("prod-cluster")\nlocal("true")\n', {}, { kubeContext: 'prod-cluster' });
  ok('local("true")\n', {}, { kubeContext: 'kind-dev' });
  ok('local("true")\n', {}, {});
  ok('local("true")\n', {}, { kubeContext: 'prod-cluster', kubeContextIsLocal: true });
  // allow_k8s_contexts must come before the call, as in Tilt.
  fails('local("true")\nallow_k8s_contexts("prod-cluster")\n', REFUSAL, {}, { kubeContext: 'prod-cluster' });
  // kubeContextIsLocal: false overrides the name-based guess.
  fails('local("true")\n', /Refusing to run 'local' because kind-dev/, {}, { kubeContext: 'kind-dev', kubeContextIsLocal: false });
});

test('an untrusted workspace still reports the untrusted refusal, not the context one', () => {
  const r = load('local("true")\n', {}, { kubeContext: 'prod-cluster', untrusted: true });
  assert.match(r.diagnostics[0]!.message, /disabled in an untrusted workspace/);
});

test('ranges: a builtin error spans callee..")" with pos at "(" as Tilt reports', () => {
  const e = fails('x = 1\ndocker_build(\n  "img",\n  context=1)\n', /Error in docker_build/);
  const d = e.r.diagnostics.find((x) => x.severity === 'error')!;
  assert.deepEqual([d.pos!.line, d.pos!.col], [2, 13]);
  // the message names the keyword argument: the range is `context=1`
  assert.deepEqual([d.start!.line, d.start!.col], [4, 3]);
  assert.deepEqual([d.end!.line, d.end!.col], [4, 12]);
  const m = fails('x = 1\ndocker_build(\n  "img",\n  "missing-dir")\n', /Error in docker_build/).r.diagnostics[0]!;
  assert.deepEqual([m.start!.line, m.start!.col, m.pos!.col, m.end!.line, m.end!.col], [2, 1, 13, 4, 17]);
});

test('ranges: dotted callee, warnings, runtime and resolve errors, syntax errors', () => {
  const j = fails('os.path.join(1)\n', /Error in join/).r.diagnostics[0]!;
  assert.deepEqual([j.start!.col, j.pos!.col, j.end!.col], [1, 13, 16]);
  const w = load('warn("heads up")\n').diagnostics[0]!;
  assert.deepEqual([w.start!.col, w.pos!.col, w.end!.col], [1, 5, 17]);
  const b = fails('x = 1 + "a"\n', /unknown binary op/).r.diagnostics[0]!;
  assert.deepEqual([b.pos!.col, b.end!.col], [7, 8]);
  const u = fails('x = undefined_thing\n', /undefined/).r.diagnostics[0]!;
  assert.deepEqual([u.pos!.col, u.end!.col], [5, 20]);
  const s = fails('x = (1,\ny = 2\n', /got '=', want/).r.diagnostics[0]!;
  assert.deepEqual([s.pos!.line, s.pos!.col, s.end!.line, s.end!.col], [2, 3, 2, 4]);
});

test('ranges: errors inside a loaded file get ranges from that file', () => {
  const r = load('load("./lib.star", "f")\nf()\n', { 'lib.star': 'def f():\n    k8s_yaml(42)\n' });
  const d = r.diagnostics.find((x) => x.severity === 'error')!;
  assert.match(d.pos!.file, /lib\.star$/);
  assert.deepEqual([d.start!.line, d.start!.col, d.pos!.col, d.end!.col], [2, 5, 13, 17]);
});

test('ranges: an error naming a keyword argument spans just `name=value`', () => {
  const bad = fails('docker_build("img", ".",\n  build_args={"a": [1, (2, 3)]}, target="t")\n', /for parameter "build_args"/).r.diagnostics[0]!;
  assert.deepEqual([bad.start!.line, bad.start!.col, bad.pos!.col, bad.end!.line, bad.end!.col], [2, 3, 13, 2, 32]);
  const unknown = fails('docker_build("img", ".", nope=[1, 2])\n', /unexpected keyword argument "nope"/).r.diagnostics[0]!;
  assert.deepEqual([unknown.start!.col, unknown.end!.col], [26, 37]);
  // a positional argument keeps the whole-call range
  const pos = fails('docker_build(1, ".")\n', /"ref"/).r.diagnostics[0]!;
  assert.deepEqual([pos.start!.col, pos.end!.col], [1, 21]);
});
