// Builtins found missing in the audit against Tilt's builtin list (__file__, shlex.quote; test() and
// local_git_repo are in localResource.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ok } from './helpers';

test('__file__ is the path of the file being executed (Tiltfile, loaded file)', () => {
  const r = ok(`load('lib/x.star', 'where')\nprint(__file__)\nprint(where)\nprint(os.path.dirname(__file__) == config.main_dir)`, { 'lib/x.star': 'where = __file__\n' });
  assert.deepEqual(r.output, [join(r.dir, 'Tiltfile'), join(r.dir, 'lib/x.star'), 'True']);
});

test('shlex.quote quotes as Python does', () => {
  const r = ok(`print(shlex.quote(''))\nprint(shlex.quote('a-b/c.d'))\nprint(shlex.quote("it's here"))`);
  assert.deepEqual(r.output, ["''", 'a-b/c.d', `'it'"'"'s here'`]);
});
