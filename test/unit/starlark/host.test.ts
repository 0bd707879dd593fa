import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  Builtin,
  Dict,
  Float,
  HostObject,
  List,
  StarlarkError,
  Struct,
  Tuple,
  asBool,
  asInt,
  asString,
  asStringList,
  call,
  createThread,
  execFile,
  fromJS,
  repr,
  str,
  structBuiltin,
  toJS,
  truth,
  typeName,
  type Value,
} from '../../../src/starlark/index';

class Blob extends HostObject {
  readonly typeName = 'blob';
  constructor(readonly text: string) {
    super();
  }
  override attr(name: string): Value | undefined {
    if (name === 'size') return this.text.length;
    return undefined;
  }
  override attrNames(): string[] {
    return ['size'];
  }
  override str(): string {
    return this.text;
  }
  override repr(): string {
    return `blob(${JSON.stringify(this.text)})`;
  }
  override truth(): boolean {
    return this.text !== '';
  }
}

test('host builtins receive positional and keyword arguments in call order', () => {
  const seen: Array<[Value[], Array<[string, Value]>]> = [];
  const rec = new Builtin('rec', (c) => {
    seen.push([c.args, c.kwargs]);
    return new List([c.name]);
  });
  const { globals } = execFile({ filename: 'T', source: 'r = rec(1, "a", z = None, a = True)\n', predeclared: { rec } });
  assert.deepEqual(seen, [[[1, 'a'], [['z', null], ['a', true]]]]);
  assert.deepEqual(toJS(globals.get('r')!), ['rec']);
});

test('host objects: attributes, dir, str/repr, truth, type', () => {
  const blob = new Builtin('blob', (c) => new Blob(asString(c.args[0], 'text')));
  const out: string[] = [];
  execFile({
    filename: 'T',
    source: 'b = blob("hi")\nprint(b.size, str(b), repr(b), type(b), dir(b), bool(blob("")))\nprint(hasattr(b, "size"), getattr(b, "x", 0))\n',
    predeclared: { blob },
    print: (m) => out.push(m),
  });
  assert.deepEqual(out, ['2 hi blob("hi") blob ["size"] False', 'True 0']);
  const e = (() => {
    try {
      execFile({ filename: 'T', source: 'blob("x").nope\n', predeclared: { blob } });
    } catch (err) {
      return err as StarlarkError;
    }
    return undefined;
  })();
  assert.equal(e?.shortMessage, 'blob has no .nope field or method');
  assert.match(String(e && (() => { try { execFile({ filename: 'T', source: 'x = {blob("x"): 1}\n', predeclared: { blob } }); } catch (err) { return (err as Error).message; } return ''; })()), /unhashable type: blob/);
});

test('toJS and fromJS round-trip plain data', () => {
  const js = { name: 'x', ports: [80, 443], ratio: 0.5, nested: { ok: true, none: null } };
  const v = fromJS(js);
  assert.ok(v instanceof Dict);
  assert.equal(repr(v), '{"name": "x", "ports": [80, 443], "ratio": 0.5, "nested": {"ok": True, "none": None}}');
  assert.deepEqual(toJS(v), js);
  assert.deepEqual(toJS(new Tuple([1, new Float(2.5)])), [1, 2.5]);
  assert.deepEqual(toJS(new Struct({ a: 1 })), { a: 1 });
  assert.equal(fromJS(2 ** 60), 2n ** 60n);
  assert.deepEqual(fromJS(1.5), new Float(1.5));
  assert.equal(fromJS(10n), 10);
  assert.equal(fromJS(undefined), null);
});

test('typed helpers', () => {
  assert.equal(asString('a', 'ref'), 'a');
  assert.throws(() => asString(1, 'ref'), /for parameter ref: got int, want string/);
  assert.equal(asInt(3, 'port'), 3);
  assert.throws(() => asInt('3', 'port'), /got string, want int/);
  assert.equal(asBool(true, 'x'), true);
  assert.deepEqual(asStringList('a', 'deps'), ['a']);
  assert.deepEqual(asStringList(new List(['a', 'b']), 'deps'), ['a', 'b']);
  assert.throws(() => asStringList(new List([1]), 'deps'), /element 0 is int, want string/);
  assert.equal(str('x'), 'x');
  assert.equal(repr('x'), '"x"');
  assert.equal(typeName(new Dict()), 'dict');
  assert.equal(truth(new List()), false);
});

