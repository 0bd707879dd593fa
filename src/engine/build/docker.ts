// Image builds through the Docker Engine API (dockerode): the context from context.ts, tagged with the content
// tag so an unchanged context is never rebuilt, build output streamed line by line, then pushed to the registry
// the cluster pulls from. BuildKit (API `version=2`, with a session for the context, secrets and ssh, progress
// decoded into readable steps) whenever the daemon has it, as the docker CLI decides; the classic builder (the
// context as a tar) otherwise or with DOCKER_BUILDKIT=0.

import type Dockerode from 'dockerode';
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { BuildkitProgressFormatter } from './buildkitProgress';
import { openSession, parseSecretSpec, parseSshSpec, type BuildkitSession } from './buildkitSession';
import { ContentHasher, contextForSession, contextTar, dockerfileInContext, listContext, type ContextSpec } from './context';
import { LineBuffer } from '../lineBuffer';

export interface DockerBuildRequest {
  spec: ContextSpec;
  /** Repository to tag into, without tag: "localhost:5000/api". */
  repo: string;
  /** Additional full refs to tag the result with (docker_build extra_tag). */
  extraTags?: string[];
  network?: string;
  pull?: boolean;
  cacheFrom?: string[];
  extraHosts?: string[];
  /** docker_build(secret=...): `id=x,src=path` / `id=x,env=VAR` entries (BuildKit only). */
  secrets?: string[];
  /** docker_build(ssh=...): `default` / `id=/agent.sock` entries (BuildKit only). */
  ssh?: string[];
  /** Relative secret and ssh paths resolve against this (the Tiltfile's directory); default the context. */
  baseDir?: string;
  /** Build even if an image with the content tag exists. */
  force?: boolean;
  onOutput?: (line: string) => void;
  signal?: AbortSignal;
}

export interface DockerBuildResult {
  /** repo:contentTag */
  ref: string;
  tag: string;
  imageId?: string;
  /** An image with this content tag already existed: nothing was built. */
  skipped: boolean;
}

/** An error the daemon reported while building or pushing; message is what the user should read. */
export class DockerOperationError extends Error {
  constructor(message: string, readonly operation: 'build' | 'push') {
    super(message);
    this.name = 'DockerOperationError';
  }
}

interface ProgressMessage {
  stream?: string;
  status?: string;
  progress?: string;
  id?: string;
  error?: string;
  errorDetail?: { message?: string };
  /** An object ({ID}, {Tag, Digest}), or with BuildKit a base64 protobuf status (id "moby.buildkit.trace"). */
  aux?: { ID?: string; Tag?: string; Digest?: string } | string;
}

/** Read a Docker JSON-lines progress stream, turning messages into output lines; rejects on an error message. */
export async function readProgress(stream: Readable | NodeJS.ReadableStream, onOutput: (line: string) => void, operation: 'build' | 'push'): Promise<ProgressMessage[]> {
  const messages: ProgressMessage[] = [];
  let buffer = '';
  // Build output without newlines (progress redrawn with \r) must not grow without bound (lineBuffer.ts).
  const streamLines = new LineBuffer(onOutput);
  let error: string | undefined;
  const buildkit = new BuildkitProgressFormatter();
  const handle = (raw: string): void => {
    if (raw.trim() === '') return;
    let msg: ProgressMessage;
    try {
      msg = JSON.parse(raw) as ProgressMessage;
    } catch {
      onOutput(raw);
      return;
    }
    if (msg.id === 'moby.buildkit.trace' && typeof msg.aux === 'string') {
      for (const line of buildkit.format(msg.aux)) onOutput(line);
      return;
    }
    messages.push(msg);
    if (msg.error || msg.errorDetail?.message) {
      error = msg.errorDetail?.message ?? msg.error;
      onOutput(error ?? '');
    } else if (msg.stream !== undefined) {
      streamLines.push(msg.stream);
    } else if (msg.status !== undefined && !msg.progress) {
      // Layer progress bars are noise in a log; keep the status transitions.
      onOutput(msg.id ? `${msg.id}: ${msg.status}` : msg.status);
    }
  };
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    buffer += chunk.toString();
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      handle(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
    }
  }
  handle(buffer);
  streamLines.end();
  for (const line of buildkit.flush()) onOutput(line);
  if (error !== undefined) throw new DockerOperationError(error, operation);
  return messages;
}

