import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DockerIgnoreMatcher, RootedDockerIgnore, cleanPath, onlyToDockerignore, parseDockerignore } from '../../../src/engine/dockerignore';

test('parseDockerignore drops comments and blanks, cleans and strips leading slash', () => {
  assert.deepEqual(parseDockerignore('# c\n\n /node_modules/ \n!./keep//me\n*.log\r\n'), ['node_modules', '!keep/me', '*.log']);
});

test('cleanPath behaves like filepath.Clean', () => {
  assert.equal(cleanPath('a/./b/../c/'), 'a/c');
  assert.equal(cleanPath(''), '.');
  assert.equal(cleanPath('../x'), '../x');
  assert.equal(cleanPath('/a//b'), '/a/b');
});

test('bare names match only at the root, plus everything below', () => {
  const m = new DockerIgnoreMatcher(['node_modules', '*.log']);
  assert.equal(m.matches('node_modules'), true);
  assert.equal(m.matches('node_modules/x/y.js'), true);
  assert.equal(m.matches('web/node_modules/x.js'), false);
  assert.equal(m.matches('a.log'), true);
  assert.equal(m.matches('sub/a.log'), false);
});

test('** spans directories, including zero', () => {
  const m = new DockerIgnoreMatcher(['**/*.pyc', 'build/**']);
  assert.equal(m.matches('x.pyc'), true);
  assert.equal(m.matches('a/b/c.pyc'), true);
  assert.equal(m.matches('build/out/a.o'), true);
  assert.equal(m.matches('build'), false, 'build/** does not match build itself');
  assert.equal(m.matches('src/build/a'), false);
});

test('exceptions re-include, last match wins', () => {
  const m = new DockerIgnoreMatcher(['*.md', '!README.md', 'README*.md']);
  assert.equal(m.matches('CHANGES.md'), true);
  assert.equal(m.matches('README.md'), true, 'later README*.md wins');
  const m2 = new DockerIgnoreMatcher(['docs', '!docs/keep.txt']);
  assert.equal(m2.matches('docs/a.txt'), true);
  assert.equal(m2.matches('docs/keep.txt'), false);
});

test('? and character classes do not cross /', () => {
  const m = new DockerIgnoreMatcher(['a?c', 'f[0-9].txt', 'g[!a].txt']);
  assert.equal(m.matches('abc'), true);
  assert.equal(m.matches('a/c'), false);
  assert.equal(m.matches('f7.txt'), true);
  assert.equal(m.matches('fx.txt'), false);
  assert.equal(m.matches('gb.txt'), true);
  assert.equal(m.matches('ga.txt'), false);
});

test('regex metacharacters are literal', () => {
  const m = new DockerIgnoreMatcher(['a+b(1).txt', 'x.y']);
  assert.equal(m.matches('a+b(1).txt'), true);
  assert.equal(m.matches('xzy'), false);
});

test('canSkipDir only when no exception can reach inside', () => {
  const m = new DockerIgnoreMatcher(['vendor', 'docs', '!docs/keep.txt', 'tmp', '!**/important']);
  assert.equal(m.canSkipDir('vendor'), false, '!**/important could be inside');
  const m2 = new DockerIgnoreMatcher(['vendor', 'docs', '!docs/keep.txt']);
  assert.equal(m2.canSkipDir('vendor'), true);
  assert.equal(m2.canSkipDir('docs'), false);
  assert.equal(m2.canSkipDir('src'), false, 'not excluded at all');
});

test('only patterns exclude all but the listed paths', () => {
  const m = new DockerIgnoreMatcher(onlyToDockerignore(['src', 'package.json']));
  assert.equal(m.matches('src/a/b.ts'), false);
  assert.equal(m.matches('package.json'), false);
  assert.equal(m.matches('README.md'), true);
  assert.equal(m.canSkipDir('test'), true);
});

test('RootedDockerIgnore answers for absolute paths under its root only', () => {
  const r = new RootedDockerIgnore('/repo/app', ['dist']);
  assert.equal(r.matches('/repo/app/dist/x.js'), true);
  assert.equal(r.matches('/repo/dist/x.js'), false);
  assert.equal(r.matches('/repo/app'), false);
});
