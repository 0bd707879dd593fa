// Differential test: for the same .dockerignore, an image built from our context tar must contain exactly
// what `docker build` (the CLI, which applies .dockerignore client-side) puts in it; and our context listing
// must equal it apart from Dockerfile/.dockerignore, which are always sent and dropped by the daemon when
// excluded. Skips without the docker CLI, a daemon, or the base image.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Dockerode from 'dockerode';
import { listContext } from '../../../src/engine/build/context';
import { DockerImageBuilder } from '../../../src/engine/build/docker';
import { dockerBuildPatternSets } from '../../../src/engine/watch/ignores';

const BASE = process.env.INNERLOOP_TEST_BASE_IMAGE ?? 'localhost:5000/innerloop/busybox:latest';

function unavailable(): string | undefined {
  const r = spawnSync('docker', ['image', 'inspect', BASE], { encoding: 'utf8' });
  if (r.error) return `docker CLI not available (${r.error.message})`;
  if (r.status !== 0) return `docker daemon or ${BASE} unavailable: ${(r.stderr || r.stdout).trim().split('\n')[0]}`;
  return undefined;
}

const TREE = [
  'top.go', 'main.py', 'README.md', 'notes.md', 'a/x.go', 'a/b/c.go', 'a/b/d.txt', 'docs/a.md', 'docs/keep.md',
  'docs/sub/z.md', 'build/out/app', 'src/build/keep.txt', 'x/y', 'x/.hidden', 'vendor/lib/v.go', 'tmp1/a', 'tmpx/b',
  'node_modules/p/index.js', 'web/node_modules/q/index.js', 'f[1].txt', 'space dir/a b.txt',
];

const CASES: Record<string, string> = {
  'globs and exceptions': '**/*.go\n!a/b/*.go\ndocs\n!docs/keep.md\n',
  'root-only names and parents': 'node_modules\nbuild\n*.md\n!README.md\n',
  'question marks and classes': 'tmp?\nf\\[1\\].txt\nx/.*\n',
  'leading slash, dot segments, comments': '# comment\n/vendor\n./space dir\n**/out\n',
  'exclude all then re-include': '*\n!src\n!main.py\n',
  'exception of a deep file in an excluded dir': 'docs\n!docs/sub/z.md\n',
};

/** A RUN step's output lines, without BuildKit's "#5 " step prefix (the classic builder has none). */
// BuildKit keeps its cache after the image is removed: a fresh RUN line per test run so its output is printed.
const NONCE = `${process.pid}-${Date.now()}`;

// Both builders: the classic one gets a tar, BuildKit the session's file sync; each image must hold what the CLI's does.
const BUILDERS = [['classic', { ...process.env, DOCKER_BUILDKIT: '0' }], ['BuildKit', { ...process.env, DOCKER_BUILDKIT: '1' }]] as const;

const runOutput = (lines: string[]): string[] => lines.map((l) => l.replace(/^#\d+ /, ''));

function fromDocker(dir: string): string[] | string {
  const r = spawnSync('docker', ['build', '--no-cache', '--rm', '--force-rm', '.'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, DOCKER_BUILDKIT: '0' },
    maxBuffer: 16 * 1024 * 1024,
  });
  const out = `${r.stdout}\n${r.stderr}`;
  if (r.status !== 0) return out;
  const id = /Successfully built ([0-9a-f]+)/.exec(out)?.[1];
  if (id) spawnSync('docker', ['rmi', '-f', id]);
  return out.split('\n').filter((l) => l.startsWith('./')).map((l) => l.slice(2)).sort();
}

for (const [name, ignore] of Object.entries(CASES)) {
  test(`.dockerignore parity with docker build: ${name}`, async (t) => {
    const why = unavailable();
    if (why) return t.skip(why);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'il-parity-'));
    try {
      for (const f of TREE) {
        fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
        fs.writeFileSync(path.join(dir, f), f);
      }
      fs.writeFileSync(path.join(dir, 'Dockerfile'), `FROM ${BASE}\nCOPY . /ctx\nRUN : ${NONCE} && cd /ctx && find . -type f | sort\n`);
      fs.writeFileSync(path.join(dir, '.dockerignore'), ignore);
      const docker = fromDocker(dir);
      if (typeof docker === 'string') return assert.fail(`docker build failed:\n${docker}`);
      const dockerfile = path.join(dir, 'Dockerfile');
      const spec = { context: dir, dockerfile, ignoreSets: dockerBuildPatternSets(dir, dockerfile, [], []) };
      const listed = (await listContext(spec)).filter((e) => e.type === 'file').map((e) => e.rel).sort();
      const alwaysSent = new Set(['Dockerfile', '.dockerignore']);
      assert.deepEqual(listed.filter((f) => docker.includes(f) || !alwaysSent.has(f)), docker);

      for (const [name, env] of BUILDERS) {
        const lines: string[] = [];
        const built = await new DockerImageBuilder(new Dockerode(), undefined, env).build({ spec, repo: 'innerloop-enginetest/parity', force: true, onOutput: (l) => lines.push(l) });
        await new Dockerode().getImage(built.ref).remove({ force: true }).catch(() => undefined);
        assert.deepEqual(runOutput(lines).filter((l) => l.startsWith('./')).map((l) => l.slice(2)).sort(), docker, `image built with ${name}`);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('an inline Dockerfile and an only= context never end up in the image (like the docker CLI)', async (t) => {
  const why = unavailable();
  if (why) return t.skip(why);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'il-parity-inline-'));
  const docker = new Dockerode();
  try {
    for (const f of ['src/a.txt', 'other.txt', '.dockerignore']) {
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      fs.writeFileSync(path.join(dir, f), f === '.dockerignore' ? '*.log\n' : f);
    }
    for (const [name, env] of BUILDERS) {
      const lines: string[] = [];
      const built = await new DockerImageBuilder(docker, undefined, env).build({
        spec: {
          context: dir,
          dockerfileContents: `FROM ${BASE}\nCOPY . /ctx\nRUN : ${NONCE} && cd /ctx && find . -type f | sort\n`,
          ignoreSets: dockerBuildPatternSets(dir, undefined, [], ['src']),
        },
        repo: 'innerloop-enginetest/parity-inline',
        force: true,
        onOutput: (l) => lines.push(l),
      });
      await docker.getImage(built.ref).remove({ force: true }).catch(() => undefined);
      assert.deepEqual(runOutput(lines).filter((l) => l.startsWith('./')), ['./src/a.txt'], name);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
