import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ComposeConfigError, LABEL_HASH, LABEL_PROJECT, LABEL_SERVICE, parseDependsOn, parseDuration, parseHealthcheck, parsePort,
  parseRestart, parseVolumes, planService, projectFromResources, resolveEnvironment, serviceOrder, splitShellWords,
  type ComposeProjectModel,
} from '../../../src/engine/compose/project';
import type { DockerComposeResource } from '../../../src/tiltfile/plan';

function project(services: ComposeProjectModel['services'], name = 'demo'): ComposeProjectModel {
  return { name, workingDir: '/src/app', configFiles: ['/src/app/compose.yaml'], services };
}

test('ports: short forms, ranges, protocols, IPv6, and 127.0.0.1 only with a warning', () => {
  const w: string[] = [];
  assert.deepEqual(parsePort('8080:80', w), [{ containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: '8080' }]);
  assert.match(w[0]!, /all interfaces \(no host IP given\).*127\.0\.0\.1 only/);
  assert.deepEqual(parsePort(3000, w), [{ containerPort: 3000, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: '' }]);
  assert.deepEqual(parsePort('3000', w), [{ containerPort: 3000, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: '' }]);
  assert.deepEqual(parsePort('3000-3001', w).map((p) => p.containerPort), [3000, 3001]);
  assert.deepEqual(parsePort('9090-9091:8080-8081', w).map((p) => `${p.hostPort}:${p.containerPort}`), ['9090:8080', '9091:8081']);
  assert.deepEqual(parsePort('6060:6060/udp', w)[0]!.protocol, 'udp');
  assert.deepEqual(parsePort('5000-5010:5000', w), [{ containerPort: 5000, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: '5000-5010' }]);

  const quiet: string[] = [];
  assert.deepEqual(parsePort('127.0.0.1:8001:8001', quiet), [{ containerPort: 8001, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: '8001' }]);
  assert.deepEqual(parsePort('127.0.0.1::80', quiet)[0]!.hostPort, '');
  assert.deepEqual(quiet, []);

  const w2: string[] = [];
  assert.equal(parsePort('0.0.0.0:8000:80', w2)[0]!.hostIp, '127.0.0.1');
  assert.equal(parsePort('[::1]:6001:6001', w2)[0]!.hostIp, '127.0.0.1');
  assert.equal(parsePort('192.168.1.5:7000:7000/tcp', w2)[0]!.hostIp, '127.0.0.1');
  assert.equal(w2.length, 3);
  assert.match(w2[0]!, /0\.0\.0\.0:8000:80.*all interfaces/);
  assert.match(w2[2]!, /192\.168\.1\.5/);

  assert.throws(() => parsePort('8080:80/icmp', []), ComposeConfigError);
  assert.throws(() => parsePort('1-3:1-2', []), /ranges differ/);
  assert.throws(() => parsePort('abc', []), ComposeConfigError);
  assert.throws(() => parsePort('70000', []), ComposeConfigError);
});

test('ports: long syntax', () => {
  const w: string[] = [];
  assert.deepEqual(parsePort({ target: 80, published: '8080', host_ip: '127.0.0.1', protocol: 'tcp', mode: 'host' }, w), [{ containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: '8080' }]);
  assert.deepEqual(w, []);
  assert.deepEqual(parsePort({ target: 53, published: 5353, protocol: 'udp' }, w), [{ containerPort: 53, protocol: 'udp', hostIp: '127.0.0.1', hostPort: '5353' }]);
  assert.equal(w.length, 1);
  assert.deepEqual(parsePort({ target: 9000 }, w)[0]!.hostPort, '');
  assert.equal(parsePort({ target: 80, published: '8080', host_ip: '0.0.0.0' }, w)[0]!.hostIp, '127.0.0.1');
  assert.throws(() => parsePort({ published: 80 }, []), /target/);
});

