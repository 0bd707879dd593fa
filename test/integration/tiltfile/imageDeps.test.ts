// Image dependencies on the real Docker daemon: an image whose Dockerfile builds FROM ${BASE_IMAGE} (a build_arg
// naming another docker_build image) is built after it and FROM the exact ref just built, so a change in the base
// reaches the child on the next build. Without the substitution Docker would look for `h-tiltfile/common:latest`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Dockerode from 'dockerode';
import { DockerImageAdapter } from '../../../src/engine/adapters/images';
import { imagesInBuildOrder } from '../../../src/engine/update';
import { loadTiltfile } from '../../../src/tiltfile/loader';
import type { K8sResource } from '../../../src/tiltfile/plan';
import { BUSYBOX, dockerProblem } from '../docker';

const docker = new Dockerode();

async function run(ref: string, cmd: string[]): Promise<string> {
  const c = await docker.createContainer({ Image: ref, Cmd: cmd, Entrypoint: [] });
  try {
    await c.start();
    await c.wait();
    const out = await c.logs({ stdout: true, stderr: true });
    // Docker multiplexes stdout/stderr with 8-byte frame headers.
    let text = '';
    for (let i = 0; i < out.length;) { const n = out.readUInt32BE(i + 4); text += out.subarray(i + 8, i + 8 + n).toString(); i += 8 + n; }
    return text;
  } finally {
    await c.remove({ force: true });
  }
}

test('FROM ${BASE_IMAGE} via build_args: base built first, child built FROM the exact built ref', { timeout: 240_000 }, async (t) => {
  const problem = await dockerProblem(docker);
  if (problem) { t.skip(problem); return; }
  const dir = mkdtempSync(join(tmpdir(), 'h-tiltfile-deps-'));
  const built: string[] = [];
  try {
    mkdirSync(join(dir, 'common'));
    mkdirSync(join(dir, 'app'));
    writeFileSync(join(dir, 'common/Dockerfile'), `FROM ${BUSYBOX}\nCOPY message.txt /common/message.txt\n`);
    writeFileSync(join(dir, 'common/message.txt'), 'one\n');
    writeFileSync(join(dir, 'app/Dockerfile'), 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY app.txt /app.txt\n');
    writeFileSync(join(dir, 'app/app.txt'), 'app\n');
    writeFileSync(join(dir, 'app.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: app}\nspec:\n  containers: [{name: app, image: h-tiltfile/app}]\n');
    writeFileSync(join(dir, 'Tiltfile'), `
docker_build('h-tiltfile/common', 'common')
docker_build('h-tiltfile/app', 'app', build_args={'BASE_IMAGE': 'h-tiltfile/common'}, live_update=[sync('common', '/common')])
k8s_yaml('app.yaml')
`);
    const adapter = new DockerImageAdapter({ docker, registry: () => undefined, clusterUsesLocalDocker: true, now: () => Date.now() });
    const buildAll = async (): Promise<string> => {
      const r = loadTiltfile(join(dir, 'Tiltfile'));
      assert.equal(r.ok, true, JSON.stringify(r.diagnostics));
      const res = r.plan.resources.find((x) => x.name === 'app') as K8sResource;
      const order = imagesInBuildOrder(r.plan, res.imageRefs);
      assert.deepEqual(order.map((i) => i.ref), ['h-tiltfile/common', 'h-tiltfile/app']);
      let last = '';
      for (const img of order) {
        const b = await adapter.buildImage(img, { onOutput: () => undefined });
        built.push(b.clusterRef);
        last = b.clusterRef;
      }
      return last;
    };
    const app1 = await buildAll();
    assert.equal(await run(app1, ['cat', '/common/message.txt', '/app.txt']), 'one\napp\n');
    // The base changes: a new base tag, and the child is rebuilt FROM it (its Dockerfile text now names the new ref).
    writeFileSync(join(dir, 'common/message.txt'), 'two\n');
    const app2 = await buildAll();
    assert.notEqual(app2, app1);
    assert.equal(await run(app2, ['cat', '/common/message.txt']), 'two\n');
  } finally {
    for (const ref of new Set(built)) await docker.getImage(ref).remove({ force: true }).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
});
