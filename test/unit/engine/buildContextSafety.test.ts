// The build context as Docker (and Tilt) send it: invalid .dockerignore patterns are clear errors with file and
// line, the Tiltfile and a repository's .git are never sent, and symlinks never carry files from outside in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tar from 'tar-stream';
import { ContentHasher, contextTar, listContext, type ContextSpec } from '../../../src/engine/build/context';
import { DockerIgnoreMatcher, DockerignoreSyntaxError, globSyntaxError, parseDockerignore } from '../../../src/engine/dockerignore';
import { dockerBuildPatternSets } from '../../../src/engine/watch/ignores';
import { PathRouter } from '../../../src/engine/watch/router';
import { watchTargetsFromPlan } from '../../../src/engine/watch/targets';
import { dockerImage, k8sResource, plan } from './planFixtures';

function tree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'il-ctxsafe-'));
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
  }
  return root;
}

async function untar(spec: ContextSpec): Promise<Map<string, { type: string; body: string; link?: string }>> {
  const out = new Map<string, { type: string; body: string; link?: string }>();
  const ex = tar.extract();
  const done = (async () => {
    for await (const entry of ex) {
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      out.set(entry.header.name, { type: entry.header.type ?? 'file', body: Buffer.concat(chunks).toString(), link: entry.header.linkname ?? undefined });
    }
  })();
  for await (const chunk of contextTar(spec)) ex.write(chunk);
  ex.end(undefined);
  await done;
  return out;
}

test('Docker-invalid glob syntax is detected as Go filepath.Match does', () => {
  for (const bad of ['[z-a]', 'a[', '[]', '[]a]', '[-a]', '[a-]', 'x\\', 'dir/[b-a]/x']) assert.ok(globSyntaxError(bad), bad);
  for (const good of ['*.go', '**/x', '[a-z]', '[^a]', '[\\]]', 'f\\[1\\].txt', '[a\\-z]', 'ü[ä-ö]']) assert.equal(globSyntaxError(good), undefined, good);
});

test('an invalid .dockerignore pattern is an error naming the file and line, not a JS SyntaxError', () => {
  assert.throws(() => parseDockerignore('node_modules\n# [comment]\n\n[z-a]\n', '/repo/.dockerignore'), (err: unknown) => {
    assert.ok(err instanceof DockerignoreSyntaxError);
    assert.equal(err.message, '/repo/.dockerignore:4: invalid pattern "[z-a]": the character range z-a is out of order');
    assert.equal(err.line, 4);
    return true;
  });
  assert.throws(() => new DockerIgnoreMatcher(['ok', '[z-a]']), /invalid pattern "\[z-a\]": the character range z-a is out of order/);
});

