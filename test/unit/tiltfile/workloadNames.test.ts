// workload_to_resource_function: the Tiltfile names workload resources (Tilt's TestWorkloadToResourceFunction*).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deployment, fails, k8s, ok } from './helpers';

const FOO = { 'foo.yaml': deployment('foo', 'gcr.io/foo'), 'foo/Dockerfile': 'FROM busybox\n' };

test('workload_to_resource_function names resources; k8s_resource uses the new name', () => {
  const r = ok(
    "docker_build('gcr.io/foo', 'foo')\nk8s_yaml('foo.yaml')\ndef wtrf(id):\n    return 'hello-' + id.name\nworkload_to_resource_function(wtrf)\nk8s_resource('hello-foo', port_forwards=8000)\n",
    FOO,
  );
  assert.deepEqual(r.plan.resources.map((x) => x.name), ['hello-foo']);
  assert.equal(k8s(r, 'hello-foo').portForwards[0]!.localPort, 8000);
});

test('workload_to_resource_function sees name, kind, namespace, group and labels', () => {
  const yaml = deployment('web', 'nginx', { ns: 'shop' }).replace('  name: web\n', '  name: web\n  labels: {tier: frontend}\n');
  const r = ok(
    "k8s_yaml('web.yaml')\ndef f(w):\n    return '%s-%s-%s-%s-%s' % (w.labels['tier'], w.kind, w.namespace, w.group, w.name)\nworkload_to_resource_function(f)\n",
    { 'web.yaml': yaml },
  );
  assert.deepEqual(r.plan.resources.map((x) => x.name), ['frontend-Deployment-shop-apps-web']);
});

test('workload_to_resource_function: conflicts, bad return values, failures and arity have Tilt errors', () => {
  const two = { 'a.yaml': deployment('foo', 'nginx') + '---\n' + deployment('bar', 'nginx') };
  fails("k8s_yaml('a.yaml')\ndef f(id):\n    return 'baz'\nworkload_to_resource_function(f)\n",
    /^error applying workload_to_resource_function .*Tiltfile:2:\d+: both 'bar:deployment:default:apps' and 'foo:deployment:default:apps' mapped to resource name 'baz'$/, two);
  fails("k8s_yaml('a.yaml')\ndef f(id):\n    return 1\nworkload_to_resource_function(f)\n",
    /error determing resource name for 'foo:deployment:default:apps': f: invalid return value. wanted: string. got: int/, two);
  fails("k8s_yaml('a.yaml')\ndef f(id):\n    return id.nope\nworkload_to_resource_function(f)\n", /error determing resource name .*has no \.nope/, two);
  fails('def f(a, b):\n    return a\nworkload_to_resource_function(f)\n', /workload_to_resource_function arg must take 1 argument. f takes 2/);
  fails('workload_to_resource_function("x")\n', /for parameter "func": got string, want function/);
});