test('thread: frames() from a builtin, host locals, reuse across loads', () => {
  const thread = createThread('tiltfile');
  thread.locals.set('resources', [] as string[]);
  const frames: string[][] = [];
  const where = new Builtin('where', (c) => {
    frames.push(c.thread.frames().map((f) => `${f.file}:${f.line}:${f.col} ${f.fn}`));
    (c.thread.locals.get('resources') as string[]).push(asString(c.args[0], 'name'));
    return null;
  });
  const predeclared = { where, struct: structBuiltin };
  const sources: Record<string, string> = {
    'lib/Tiltfile': 'def svc(n):\n  where(n)\n  return n\n',
    Tiltfile: 'load("lib/Tiltfile", "svc")\nsvc("a")\n',
  };
  execFile({
    filename: 'Tiltfile',
    source: sources.Tiltfile,
    predeclared,
    thread,
    load: (m, t) => Object.fromEntries(execFile({ filename: m, source: sources[m], predeclared, thread: t }).globals),
  });
  assert.deepEqual(thread.locals.get('resources'), ['a']);
  assert.deepEqual(frames, [['Tiltfile:2:4 <toplevel>', 'lib/Tiltfile:2:8 svc']]);
});

test('errors inside a loaded module show both files in the backtrace', () => {
  const sources: Record<string, string> = { 'lib.star': 'x = 1\ny = x + "s"\n', main: 'load("lib.star", "x")\n' };
  try {
    execFile({
      filename: 'main',
      source: sources.main,
      predeclared: {},
      load: (m, t) => Object.fromEntries(execFile({ filename: m, source: sources[m], predeclared: {}, thread: t }).globals),
    });
    assert.fail('expected failure');
  } catch (err) {
    assert.ok(err instanceof StarlarkError);
    assert.equal(err.backtrace(), 'Traceback (most recent call last):\n  main:1:1: in <toplevel>\n  lib.star:2:7: in <toplevel>\nError: unknown binary op: int + string');
  }
});

test('call() invokes Starlark callbacks from host code', () => {
  let cb: Value = null;
  const register = new Builtin('register', (c) => {
    cb = c.args[0];
    return null;
  });
  const thread = createThread();
  execFile({ filename: 'T', source: 'def on_change(path, kind = "mod"):\n  return path + ":" + kind\nregister(on_change)\n', predeclared: { register }, thread });
  assert.equal(call(thread, cb, ['a.txt'], [['kind', 'del']]), 'a.txt:del');
});

test('globals map excludes loaded names and keeps definition order', () => {
  const { globals } = execFile({
    filename: 'T',
    source: 'load("m", "a")\nb = a + 1\ndef c(): pass\n',
    predeclared: {},
    load: () => ({ a: 1 }),
  });
  assert.deepEqual([...globals.keys()], ['b', 'c']);
});

test('hashable host objects as dict keys use hash() then equals()', () => {
  class Key extends HostObject {
    readonly typeName = 'key';
    constructor(readonly id: string) {
      super();
    }
    override hash(): number {
      return 7; // every key collides
    }
    override equals(other: Value): boolean {
      return other instanceof Key && other.id === this.id;
    }
  }
  const d = new Dict();
  d.set(new Key('a'), 1);
  d.set(new Key('b'), 2);
  d.set(new Key('a'), 3);
  assert.equal(d.size, 2);
  assert.equal(d.get(new Key('a')), 3);
  assert.equal(d.get(new Key('b')), 2);
  assert.equal(d.get(new Key('c')), undefined);
  d.delete(new Key('a'));
  assert.equal(d.get(new Key('b')), 2);
  assert.equal(d.get(new Key('a')), undefined);
  d.set(new Key('a'), 4);
  assert.deepEqual(d.values(), [2, 4]);
});
