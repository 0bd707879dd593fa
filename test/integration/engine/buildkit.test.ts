// BuildKit against the real daemon: the Dockerfile features that need it, docker_build's options, and the
// progress the resource log shows. Skips when no daemon is reachable, the base image is missing, or the daemon
// has no BuildKit. Every test builds a Dockerfile with a per-run nonce: BuildKit's cache outlives the images.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import Dockerode from 'dockerode';
import { DockerImageBuilder, DockerOperationError, type DockerBuildRequest } from '../../../src/engine/build/docker';
import { BUSYBOX, dockerProblem } from '../docker';

const docker = new Dockerode();
const builder = new DockerImageBuilder(docker);
const NONCE = `${process.pid}-${Date.now()}`;
const REPO = 'innerloop-enginetest/buildkit';
const PYTHON = 'localhost:5000/innerloop/debian-python:bookworm';

async function problem(): Promise<string | undefined> {
  const p = await dockerProblem(docker);
  if (p) return p;
  return (await builder.useBuildkit()) ? undefined : 'the daemon has no BuildKit (or DOCKER_BUILDKIT=0)';
}

function context(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'il-buildkit-'));
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), content);
  }
  return root;
}

const made: string[] = [];
async function build(root: string, extra: Partial<DockerBuildRequest> & { target?: string } = {}): Promise<{ ref: string; lines: string[] }> {
  const lines: string[] = [];
  const { target, ...rest } = extra;
  const r = await builder.build({
    spec: { context: root, dockerfile: path.join(root, 'Dockerfile'), ignoreSets: [], target },
    repo: REPO,
    force: true,
    onOutput: (l) => lines.push(l),
    ...rest,
  });
  made.push(r.ref, ...(rest.extraTags ?? []));
  return { ref: r.ref, lines };
}

test.after(async () => {
  for (const ref of made) await docker.getImage(ref).remove({ force: true }).catch(() => undefined);
});