test('environment: list and map forms, host passthrough, env_file order and required', () => {
  const files: Record<string, string> = { '/src/app/.env.a': 'A=from_file\nB=file_b\n# c\n', '/src/app/conf/b.env': 'C="quoted"\n' };
  const readFile = (p: string): string => {
    const t = files[p];
    if (t === undefined) throw new Error('ENOENT');
    return t;
  };
  const opts = { readFile, env: { HOST_ONLY: 'h' } };
  assert.deepEqual(resolveEnvironment({ environment: ['X=1', 'Y=a=b', 'HOST_ONLY', 'UNSET'] }, '/src/app', opts), ['X=1', 'Y=a=b', 'HOST_ONLY=h']);
  assert.deepEqual(resolveEnvironment({ environment: { X: 1, T: true, N: null, HOST_ONLY: null } }, '/src/app', opts), ['X=1', 'T=true', 'HOST_ONLY=h']);
  assert.deepEqual(resolveEnvironment({ env_file: '.env.a', environment: { B: 'override' } }, '/src/app', opts), ['A=from_file', 'B=override']);
  assert.deepEqual(resolveEnvironment({ env_file: ['.env.a', 'conf/b.env'] }, '/src/app', opts), ['A=from_file', 'B=file_b', 'C=quoted']);
  assert.deepEqual(resolveEnvironment({ env_file: [{ path: 'missing.env', required: false }, 'conf/b.env'] }, '/src/app', opts), ['C=quoted']);
  assert.throws(() => resolveEnvironment({ env_file: 'missing.env' }, '/src/app', opts), /env_file \/src\/app\/missing\.env/);
});

test('volumes: bind (relative, absolute, ~), named with project label, anonymous, long syntax, tmpfs', () => {
  const r = parseVolumes(['./data:/data', '/abs:/abs:ro', '~/cfg:/cfg', 'cache:/cache', 'cache:/cache2:nocopy', '/anon'], 'demo', '/src/app', '/home/u');
  assert.deepEqual(r.mounts[0], { Type: 'bind', Source: '/src/app/data', Target: '/data', ReadOnly: false });
  assert.deepEqual(r.mounts[1], { Type: 'bind', Source: '/abs', Target: '/abs', ReadOnly: true });
  assert.equal(r.mounts[2]!.Source, '/home/u/cfg');
  assert.deepEqual(r.mounts[3], { Type: 'volume', Source: 'demo_cache', Target: '/cache', ReadOnly: false });
  assert.deepEqual(r.mounts[4]!.VolumeOptions, { NoCopy: true });
  assert.deepEqual(r.mounts[5], { Type: 'volume', Source: '', Target: '/anon' });
  assert.deepEqual(r.volumes, [{ name: 'demo_cache', composeName: 'cache', labels: { 'com.docker.compose.project': 'demo', 'com.docker.compose.volume': 'cache', 'dev.innerloop.managed': 'true' } }]);
  assert.deepEqual(r.bindPaths, ['/src/app/data', '/abs', '/home/u/cfg']);

  const l = parseVolumes([
    { type: 'bind', source: './src', target: '/app', read_only: true },
    { type: 'bind', source: '../x', target: '/x', bind: { create_host_path: true } },
    { type: 'volume', source: 'db', target: '/var/lib/db', volume: { nocopy: true } },
    { type: 'tmpfs', target: '/tmp', tmpfs: { size: '64m' } },
  ], 'demo', '/src/app');
  assert.deepEqual(l.mounts[0], { Type: 'bind', Source: '/src/app/src', Target: '/app', ReadOnly: true });
  assert.deepEqual(l.bindPaths, ['/src/x']);
  assert.equal(l.mounts[2]!.Source, 'demo_db');
  assert.deepEqual(l.mounts[3], { Type: 'tmpfs', Source: '', Target: '/tmp', TmpfsOptions: { SizeBytes: 64 * 1024 * 1024 } });
  assert.throws(() => parseVolumes(['a:b:c:d'], 'demo', '/'), ComposeConfigError);
  assert.throws(() => parseVolumes(['./a:/b:weird'], 'demo', '/'), /unknown option weird/);
  assert.throws(() => parseVolumes([{ type: 'npipe', target: '/x' }], 'demo', '/'), /unsupported type/);
});

