// Real Docker builds and pushes. Skips when no daemon is reachable. Needs the base image
// localhost:5000/innerloop/busybox:latest (or INNERLOOP_TEST_BASE_IMAGE) present locally.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Dockerode from 'dockerode';
import { DockerImageBuilder, DockerOperationError } from '../../../src/engine/build/docker';
import { dockerBuildPatternSets } from '../../../src/engine/watch/ignores';
import type { ContextSpec } from '../../../src/engine/build/context';
import { BUSYBOX, dockerProblem } from '../docker';

const BASE = BUSYBOX;
const REGISTRY = process.env.INNERLOOP_TEST_REGISTRY ?? 'localhost:5000';
const docker = new Dockerode();
// BuildKit keeps its cache after the image is removed: a fresh RUN line per test run so its output is printed.
const NONCE = `${process.pid}-${Date.now()}`;


function context(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'il-docker-'));
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), content);
  }
  return root;
}

test('docker: build a context, skip when the content tag exists, extra tags, push', async (t) => {
  const problem = await dockerProblem(docker);
  if (problem) return t.skip(problem);
  const root = context({
    Dockerfile: `FROM ${BASE}\nARG GREETING=hi\nCOPY . /app\nRUN : ${NONCE} && echo "$GREETING" > /greeting && ls /app\n`,
    '.dockerignore': 'secret.txt\n',
    'app.sh': 'echo app',
    'secret.txt': 'do not send',
  });
  const repo = `${REGISTRY}/innerloop-enginetest/app`;
  const builder = new DockerImageBuilder(docker);
  const made: string[] = [];
  try {
    const spec: ContextSpec = { context: root, dockerfile: path.join(root, 'Dockerfile'), ignoreSets: dockerBuildPatternSets(root, path.join(root, 'Dockerfile'), [], []), buildArgs: { GREETING: 'hello' } };
    const lines: string[] = [];
    const first = await builder.build({ spec, repo, extraTags: [`${repo}:dev`], force: true, onOutput: (l) => lines.push(l) });
    made.push(first.ref, `${repo}:dev`);
    assert.match(first.ref, /:innerloop-[0-9a-f]{16}$/);
    assert.equal(first.skipped, false);
    assert.ok(lines.some((l) => l.includes('app.sh')), lines.join('\n'));
    assert.ok(!lines.some((l) => l.includes('secret.txt')), '.dockerignore honoured');
    assert.equal(await builder.imageExists(`${repo}:dev`), true);

    const again = await builder.build({ spec, repo });
    assert.equal(again.skipped, true);
    assert.equal(again.ref, first.ref);

    await builder.push(first.ref);
    const res = await fetch(`http://${REGISTRY.replace('localhost', '127.0.0.1')}/v2/innerloop-enginetest/app/tags/list`);
    const body = (await res.json()) as { tags?: string[] };
    assert.ok(body.tags?.includes(first.tag), JSON.stringify(body));
  } finally {
    for (const ref of made) await docker.getImage(ref).remove({ force: true }).catch(() => undefined);
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('docker: a failing RUN step surfaces as a DockerOperationError with the daemon message', async (t) => {
  const problem = await dockerProblem(docker);
  if (problem) return t.skip(problem);
  const root = context({ Dockerfile: `FROM ${BASE}\nRUN exit 3\n` });
  try {
    const builder = new DockerImageBuilder(docker);
    await assert.rejects(
      builder.build({ spec: { context: root, dockerfile: path.join(root, 'Dockerfile'), ignoreSets: [] }, repo: `${REGISTRY}/innerloop-enginetest/fail`, force: true }),
      (err: unknown) => err instanceof DockerOperationError && /(returned a non-zero code|exit code): 3/.test(err.message),
    );
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('docker: inline Dockerfile contents and a multi-stage target', async (t) => {
  const problem = await dockerProblem(docker);
  if (problem) return t.skip(problem);
  const root = context({ 'a.txt': 'A' });
  const builder = new DockerImageBuilder(docker);
  let ref: string | undefined;
  try {
    const lines: string[] = [];
    const r = await builder.build({
      spec: {
        context: root,
        dockerfileContents: `FROM ${BASE} AS dev\nCOPY a.txt /a.txt\nRUN echo stage-dev ${NONCE}\nFROM dev AS prod\nRUN echo stage-prod ${NONCE}\n`,
        ignoreSets: [],
        target: 'dev',
      },
      repo: `${REGISTRY}/innerloop-enginetest/inline`,
      force: true,
      onOutput: (l) => lines.push(l),
    });
    ref = r.ref;
    assert.ok(lines.some((l) => l.includes('stage-dev')));
    assert.ok(!lines.some((l) => l.includes('stage-prod')), 'target stops at dev');
  } finally {
    if (ref) await docker.getImage(ref).remove({ force: true }).catch(() => undefined);
    fs.rmSync(root, { recursive: true, force: true });
  }
});
