import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { finalWorkdir, nodeRoots, remoteJoin, resourceImages, sourceMappings, type SourceMapping } from '../../../src/vscode/debug/sourceMapping';
import { attachConfiguration } from '../../../src/vscode/debugTargets';
import { dockerImage, k8sResource, plan } from '../engine/planFixtures';
import type { LiveUpdateStep } from '../../../src/tiltfile/plan';

const sync = (localPath: string, remotePath: string): LiveUpdateStep => ({ kind: 'sync', localPath, remotePath });
const pairs = (ms: readonly SourceMapping[]): string[][] => ms.map((m) => [m.local, m.remote]);

describe('sourceMappings: from sync() steps', () => {
  it('the todo app: one sync per image, local → remote', () => {
    const p = plan('/w/Tiltfile', [k8sResource('api', { imageRefs: ['api-img'] }), k8sResource('web', { imageRefs: ['web-img'] })], [
      dockerImage('api-img', '/w/api', { liveUpdate: [{ kind: 'fall_back_on', files: ['/w/api/Dockerfile'] }, sync('/w/api', '/app'), { kind: 'run', command: ['true'], shell: true, triggers: [], echoOff: false }] }),
      dockerImage('web-img', '/w/frontend', { liveUpdate: [sync('/w/frontend/public', '/app/public'), sync('/w/frontend/server.js', '/app/server.js')] }),
    ]);
    assert.deepEqual(pairs(sourceMappings(p, 'api')), [['/w/api', '/app']]);
    assert.deepEqual(pairs(sourceMappings(p, 'web')), [['/w/frontend/public', '/app/public'], ['/w/frontend/server.js', '/app/server.js']]);
    assert.deepEqual(sourceMappings(p, 'nope'), []);
  });

  it('nested syncs: the deeper local path comes first whatever the Tiltfile order', () => {
    const p = plan('/w/Tiltfile', [k8sResource('svc', { imageRefs: ['img'] })], [
      dockerImage('img', '/w', { liveUpdate: [sync('/w', '/srv'), sync('/w/vendor/lib', '/opt/lib'), sync('/w/vendor', '/srv/vendor')] }),
    ]);
    assert.deepEqual(pairs(sourceMappings(p, 'svc')), [['/w/vendor/lib', '/opt/lib'], ['/w/vendor', '/srv/vendor'], ['/w', '/srv']]);
  });

  it("overlapping syncs: the same local path twice keeps the resource's own image's (first) one; equal depth keeps order", () => {
    const p = plan('/w/Tiltfile', [k8sResource('svc', { imageRefs: ['app'] })], [
      dockerImage('app', '/w/app', { imageDeps: ['base'], liveUpdate: [sync('/w/app/src', '/app/src'), sync('/w/app/lib/', '/app/lib')] }),
      dockerImage('base', '/w/base', { liveUpdate: [sync('/w/app/src', '/base/src'), sync('/w/shared', '/shared')] }),
    ]);
    assert.deepEqual(resourceImages(p, 'svc').map((i) => i.ref), ['app', 'base']);
    assert.deepEqual(pairs(sourceMappings(p, 'svc')), [['/w/app/src', '/app/src'], ['/w/app/lib', '/app/lib'], ['/w/shared', '/shared']]);
  });

  it('images it depends on are followed transitively, each once (no loop on a cycle)', () => {
    const p = plan('/w/Tiltfile', [k8sResource('svc', { imageRefs: ['a'] })], [
      dockerImage('a', '/w/a', { imageDeps: ['b'] }),
      dockerImage('b', '/w/b', { imageDeps: ['c', 'a'] }),
      dockerImage('c', '/w/c', { liveUpdate: [sync('/w/c/lib', '/lib')] }),
    ]);
    assert.deepEqual(resourceImages(p, 'svc').map((i) => i.ref), ['a', 'b', 'c']);
    assert.deepEqual(pairs(sourceMappings(p, 'svc')), [['/w/c/lib', '/lib']]);
  });

  it('Windows-style local paths keep their separators; remote paths are POSIX; relative remote paths join /', () => {
    const p = plan('C:\\w\\Tiltfile', [k8sResource('svc', { imageRefs: ['img'] })], [
      dockerImage('img', 'C:\\w\\api', { liveUpdate: [sync('C:\\w\\api\\', 'app'), sync('C:\\w\\api\\pkg\\util', '/app/pkg/util/')] }),
    ]);
    assert.deepEqual(pairs(sourceMappings(p, 'svc')), [['C:\\w\\api\\pkg\\util', '/app/pkg/util'], ['C:\\w\\api', '/app']]);
    // Same local path in another case is the same folder on Windows.
    const q = plan('C:\\w\\Tiltfile', [k8sResource('svc', { imageRefs: ['img'] })], [dockerImage('img', 'C:\\w', { liveUpdate: [sync('C:\\W\\Src', '/a'), sync('c:\\w\\src', '/b')] })]);
    assert.deepEqual(pairs(sourceMappings(q, 'svc')), [['C:\\W\\Src', '/a']]);
  });

  it('without a sync: the build context → the final stage WORKDIR', () => {
    const p = plan('/w/Tiltfile', [k8sResource('svc', { imageRefs: ['img'] })], [
      dockerImage('img', '/w/svc/', { dockerfileContents: 'FROM golang AS build\nWORKDIR /src\nFROM debian\nWORKDIR /srv\nWORKDIR app\n' }),
    ]);
    assert.deepEqual(sourceMappings(p, 'svc'), [{ local: '/w/svc', remote: '/srv/app', origin: 'workdir' }]);
    const q = plan('/w/Tiltfile', [k8sResource('svc', { imageRefs: ['img'] })], [dockerImage('img', '/w/svc')]);
    assert.deepEqual(sourceMappings(q, 'svc', (img) => (img.dockerfile === '/w/svc/Dockerfile' ? 'FROM x\nWORKDIR /code\n' : undefined)), [{ local: '/w/svc', remote: '/code', origin: 'workdir' }]);
    assert.deepEqual(sourceMappings(q, 'svc'), [], 'no Dockerfile text, no WORKDIR: no mapping');
  });
});