test('depends_on, healthcheck, restart, durations, shell words', () => {
  assert.deepEqual(parseDependsOn(['db']), [{ service: 'db', condition: 'service_started', required: true }]);
  assert.deepEqual(parseDependsOn({ db: { condition: 'service_healthy' }, opt: { condition: 'service_started', required: false } }), [
    { service: 'db', condition: 'service_healthy', required: true },
    { service: 'opt', condition: 'service_started', required: false },
  ]);
  assert.throws(() => parseDependsOn({ db: { condition: 'whenever' } }), /unknown condition/);

  assert.deepEqual(parseHealthcheck({ test: 'wget -q localhost', interval: '1m30s', timeout: '500ms', retries: 3, start_period: 2 }), {
    Test: ['CMD-SHELL', 'wget -q localhost'], Interval: 90e9, Timeout: 500e6, Retries: 3, StartPeriod: 2e9,
  });
  assert.deepEqual(parseHealthcheck({ test: ['CMD', 'true'] }), { Test: ['CMD', 'true'] });
  assert.deepEqual(parseHealthcheck({ disable: true }), { Test: ['NONE'] });
  assert.equal(parseHealthcheck(undefined), undefined);

  assert.deepEqual(parseRestart('always'), { Name: 'always' });
  assert.deepEqual(parseRestart('no'), { Name: 'no' });
  assert.deepEqual(parseRestart('on-failure:3'), { Name: 'on-failure', MaximumRetryCount: 3 });
  assert.deepEqual(parseRestart('unless-stopped'), { Name: 'unless-stopped' });
  assert.throws(() => parseRestart('sometimes'), ComposeConfigError);

  assert.equal(parseDuration('1h2m3s'), 3723e9);
  assert.equal(parseDuration('10'), 10e9);
  assert.throws(() => parseDuration('10 parsecs'), /invalid duration/);

  assert.deepEqual(splitShellWords(`sh -c 'echo "hi there"' a\\ b "x\\"y"`), ['sh', '-c', 'echo "hi there"', 'a b', 'x"y']);
  assert.deepEqual(splitShellWords(`''`), ['']);
  assert.throws(() => splitShellWords(`echo 'oops`), /unterminated/);
});

test('serviceOrder: dependencies first, file order otherwise; cycles and missing deps', () => {
  const p = project({ web: { image: 'w', depends_on: ['api'] }, api: { image: 'a', depends_on: { db: { condition: 'service_healthy' } } }, db: { image: 'd' }, other: { image: 'o' } });
  assert.deepEqual(serviceOrder(p), ['db', 'api', 'web', 'other']);
  assert.throws(() => serviceOrder(project({ a: { depends_on: ['b'] }, b: { depends_on: ['a'] } })), /cycle: a -> b -> a/);
  assert.throws(() => serviceOrder(project({ a: { depends_on: ['nope'] } })), /not in project/);
  assert.deepEqual(serviceOrder(project({ a: { depends_on: { nope: { required: false } } } })), ['a']);
});

