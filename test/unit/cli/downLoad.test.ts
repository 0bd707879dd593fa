// The built CLI's `down` loads the Tiltfile in its own process (sessionFlags.ts: no loader child to start), while
// `tiltfile --untrusted` still uses the child. A local() command's parent process tells which process loaded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const cli = resolve(__dirname, '../../../dist/cli.js');

function tiltfile(src: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'innerloop-cli-down-'));
  writeFileSync(join(dir, 'Tiltfile'), src);
  return dir;
}

test('the built CLI: down loads the Tiltfile in its own process (no loader child)', { skip: !existsSync(cli) }, () => {
  // No Kubernetes resource: down needs no cluster; the local() runs during the load.
  const dir = tiltfile("local('echo $PPID > loader.pid')\nlocal_resource('noop', 'true')\n");
  const r = spawnSync(process.execPath, [cli, 'down', '--file', dir], { encoding: 'utf8', env: { ...process.env, KUBECONFIG: join(dir, 'none') } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(Number(readFileSync(join(dir, 'loader.pid'), 'utf8').trim()), r.pid, 'local() ran from the CLI process itself');
});

test('the built CLI: a Tiltfile that fails to load fails down with its error, exit 1', { skip: !existsSync(cli) }, () => {
  const dir = tiltfile("fail('no down today')\n");
  const r = spawnSync(process.execPath, [cli, 'down', '--file', dir], { encoding: 'utf8', env: { ...process.env, KUBECONFIG: join(dir, 'none') } });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no down today/);
});
