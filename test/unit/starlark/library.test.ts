// The built library entry (package.json exports "./starlark" → dist/starlark.js) works from plain Node,
// exactly as the README example uses it. npm test builds dist/ before running tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const bundle = join(__dirname, '../../../dist/starlark.js');

test('dist/starlark.js evaluates Starlark with host builtins, as the README shows', (t) => {
  if (!existsSync(bundle)) return t.skip('dist/starlark.js not built (run node scripts/build.mjs)');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const lib = require(bundle) as typeof import('../../../src/starlark');
  const greet = new lib.Builtin('greet', (call) => {
    const { name } = lib.unpackArgs(call, ['name']);
    return `hello, ${String(name)}`;
  });
  const { globals } = lib.execFile({
    filename: 'demo.star',
    source: 'msg = greet(name = "world")\nnums = [x * x for x in range(4)]\n',
    predeclared: { greet },
  });
  assert.equal(lib.toJS(globals.get('msg') ?? null), 'hello, world');
  assert.deepEqual(lib.toJS(globals.get('nums') ?? null), [0, 1, 4, 9]);
  assert.throws(() => lib.execFile({ filename: 'bad.star', source: 'greet()\n', predeclared: { greet } }),
    (e: Error) => /bad\.star:1:6: .*missing argument for name/s.test(String((e as { backtrace?: () => string }).backtrace?.() ?? e.message)));
});
