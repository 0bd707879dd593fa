import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  bindingOf,
  documentSymbols,
  globalBinding,
  indexSource,
  indexSourceLenient,
  loadPathAt,
  loadPathCandidates,
  namesInScope,
  resolveLoad,
  targetAt,
  type SourceIndex,
} from '../../../src/tiltfile/navigation';

const SRC = `load('./lib/Tiltfile', 'helper', h2='other')
X = 1
def f(a, b=2, *c, **d):
    y = a
    def g():
        return y + X

    return g

for i, j in [(1, 2)]:
    pass
docker_build('img', '.')
k8s_resource('api', port_forwards=8080)
helper(X)
`;

function idx(src = SRC): SourceIndex {
  const i = indexSource(src);
  assert.ok(i, 'parses');
  return i;
}

describe('navigation: document symbols', () => {
  it('lists imports, assignments, defs with nested defs, and resource/image calls by name', () => {
    const syms = documentSymbols(idx());
    assert.deepEqual(
      syms.map((s) => [s.name, s.kind, s.detail ?? '']),
      [
        ['helper', 'import', './lib/Tiltfile'],
        ['h2', 'import', './lib/Tiltfile (other)'],
        ['X', 'variable', ''],
        ['f', 'function', '(a, b, *c, **d)'],
        ['img', 'image', 'docker_build'],
        ['api', 'resource', 'k8s_resource'],
      ],
    );
    const f = syms.find((s) => s.name === 'f')!;
    assert.deepEqual([f.start.line, f.stop.line], [2, 7], 'the def spans its body, not the blank line after it');
    assert.deepEqual(f.at, { line: 2, character: 4 });
    assert.deepEqual(f.children.map((c) => [c.name, c.start.line, c.stop.line]), [['g', 4, 5]]);
  });

  it('gives nothing for text that does not parse, and the lenient parse blanks the cursor line', () => {
    const broken = 'A = 1\nk8s_resource(\nB = 2\n';
    assert.equal(indexSource(broken), undefined);
    const i = indexSourceLenient(broken, 1);
    assert.ok(i);
    assert.deepEqual(namesInScope(i, { line: 1, character: 13 }).map((b) => b.name), ['A', 'B']);
  });
});

describe('navigation: scope and definitions', () => {
  it('names in scope: innermost def first, then its enclosing def, then globals (loads, for variables)', () => {
    const names = namesInScope(idx(), { line: 5, character: 15 }).map((b) => `${b.name}:${b.kind}`);
    assert.deepEqual(names, ['a:parameter', 'b:parameter', 'c:parameter', 'd:parameter', 'y:variable', 'g:function', 'helper:import', 'h2:import', 'X:variable', 'f:function', 'i:variable', 'j:variable']);
    const top = namesInScope(idx(), { line: 13, character: 0 }).map((b) => b.name);
    assert.ok(!top.includes('y') && !top.includes('a'), 'locals of f are not visible at top level');
  });

  it('resolves a use to its binding: a local, a global from inside a def, a load()ed name', () => {
    const i = idx();
    const y = targetAt(i, { line: 5, character: 16 });
    assert.deepEqual(y && y.kind === 'name' && y.name, 'y');
    assert.deepEqual(bindingOf(i, 'y', { line: 5, character: 16 })?.at, { line: 3, character: 4 });
    assert.deepEqual(bindingOf(i, 'X', { line: 5, character: 20 })?.at, { line: 1, character: 0 });
    const h = bindingOf(i, 'helper', { line: 13, character: 2 });
    assert.deepEqual([h?.kind, h?.module, h?.original], ['import', './lib/Tiltfile', 'helper']);
    const h2 = bindingOf(i, 'h2', { line: 13, character: 2 });
    assert.equal(h2?.original, 'other');
    assert.equal(bindingOf(i, 'docker_build', { line: 11, character: 3 }), undefined, 'builtins have no binding in the file');
  });

  it('a parameter shadows a global of the same name inside its def', () => {
    const i = idx('a = 1\ndef f(a):\n    return a\n');
    assert.deepEqual(bindingOf(i, 'a', { line: 2, character: 12 })?.at, { line: 1, character: 6 });
    assert.deepEqual(globalBinding(i, 'a')?.at, { line: 0, character: 0 });
  });

  it('targetAt: the load() module string, a name, not an attribute or a word in a string', () => {
    const i = idx();
    const m = targetAt(i, { line: 0, character: 9 });
    assert.deepEqual(m, { kind: 'module', module: './lib/Tiltfile', start: { line: 0, character: 5 }, end: { line: 0, character: 21 } });
    const j = idx("x = os.path.join('a', 'name')\n");
    assert.equal(targetAt(j, { line: 0, character: 9 }), undefined, 'path after a dot is an attribute');
    assert.equal(targetAt(j, { line: 0, character: 25 }), undefined, 'inside a string');
    assert.equal((targetAt(j, { line: 0, character: 5 }) as { name: string }).name, 'os');
  });
});

