// Image builds through the Docker Engine API (dockerode): the context tar from context.ts, tagged with the
// content tag so an unchanged context is never rebuilt, build output streamed line by line, then pushed to the
// registry the cluster pulls from. Uses the classic builder API (works with every daemon, no BuildKit session).

import type Dockerode from 'dockerode';
import type { Readable } from 'node:stream';
import { ContentHasher, contextTar, dockerfileInContext, listContext, type ContextSpec } from './context';
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
  aux?: { ID?: string; Tag?: string; Digest?: string };
}

/** Read a Docker JSON-lines progress stream, turning messages into output lines; rejects on an error message. */
export async function readProgress(stream: Readable | NodeJS.ReadableStream, onOutput: (line: string) => void, operation: 'build' | 'push'): Promise<ProgressMessage[]> {
  const messages: ProgressMessage[] = [];
  let buffer = '';
  // Build output without newlines (progress redrawn with \r) must not grow without bound (lineBuffer.ts).
  const streamLines = new LineBuffer(onOutput);
  let error: string | undefined;
  const handle = (raw: string): void => {
    if (raw.trim() === '') return;
    let msg: ProgressMessage;
    try {
      msg = JSON.parse(raw) as ProgressMessage;
    } catch {
      onOutput(raw);
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
  if (error !== undefined) throw new DockerOperationError(error, operation);
  return messages;
}

function splitRef(ref: string): { repo: string; tag: string } {
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) return { repo: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { repo: ref, tag: 'latest' };
}

export class DockerImageBuilder {
  constructor(
    private readonly docker: Dockerode,
    private readonly hasher = new ContentHasher(),
  ) {}

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
    const opts: Omit<Dockerode.ImageBuildOptions, 'extrahosts'> & { extrahosts?: string[] } = {
      t: ref,
      dockerfile: dockerfileInContext(req.spec),
      buildargs: req.spec.buildArgs,
      target: req.spec.target,
      platform: req.spec.platform,
      networkmode: req.network,
      pull: req.pull,
      cachefrom: req.cacheFrom && req.cacheFrom.length > 0 ? JSON.stringify(req.cacheFrom) : undefined,
      extrahosts: req.extraHosts && req.extraHosts.length > 0 ? req.extraHosts : undefined,
      rm: true,
      forcerm: true,
      labels: { 'app.kubernetes.io/managed-by': 'innerloop' },
      abortSignal: req.signal,
    };
    for (const k of Object.keys(opts) as (keyof typeof opts)[]) if (opts[k] === undefined) delete opts[k];
    // extrahosts is multi-valued in the API (one "host:ip" per query value); the typings say string.
    const stream = await this.docker.buildImage(contextTar(req.spec, entries), opts as Dockerode.ImageBuildOptions);
    const messages = await readProgress(stream, out, 'build');
    const imageId = messages.map((m) => m.aux?.ID).find((id) => id !== undefined);
    await this.tagExtras(ref, req.extraTags ?? []);
    return { ref, tag, imageId, skipped: false };
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
