import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as protobuf from 'protobufjs';
import { BuildkitProgressFormatter } from '../../../src/engine/build/buildkitProgress';
import { parseSecretSpec, parseSshSpec } from '../../../src/engine/build/buildkitSession';
import { buildkitFromPing, DockerImageBuilder, readProgress } from '../../../src/engine/build/docker';
import { Readable } from 'node:stream';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { createDockerClient } from '../../../src/engine/build/dockerClient';

// Encoder for the same wire format the daemon sends (field numbers from moby/buildkit's control.proto).
const root = protobuf.parse(`
syntax = "proto3";
message Timestamp { int64 seconds = 1; int32 nanos = 2; }
message Vertex { string digest = 1; string name = 3; bool cached = 4; Timestamp started = 5; Timestamp completed = 6; string error = 7; }
message VertexLog { string vertex = 1; bytes msg = 4; }
message StatusResponse { repeated Vertex vertexes = 1; repeated VertexLog logs = 3; }
`).root;
const Status = root.lookupType('StatusResponse');
const trace = (o: object): string => JSON.stringify({ id: 'moby.buildkit.trace', aux: Buffer.from(Status.encode(Status.fromObject(o)).finish()).toString('base64') });

test('BuildKit trace messages become readable numbered steps with their output, not JSON', async () => {
  const lines = [
    trace({ vertexes: [{ digest: 'sha256:a', name: '[1/2] FROM base', started: { seconds: 10 } }] }),
    trace({ vertexes: [{ digest: 'sha256:a', name: '[1/2] FROM base', started: { seconds: 10 }, completed: { seconds: 10, nanos: 500_000_000 } }] }),
    trace({ vertexes: [{ digest: 'sha256:b', name: '[2/2] RUN pip install', started: { seconds: 11 } }] }),
    trace({ logs: [{ vertex: 'sha256:b', msg: Buffer.from('Collecting fla') }] }),
    trace({ logs: [{ vertex: 'sha256:b', msg: Buffer.from('sk\nInstalled\n') }] }),
    trace({ vertexes: [{ digest: 'sha256:b', name: '[2/2] RUN pip install', started: { seconds: 11 }, completed: { seconds: 14 } }] }),
    trace({ vertexes: [{ digest: 'sha256:c', name: '[x] COPY . /app', cached: true, started: { seconds: 14 }, completed: { seconds: 14 } }] }),
    JSON.stringify({ id: 'moby.image.id', aux: { ID: 'sha256:feed' } }),
  ];
  const out: string[] = [];
  const msgs = await readProgress(Readable.from([lines.join('\n') + '\n']), (l) => out.push(l), 'build');
  assert.deepEqual(out, [
    '#1 [1/2] FROM base',
    '#1 DONE 0.5s',
    '#2 [2/2] RUN pip install',
    '#2 Collecting flask',
    '#2 Installed',
    '#2 DONE 3.0s',
    '#3 [x] COPY . /app',
    '#3 CACHED',
  ]);
  assert.ok(msgs.some((m) => typeof m.aux === 'object' && m.aux.ID === 'sha256:feed'));
});

test('a failing BuildKit step is reported with its error once', () => {
  const f = new BuildkitProgressFormatter();
  const aux = (o: object): string => (JSON.parse(trace(o)) as { aux: string }).aux;
  assert.deepEqual(f.format(aux({ vertexes: [{ digest: 'd', name: '[1/1] RUN false', started: { seconds: 1 }, completed: { seconds: 2 }, error: 'process "/bin/sh -c false" did not complete successfully: exit code: 1' }] })), [
    '#1 [1/1] RUN false',
    '#1 ERROR: process "/bin/sh -c false" did not complete successfully: exit code: 1',
  ]);
  assert.deepEqual(f.format(aux({ vertexes: [{ digest: 'd', name: '[1/1] RUN false', error: 'again' }] })), []);
});

