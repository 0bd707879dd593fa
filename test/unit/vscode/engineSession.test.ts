// The editor's engine session end to end under plain Node: real loader (in a worker), real Engine and
// file watcher, fake Docker/Kubernetes/process ports.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorker } from './workerBundle';
import { createEditorSession } from '../../../src/vscode/engineSession';
import { fakePorts } from '../../fakes/ports';
import { updateStatus } from '../../../src/shared/status';

const dir = mkdtempSync(join(tmpdir(), 'innerloop-session-'));
const workerScript = join(dir, 'cli.js');
after(() => rmSync(dir, { recursive: true, force: true }));
before(() => bundleWorker(workerScript));

async function until(pred: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (pred()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`timed out waiting for ${what}`);
}

const ran: string[] = [];
const ports = fakePorts({ ran });
const quiet = { info: () => undefined, error: () => undefined };

describe('createEditorSession', () => {
  it('loads the Tiltfile, runs resources, and reloads when the Tiltfile changes', async () => {
    const ws = mkdtempSync(join(dir, 'ws-'));
    const tf = join(ws, 'Tiltfile');
    writeFileSync(tf, "local_resource('hello', cmd='echo hi', labels=['tools'])\nprint('loaded')\n");
    const s = createEditorSession({ tiltfile: tf, args: [], ports, workerScript, debounceMs: 20, logBufferLines: 1000, log: quiet });
    try {
      await s.start();
      assert.equal(s.store.snapshot().session.tiltfile.status, 'ok');
      assert.deepEqual(s.store.snapshot().order, ['hello']);
      await until(() => updateStatus(s.store.resource('hello')!) === 'ok', 'hello to run');
      assert.deepEqual(ran, ['hello']);
      assert.ok(s.logs.linesSince('hello').some((l) => l.text === 'ran hello'));
      assert.ok(s.logs.linesSince('(Tiltfile)').some((l) => l.text === 'loaded'));

      writeFileSync(tf, "local_resource('hello', cmd='echo hi')\nlocal_resource('world', cmd='echo w')\n");
      await until(() => s.store.snapshot().order.length === 2, 'the reload after the Tiltfile edit');
      await s.settled();
      assert.deepEqual(s.store.snapshot().order, ['hello', 'world']);
    } finally {
      s.dispose();
    }
  });

  it('records a failed load on the session instead of throwing', async () => {
    const ws = mkdtempSync(join(dir, 'ws-'));
    const tf = join(ws, 'Tiltfile');
    writeFileSync(tf, "k8s_yaml('nope.yaml')\n");
    const s = createEditorSession({ tiltfile: tf, args: [], ports, workerScript, debounceMs: 20, logBufferLines: 1000, log: quiet });
    try {
      await s.start();
      const t = s.store.snapshot().session.tiltfile;
      assert.equal(t.status, 'error');
      assert.match(t.error ?? '', /Tiltfile:1:\d+: .*nope\.yaml/);
    } finally {
      s.dispose();
    }
  });
});