describe('navigation: load() paths', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'il-nav-'));
    mkdirSync(join(dir, 'lib'));
    mkdirSync(join(dir, '.git'));
    mkdirSync(join(dir, 'tilt_modules', 'mine'), { recursive: true });
    writeFileSync(join(dir, 'Tiltfile'), SRC);
    writeFileSync(join(dir, 'lib', 'Tiltfile'), 'def other():\n    pass\nhelper = other\n');
    writeFileSync(join(dir, 'tilt_modules', 'mine', 'Tiltfile'), 'x = 1\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('resolves relative to the loading file, and ext:// only when vendored under tilt_modules', () => {
    const tf = join(dir, 'Tiltfile');
    assert.equal(resolveLoad('./lib/Tiltfile', tf), join(dir, 'lib', 'Tiltfile'));
    assert.equal(resolveLoad('lib/Tiltfile', tf), join(dir, 'lib', 'Tiltfile'));
    assert.equal(resolveLoad('./missing', tf), undefined);
    assert.equal(resolveLoad('ext://mine', tf), join(dir, 'tilt_modules', 'mine', 'Tiltfile'));
    assert.equal(resolveLoad('ext://restart_process', tf), undefined, 'a built-in extension has no file');
    assert.equal(resolveLoad('https://example.com/x', tf), undefined);
    const lib = indexSource('def other():\n    pass\nhelper = other\n')!;
    assert.deepEqual(globalBinding(lib, 'helper')?.at, { line: 2, character: 0 });
  });

  it('finds the typed prefix inside load("…") only', () => {
    assert.deepEqual(loadPathAt("load('./li", 10), { prefix: './li' });
    assert.deepEqual(loadPathAt('  load("', 8), { prefix: '' });
    assert.equal(loadPathAt("load('./lib', 'x", 16), undefined, 'the second argument is a symbol name');
    assert.equal(loadPathAt("reload('./x", 11), undefined);
    assert.equal(loadPathAt("docker_build('./x", 16), undefined);
  });

  it('offers the built-in ext:// names and files and folders relative to the Tiltfile (no hidden ones, not itself)', () => {
    const tf = join(dir, 'Tiltfile');
    const all = loadPathCandidates('', tf).map((c) => `${c.kind}:${c.text}`);
    assert.ok(all.includes('extension:ext://restart_process'), all.join(' '));
    assert.ok(all.includes('folder:./lib/'));
    assert.ok(all.includes('folder:./tilt_modules/'));
    assert.ok(!all.some((c) => c.includes('.git')), 'hidden entries are left out');
    assert.ok(!all.includes('file:./Tiltfile'), 'a file does not load itself');
    assert.deepEqual(loadPathCandidates('./lib/', tf).map((c) => c.text), ['./lib/Tiltfile']);
    assert.deepEqual(loadPathCandidates('ext://res', tf).map((c) => c.text), ['ext://restart_process']);
    assert.deepEqual(loadPathCandidates('./nope/', tf), []);
  });
});
