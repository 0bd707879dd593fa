// local_resource processes: cmd output and exit codes, serve_cmd readiness via probes, process-group kill.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { LocalProcessAdapter } from '../../../src/engine/adapters/local';
import { runCommand } from '../../../src/engine/adapters/process';
import type { LocalResource } from '../../../src/tiltfile/plan';
import type { RuntimeStatus } from '../../../src/shared/state';

const cmd = (command: string[], shell = false): LocalResource['cmd'] => ({ command, shell, dir: process.cwd(), env: { GREETING: 'hi' } });

function resource(over: Partial<LocalResource>): LocalResource {
  return {
    type: 'local', name: 'r', labels: [], resourceDeps: [], triggerMode: 'auto', autoInit: true, links: [],
    cmd: cmd([]), serveCmd: cmd([]), deps: [], ignore: [], allowParallel: false, ...over,
  };
}

async function until(pred: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (pred()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`timed out waiting for ${what}`);
}

const alive = (pid: number): boolean => {
  try { process.kill(pid, 0); return true; } catch { return false; }
};

describe('local processes', () => {
  it('runs a shell cmd with its env and reports lines and the exit code', async () => {
    const lines: string[] = [];
    const r = await runCommand(cmd(['echo $GREETING; echo two >&2; exit 4'], true), { onOutput: (l) => lines.push(l) });
    assert.equal(r.exitCode, 4);
    assert.deepEqual(lines.sort(), ['hi', 'two']);
  });

  it('starts serve_cmd after cmd, becomes ready by tcp probe, and kills the whole process group on stop', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as net.AddressInfo).port;
    const status: RuntimeStatus[] = [];
    const out: string[] = [];
    const a = new LocalProcessAdapter({ serveOutput: (_n, l) => out.push(l), setRuntime: (_n, s) => status.push(s) });
    const r = resource({
      cmd: cmd(['true']),
      // A grandchild that would survive a plain kill of the shell.
      serveCmd: cmd(['sleep 30 & echo child=$!; wait'], true),
      readinessProbe: { initialDelaySecs: 0, timeoutSecs: 1, periodSecs: 1, successThreshold: 1, failureThreshold: 3, action: { kind: 'tcp_socket', host: '127.0.0.1', port } },
    });
    assert.deepEqual(await a.run(r, { onOutput: () => undefined }), { exitCode: 0 });
    await until(() => status.includes('ok'), 'readiness');
    await until(() => out.some((l) => l.startsWith('child=')), 'the child pid');
    const pid = Number(out.find((l) => l.startsWith('child='))!.slice(6));
    assert.ok(alive(pid));
    await a.stopAll();
    await until(() => !alive(pid), 'the grandchild to die');
    server.close();
  });
});
