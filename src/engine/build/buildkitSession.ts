// A BuildKit session over the Engine API (POST /session, upgraded to h2c): the daemon calls back into it over
// gRPC for `RUN --mount=type=secret` (moby.buildkit.secrets.v1.Secrets) and `RUN --mount=type=ssh`
// (moby.sshforward.v1.SSH, forwarded to a local ssh-agent socket). The build request names the session by id.
// dockerode's own session only answers registry auth, and replaces the session id, so the build is dialled here.

import * as grpc from '@grpc/grpc-js';
import type Dockerode from 'dockerode';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as protobuf from 'protobufjs';
import type { Duplex } from 'node:stream';
import { DIFF_COPY_METHOD, packetCodec, serveDiffCopy, type Packet, type SyncedEntry } from './buildkitFilesync';

const SCHEMA = `
syntax = "proto3";
message GetSecretRequest { string ID = 1; map<string, string> annotations = 2; }
message GetSecretResponse { bytes data = 1; }
message CheckAgentRequest { string ID = 1; }
message CheckAgentResponse {}
message BytesMessage { bytes data = 1; }
message HealthCheckRequest { string service = 1; }
message HealthCheckResponse { int32 status = 1; }
`;

const HEALTH_METHOD = '/grpc.health.v1.Health/Check';
const SECRET_METHOD = '/moby.buildkit.secrets.v1.Secrets/GetSecret';
const CHECK_AGENT_METHOD = '/moby.sshforward.v1.SSH/CheckAgent';
const FORWARD_AGENT_METHOD = '/moby.sshforward.v1.SSH/ForwardAgent';
/** gRPC metadata key carrying the ssh id of a ForwardAgent stream. */
const SSH_ID_KEY = 'buildkit.ssh.id';

/** A `docker_build(secret=...)` entry, in the docker CLI's `--secret` syntax. */
export interface SecretSource {
  id: string;
  file?: string;
  env?: string;
}

/** Parse `id=x,src=path` / `id=x,env=VAR` / `id=x` (env var x if set, else file x), as `docker build --secret`. */
export function parseSecretSpec(spec: string, baseDir: string): SecretSource {
  const fields = new Map<string, string>();
  for (const part of spec.split(',')) {
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (!key) continue;
    fields.set(key, eq < 0 ? '' : part.slice(eq + 1).trim());
  }
  for (const k of fields.keys()) {
    if (!['id', 'src', 'source', 'env', 'type', 'required'].includes(k)) throw new Error(`secret "${spec}": unexpected key "${k}" (want id=, src=, env= or type=)`);
  }
  const type = fields.get('type');
  if (type !== undefined && type !== 'file' && type !== 'env') throw new Error(`secret "${spec}": type must be file or env`);
  const src = fields.get('src') ?? fields.get('source');
  const id = fields.get('id') || (src ? path.basename(src) : '');
  if (!id) throw new Error(`secret "${spec}": no id`);
  if (type === 'env' || fields.has('env')) return { id, env: fields.get('env') || id };
  if (src) return { id, file: path.resolve(baseDir, src) };
  if (type !== 'file' && process.env[id] !== undefined) return { id, env: id };
  return { id, file: path.resolve(baseDir, id) };
}

/** A `docker_build(ssh=...)` entry: `default`, `default=$SSH_AUTH_SOCK` or `id=/path/to/agent.sock`. */
export function parseSshSpec(spec: string, baseDir: string, env: NodeJS.ProcessEnv = process.env): { id: string; socket: string } {
  const eq = spec.indexOf('=');
  const id = (eq < 0 ? spec : spec.slice(0, eq)).trim() || 'default';
  const given = eq < 0 ? '' : spec.slice(eq + 1).trim();
  if (given.includes(',')) throw new Error(`ssh "${spec}": only one ssh-agent socket per id is supported`);
  const socket = given ? path.resolve(baseDir, given) : env.SSH_AUTH_SOCK;
  if (!socket) throw new Error(`ssh "${spec}": no agent socket given and SSH_AUTH_SOCK is not set`);
  return { id, socket };
}

export interface SessionOptions {
  secrets: SecretSource[];
  ssh: { id: string; socket: string }[];
  /** Directories the daemon may sync ("context", "dockerfile"), for a build with remote=client-session. */
  dirs?: ReadonlyMap<string, readonly SyncedEntry[]>;
  /** Same key for the same context directory: the daemon then syncs only what changed since the last build. */
  sharedKey?: string;
}

export interface BuildkitSession {
  id: string;
  close(): void;
}

function readSecret(s: SecretSource): Buffer {
  if (s.env !== undefined) {
    const v = process.env[s.env];
    if (v === undefined) throw new Error(`secret ${s.id}: environment variable ${s.env} is not set`);
    return Buffer.from(v);
  }
  const st = fs.statSync(s.file as string);
  if (!st.isFile()) throw new Error(`secret ${s.id}: ${s.file} is not a regular file`);
  return fs.readFileSync(s.file as string);
}

