// The todo API's image rebuild after a requirements.txt edit (the change live update falls back on), with the
// classic builder and with BuildKit, through the same DockerImageBuilder the engine uses. Build only (no push, no
// rollout). Prints "skipped: ..." without a Docker daemon or the base image.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Dockerode from 'dockerode';
import { DockerImageBuilder } from '../src/engine/build/docker';
import { dockerBuildPatternSets } from '../src/engine/watch/ignores';
import { dockerProblem } from '../test/integration/docker';

const API = path.join(__dirname, '..', 'test', 'fixtures', 'todo-app', 'api');
const REBUILDS = 5;

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] as number;
}

async function main(): Promise<void> {
  const docker = new Dockerode();
  const problem = await dockerProblem(docker, 'localhost:5000/innerloop/debian-python:bookworm');
  if (problem) {
    console.log(`skipped: ${problem}`);
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'il-build-bench-'));
  const made: string[] = [];
  try {
    fs.cpSync(API, dir, { recursive: true });
    const requirements = fs.readFileSync(path.join(dir, 'requirements.txt'), 'utf8');
    const dockerfile = path.join(dir, 'Dockerfile');
    const spec = { context: dir, dockerfile, ignoreSets: dockerBuildPatternSets(dir, dockerfile, [], []) };
    for (const [name, env] of [['classic', '0'], ['buildkit', '1']] as const) {
      const builder = new DockerImageBuilder(docker, undefined, { ...process.env, DOCKER_BUILDKIT: env });
      const times: number[] = [];
      // The first build warms the base layers; the timed ones each follow a requirements.txt edit.
      for (let i = 0; i <= REBUILDS; i++) {
        fs.writeFileSync(path.join(dir, 'requirements.txt'), `${requirements}# bench ${name} ${process.pid} ${i}\n`);
        const t0 = performance.now();
        const r = await builder.build({ spec, repo: 'innerloop-bench/todo-api' });
        if (i > 0) times.push(performance.now() - t0);
        made.push(r.ref);
      }
      console.log(`todo api rebuild after a requirements.txt edit, ${name}: p50 ${Math.round(pct(times, 50))} ms, max ${Math.round(Math.max(...times))} ms (${REBUILDS} rebuilds)`);
    }
  } finally {
    for (const ref of made) await docker.getImage(ref).remove({ force: true }).catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