test('secret= and ssh= take the docker CLI syntax', () => {
  assert.deepEqual(parseSecretSpec('id=tok,src=secrets/tok.txt', '/repo'), { id: 'tok', file: '/repo/secrets/tok.txt' });
  assert.deepEqual(parseSecretSpec('id=tok,source=/abs', '/repo'), { id: 'tok', file: '/abs' });
  assert.deepEqual(parseSecretSpec('id=tok,env=MY_TOKEN', '/repo'), { id: 'tok', env: 'MY_TOKEN' });
  assert.deepEqual(parseSecretSpec('src=/x/npmrc', '/repo'), { id: 'npmrc', file: '/x/npmrc' });
  assert.throws(() => parseSecretSpec('id=a,foo=b', '/repo'), /unexpected key "foo"/);
  assert.deepEqual(parseSshSpec('default', '/repo', { SSH_AUTH_SOCK: '/tmp/agent.sock' }), { id: 'default', socket: '/tmp/agent.sock' });
  assert.deepEqual(parseSshSpec('gh=/run/gh.sock', '/repo', {}), { id: 'gh', socket: '/run/gh.sock' });
  assert.throws(() => parseSshSpec('default', '/repo', {}), /SSH_AUTH_SOCK is not set/);
});

test('steps are numbered in the order they start, not the order the daemon first lists them', () => {
  const f = new BuildkitProgressFormatter();
  const aux = (o: object): string => (JSON.parse(trace(o)) as { aux: string }).aux;
  // The daemon lists the whole graph up front; the FROM vertex is listed first but starts last.
  assert.deepEqual(f.format(aux({ vertexes: [{ digest: 'from', name: '[1/2] FROM base' }, { digest: 'ctx', name: '[internal] load build context', started: { seconds: 1 } }] })), ['#1 [internal] load build context']);
  assert.deepEqual(f.format(aux({ vertexes: [{ digest: 'from', name: '[1/2] FROM base', started: { seconds: 2 } }] })), ['#2 [1/2] FROM base']);
});

test('BuildKit by default when the daemon has it, as the docker CLI decides', async () => {
  // Docker 23+ (and a daemon with features.buildkit set) says so in /_ping.
  assert.equal(buildkitFromPing({ 'builder-version': '2', 'api-version': '1.43', ostype: 'linux' }), true);
  assert.equal(buildkitFromPing({ 'builder-version': '1', 'api-version': '1.43', ostype: 'linux' }), false);
  // Docker 18.09-20.10 on Linux: BuildKit is built in, the header is absent.
  assert.equal(buildkitFromPing({ 'api-version': '1.41', ostype: 'linux' }), true);
  assert.equal(buildkitFromPing({ 'api-version': '1.38', ostype: 'linux' }), false);
  assert.equal(buildkitFromPing({ 'api-version': '1.41', ostype: 'windows' }), false);
  assert.equal(buildkitFromPing({}), false);
  // DOCKER_BUILDKIT forces it either way without asking the daemon (a docker that would throw if asked).
  const docker = { modem: { dial: () => { throw new Error('not asked'); } } } as never;
  assert.equal(await new DockerImageBuilder(docker, undefined, { DOCKER_BUILDKIT: '0' }).useBuildkit(), false);
  assert.equal(await new DockerImageBuilder(docker, undefined, { DOCKER_BUILDKIT: 'true' }).useBuildkit(), true);
  await assert.rejects(new DockerImageBuilder(docker, undefined, { DOCKER_BUILDKIT: 'maybe' }).useBuildkit(), /want a boolean/);
});

test('a daemon that was down when first asked is asked again (a failed /_ping is not remembered)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'il-ping-'));
  const sock = path.join(dir, 'docker.sock');
  const docker = await createDockerClient({ socketPath: sock });
  const builder = new DockerImageBuilder(docker, undefined, {});
  await assert.rejects(builder.useBuildkit(), /ENOENT|ECONNREFUSED/);
  const daemon = http.createServer((_req, res) => {
    res.writeHead(200, { 'API-Version': '1.41', OSType: 'linux' });
    res.end('OK');
  });
  await new Promise<void>((r) => daemon.listen(sock, () => r()));
  try {
    assert.equal(await builder.useBuildkit(), true);
  } finally {
    daemon.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