/** Open a session the daemon can call back into; checks every secret is readable first (a clear error, early). */
export async function openSession(docker: Dockerode, opts: SessionOptions): Promise<BuildkitSession> {
  for (const s of opts.secrets) readSecret(s);
  const types = protobuf.parse(SCHEMA).root;
  const codec = <T>(name: string): { ser: (v: T) => Buffer; de: (b: Buffer) => T } => {
    const t = types.lookupType(name);
    return { ser: (v) => Buffer.from(t.encode(t.fromObject(v as object)).finish()), de: (b) => t.toObject(t.decode(b), { defaults: true }) as T };
  };
  const getReq = codec<{ ID: string }>('GetSecretRequest');
  const getRes = codec<{ data: Uint8Array }>('GetSecretResponse');
  const checkReq = codec<{ ID: string }>('CheckAgentRequest');
  const checkRes = codec<object>('CheckAgentResponse');
  const bytes = codec<{ data: Uint8Array }>('BytesMessage');
  const methods: string[] = [];
  const server = new grpc.Server();

  // The daemon checks the session's health every few seconds and drops a session that does not answer ("no active
  // session for ..." on a build that outlives it), as the docker CLI's session answers.
  const healthReq = codec<{ service: string }>('HealthCheckRequest');
  const healthRes = codec<{ status: number }>('HealthCheckResponse');
  methods.push(HEALTH_METHOD);
  server.addService({
    Check: { path: HEALTH_METHOD, requestStream: false, responseStream: false, requestSerialize: healthReq.ser, requestDeserialize: healthReq.de, responseSerialize: healthRes.ser, responseDeserialize: healthRes.de },
  }, {
    Check: (_call: grpc.ServerUnaryCall<{ service: string }, { status: number }>, cb: grpc.sendUnaryData<{ status: number }>) => cb(null, { status: 1 /* SERVING */ }),
  });

  if (opts.secrets.length > 0) {
    methods.push(SECRET_METHOD);
    server.addService({
      GetSecret: { path: SECRET_METHOD, requestStream: false, responseStream: false, requestSerialize: getReq.ser, requestDeserialize: getReq.de, responseSerialize: getRes.ser, responseDeserialize: getRes.de },
    }, {
      GetSecret: (call: grpc.ServerUnaryCall<{ ID: string }, { data: Uint8Array }>, cb: grpc.sendUnaryData<{ data: Uint8Array }>) => {
        const s = opts.secrets.find((x) => x.id === call.request.ID);
        if (!s) return cb({ code: grpc.status.NOT_FOUND, details: `secret ${call.request.ID} not found` });
        try {
          cb(null, { data: readSecret(s) });
        } catch (err) {
          cb({ code: grpc.status.NOT_FOUND, details: err instanceof Error ? err.message : String(err) });
        }
      },
    });
  }
  if (opts.ssh.length > 0) {
    methods.push(CHECK_AGENT_METHOD, FORWARD_AGENT_METHOD);
    const socketFor = (id: string): string | undefined => opts.ssh.find((s) => s.id === (id || 'default'))?.socket;
    server.addService({
      CheckAgent: { path: CHECK_AGENT_METHOD, requestStream: false, responseStream: false, requestSerialize: checkReq.ser, requestDeserialize: checkReq.de, responseSerialize: checkRes.ser, responseDeserialize: checkRes.de },
      ForwardAgent: { path: FORWARD_AGENT_METHOD, requestStream: true, responseStream: true, requestSerialize: bytes.ser, requestDeserialize: bytes.de, responseSerialize: bytes.ser, responseDeserialize: bytes.de },
    }, {
      CheckAgent: (call: grpc.ServerUnaryCall<{ ID: string }, object>, cb: grpc.sendUnaryData<object>) => {
        const sock = socketFor(call.request.ID);
        if (!sock) return cb({ code: grpc.status.NOT_FOUND, details: `no ssh agent for id ${call.request.ID}` });
        cb(null, {});
      },
      ForwardAgent: (call: grpc.ServerDuplexStream<{ data: Uint8Array }, { data: Uint8Array }>) => {
        const id = String(call.metadata.get(SSH_ID_KEY)[0] ?? 'default');
        const sock = socketFor(id);
        if (!sock) {
          call.destroy(new Error(`no ssh agent for id ${id}`));
          return;
        }
        const agent = net.connect(sock);
        call.on('data', (m: { data: Uint8Array }) => agent.write(Buffer.from(m.data)));
        call.on('end', () => agent.end());
        agent.on('data', (d: Buffer) => call.write({ data: d }));
        agent.on('end', () => call.end());
        agent.on('error', (err) => call.destroy(err));
      },
    });
  }

  if (opts.dirs) {
    const dirs = opts.dirs;
    methods.push(DIFF_COPY_METHOD);
    server.addService({
      DiffCopy: { path: DIFF_COPY_METHOD, requestStream: true, responseStream: true, requestSerialize: packetCodec.ser, requestDeserialize: packetCodec.de, responseSerialize: packetCodec.ser, responseDeserialize: packetCodec.de },
    }, {
      DiffCopy: (call: grpc.ServerDuplexStream<Packet, Packet>) => serveDiffCopy(call, dirs),
    });
  }

  const id = randomUUID();
  const socket = await new Promise<Duplex>((resolve, reject) => {
    (docker.modem as { dial(o: object, cb: (err: Error | null, s: Duplex) => void): void }).dial({
      method: 'POST',
      path: '/session',
      hijack: true,
      headers: {
        Upgrade: 'h2c',
        'X-Docker-Expose-Session-Uuid': id,
        'X-Docker-Expose-Session-Name': 'innerloop',
        'X-Docker-Expose-Session-Sharedkey': opts.sharedKey ?? id,
        // The daemon only calls methods the session says it serves.
        'X-Docker-Expose-Session-Grpc-Method': methods,
      },
      statusCodes: { 101: true, 200: true, 500: 'server error' },
    }, (err, s) => (err ? reject(err) : resolve(s)));
  });
  server.createConnectionInjector(grpc.ServerCredentials.createInsecure()).injectConnection(socket);
  return {
    id,
    close: () => {
      server.forceShutdown();
      socket.destroy();
    },
  };
}
