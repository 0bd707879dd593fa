// The guards on every file a Tiltfile load reads (src/tiltfile/safeRead.ts), through read_file/read_yaml/read_json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_READ_BYTES, readTextFileSafely } from '../../../src/tiltfile/safeRead';
import { loadTiltfile } from '../../../src/tiltfile/loader';
import { fails, project } from './helpers';

test('safeRead: a file over the size cap is refused, with its size', () => {
  const dir = mkdtempSync(join(tmpdir(), 'innerloop-read-'));
  const big = join(dir, 'big.yaml');
  writeFileSync(big, '');
  truncateSync(big, MAX_READ_BYTES + 1); // sparse: no disk used
  assert.throws(() => readTextFileSafely(big), /over the \d+-byte limit/);
  assert.equal(readTextFileSafely(big, { maxBytes: MAX_READ_BYTES + 1 }).length, MAX_READ_BYTES + 1);
});

test('safeRead: read_yaml and read_json refuse /dev/zero and /dev/urandom', () => {
  fails('x = read_yaml("/dev/zero")\n', /refusing to read \/dev\/zero: not a regular file/);
  fails('x = read_json("/dev/urandom")\n', /refusing to read \/dev\/urandom: not a regular file/);
});

test('safeRead: untrusted, a symlink out of the repository is refused; inside it, or trusted, it is read', () => {
  const outside = mkdtempSync(join(tmpdir(), 'innerloop-secret-'));
  writeFileSync(join(outside, 'id_rsa'), 'PRIVATE');
  const dir = project({ 'real.txt': 'fine', Tiltfile: 'print(str(read_file("inside.txt")))\nprint(str(read_file("sub/key")))\n' });
  mkdirSync(join(dir, 'sub'));
  symlinkSync(join(dir, 'real.txt'), join(dir, 'inside.txt'));
  symlinkSync(join(outside, 'id_rsa'), join(dir, 'sub', 'key'));
  const untrusted = loadTiltfile(join(dir, 'Tiltfile'), { trusted: false });
  assert.equal(untrusted.ok, false);
  assert.deepEqual(untrusted.output, ['fine']);
  assert.match(untrusted.diagnostics[0]!.message, /refusing to read .*sub\/key: it is a symlink to .*id_rsa, outside .*, and the workspace is not trusted/);
  assert.equal(untrusted.diagnostics[0]!.pos?.line, 2);
  const trusted = loadTiltfile(join(dir, 'Tiltfile'), { trusted: true });
  assert.equal(trusted.ok, true, JSON.stringify(trusted.diagnostics));
  assert.deepEqual(trusted.output, ['fine', 'PRIVATE']);
});