const parseBool = (v: string): boolean | undefined =>
  /^(1|t|true)$/i.test(v) ? true : /^(0|f|false)$/i.test(v) ? false : undefined;

/**
 * Does the daemon build with BuildKit, from its /_ping headers? `Builder-Version: 2` or `1` says so outright
 * (Docker 23+, or a daemon configured with features.buildkit). Without it, BuildKit is there on any Linux
 * daemon with API 1.39 (Docker 18.09) or later; Windows daemons have only the classic builder.
 */
export function buildkitFromPing(headers: Record<string, string | string[] | undefined>): boolean {
  const header = (k: string): string => String(headers[k.toLowerCase()] ?? '');
  const builder = header('Builder-Version');
  if (builder) return builder === '2';
  if (header('OSType').toLowerCase() === 'windows') return false;
  const [major, minor] = header('API-Version').split('.').map(Number);
  return major > 1 || (major === 1 && minor >= 39);
}

function splitRef(ref: string): { repo: string; tag: string } {
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) return { repo: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { repo: ref, tag: 'latest' };
}

/** The image ID a build reported (classic: aux.ID; BuildKit: id "moby.image.id"). */
function builtImageId(messages: readonly ProgressMessage[]): string | undefined {
  for (const m of messages) if (typeof m.aux === 'object' && m.aux.ID) return m.aux.ID;
  return undefined;
}

