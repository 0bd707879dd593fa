import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tar from 'tar-stream';
import { ContentHasher, INLINE_DOCKERFILE, contextTar, dockerignoreToSend, listContext, type ContextSpec } from '../../../src/engine/build/context';
import { dockerBuildPatternSets } from '../../../src/engine/watch/ignores';

function tree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'il-ctx-'));
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
  }
  return root;
}

async function untar(spec: ContextSpec): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const ex = tar.extract();
  const done = (async () => {
    for await (const entry of ex) {
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      out.set(entry.header.name + (entry.header.type === 'directory' ? '/' : ''), Buffer.concat(chunks).toString());
    }
  })();
  for await (const chunk of contextTar(spec)) ex.write(chunk);
  ex.end(undefined);
  await done;
  return out;
}

function spec(root: string, extra: Partial<ContextSpec> = {}): ContextSpec {
  const dockerfile = path.join(root, 'Dockerfile');
  return { context: root, dockerfile, ignoreSets: dockerBuildPatternSets(root, dockerfile, [], []), ...extra };
}

test('.dockerignore is honoured exactly; Dockerfile and .dockerignore always sent', async () => {
  const root = tree({
    Dockerfile: 'FROM scratch',
    '.dockerignore': 'Dockerfile\n.dockerignore\nnode_modules\n**/*.log\ndocs\n!docs/keep.md\n/secret.txt\nsrc/*.tmp\n',
    'node_modules/a/index.js': 'x',
    'src/main.ts': 'main',
    'src/a.tmp': 'tmp',
    'src/deep/b.tmp': 'kept: src/*.tmp is one level only',
    'src/deep/x.log': 'log',
    'x.log': 'log',
    'docs/a.md': 'a',
    'docs/keep.md': 'keep',
    'secret.txt': 's',
  });
  try {
    const files = await untar(spec(root));
    assert.deepEqual([...files.keys()].sort(), [
      '.dockerignore', 'Dockerfile', 'docs/keep.md', 'src/', 'src/deep/', 'src/deep/b.tmp', 'src/main.ts',
    ]);
    assert.equal(files.get('src/main.ts'), 'main');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('only= and ignore= narrow the context; a .dockerignore exception cannot undo only=', async () => {
  const root = tree({ Dockerfile: 'FROM x', '.dockerignore': '!README.md\n', 'src/a.py': 'a', 'src/test_a.py': 't', 'README.md': 'r', 'setup.py': 's' });
  try {
    const dockerfile = path.join(root, 'Dockerfile');
    const s = spec(root, { ignoreSets: dockerBuildPatternSets(root, dockerfile, ['src/test_*'], ['src', 'setup.py']) });
    const names = (await listContext(s)).map((e) => e.rel);
    assert.deepEqual(names, ['.dockerignore', 'Dockerfile', 'setup.py', 'src', 'src/a.py']);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('inline or outside Dockerfiles are added under a fixed name', async () => {
  const root = tree({ 'app.py': 'x' });
  try {
    const files = await untar({ context: root, dockerfileContents: 'FROM python', ignoreSets: [] });
    assert.equal(files.get(INLINE_DOCKERFILE), 'FROM python');
    assert.equal(files.get('.dockerignore'), `${INLINE_DOCKERFILE}\n.dockerignore\n`, 'the daemon must drop both from COPY');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('the tag is deterministic and changes with content, Dockerfile, args and target only', async () => {
  const a = tree({ Dockerfile: 'FROM x', 'main.py': 'print(1)', '.dockerignore': 'ignored.txt' });
  const b = tree({ Dockerfile: 'FROM x', 'main.py': 'print(1)', '.dockerignore': 'ignored.txt' });
  try {
    const h = new ContentHasher();
    const tagA = await h.contextTag(spec(a));
    assert.match(tagA, /^innerloop-[0-9a-f]{16}$/);
    assert.equal(await h.contextTag(spec(b)), tagA, 'same content in another dir, same tag');
    assert.equal(await new ContentHasher().contextTag(spec(a)), tagA);
    fs.writeFileSync(path.join(a, 'ignored.txt'), 'noise');
    assert.equal(await h.contextTag(spec(a)), tagA, 'ignored files do not count');
    assert.notEqual(await h.contextTag(spec(a, { buildArgs: { V: '1' } })), tagA);
    assert.notEqual(await h.contextTag(spec(a, { target: 'dev' })), tagA);
    assert.equal(await h.contextTag(spec(a, { buildArgs: { A: '1', B: '2' } })), await h.contextTag(spec(a, { buildArgs: { B: '2', A: '1' } })));
    fs.writeFileSync(path.join(a, 'main.py'), 'print(2)');
    assert.notEqual(await h.contextTag(spec(a)), tagA);
    fs.writeFileSync(path.join(a, 'main.py'), 'print(1)');
    fs.writeFileSync(path.join(a, 'Dockerfile'), 'FROM y');
    assert.notEqual(await h.contextTag(spec(a)), tagA);
  } finally {
    fs.rmSync(a, { recursive: true, force: true });
    fs.rmSync(b, { recursive: true, force: true });
  }
});

test('the .dockerignore sent tells the daemon to drop exactly what our rules exclude', () => {
  const spec = (sets: string[][], extra: Partial<ContextSpec> = {}): ContextSpec => ({ context: '/c', dockerfile: '/c/Dockerfile', ignoreSets: sets, ...extra });
  assert.equal(dockerignoreToSend(spec([['*.md']]), '*.md\n'), undefined, 'nothing special: send the original');
  assert.equal(dockerignoreToSend(spec([['*.md']]), undefined), undefined);
  assert.equal(dockerignoreToSend(spec([['Dockerfile']]), 'Dockerfile'), undefined, 'the original already drops it');
  assert.equal(dockerignoreToSend(spec([['*'], ['!src']]), undefined), 'Dockerfile\n.dockerignore\n', 'only= excludes both');
  assert.equal(dockerignoreToSend(spec([['x'], ['Docker*']]), 'x'), 'x\nDockerfile\n', 'from ignore=');
  assert.equal(dockerignoreToSend(spec([], { dockerfile: '/c/d[1]/Dockerfile' }), undefined), undefined);
  assert.equal(dockerignoreToSend(spec([['d*']], { dockerfile: '/c/d[1]/Dockerfile' }), undefined), 'd\\[1\\]/Dockerfile\n.dockerignore\n');
});
