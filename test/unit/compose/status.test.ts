import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statusFromInspect, toPodStatus, missingStatus, type ContainerInspectLike } from '../../../src/engine/compose/status';
import { dependencyVerdict } from '../../../src/engine/compose/runtime';
import { splitTimestamp, timestampKey } from '../../../src/engine/compose/logs';

function inspect(state: ContainerInspectLike['State'], extra: Partial<ContainerInspectLike> = {}): ContainerInspectLike {
  return {
    Id: 'abc123', Name: '/demo-web-1', Created: '2026-11-22T05:00:00.5Z',
    Config: { Image: 'busybox', Labels: { 'com.docker.compose.project': 'demo', 'com.docker.compose.service': 'web' } },
    State: state, RestartCount: 0, ...extra,
  };
}

test('status: running, healthy/starting/unhealthy, exited 0 and non-zero, restarting, created', () => {
  const running = statusFromInspect(inspect({ Status: 'running', StartedAt: '2026-11-22T05:00:01Z' }, {
    NetworkSettings: { Ports: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '49153' }], '81/tcp': null } },
  }));
  assert.equal(running.runtimeStatus, 'ok');
  assert.equal(running.project, 'demo');
  assert.equal(running.service, 'web');
  assert.equal(running.containerName, 'demo-web-1');
  assert.equal(running.startedAt, Date.parse('2026-11-22T05:00:01Z'));
  assert.deepEqual(running.ports, [{ containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 49153 }]);

  assert.equal(statusFromInspect(inspect({ Status: 'running', Health: { Status: 'starting' } })).runtimeStatus, 'pending');
  assert.equal(statusFromInspect(inspect({ Status: 'running', Health: { Status: 'healthy' } })).runtimeStatus, 'ok');
  const unhealthy = statusFromInspect(inspect({ Status: 'running', Health: { Status: 'unhealthy' } }));
  assert.equal(unhealthy.runtimeStatus, 'error');
  assert.equal(unhealthy.reason, 'unhealthy');

  const done = statusFromInspect(inspect({ Status: 'exited', ExitCode: 0 }));
  assert.equal(done.runtimeStatus, 'ok');
  const failed = statusFromInspect(inspect({ Status: 'exited', ExitCode: 2 }));
  assert.equal(failed.runtimeStatus, 'error');
  assert.equal(failed.reason, 'exited with code 2');
  assert.equal(statusFromInspect(inspect({ Status: 'exited', ExitCode: 137, OOMKilled: true })).reason, 'OOMKilled');
  assert.equal(statusFromInspect(inspect({ Status: 'restarting', ExitCode: 1 })).runtimeStatus, 'error');
  assert.equal(statusFromInspect(inspect({ Status: 'created', StartedAt: '0001-01-01T00:00:00Z' })).startedAt, undefined);
  assert.equal(statusFromInspect(inspect({ Status: 'created' })).runtimeStatus, 'pending');
});

test('toPodStatus: a one-container pod for the resource view', () => {
  const pod = toPodStatus(statusFromInspect(inspect({ Status: 'running', Health: { Status: 'healthy' } }, { RestartCount: 2 })));
  assert.equal(pod.name, 'demo-web-1');
  assert.equal(pod.status, 'Running (healthy)');
  assert.equal(pod.ready, true);
  assert.equal(pod.restarts, 2);
  assert.deepEqual(pod.containers[0], { name: 'web', id: 'abc123', image: 'busybox', ready: true, restarts: 2, state: 'running', reason: undefined });
  const exited = toPodStatus(statusFromInspect(inspect({ Status: 'exited', ExitCode: 1 })));
  assert.equal(exited.status, 'Exited (1)');
  assert.equal(exited.containers[0]!.state, 'terminated');
  assert.equal(exited.containers[0]!.reason, 'exited with code 1');
  assert.equal(toPodStatus(missingStatus('demo', 'web')).containers[0]!.state, 'unknown');
});

test('dependencyVerdict: started, healthy (with and without a healthcheck), completed_successfully', () => {
  const s = (st: ContainerInspectLike['State']) => statusFromInspect(inspect(st));
  const started = { service: 'db', condition: 'service_started' as const, required: true };
  const healthy = { ...started, condition: 'service_healthy' as const };
  const completed = { ...started, condition: 'service_completed_successfully' as const };
  assert.equal(dependencyVerdict(started, missingStatus('demo', 'db')).kind, 'wait');
  assert.equal(dependencyVerdict(started, s({ Status: 'running' })).kind, 'ready');
  assert.equal(dependencyVerdict(started, s({ Status: 'exited', ExitCode: 1 })).kind, 'failed');
  assert.equal(dependencyVerdict(healthy, s({ Status: 'running', Health: { Status: 'starting' } })).kind, 'wait');
  assert.equal(dependencyVerdict(healthy, s({ Status: 'running', Health: { Status: 'healthy' } })).kind, 'ready');
  assert.equal(dependencyVerdict(healthy, s({ Status: 'running', Health: { Status: 'unhealthy' } })).kind, 'failed');
  assert.equal(dependencyVerdict(healthy, s({ Status: 'running' })).kind, 'ready'); // no healthcheck: running is enough
  assert.equal(dependencyVerdict(completed, s({ Status: 'running' })).kind, 'wait');
  assert.equal(dependencyVerdict(completed, s({ Status: 'exited', ExitCode: 0 })).kind, 'ready');
  assert.deepEqual(dependencyVerdict(completed, s({ Status: 'exited', ExitCode: 3 })), { kind: 'failed', reason: 'exited with code 3' });
});

test('log timestamps: keys sort like instants whatever the fraction length', () => {
  const a = timestampKey('2026-11-22T05:00:00.5Z')!;
  const b = timestampKey('2026-11-22T05:00:00.123456789Z')!;
  const c = timestampKey('2026-11-22T05:00:01Z')!;
  assert.ok(b < a && a < c);
  assert.equal(timestampKey('not a time'), undefined);
  assert.deepEqual(splitTimestamp('2026-11-22T05:00:00.5Z hello world'), { key: a, time: Date.parse('2026-11-22T05:00:00.5Z'), text: 'hello world' });
  assert.equal(splitTimestamp('no timestamp here').text, 'no timestamp here');
});

