// Bad input of every kind: each gives a clear error at the right line, never a crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadTiltfile } from '../../../src/tiltfile/loader';
import { fails, load } from './helpers';

const cases: Array<{ name: string; src: string; re: RegExp; line: number; files?: Record<string, string> }> = [
  { name: 'syntax error', src: `docker_build('a', '.'\nk8s_yaml('x.yaml')\n`, re: /got identifier, want ','/, line: 2 },
  { name: 'bad indentation', src: `def f():\nreturn 1\n`, re: /indent|want/, line: 2 },
  { name: 'undefined name', src: `x = 1\nfoo()\n`, re: /undefined: foo/, line: 2 },
  { name: 'wrong type', src: `\ndocker_build('a', '.', build_args=3)\n`, re: /Error in docker_build: for parameter "build_args": got int, want dict/, line: 2 },
  { name: 'unknown keyword argument', src: `docker_build('a', '.', bogus=1)\n`, re: /Error in docker_build: unexpected keyword argument "bogus"/, line: 1 },
  { name: 'too many positional arguments', src: `\n\nlink('a', 'b', 'c')\n`, re: /Error in link: got 3 arguments, want at most 2/, line: 3 },
  { name: 'missing argument', src: `docker_build()\n`, re: /Error in docker_build: missing argument for ref/, line: 1 },
  { name: 'missing file', src: `k8s_yaml('k8s/app.yaml')\n`, re: /Error in k8s_yaml: error reading yaml file: open .*k8s\/app.yaml: no such file or directory/, line: 1 },
  { name: 'unknown ext://', src: `v1alpha1.extension_repo(name='default', url='file://./exts')\nload('ext://nope', 'x')\n`, re: /cannot load ext:\/\/nope: no nope\/Tiltfile in extension repo "default"/, line: 2, files: { 'exts/README': '' } },
  { name: 'endless loop', src: `x = 0\nwhile True:\n    x += 1\n`, re: /too many steps \(the Tiltfile ran too long: an endless loop\?\)/, line: 3 },
  { name: 'endless recursion', src: `def f(n):\n    return f(n + 1)\nf(0)\n`, re: /recursion|stack/, line: 2 },
  { name: 'type error in an expression', src: `x = 'a' + 1\n`, re: /unknown binary op: string \+ int|string \+ int/, line: 1 },
  { name: 'fail()', src: `fail('nope')\n`, re: /Error in fail: nope/, line: 1 },
  { name: 'error inside a loaded file', src: `load('./lib.star', 'f')\nf()\n`, re: /Error in k8s_yaml/, line: 2, files: { 'lib.star': `def f():\n    k8s_yaml(3)\n` } },
  { name: 'bad YAML', src: `k8s_yaml('bad.yaml')\n`, re: /error parsing YAML from .*bad.yaml \(line \d\)/, line: 1, files: { 'bad.yaml': 'a: b\n  c: [\n' } },
  { name: 'frozen value', src: `load('./lib.star', 'L')\nL.append(2)\n`, re: /frozen/, line: 2, files: { 'lib.star': 'L = [1]\n' } },
  { name: 'unknown resource in k8s_resource', src: `k8s_resource('ghost')\n`, re: /k8s_resource specified unknown resource "ghost"/, line: 1 },
];

for (const c of cases) {
  test(`bad input: ${c.name}`, () => {
    const e = fails(c.src, c.re, c.files);
    assert.ok(e.line !== undefined);
    if (c.name === 'endless loop') assert.ok(e.line === 2 || e.line === 3, `line ${e.line}`);
    else if (c.name !== 'error inside a loaded file') assert.equal(e.line, c.line, `line for ${c.name}`);
    assert.ok(e.file);
  });
}

test('bad input: an error inside a loaded file points into that file, with a traceback through the Tiltfile', () => {
  const e = fails(`load('./lib.star', 'f')\nf()\n`, /Error in k8s_yaml/, { 'lib.star': `def f():\n    k8s_yaml(3)\n` });
  assert.equal(e.file, join(e.r.dir, 'lib.star'));
  assert.equal(e.line, 2);
  assert.match(e.message, /Traceback \(most recent call last\):\n.*Tiltfile:2:2: in <toplevel>\n.*lib.star:2:13: in f/);
});

test('bad input: a missing comma between arguments is reported at the next token, in starlark-go words', () => {
  const e = fails(`docker_build('a', '.'\nk8s_yaml('x.yaml')\n`, /got identifier, want ','/);
  assert.equal(e.line, 2);
  assert.equal(e.col, 1);
});

test('bad input: a misspelled keyword argument of a Tilt builtin gets a did-you-mean hint', () => {
  fails(`docker_build('a', '.', dockerfil='Dockerfile')\n`, /Error in docker_build: unexpected keyword argument "dockerfil" \(did you mean dockerfile\?\)/);
});

test('bad input: a misspelled name in load() gets a did-you-mean hint', () => {
  fails(`load('./lib.star', 'helpr')\n`, /load: name helpr not found in module .*lib.star \(did you mean helper\?\)/, { 'lib.star': 'def helper():\n    pass\n' });
});

test('bad input: a missing Tiltfile', () => {
  const r = load('');
  const missing = join(r.dir, 'nope', 'Tiltfile');
  const r2 = loadTiltfile(missing);
  assert.equal(r2.ok, false);
  assert.match(r2.diagnostics[0]!.message, /cannot read Tiltfile: file not found/);
  assert.equal(r2.diagnostics[0]!.pos!.file, missing);
});

test('bad input: deep recursion gives a short traceback', () => {
  const e = fails(`def f(n):\n    return f(n + 1)\nf(0)\n`);
  assert.ok(e.message.split('\n').length < 20, e.message);
});

test('bad input: errors keep the partial plan and earlier warnings', () => {
  const r = load(`warn('first')\nlocal_resource('a', 'true')\nfail('stop')\n`);
  assert.equal(r.ok, false);
  assert.deepEqual(r.plan.resources.map((x) => x.name), ['a']);
  assert.equal(r.diagnostics[0]!.message, 'first');
});
