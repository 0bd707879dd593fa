// Constructs seen in real Tiltfiles and tilt-extensions, run against stub host builtins.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Builtin, Struct, execFile, fromJS, structBuiltin, toJS, unpackArgs, type Value } from '../../../src/starlark/index';

test('an extension-style helper with type checks, kwargs forwarding and str.format', () => {
  const calls: unknown[] = [];
  const docker_build = new Builtin('docker_build', (c) => {
    const a = unpackArgs(c, ['ref', 'context', 'entrypoint?', 'live_update?', 'build_args?', 'dockerfile?']);
    calls.push(toJS(fromJS(Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined).map(([k, v]) => [k, toJS(v!)])))));
    return null;
  });
  const os = new Struct({
    getenv: new Builtin('getenv', (c) => {
      const { key, default: d } = unpackArgs(c, ['key', 'default?']);
      return key === 'NAMESPACE' ? 'dev' : d ?? null;
    }),
  });
  const src = `
RESTART_FILE = "/tmp/.restart-proc"

def docker_build_with_restart(ref, context, entrypoint, restart_file = RESTART_FILE, trigger = None, live_update = [], **kwargs):
    if type(entrypoint) == type(""):
        entrypoint = ["sh", "-c", entrypoint]
    elif type(entrypoint) != type([]):
        fail("\`docker_build_with_restart\`: \`entrypoint\` must be a string or list of strings: got {}".format(type(entrypoint)))
    if type(trigger) == type(""):
        trigger = [trigger]
    steps = list(live_update) + ["restart:%s" % restart_file]
    docker_build(ref, context, entrypoint = ["/entry.sh"] + entrypoint, live_update = steps, **kwargs)

ns = os.getenv("NAMESPACE", "default")
services = {
    "api": {"port": 8080, "deps": ["./api"]},
    "web": {"port": 3000, "deps": ["./web", "./shared"]},
}
for name, cfg in services.items():
    docker_build_with_restart(
        "registry.local/%s-%s" % (ns, name),
        ".",
        entrypoint = "/app/%s --port=%d" % (name, cfg["port"]),
        live_update = ["sync:" + d for d in cfg["deps"]],
        build_args = {"SERVICE": name.upper()},
    )
summary = ", ".join(sorted(["{}:{}".format(k, v["port"]) for k, v in services.items()]))
`;
  const { globals } = execFile({ filename: 'Tiltfile', source: src, predeclared: { docker_build, os, struct: structBuiltin } });
  assert.equal(globals.get('summary'), 'api:8080, web:3000');
  assert.deepEqual(calls[0], {
    ref: 'registry.local/dev-api',
    context: '.',
    entrypoint: ['/entry.sh', 'sh', '-c', '/app/api --port=8080'],
    live_update: ['sync:./api', 'restart:/tmp/.restart-proc'],
    build_args: { SERVICE: 'API' },
  });
  assert.equal(calls.length, 2);
});

test('config-style flags, dict merging, string munging and early exits', () => {
  const out: string[] = [];
  const src = `
cfg = {"to-run": ["api"], "debug": True}
enabled = cfg.get("to-run", [])
all_resources = ["api", "web", "worker"]
skipped = [r for r in all_resources if r not in enabled]
labels = {}
labels.update({"team": "core"})
labels.setdefault("tier", "backend")
image = "gcr.io/proj/api:latest".split("/")[-1].split(":")[0]
port_forwards = ["%d:%d" % (p, p) for p in [8080, 9090]]
yaml_doc = """
apiVersion: v1
kind: Service
""".strip()
first_line = yaml_doc.splitlines()[0]
name = "my_service".replace("_", "-")
if not cfg["debug"]:
    fail("unreachable")
print("enabled=%s skipped=%s" % (enabled, skipped))
`;
  const { globals } = execFile({ filename: 'Tiltfile', source: src, predeclared: {}, print: (m) => out.push(m) });
  const js = (k: string): unknown => toJS(globals.get(k) as Value);
  assert.deepEqual(js('skipped'), ['web', 'worker']);
  assert.deepEqual(js('labels'), { team: 'core', tier: 'backend' });
  assert.equal(js('image'), 'api');
  assert.deepEqual(js('port_forwards'), ['8080:8080', '9090:9090']);
  assert.equal(js('first_line'), 'apiVersion: v1');
  assert.equal(js('name'), 'my-service');
  assert.deepEqual(out, ['enabled=["api"] skipped=["web", "worker"]']);
});