test('planService: names, labels, network aliases, image override, command/entrypoint, ports, hash', () => {
  const p = project({
    web: {
      image: 'nginx:latest', command: 'httpd -f -p "8080"', entrypoint: ['/bin/sh', '-c'], working_dir: '/srv', user: '1000:1000',
      ports: ['127.0.0.1:8080:8080', '9000'], expose: ['7000'], labels: ['team=web'], restart: 'on-failure', environment: { A: 'b' },
      healthcheck: { test: ['CMD', 'true'], interval: '5s' }, depends_on: ['db'], volumes: ['data:/data'], stop_grace_period: '1s',
    },
    db: { image: 'db' },
  });
  const plan = planService(p, 'web', { imageRef: 'localhost:5000/web:innerloop-abc' });
  assert.equal(plan.containerName, 'demo-web-1');
  assert.equal(plan.image, 'localhost:5000/web:innerloop-abc');
  assert.equal(plan.network, 'demo_default');
  const c = plan.create;
  assert.equal(c.name, 'demo-web-1');
  assert.equal(c.Image, 'localhost:5000/web:innerloop-abc');
  assert.deepEqual(c.Cmd, ['httpd', '-f', '-p', '8080']);
  assert.deepEqual(c.Entrypoint, ['/bin/sh', '-c']);
  assert.equal(c.WorkingDir, '/srv');
  assert.equal(c.User, '1000:1000');
  assert.deepEqual(c.Env, ['A=b']);
  assert.equal(c.StopTimeout, 1);
  assert.deepEqual(c.ExposedPorts, { '7000/tcp': {}, '8080/tcp': {}, '9000/tcp': {} });
  assert.deepEqual(c.HostConfig!.PortBindings, { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }], '9000/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] });
  assert.equal(c.HostConfig!.NetworkMode, 'demo_default');
  assert.deepEqual(c.HostConfig!.RestartPolicy, { Name: 'on-failure' });
  assert.deepEqual(c.NetworkingConfig, { EndpointsConfig: { demo_default: { Aliases: ['web', 'demo-web-1'] } } });
  assert.equal(c.Labels![LABEL_PROJECT], 'demo');
  assert.equal(c.Labels![LABEL_SERVICE], 'web');
  assert.equal(c.Labels!.team, 'web');
  assert.equal(c.Labels![LABEL_HASH], plan.configHash);
  assert.equal(c.Labels!['com.docker.compose.depends_on'], 'db:service_started:false');
  assert.deepEqual(plan.volumes.map((v) => v.name), ['demo_data']);
  assert.equal(plan.warnings.length, 1); // 9000 had no host IP

  // The hash is stable and changes with the image and the config.
  assert.equal(planService(p, 'web', { imageRef: 'localhost:5000/web:innerloop-abc' }).configHash, plan.configHash);
  assert.notEqual(planService(p, 'web', { imageRef: 'localhost:5000/web:innerloop-def' }).configHash, plan.configHash);
  assert.equal(planService(p, 'web').image, 'nginx:latest');
});

test('planService: container_name, build without image, unsupported keys and networks warn, bad input throws', () => {
  const p = project({ a: { build: '.', container_name: 'custom', networks: ['default', 'backend'], deploy: {}, secrets: [] }, b: {} });
  const plan = planService(p, 'a');
  assert.equal(plan.containerName, 'custom');
  assert.equal(plan.image, 'demo-a');
  assert.ok(plan.warnings.some((w) => /ignoring unsupported key\(s\) deploy, secrets/.test(w)));
  assert.ok(plan.warnings.some((w) => /networks backend/.test(w)));
  assert.ok(plan.warnings.some((w) => /docker_build\('demo-a'/.test(w)));
  assert.throws(() => planService(p, 'b'), /neither image nor build/);
  assert.throws(() => planService(p, 'zzz'), /no service zzz/);
  assert.throws(() => planService(project({ c: { image: 'x', ports: '80' } }), 'c'), /ports must be a list/);
});

test('projectFromResources: one model per project from the plan resources', () => {
  const base = { labels: [], resourceDeps: [], triggerMode: 'auto' as const, autoInit: true, links: [], imageRefs: [], inferLinks: true };
  const proj = { name: 'p', configPaths: ['/w/compose.yml'], profiles: [], wait: false };
  const rs: DockerComposeResource[] = [
    { ...base, type: 'docker_compose', name: 'web', service: 'web', project: proj, serviceConfig: { image: 'w' } },
    { ...base, type: 'docker_compose', name: 'db', service: 'db', project: proj, serviceConfig: { image: 'd' } },
  ];
  const m = projectFromResources(rs, '/fallback');
  assert.equal(m.workingDir, '/w');
  assert.deepEqual(Object.keys(m.services), ['web', 'db']);
  assert.equal(projectFromResources([{ ...rs[0]!, project: { ...proj, configPaths: [] } }], '/fallback').workingDir, '/fallback');
});

