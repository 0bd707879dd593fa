import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isEphemeral } from '../../../src/engine/watch/ephemeral';
import { PathRouter } from '../../../src/engine/watch/router';
import { changesByResource, watchTargetsFromPlan } from '../../../src/engine/watch/targets';
import { contextIgnoreFile } from '../../../src/engine/watch/ignores';
import { dockerImage, k8sResource, localResource, plan } from './planFixtures';

function tmpTree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'il-watch-'));
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
  }
  return root;
}

test('editor temp files and .git are ephemeral', () => {
  for (const p of ['/r/.main.py.swp', '/r/a/.x.swx', '/r/4913', '/r/main.py~', '/r/.#main.py', '/r/#main.py#',
    '/r/a.py___jb_tmp___', '/r/a.py___jb_old___', '/r/.a.py.kate-swp', '/r/.git/index', '/r/sub/.git/HEAD']) {
    assert.equal(isEphemeral(p), true, p);
  }
  for (const p of ['/r/main.py', '/r/swp.py', '/r/gitdir/a', '/r/49130']) assert.equal(isEphemeral(p), false, p);
});

test('<Dockerfile>.dockerignore wins over the context .dockerignore', () => {
  const root = tmpTree({ 'app/Dockerfile': '', 'app/Dockerfile.dockerignore': 'x', 'app/.dockerignore': 'y' });
  try {
    assert.equal(contextIgnoreFile(path.join(root, 'app'), path.join(root, 'app/Dockerfile')), path.join(root, 'app/Dockerfile.dockerignore'));
    assert.equal(contextIgnoreFile(path.join(root, 'app'), path.join(root, 'other/Dockerfile')), path.join(root, 'app/.dockerignore'));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('routing honours .tiltignore, watch_settings, .dockerignore, ignore=, only= and local deps', () => {
  const root = tmpTree({
    Tiltfile: '',
    '.tiltignore': 'logs\n',
    'api/Dockerfile': '',
    'api/.dockerignore': 'node_modules\n*.md\nDockerfile\n',
    'web/Dockerfile': '',
    'docs/a.md': '',
  });
  try {
    const api = dockerImage('api', path.join(root, 'api'), { ignore: ['tmp'] });
    const web = dockerImage('web', path.join(root, 'web'), { only: ['src'] });
    const p = plan(path.join(root, 'Tiltfile'), [
      k8sResource('api', { imageRefs: ['api'] }),
      k8sResource('web', { imageRefs: ['web'] }),
      localResource('docs', { deps: [path.join(root, 'docs'), path.join(root, 'logs')], ignore: ['docs/draft'] }),
    ], [api, web], { settings: { ...plan('/x', []).settings, watchIgnore: ['api/generated'] } });
    const router = new PathRouter(watchTargetsFromPlan(p));
    const r = (rel: string) => router.route(path.join(root, rel));
    assert.deepEqual(r('api/main.go'), ['image:api']);
    assert.deepEqual(r('api/node_modules/x.js'), []);
    assert.deepEqual(r('api/README.md'), []);
    assert.deepEqual(r('api/Dockerfile'), ['image:api'], 'Dockerfile always counts');
    assert.deepEqual(r('api/tmp/x'), [], 'ignore=');
    assert.deepEqual(r('api/generated/x.go'), [], 'watch_settings ignore');
    assert.deepEqual(r('api/.main.go.swp'), []);
    assert.deepEqual(r('web/src/app.ts'), ['image:web']);
    assert.deepEqual(r('web/package.json'), [], 'not in only=');
    assert.deepEqual(r('web/Dockerfile'), ['image:web']);
    assert.deepEqual(r('docs/a.md'), ['resource:docs']);
    assert.deepEqual(r('docs/draft/b.md'), [], 'local_resource ignore is relative to the Tiltfile');
    assert.deepEqual(r('logs/x.log'), [], '.tiltignore');
    assert.deepEqual(r('Tiltfile'), ['config']);
    assert.equal(router.canSkip(path.join(root, 'api/node_modules'), true), true);
    assert.equal(router.canSkip(path.join(root, 'api/src'), true), false);
    assert.equal(router.canSkip(path.join(root, 'web/node_modules'), true), true, 'outside only=');
    assert.equal(router.canSkip(path.join(root, 'elsewhere'), true), false, 'outside every dep: not covered, chokidar never gets there');
    assert.equal(router.canSkip(root, true), false, 'ancestor of deps');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a storm routed per target gives one list per resource; base image changes reach child images', () => {
  const base = dockerImage('base', '/repo/base');
  const app = dockerImage('app', '/repo/app', { imageDeps: ['base'] });
  const p = plan('/repo/Tiltfile', [k8sResource('app', { imageRefs: ['app'] }), k8sResource('other', { imageRefs: [] })], [base, app]);
  const router = new PathRouter(watchTargetsFromPlan(p));
  const events = Array.from({ length: 3000 }, (_, i) => ({ path: `/repo/${i % 2 ? 'app' : 'base'}/f${i}.txt`, type: 'change' as const }));
  const routed = router.routeBatch(events);
  assert.deepEqual([...routed.keys()].sort(), ['image:app', 'image:base']);
  const changes = changesByResource(p, routed);
  assert.deepEqual([...changes.resources.keys()], ['app']);
  assert.equal(changes.resources.get('app')?.length, 3000);
  assert.deepEqual(changes.configChanged, []);
  assert.deepEqual(router.roots(), ['/repo/Tiltfile', '/repo/app', '/repo/base']);
});