test('building with an invalid .dockerignore fails with file:line; the watcher keeps going without it', async () => {
  const root = tree({ Tiltfile: '', 'api/Dockerfile': 'FROM scratch', 'api/.dockerignore': 'tmp\n[z-a]\n', 'api/main.go': '' });
  try {
    const ctx = path.join(root, 'api');
    assert.throws(() => dockerBuildPatternSets(ctx, path.join(ctx, 'Dockerfile'), [], []), {
      name: 'DockerignoreSyntaxError',
      message: `${path.join(ctx, '.dockerignore')}:2: invalid pattern "[z-a]": the character range z-a is out of order`,
    });
    assert.throws(() => dockerBuildPatternSets(root, undefined, ['ok', 'bad[', '!x'], []), /docker_build\(ignore=\.\.\.\): invalid pattern "bad\["/);
    const p = plan(path.join(root, 'Tiltfile'), [k8sResource('api', { imageRefs: ['api'] })], [dockerImage('api', ctx, { ignore: ['[b-a]'] })]);
    const router = new PathRouter(watchTargetsFromPlan(p));
    assert.deepEqual(router.route(path.join(ctx, 'main.go')), ['image:api']);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('the Tiltfile is never in the build context nor the image watch set; .git of a repo rooted at the context neither', async () => {
  const root = tree({ Tiltfile: 'docker_build("api", ".")', Dockerfile: 'FROM scratch', 'main.go': 'package main', '.git/HEAD': 'ref: refs/heads/main', '.git/config': '' });
  try {
    const tiltfile = path.join(root, 'Tiltfile');
    const spec: ContextSpec = { context: root, dockerfile: path.join(root, 'Dockerfile'), ignoreSets: dockerBuildPatternSets(root, path.join(root, 'Dockerfile'), [], [], { tiltfile }) };
    const files = await untar(spec);
    assert.deepEqual([...files.keys()].sort(), ['Dockerfile', 'main.go']);
    const hasher = new ContentHasher();
    const before = await hasher.contextTag(spec);
    fs.appendFileSync(tiltfile, '\n# edited\n');
    fs.writeFileSync(path.join(root, '.git/HEAD'), 'ref: refs/heads/other');
    assert.equal(await hasher.contextTag({ ...spec, ignoreSets: dockerBuildPatternSets(root, spec.dockerfile, [], [], { tiltfile }) }), before, 'editing the Tiltfile or .git does not change the image');
    fs.appendFileSync(path.join(root, 'main.go'), '\n');
    assert.notEqual(await hasher.contextTag(spec), before);

    const p = plan(tiltfile, [k8sResource('api', { imageRefs: ['api'] })], [dockerImage('api', root)]);
    const router = new PathRouter(watchTargetsFromPlan(p));
    assert.deepEqual(router.route(tiltfile), ['config'], 'a Tiltfile edit reloads the Tiltfile and rebuilds nothing by itself');
    assert.deepEqual(router.route(path.join(root, '.git/HEAD')), []);
    assert.deepEqual(router.route(path.join(root, 'main.go')), ['image:api']);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a Tiltfile in a subdirectory of the context, with glob characters in its path, is excluded literally', async () => {
  const root = tree({ Dockerfile: 'FROM scratch', 'dev [x]/Tiltfile': '', 'dev [x]/other': '', 'dev x/Tiltfile': '' });
  try {
    const sets = dockerBuildPatternSets(root, path.join(root, 'Dockerfile'), [], [], { tiltfile: path.join(root, 'dev [x]/Tiltfile') });
    const rels = (await listContext({ context: root, dockerfile: path.join(root, 'Dockerfile'), ignoreSets: sets })).map((e) => e.rel);
    assert.deepEqual(rels, ['Dockerfile', 'dev [x]', 'dev [x]/other', 'dev x', 'dev x/Tiltfile']);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('symlinks to files and directories outside the context are sent as links, never with outside content', async () => {
  const outside = tree({ 'secret.txt': 'TOP-SECRET', 'dir/key.pem': 'PRIVATE' });
  const root = tree({ Dockerfile: 'FROM scratch', 'app.txt': 'app' });
  try {
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'link.txt'));
    fs.symlinkSync(path.join(outside, 'dir'), path.join(root, 'linkdir'));
    fs.symlinkSync('../../../../../../../../etc/passwd', path.join(root, 'rel.txt'));
    const spec: ContextSpec = { context: root, dockerfile: path.join(root, 'Dockerfile'), ignoreSets: [] };
    const files = await untar(spec);
    assert.deepEqual([...files.keys()].sort(), ['Dockerfile', 'app.txt', 'link.txt', 'linkdir', 'rel.txt']);
    for (const n of ['link.txt', 'linkdir', 'rel.txt']) {
      assert.equal(files.get(n)?.type, 'symlink');
      assert.equal(files.get(n)?.body, '');
    }
    const all = [...files.values()].map((f) => f.body).join('');
    assert.ok(!all.includes('TOP-SECRET') && !all.includes('PRIVATE') && !all.includes('root:'));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  }
});

test('a file swapped for a symlink to outside between listing and sending is refused, not followed', async () => {
  const outside = tree({ 'secret.txt': 'TOP-SECRET' });
  const root = tree({ Dockerfile: 'FROM scratch', 'a.txt': 'a', 'sub/b.txt': 'b' });
  try {
    const spec: ContextSpec = { context: root, dockerfile: path.join(root, 'Dockerfile'), ignoreSets: [] };
    const entries = await listContext(spec);
    fs.rmSync(path.join(root, 'a.txt'));
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'a.txt'));
    await assert.rejects(drain(contextTar(spec, entries)), /a\.txt became a symlink while it was being sent/);

    // A directory swapped for a symlink to an outside directory holding the same name: a different file.
    fs.rmSync(path.join(root, 'a.txt'));
    fs.writeFileSync(path.join(root, 'a.txt'), 'a');
    const entries2 = await listContext(spec);
    fs.mkdirSync(path.join(outside, 'sub'));
    fs.writeFileSync(path.join(outside, 'sub/b.txt'), 'TOP-SECRET');
    fs.rmSync(path.join(root, 'sub'), { recursive: true });
    fs.symlinkSync(path.join(outside, 'sub'), path.join(root, 'sub'));
    await assert.rejects(drain(contextTar(spec, entries2)), /sub\/b\.txt was replaced while it was being sent/);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  }
});

async function drain(s: AsyncIterable<unknown>): Promise<void> {
  for await (const chunk of s) void chunk;
}