export class DockerImageBuilder {
  constructor(
    private readonly docker: Dockerode,
    private readonly hasher = new ContentHasher(),
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  private daemonBuildkit?: Promise<boolean>;

  /**
   * Build with BuildKit? As the docker CLI decides: DOCKER_BUILDKIT (a boolean) forces it either way; otherwise
   * ask the daemon once (buildkitFromPing).
   */
  useBuildkit(): Promise<boolean> {
    const forced = this.env.DOCKER_BUILDKIT;
    if (forced !== undefined && forced !== '') {
      const on = parseBool(forced);
      if (on === undefined) return Promise.reject(new DockerOperationError(`DOCKER_BUILDKIT=${forced}: want a boolean (1, 0, true, false)`, 'build'));
      return Promise.resolve(on);
    }
    // A failed ping is not remembered: the daemon may be restarting, and the next build asks again.
    const asked = (this.daemonBuildkit ??= this.ping().then(buildkitFromPing));
    asked.catch(() => {
      if (this.daemonBuildkit === asked) this.daemonBuildkit = undefined;
    });
    return asked;
  }

  /** GET /_ping for its headers (dockerode's ping() returns only the body). */
  private ping(): Promise<Record<string, string | string[] | undefined>> {
    return new Promise((resolve, reject) => {
      (this.docker.modem as { dial(o: object, cb: (err: Error | null, res: IncomingMessage) => void): void }).dial({
        path: '/_ping',
        method: 'GET',
        isStream: true,
        statusCodes: { 200: true, 500: 'server error' },
      }, (err, res) => {
        if (err) return reject(err);
        res.resume();
        resolve(res.headers);
      });
    });
  }

  async imageExists(ref: string): Promise<boolean> {
    try {
      await this.docker.getImage(ref).inspect();
      return true;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return false;
      throw err;
    }
  }

  async build(req: DockerBuildRequest): Promise<DockerBuildResult> {
    const out = req.onOutput ?? ((): void => undefined);
    const entries = await listContext(req.spec);
    const tag = await this.hasher.contextTag(req.spec, entries);
    const ref = `${req.repo}:${tag}`;
    if (!req.force && (await this.imageExists(ref))) {
      out(`Image ${ref} is up to date (same content); skipping build`);
      await this.tagExtras(ref, req.extraTags ?? []);
      return { ref, tag, skipped: true };
    }
    const buildkit = await this.useBuildkit();
    const base = req.baseDir ?? req.spec.context;
    const secrets = (req.secrets ?? []).map((x) => parseSecretSpec(x, base));
    const ssh = (req.ssh ?? []).map((x) => parseSshSpec(x, base, this.env));
    if (!buildkit && (secrets.length > 0 || ssh.length > 0)) {
      throw new DockerOperationError('docker_build(secret=..., ssh=...) needs BuildKit, which this daemon does not have (or DOCKER_BUILDKIT=0 turned it off)', 'build');
    }
    const opts: Record<string, unknown> = {
      t: ref,
      dockerfile: dockerfileInContext(req.spec),
      buildargs: req.spec.buildArgs,
      target: req.spec.target,
      platform: req.spec.platform,
      networkmode: req.network,
      pull: req.pull ? '1' : undefined,
      cachefrom: req.cacheFrom && req.cacheFrom.length > 0 ? JSON.stringify(req.cacheFrom) : undefined,
      // Multi-valued in the API (one "host:ip" per query value).
      extrahosts: req.extraHosts && req.extraHosts.length > 0 ? req.extraHosts : undefined,
      rm: true,
      forcerm: true,
      labels: { 'app.kubernetes.io/managed-by': 'innerloop' },
    };
    for (const k of Object.keys(opts)) if (opts[k] === undefined) delete opts[k];
    let session: BuildkitSession | undefined;
    let stream: NodeJS.ReadableStream;
    let tar: Readable | undefined;
    try {
      if (buildkit) {
        // The context through the session, as the docker CLI sends it (buildkitFilesync.ts), not as a tar.
        const { context, dockerfile } = await contextForSession(req.spec, entries);
        const dirs = new Map([['context', context], ['dockerfile', [dockerfile]]]);
        const sharedKey = createHash('sha256').update(req.spec.context).digest('hex').slice(0, 32);
        session = await openSession(this.docker, { secrets, ssh, dirs, sharedKey });
        out(`Building with BuildKit`);
        stream = await this.dialBuild(undefined, { ...opts, dockerfile: 'Dockerfile', version: '2', session: session.id, remote: 'client-session' }, req.signal);
      } else {
        tar = contextTar(req.spec, entries);
        stream = await this.docker.buildImage(tar, { ...opts, abortSignal: req.signal } as Dockerode.ImageBuildOptions);
      }
      const messages = await readProgress(stream, out, 'build');
      const imageId = builtImageId(messages);
      await this.tagExtras(ref, req.extraTags ?? []);
      return { ref, tag, imageId, skipped: false };
    } finally {
      session?.close();
      tar?.destroy();
    }
  }

  /** POST /build ourselves: dockerode's buildImage replaces the session id with its own auth-only session. No body: the context comes through the session. */
  private dialBuild(tar: Readable | undefined, query: Record<string, unknown>, signal: AbortSignal | undefined): Promise<NodeJS.ReadableStream> {
    return new Promise((resolve, reject) => {
      (this.docker.modem as { dial(o: object, cb: (err: Error | null, s: NodeJS.ReadableStream) => void): void }).dial({
        path: '/build?',
        method: 'POST',
        // An empty body when the context comes through the session (without one the modem sends the query as JSON).
        file: tar ?? Buffer.alloc(0),
        options: query,
        abortSignal: signal,
        isStream: true,
        statusCodes: { 200: true, 400: 'bad parameter', 500: 'server error' },
      }, (err, s) => (err ? reject(err) : resolve(s)));
    });
  }

  async push(ref: string, onOutput: (line: string) => void = () => undefined, signal?: AbortSignal): Promise<void> {
    const { tag } = splitRef(ref);
    const stream = await this.docker.getImage(ref).push({ tag, abortSignal: signal });
    await readProgress(stream, onOutput, 'push');
  }

  private async tagExtras(ref: string, extraTags: readonly string[]): Promise<void> {
    for (const extra of extraTags) {
      const { repo, tag } = splitRef(extra);
      await this.docker.getImage(ref).tag({ repo, tag });
    }
  }
}
