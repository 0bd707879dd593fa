import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Builtin, Dict, List, execFile, type Value } from '../../../src/starlark/index';
import { fails, ok } from './helpers';

/** Loads module `lib` (source given) and runs main with its exports loaded. */
function withLib(lib: string, main: string): Error | undefined {
  const libGlobals = execFile({ filename: 'lib.star', source: lib, predeclared: {} }).globals;
  try {
    execFile({
      filename: 'main.star',
      source: main,
      predeclared: {},
      load: (m) => {
        assert.equal(m, 'lib.star');
        return Object.fromEntries(libGlobals);
      },
    });
  } catch (err) {
    return err as Error;
  }
  return undefined;
}

test('globals are frozen after execution (deeply)', () => {
  const { globals } = execFile({ filename: 'm', source: 'l = [1, {"k": [2]}]\nd = {"a": set([1])}\n', predeclared: {} });
  const l = globals.get('l') as List;
  assert.equal(l.frozen, true);
  assert.equal(((l.elems[1] as Dict).get('k') as List).frozen, true);
  assert.equal((globals.get('d') as Dict).frozen, true);
});

test('mutating a loaded (frozen) value fails with starlark-go messages', () => {
  const lib = 'l = [1]\nd = {"a": 1}\ns = set([1])\ndef add(x):\n  l.append(x)\n';
  assert.match(withLib(lib, 'load("lib.star", "l")\nl.append(2)\n')!.message, /Error in append: cannot append to frozen list/);
  assert.match(withLib(lib, 'load("lib.star", "l")\nl[0] = 2\n')!.message, /cannot assign to element of frozen list/);
  assert.match(withLib(lib, 'load("lib.star", "l")\nl.extend([2])\n')!.message, /cannot extend frozen list/);
  assert.match(withLib(lib, 'load("lib.star", "l")\nl.pop()\n')!.message, /cannot pop from frozen list/);
  assert.match(withLib(lib, 'load("lib.star", "l")\nl += [1]\n')!.message, /cannot apply \+= to frozen list/);
  assert.match(withLib(lib, 'load("lib.star", "d")\nd["b"] = 2\n')!.message, /cannot insert into frozen hash table/);
  assert.match(withLib(lib, 'load("lib.star", "d")\nd.pop("a")\n')!.message, /cannot delete from frozen hash table/);
  assert.match(withLib(lib, 'load("lib.star", "d")\nd.clear()\n')!.message, /cannot clear frozen hash table/);
  assert.match(withLib(lib, 'load("lib.star", "s")\ns.add(2)\n')!.message, /cannot insert into frozen hash table/);
  assert.match(withLib(lib, 'load("lib.star", "add")\nadd(2)\n')!.message, /cannot append to frozen list/);
  // reading and copying frozen values is fine
  assert.equal(withLib(lib, 'load("lib.star", "l", "d")\nm = l + [2]\nm.append(3)\ne = dict(d)\ne["z"] = 1\n'), undefined);
});

test('load aliases, missing names and resolver failures', () => {
  assert.equal(withLib('x = 1\n', 'load("lib.star", y = "x")\nif y != 1: fail("bad")\n'), undefined);
  assert.match(withLib('x = 1\n', 'load("lib.star", "nope")\n')!.message, /load: name nope not found in module lib.star/);
  const e = (() => {
    try {
      execFile({ filename: 'm', source: 'load("other.star", "x")\n', predeclared: {}, load: () => { throw new Error('cycle in load graph'); } });
    } catch (err) {
      return err as Error;
    }
    return undefined;
  })();
  assert.match(e!.message, /m:1:1: cannot load other.star: cycle in load graph/);
  assert.match(fails('load("x.star", "y")\n').message, /load not implemented/);
});

test('mutation during iteration is an error', () => {
  assert.match(fails('l = [1, 2]\nfor x in l:\n  l.append(x)\n').shortMessage, /cannot append to list during iteration/);
  assert.match(fails('d = {1: 2}\nfor k in d:\n  d.pop(k)\n').shortMessage, /cannot delete from hash table during iteration/);
  assert.match(fails('s = set([1])\nfor k in s:\n  s.add(2)\n').shortMessage, /cannot insert into hash table during iteration/);
  assert.match(fails('l = [1]\n[l.append(1) for x in l]\n').shortMessage, /cannot append to list during iteration/);
  // after the loop, mutation is allowed again
  ok('l = [1]\nfor x in l:\n  pass\nl.append(2)\nassert.eq(l, [1, 2])\n');
  ok('l = [1]\ndef f():\n  for x in l:\n    return x\nf()\nl.append(2)\n');
});

test('values passed to a host builtin can be frozen by it (e.g. stored for later)', () => {
  let kept: Value = null;
  const keep = new Builtin('keep', (c) => {
    kept = c.args[0];
    return null;
  });
  execFile({ filename: 'm', source: 'x = [1]\nkeep(x)\n', predeclared: { keep } });
  assert.equal((kept as unknown as List).frozen, true);
});
