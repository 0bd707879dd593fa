import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fails, ok } from './helpers';

test('CRLF sources, tabs, and files without a trailing newline', () => {
  ok('x = 1\r\nif x:\r\n\ty = """a\r\nb"""\r\n\tassert.eq(y, "a\\nb")\r\n');
  ok('def f():\n  return 1\nassert.eq(f(), 1)');
  ok('if True:\n  x = 1');
});

test('nested data building like a Tiltfile', () => {
  const r = ok(`
def k8s_yaml_for(name, replicas = 1, env = {}, ports = []):
  return {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": name, "labels": {"app": name}},
    "spec": {
      "replicas": replicas,
      "template": {"spec": {"containers": [{
        "name": name,
        "env": [{"name": k, "value": v} for k, v in sorted(env.items())],
        "ports": [{"containerPort": p} for p in ports],
      }]}},
    },
  }
objs = [k8s_yaml_for("svc-%d" % i, env = {"B": "2", "A": str(i)}, ports = [8000 + i]) for i in range(3)]
names = [o["metadata"]["name"] for o in objs]
first_env = objs[0]["spec"]["template"]["spec"]["containers"][0]["env"]
`);
  assert.deepEqual(r.globals.get('names') !== undefined, true);
  assert.equal(String((r.globals.get('names') as unknown as { elems: string[] }).elems), 'svc-0,svc-1,svc-2');
});

test('conditional expressions, short-circuit and truthiness return operands', () => {
  ok(`
calls = []
def t(x):
  calls.append(x)
  return x
assert.eq(t(0) and t(1), 0)
assert.eq(t(2) or t(3), 2)
assert.eq(calls, [0, 2])
assert.eq([] or "d", "d")
assert.eq("a" if [] else "b", "b")
`);
});

test('string/int edge cases', () => {
  ok(`
assert.eq("%s" % None, "None")
assert.eq("%s %s" % ("a", ("b",)), 'a ("b",)')
assert.eq("a" * 0, "")
assert.eq("a" * -1, "")
assert.eq([1] * 0, [])
assert.eq("abc"[-10:10], "abc")
assert.eq("abc"[2:1], "")
assert.eq(int("-0"), 0)
assert.eq(-0, 0)
assert.eq(0x7fffffff + 1, 2147483648)
assert.eq(2147483648 | 1, 2147483649)
assert.eq(-2147483649 & 0xff, 255)
`);
  assert.match(fails('"abc"[1:2:0]').shortMessage, /zero is not a valid slice step/);
  assert.match(fails('"a" * (1 << 40)').shortMessage, /repeat count 1099511627776 too large/);
});

test('dict and list comprehension variables and nested function scopes', () => {
  ok(`
def f():
  total = 0
  for x in [1, 2, 3]:
    total += x
  return total, x
assert.eq(f(), (6, 3))
def g(items):
  return {i: [j for j in range(i)] for i in items}
assert.eq(g([0, 2]), {0: [], 2: [0, 1]})
`);
});

test('getattr on methods and calling bound methods later', () => {
  ok(`
l = []
add = l.append
add(1)
add(2)
assert.eq(l, [1, 2])
up = "x".upper
assert.eq(up(), "X")
assert.eq(getattr({"a": 1}, "get")("a"), 1)
`);
});
