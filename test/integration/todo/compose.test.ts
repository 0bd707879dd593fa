// docker_compose resources through the session: ci brings a one-service project up on the local daemon
// (logs and runtime status flow into the engine), down removes it. Skips without Docker.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Dockerode from 'dockerode';
import { Session } from '../../../src/engine/session';
import { loadTiltfile } from '../../../src/tiltfile/loader';
import { waitFor } from '../k8s/cluster';

const IMAGE = 'localhost:5000/innerloop/busybox:latest';

describe('docker_compose through the session', () => {
  it('ci brings the service up, down removes it', async (t) => {
    const docker = new Dockerode();
    try {
      await docker.getImage(IMAGE).inspect();
    } catch (err) {
      return t.skip(`docker or ${IMAGE} not available: ${err instanceof Error ? err.message : String(err)}`);
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'innerloop-compose-'));
    const project = path.basename(dir).toLowerCase().replace(/[^a-z0-9]/g, '');
    fs.writeFileSync(path.join(dir, 'docker-compose.yml'), [
      'services:', '  web:', `    image: ${IMAGE}`, '    command: ["sh", "-c", "echo hello from compose; exec sleep 3600"]', '',
    ].join('\n'));
    fs.writeFileSync(path.join(dir, 'Tiltfile'), "docker_compose('docker-compose.yml')\n");
    const s = new Session({ tiltfile: path.join(dir, 'Tiltfile'), subcommand: 'ci', load: async (p, o) => loadTiltfile(p, o), watch: false, docker });
    try {
      await s.start();
      assert.deepEqual(await s.waitCi({ timeoutMs: 60_000 }), { state: 'succeeded' });
      await waitFor('the service log', 10_000, () => s.logs.linesSince('web').some((l) => l.text.includes('hello from compose')));
      await s.stop();
      assert.deepEqual((await s.down()).errors, []);
      const left = await docker.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${project}`] } });
      assert.equal(left.length, 0);
    } finally {
      await s.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