describe('finalWorkdir', () => {
  it('follows stages, targets, relative dirs, continuations and comments', () => {
    const df = ['# syntax=docker/dockerfile:1', 'FROM node:20 AS base', 'WORKDIR /app', 'FROM base AS dev', 'WORKDIR src', 'FROM base AS prod', 'RUN echo \\', '  hi', '# note', 'WORKDIR \\', '  /opt/prod'].join('\n');
    assert.equal(finalWorkdir(df), '/opt/prod');
    assert.equal(finalWorkdir(df, 'dev'), '/app/src');
    assert.equal(finalWorkdir(df, 'base'), '/app');
    assert.equal(finalWorkdir('FROM x\n'), undefined);
    assert.equal(finalWorkdir('FROM x\nWORKDIR $HOME/app\n'), undefined);
    assert.equal(finalWorkdir('from x as y\nworkdir "/a b"\n'), '/a b');
  });

  it('remoteJoin resolves . and ..', () => {
    assert.equal(remoteJoin('/app', '../srv/./x'), '/srv/x');
    assert.equal(remoteJoin('/app', '/abs'), '/abs');
  });
});

describe('nodeRoots: the one localRoot/remoteRoot pair', () => {
  const m = (local: string, remote: string): SourceMapping => ({ local, remote, origin: 'sync' });
  it('a folder sync is the pair itself', () => {
    assert.deepEqual(nodeRoots([m('/w/api', '/app')]), { localRoot: '/w/api', remoteRoot: '/app' });
    assert.equal(nodeRoots([]), undefined);
  });
  it('file and subfolder syncs with the same name on both sides give their parents', () => {
    assert.deepEqual(nodeRoots([m('/w/frontend/public', '/app/public'), m('/w/frontend/server.js', '/app/server.js')]), { localRoot: '/w/frontend', remoteRoot: '/app' });
  });
  it('never maps the remote root "/" (same last name on both sides is not stripped to nothing)', () => {
    assert.deepEqual(nodeRoots([m('/w/app', '/app')]), { localRoot: '/w/app', remoteRoot: '/app' });
  });
  it('Windows local paths', () => {
    assert.deepEqual(nodeRoots([m('C:\\w\\web\\server.js', '/app/server.js'), m('C:\\w\\web\\lib', '/app/lib')]), { localRoot: 'C:\\w\\web', remoteRoot: '/app' });
  });
  it('the pair most syncs agree with wins', () => {
    assert.deepEqual(nodeRoots([m('/w/x/vendor', '/opt/vendor'), m('/w/x/a.js', '/srv/a.js'), m('/w/x/b.js', '/srv/b.js')]), { localRoot: '/w/x', remoteRoot: '/srv' });
  });
});

describe('attach configurations carry the mapping per runtime', () => {
  const t = { resource: 'svc', host: 'localhost', port: 15000, containerPort: 0 };
  const ms: SourceMapping[] = [
    { local: '/w/svc/lib', remote: '/app/lib', origin: 'sync' },
    { local: '/w/svc', remote: '/app', origin: 'sync' },
  ];
  it('Node: localRoot/remoteRoot, restart, and outFiles when the project builds', () => {
    const c = attachConfiguration({ ...t, runtime: 'node' }, { mappings: ms });
    assert.equal(c.type, 'node');
    assert.equal(c.restart, true);
    assert.equal(c.localRoot, '/w/svc');
    assert.equal(c.remoteRoot, '/app');
    assert.equal(c.outFiles, undefined);
    const b = attachConfiguration({ ...t, runtime: 'node' }, { mappings: ms, builds: true });
    assert.deepEqual(b.outFiles, ['/w/svc/**/*.js', '!**/node_modules/**']);
    assert.equal(b.sourceMaps, true);
  });
  it('Python: pathMappings, most specific first; innerloop-python unless the Python Debugger is chosen', () => {
    const c = attachConfiguration({ ...t, runtime: 'python' }, { mappings: ms });
    assert.equal(c.type, 'innerloop-python');
    assert.deepEqual(c.pathMappings, [{ localRoot: '/w/svc/lib', remoteRoot: '/app/lib' }, { localRoot: '/w/svc', remoteRoot: '/app' }]);
    assert.deepEqual(c.connect, { host: 'localhost', port: 15000 });
    assert.equal(attachConfiguration({ ...t, runtime: 'python' }, { pythonType: 'debugpy' }).type, 'debugpy');
  });
  it('Go: substitutePath from the local to the remote path', () => {
    const c = attachConfiguration({ ...t, runtime: 'go' }, { mappings: ms });
    assert.equal(c.type, 'innerloop-go');
    assert.equal(c.mode, 'remote');
    assert.deepEqual(c.substitutePath, [{ from: '/w/svc/lib', to: '/app/lib' }, { from: '/w/svc', to: '/app' }]);
    assert.equal(attachConfiguration({ ...t, runtime: 'go' }, { goType: 'go' }).debugAdapter, 'dlv-dap');
  });
  it('Java: source paths', () => {
    assert.deepEqual(attachConfiguration({ ...t, runtime: 'java' }, { mappings: ms }).sourcePaths, ['/w/svc/lib', '/w/svc']);
  });
});