test('buildkit: the daemon here is asked and builds with BuildKit by default, in readable numbered steps', async (t) => {
  const why = await problem();
  if (why) return t.skip(why);
  const root = context({ Dockerfile: `FROM ${BUSYBOX}\nRUN echo step-output ${NONCE}\n` });
  try {
    const { lines } = await build(root);
    assert.ok(lines.includes('Building with BuildKit'), lines.join('\n'));
    assert.ok(lines.some((l) => /^#\d+ \[\d\/\d\] RUN echo step-output/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /^#\d+ step-output /.test(l)), 'the RUN output, under its step number');
    assert.ok(lines.some((l) => /^#\d+ DONE \d+\.\ds$/.test(l)), lines.join('\n'));
    assert.ok(!lines.some((l) => l.trimStart().startsWith('{') || l.includes('moby.buildkit.trace')), 'no raw JSON');
    const numbers = lines.map((l) => /^#(\d+) /.exec(l)?.[1]).filter((n) => n !== undefined).map(Number);
    const firstSeen = [...new Set(numbers)];
    assert.deepEqual(firstSeen, firstSeen.map((_, i) => i + 1), 'steps numbered 1, 2, 3... in order of appearance');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('buildkit: RUN --mount=type=cache keeps its contents for the next build', async (t) => {
  const why = await problem();
  if (why) return t.skip(why);
  // The COPY changes between builds so the RUN runs again; only the cache mount remembers the first run.
  const dockerfile = `FROM ${BUSYBOX}\nCOPY version /version\nRUN --mount=type=cache,target=/cache,id=il-${NONCE} if [ -f /cache/seen ]; then echo cache-hit; else echo cache-miss; touch /cache/seen; fi\n`;
  const root = context({ Dockerfile: dockerfile, version: '1' });
  try {
    const first = await build(root);
    assert.ok(first.lines.some((l) => / cache-miss$/.test(l)), first.lines.join('\n'));
    fs.writeFileSync(path.join(root, 'version'), '2');
    const second = await build(root);
    assert.ok(second.lines.some((l) => / cache-hit$/.test(l)), second.lines.join('\n'));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('buildkit: docker_build(secret=...) reaches RUN --mount=type=secret and is not in the image', async (t) => {
  const why = await problem();
  if (why) return t.skip(why);
  const secret = `s3cr3t-${NONCE}`;
  // The Dockerfile is in the history, so it names a digest of the secret, never the secret.
  const root = context({ Dockerfile: `FROM ${BUSYBOX}\nRUN --mount=type=secret,id=tok test "$(md5sum < /run/secrets/tok | cut -d' ' -f1)" = "${md5(secret)}" && echo secret-ok ${NONCE}\n` });
  const secretsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'il-buildkit-secret-'));
  fs.writeFileSync(path.join(secretsDir, 'tok.txt'), secret);
  let container: Dockerode.Container | undefined;
  try {
    const { ref, lines } = await build(root, { secrets: ['id=tok,src=tok.txt'], baseDir: secretsDir });
    assert.ok(lines.some((l) => l.includes(`secret-ok ${NONCE}`)), lines.join('\n'));
    const history = await docker.getImage(ref).history() as { CreatedBy: string }[];
    assert.ok(history.length > 0);
    assert.ok(!JSON.stringify(history).includes(secret), 'not in the image history');
    container = await docker.createContainer({ Image: ref, Cmd: ['true'] });
    const exported = await new Promise<Buffer>((resolve, reject) => {
      void container!.export().then((s) => {
        const parts: Buffer[] = [];
        s.on('data', (c: Buffer) => parts.push(c));
        s.on('end', () => resolve(Buffer.concat(parts)));
        s.on('error', reject);
      }, reject);
    });
    assert.ok(exported.length > 100_000, 'the filesystem was exported');
    assert.equal(exported.indexOf(secret), -1, 'not in any file of the image');
  } finally {
    await container?.remove({ force: true }).catch(() => undefined);
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(secretsDir, { recursive: true, force: true });
  }
});

test('buildkit: a missing secret fails the build with a message naming it', async (t) => {
  const why = await problem();
  if (why) return t.skip(why);
  const root = context({ Dockerfile: `FROM ${BUSYBOX}\nRUN --mount=type=secret,id=absent,required=true cat /run/secrets/absent ${NONCE}\n` });
  try {
    await assert.rejects(build(root), (err: unknown) => err instanceof DockerOperationError && /absent/.test(err.message));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('buildkit: an unused stage is skipped, --target stops at its stage', async (t) => {
  const why = await problem();
  if (why) return t.skip(why);
  const root = context({
    Dockerfile: [
      `FROM ${BUSYBOX} AS broken`,
      `RUN echo broken-ran ${NONCE} && exit 1`,
      `FROM ${BUSYBOX} AS dev`,
      `RUN echo dev-ran ${NONCE}`,
      `FROM dev AS prod`,
      `RUN echo prod-ran ${NONCE}`,
      '',
    ].join('\n'),
  });
  try {
    const all = await build(root);
    assert.ok(all.lines.some((l) => l.includes('prod-ran')), all.lines.join('\n'));
    assert.ok(!all.lines.some((l) => l.includes('broken-ran')), 'the unused (failing) stage never ran');
    const dev = await build(root, { target: 'dev', extraTags: [`${REPO}:dev-${NONCE}`] });
    assert.ok(dev.lines.some((l) => /^#\d+ \[dev 2\/2\] RUN echo dev-ran/.test(l)), dev.lines.join('\n'));
    assert.ok(!dev.lines.some((l) => l.includes('prod-ran')), 'target stops at dev');
    assert.ok(!dev.lines.some((l) => l.includes('broken-ran')));
    assert.equal(await builder.imageExists(`${REPO}:dev-${NONCE}`), true, 'extra_tag applied');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('buildkit: COPY --chmod sets the mode; COPY --link is refused by this daemon\'s built-in frontend with a clear error', async (t) => {
  const why = await problem();
  if (why) return t.skip(why);
  const root = context({ Dockerfile: `FROM ${BUSYBOX}\nCOPY --chmod=0751 run.sh /run.sh\nRUN stat -c mode=%a /run.sh && : ${NONCE}\n`, 'run.sh': 'echo hi\n' });
  try {
    const { lines } = await build(root);
    assert.ok(lines.some((l) => /^#\d+ mode=751$/.test(l)), lines.join('\n'));
    // --link needs the Dockerfile 1.4 frontend (Docker 23+); Docker 20.10's built-in one names the flag.
    fs.writeFileSync(path.join(root, 'Dockerfile'), `FROM ${BUSYBOX}\nCOPY --link --chmod=0755 run.sh /run.sh\nRUN stat -c mode=%a /run.sh && : ${NONCE}\n`);
    try {
      const linked = await build(root);
      assert.ok(linked.lines.some((l) => /^#\d+ mode=755$/.test(l)), linked.lines.join('\n'));
    } catch (err) {
      assert.ok(err instanceof DockerOperationError && /Unknown flag: link/.test(err.message), String(err));
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('buildkit: network=none, pull=false and pull=true reach the daemon', async (t) => {
  const why = await problem();
  if (why) return t.skip(why);
  const root = context({ Dockerfile: `FROM ${BUSYBOX}\nRUN echo ifaces $(ls /sys/class/net) ${NONCE}\n` });
  try {
    const none = await build(root, { network: 'none', pull: false });
    assert.ok(none.lines.some((l) => new RegExp(`^#\\d+ ifaces lo ${NONCE}$`).test(l)), none.lines.join('\n'));
    fs.writeFileSync(path.join(root, 'Dockerfile'), `FROM ${BUSYBOX}\nRUN echo ifaces $(ls /sys/class/net) pulled ${NONCE}\n`);
    // pull=true resolves the base image from its registry (the local one here) instead of the local copy.
    const pulled = await build(root, { pull: true });
    assert.ok(pulled.lines.some((l) => l.includes('pulled')), pulled.lines.join('\n'));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('buildkit: the context comes through the session: same-size edits, modes, symlinks, empty dirs, .dockerignore', async (t) => {
  const why = await problem();
  if (why) return t.skip(why);
  const show = (tag: string): string => `FROM ${BUSYBOX}\nCOPY . /ctx\nRUN : ${NONCE} && cd /ctx && echo ${tag} && find . | sort && echo $(cat a.txt) && stat -c mode=%a run.sh && readlink link\n`;
  const root = context({ Dockerfile: show('one'), 'a.txt': 'A1', 'run.sh': 'echo hi\n', 'sub/b.txt': 'b', '.dockerignore': 'Dockerfile\n*.log\n', 'x.log': 'no' });
  fs.chmodSync(path.join(root, 'run.sh'), 0o755);
  fs.symlinkSync('sub/b.txt', path.join(root, 'link'));
  fs.mkdirSync(path.join(root, 'empty'));
  try {
    const first = await build(root);
    const out1 = first.lines.map((l) => l.replace(/^#\d+ /, ''));
    assert.ok(out1.includes('one') && out1.includes('A1') && out1.includes('mode=755') && out1.includes('sub/b.txt'), first.lines.join('\n'));
    assert.ok(out1.includes('./empty') && out1.includes('./link') && out1.includes('./.dockerignore'), first.lines.join('\n'));
    assert.ok(!out1.includes('./Dockerfile') && !out1.includes('./x.log'), 'excluded by .dockerignore, the Dockerfile too');
    // Same sizes, new contents: the daemon keeps the last sync (same shared key) and must still see both changes.
    fs.writeFileSync(path.join(root, 'a.txt'), 'A2');
    fs.writeFileSync(path.join(root, 'Dockerfile'), show('two'));
    const second = await build(root);
    const out2 = second.lines.map((l) => l.replace(/^#\d+ /, ''));
    assert.ok(out2.includes('two') && out2.includes('A2'), second.lines.join('\n'));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('buildkit: the session outlives a slow step (it answers the daemon\'s health checks)', async (t) => {
  const why = await problem();
  if (why) return t.skip(why);
  // The daemon checks the session every second and drops one that does not answer; the secret is asked for late.
  const root = context({ Dockerfile: `FROM ${BUSYBOX}\nRUN sleep 4 && echo slept ${NONCE}\nRUN --mount=type=secret,id=tok cat /run/secrets/tok && echo\n`, tok: `late-${NONCE}` });
  try {
    const { lines } = await build(root, { secrets: ['id=tok,src=tok'], baseDir: root });
    assert.ok(lines.some((l) => l.endsWith(` late-${NONCE}`)), lines.join('\n'));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('buildkit: docker_build(ssh=...) forwards RUN --mount=type=ssh to the local agent socket', async (t) => {
  const why = (await problem()) ?? (await dockerProblem(docker, PYTHON));
  if (why) return t.skip(why);
  // A stand-in ssh-agent: answers "list identities" (11) with an empty list (12), and counts who asked.
  const root = context({
    Dockerfile: [
      `FROM ${PYTHON}`,
      `RUN --mount=type=ssh python3 -c "import os,socket; s=socket.socket(socket.AF_UNIX); s.connect(os.environ['SSH_AUTH_SOCK']); s.sendall(bytes([0,0,0,1,11])); print('agent-said', s.recv(9).hex(), '${NONCE}')"`,
      '',
    ].join('\n'),
  });
  const sock = path.join(root, 'agent.sock');
  let asked = 0;
  const agent = net.createServer((c) => c.on('data', (d: Buffer) => {
    if (d.includes(11)) { asked++; c.write(Buffer.from([0, 0, 0, 5, 12, 0, 0, 0, 0])); }
  }));
  await new Promise<void>((resolve) => agent.listen(sock, resolve));
  try {
    const { lines } = await build(root, { ssh: [`default=${sock}`] });
    assert.ok(lines.some((l) => l.includes(`agent-said 000000050c00000000 ${NONCE}`)), lines.join('\n'));
    assert.equal(asked, 1);
  } finally {
    agent.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
});

function md5(s: string): string {
  return createHash('md5').update(s).digest('hex');
}
