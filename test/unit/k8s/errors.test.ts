import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterUnreachableError, describeError, httpStatus } from '../../../src/engine/k8s/errors';
import { exitCodeFromStatus } from '../../../src/engine/k8s/exec';
import { deniedPath, hintFor, runCommandText, type ExecResult } from '../../../src/engine/liveupdate/containerUpdate';

// The rm/tar failure hint for one path, as the live update computes it.
const infraHint = (step: 'rm' | 'tar', r: ExecResult, uid?: string): string | undefined => hintFor(step, r, [], uid);

test('unreachable message names server and context', () => {
  const e = new ClusterUnreachableError('https://127.0.0.1:6443', 'innerloop', 'connection refused');
  assert.equal(e.message, 'cannot reach the cluster at https://127.0.0.1:6443 (context innerloop): connection refused');
  assert.equal(e.code, 'unreachable');
});

test('describeError prefers the API server Status message', () => {
  const apiErr = Object.assign(new Error('HTTP-Code: 422'), { code: 422, body: JSON.stringify({ kind: 'Status', message: 'Deployment.apps "x" is invalid: spec.template.spec.containers: Required value' }) });
  assert.equal(describeError(apiErr), 'Deployment.apps "x" is invalid: spec.template.spec.containers: Required value');
  assert.equal(httpStatus(apiErr), 422);
  assert.equal(httpStatus(new Error('x')), undefined);
  assert.equal(httpStatus(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })), undefined);
});

test('exit codes from the exec status channel', () => {
  assert.deepEqual(exitCodeFromStatus({ status: 'Success' }), { exitCode: 0 });
  assert.deepEqual(exitCodeFromStatus({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] } }), { exitCode: 3 });
  assert.deepEqual(
    exitCodeFromStatus({ status: 'Failure', message: 'OCI runtime exec failed: exec failed: unable to start container process: exec: "tar": executable file not found in $PATH: unknown' }),
    { exitCode: 127 },
  );
  assert.deepEqual(exitCodeFromStatus({ status: 'Failure', reason: 'InternalError', message: 'container not found ("app")' }), { error: 'container not found ("app")' });
});

test('hints: tar missing, permission denied with uid, read-only fs', () => {
  assert.match(infraHint('tar', { exitCode: 127, output: 'exec: "tar": executable file not found in $PATH' }) ?? '', /^tar not found in the container/);
  const busybox = "tar: can't open 'app/x.txt': Permission denied\n";
  assert.equal(deniedPath(busybox), '/app/x.txt');
  assert.equal(infraHint('tar', { exitCode: 1, output: busybox }, '1000'), 'permission denied writing /app/x.txt: the container runs as uid 1000 — make the sync destination writable (e.g. chown it in the Dockerfile)');
  const gnu = 'tar: app/main.py: Cannot open: Permission denied\ntar: Exiting with failure status due to previous errors\n';
  assert.equal(deniedPath(gnu), '/app/main.py');
  assert.match(infraHint('tar', { exitCode: 2, output: 'tar: app: Cannot mkdir: Read-only file system' }) ?? '', /read-only at \/app/);
  assert.equal(infraHint('tar', { exitCode: 1, output: 'tar: short read' }), undefined);
});

test('busybox mkdir failures name the directory', () => {
  const out = "tar: can't create directory 'etc/innerloop': Permission denied\ntar: can't open 'etc/innerloop/x': No such file or directory\n";
  assert.equal(deniedPath(out), '/etc/innerloop');
  assert.match(infraHint('tar', { exitCode: 1, output: out }, '1000') ?? '', /^permission denied writing \/etc\/innerloop: the container runs as uid 1000/);
});

test('run steps are shown as written (shell) or quoted (argv)', () => {
  assert.equal(runCommandText({ command: ['npm install && echo ok'], shell: true, echoOff: false }), 'npm install && echo ok');
  assert.equal(runCommandText({ command: ['echo', "it's", 'a b'], shell: false, echoOff: false }), "echo 'it'\\''s' 'a b'");
});
