import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RESTART_WRAPPER_PATH, restartWrapperDockerfile, wrappedCommand, writeRestartWrapperContext } from '../../../src/engine/build/restartWrapper';

function tmp(): { dir: string; script: string; restart: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'il-rw-'));
  writeRestartWrapperContext(dir);
  return { dir, script: path.join(dir, 'restart-wrapper.sh'), restart: path.join(dir, 'restart-proc') };
}

test('wrapper dockerfile and command', () => {
  assert.equal(restartWrapperDockerfile('api:tag', '/tmp/.restart-proc'), `FROM api:tag\nCOPY restart-wrapper.sh ${RESTART_WRAPPER_PATH}\nENV INNERLOOP_RESTART_FILE=/tmp/.restart-proc\n`);
  assert.deepEqual(wrappedCommand(['node', 'server.js']), ['/bin/sh', RESTART_WRAPPER_PATH, 'node', 'server.js']);
});

test('the supervisor passes through the exit code when the process exits by itself', () => {
  const { dir, script, restart } = tmp();
  try {
    const r = spawnSync('/bin/sh', [script, 'sh', '-c', 'exit 3'], { env: { ...process.env, INNERLOOP_RESTART_FILE: restart } });
    assert.equal(r.status, 3);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the supervisor restarts the process when the restart file content changes', async () => {
  const { dir, script, restart } = tmp();
  const p = spawn('/bin/sh', [script, 'sh', '-c', 'echo started; exec sleep 100'], { env: { ...process.env, INNERLOOP_RESTART_FILE: restart } });
  let out = '';
  p.stdout.on('data', (d) => (out += d));
  const starts = () => (out.match(/started/g) ?? []).length;
  const until = async (pred: () => boolean) => {
    for (let i = 0; i < 200 && !pred(); i++) await new Promise((r) => setTimeout(r, 25));
  };
  try {
    await until(() => starts() >= 1);
    fs.writeFileSync(restart, 'token-1');
    await until(() => starts() >= 2);
    assert.equal(starts(), 2, out);
    assert.match(out, /restarting process after live update/);
    assert.equal(p.exitCode, null, 'wrapper still running');
  } finally {
    p.kill('SIGTERM');
    await new Promise((r) => p.once('exit', r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
