// Starlark interpreter throughput: loop iterations, function calls, and a generated 1,000-resource Tiltfile.
import { Builtin, execFile, structBuiltin, unpackArgs, type Value } from '../src/starlark/index';

function time(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function best(runs: number, fn: () => void): number {
  let b = Infinity;
  for (let i = 0; i < runs; i++) b = Math.min(b, time(fn));
  return b;
}

// Cold first: a Tiltfile is usually evaluated once per process.
// A generated Tiltfile: 1,000 calls of a helper that builds dicts and calls host builtins.
const lines = [
  'def service(name, port, env = {}):',
  '    labels = {"app": name, "tier": "backend", "port": str(port)}',
  '    spec = {"name": name, "image": "registry.local/%s:dev" % name, "ports": [port, port + 1], "labels": labels}',
  '    spec["env"] = dict(env, NAME = name.upper())',
  '    docker_build("registry.local/" + name, "./services/" + name, build_args = {"PORT": str(port)})',
  '    k8s_resource(name, port_forwards = ["%d:%d" % (port, port)], labels = [labels["tier"]])',
  '    return struct(name = name, spec = spec)',
  'all = []',
];
for (let i = 0; i < 1000; i++) lines.push(`all.append(service("svc-${i}", ${8000 + i}, env = {"IDX": "${i}"}))`);
lines.push('names = [s.name for s in all if s.spec["ports"][0] % 2 == 0]');
const tiltSrc = lines.join('\n') + '\n';
let registered = 0;
const host: Record<string, Value> = {
  struct: structBuiltin,
  docker_build: new Builtin('docker_build', (c) => {
    unpackArgs(c, ['ref', 'context', 'build_args?', 'dockerfile?']);
    registered++;
    return null;
  }),
  k8s_resource: new Builtin('k8s_resource', (c) => {
    unpackArgs(c, ['workload', 'port_forwards?', 'labels?']);
    return null;
  }),
};
const cpu0 = process.cpuUsage();
const coldMs = time(() => execFile({ filename: 'Tiltfile', source: tiltSrc, predeclared: host }));
const cpu = process.cpuUsage(cpu0);
const warmMs = best(5, () => execFile({ filename: 'Tiltfile', source: tiltSrc, predeclared: host }));
console.log(`tiltfile 1000 resources cold: ${coldMs.toFixed(1)} ms`);
// CPU time of the whole process (includes V8's background compiler/GC threads); steadier on a busy machine.
console.log(`tiltfile 1000 resources cold cpu: ${((cpu.user + cpu.system) / 1000).toFixed(1)} ms`);
console.log(`tiltfile 1000 resources warm: ${warmMs.toFixed(1)} ms`);
if (registered === 0) throw new Error('bench Tiltfile did not run');

const LOOP_N = 2_000_000;
const loopSrc = `
def loop(n):
    total = 0
    for i in range(n):
        total += i % 7
    return total
result = loop(${LOOP_N})
`;
const loopMs = best(3, () => execFile({ filename: 'loop.star', source: loopSrc, predeclared: {} }));
console.log(`loop iterations/s: ${Math.round((LOOP_N / loopMs) * 1000)} iter/s`);

const CALL_N = 500_000;
const callSrc = `
def add(a, b):
    return a + b
def run(n):
    x = 0
    for i in range(n):
        x = add(x, i)
    return x
result = run(${CALL_N})
`;
const callMs = best(3, () => execFile({ filename: 'calls.star', source: callSrc, predeclared: {} }));
console.log(`function calls/s: ${Math.round((CALL_N / callMs) * 1000)} calls/s`);

const WHILE_N = 1_000_000;
const whileSrc = `
i = 0
s = []
while i < ${WHILE_N}:
    if i % 100 == 0:
        s.append(str(i))
    i += 1
`;
const whileMs = best(3, () => execFile({ filename: 'while.star', source: whileSrc, predeclared: {} }));
console.log(`while iterations/s: ${Math.round((WHILE_N / whileMs) * 1000)} iter/s`);


