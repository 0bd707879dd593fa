// The running environment's hygiene (issue 11): etcd requires client certificates, the API server refuses
// anonymous requests, every listener is on loopback or the pod bridge, the firewall admits only those, and a pod
// still reaches the API server. test/env/check-hygiene.sh does the checking; this runs it when the environment
// is up (it needs root for iptables and ss -p).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');
const up = spawnSync('bash', [join(root, 'test/env/status.sh')], { encoding: 'utf8' }).status === 0;
const skip = !up ? 'the local environment is not up (npm run env:up)' : process.getuid?.() !== 0 ? 'needs root' : !existsSync(join(root, 'test/env/check-hygiene.sh')) ? 'no check script' : false;

test('the running environment passes test/env/check-hygiene.sh', { skip }, () => {
  const r = spawnSync('bash', [join(root, 'test/env/check-hygiene.sh')], { encoding: 'utf8', timeout: 240_000 });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /hygiene: all checks passed/);
});
