// The Docker build context: which files go in (Docker's .dockerignore semantics plus docker_build ignore/only),
// a deterministic tar stream of them, and a content hash that becomes the image tag. Same inputs -> same tag,
// so an unchanged image keeps the same pod template and nothing restarts.

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { DockerIgnoreMatcher, parseDockerignore } from '../dockerignore';
import type { SyncedEntry } from './buildkitFilesync';

export interface ContextSpec {
  /** Absolute context directory. */
  context: string;
  /** Absolute Dockerfile path; ignored when dockerfileContents is set. */
  dockerfile?: string;
  dockerfileContents?: string;
  /** Independent dockerignore pattern sets, relative to the context; excluded if any set excludes. */
  ignoreSets: string[][];
  buildArgs?: Record<string, string>;
  target?: string;
  platform?: string;
}

export interface ContextEntry {
  /** "/"-separated path inside the context. */
  rel: string;
  abs: string;
  type: 'file' | 'directory' | 'symlink';
  mode: number;
  size: number;
  linkTarget?: string;
  /** Timestamp to record in a tar; build contexts leave it unset (fixed epoch, reproducible bytes). */
  mtime?: Date;
  /** Inode seen when listed: the file sent must be that same file (not something swapped in since). */
  ino?: number;
  /** Modification time in ns, for BuildKit's file sync (it re-sends a file only when size or mtime changed). */
  mtimeNs?: bigint;
}

/** Name the Dockerfile gets in the tar when it lives outside the context or is given inline (as the docker CLI does). */
export const INLINE_DOCKERFILE = '.innerloop.Dockerfile';

/** Where the Dockerfile is inside the tar: its context-relative path, or INLINE_DOCKERFILE. */
export function dockerfileInContext(spec: ContextSpec): string {
  if (spec.dockerfileContents === undefined && spec.dockerfile) {
    const rel = path.relative(spec.context, spec.dockerfile);
    if (!rel.startsWith('..') && !path.isAbsolute(rel)) return rel.split(path.sep).join('/');
  }
  return INLINE_DOCKERFILE;
}

/** Walk the context (sorted, symlinks not followed) and return what Docker would send. */
export async function listContext(spec: ContextSpec): Promise<ContextEntry[]> {
  const matchers = spec.ignoreSets.map((s) => new DockerIgnoreMatcher(s));
  // The daemon needs these even when ignored (docker CLI adds "!.dockerignore" and "!<Dockerfile>").
  const always = new Set(['.dockerignore']);
  const df = dockerfileInContext(spec);
  if (df !== INLINE_DOCKERFILE) always.add(df);
  const excluded = (rel: string): boolean => !always.has(rel) && matchers.some((m) => m.matches(rel));
  const skipDir = (rel: string): boolean =>
    ![...always].some((a) => a.startsWith(rel + '/')) && matchers.some((m) => m.canSkipDir(rel));

  const out: ContextEntry[] = [];
  const walk = async (dirRel: string): Promise<void> => {
    const dirAbs = dirRel ? path.join(spec.context, dirRel) : spec.context;
    const names = (await fs.promises.readdir(dirAbs)).sort();
    for (const name of names) {
      const rel = dirRel ? `${dirRel}/${name}` : name;
      const abs = path.join(dirAbs, name);
      const st = await fs.promises.lstat(abs, { bigint: true });
      const mode = Number(st.mode & 0o7777n);
      const mtimeNs = st.mtimeNs;
      if (st.isDirectory()) {
        if (skipDir(rel)) continue;
        // An excluded directory with possible exceptions inside: walk it but don't send the entry itself.
        if (!excluded(rel)) out.push({ rel, abs, type: 'directory', mode, size: 0, mtimeNs });
        await walk(rel);
      } else if (excluded(rel)) {
        continue;
      } else if (st.isSymbolicLink()) {
        out.push({ rel, abs, type: 'symlink', mode, size: 0, linkTarget: await fs.promises.readlink(abs), mtimeNs });
      } else if (st.isFile()) {
        out.push({ rel, abs, type: 'file', mode, size: Number(st.size), ino: Number(st.ino), mtimeNs });
      }
      // sockets, fifos, devices: not sent
    }
  };
  await walk('');
  return out;
}

async function readDockerfile(spec: ContextSpec): Promise<string> {
  if (spec.dockerfileContents !== undefined) return spec.dockerfileContents;
  if (spec.dockerfile) return fs.promises.readFile(spec.dockerfile, 'utf8');
  return fs.promises.readFile(path.join(spec.context, 'Dockerfile'), 'utf8');
}

/**
 * Hashes file contents, remembering digests by (path, size, mtime/ctime in ns, inode) so a rebuild only re-reads
 * files that changed.
 */
export class ContentHasher {
  private cache = new Map<string, { key: string; digest: string }>();

  async fileDigest(abs: string): Promise<string> {
    const st = await fs.promises.stat(abs, { bigint: true });
    const key = `${st.size}:${st.mtimeNs}:${st.ctimeNs}:${st.ino}`;
    const hit = this.cache.get(abs);
    if (hit && hit.key === key) return hit.digest;
    const h = createHash('sha256');
    await pipeline(fs.createReadStream(abs), h);
    const digest = h.digest('hex');
    this.cache.set(abs, { key, digest });
    return digest;
  }

  /** The image tag for this context: `innerloop-` + 16 hex of a hash over files, Dockerfile, args, target, platform. */
  async contextTag(spec: ContextSpec, entries?: ContextEntry[]): Promise<string> {
    const list = entries ?? (await listContext(spec));
    const h = createHash('sha256');
    const field = (s: string): void => {
      h.update(String(Buffer.byteLength(s)));
      h.update(':');
      h.update(s);
    };
    field('innerloop-context-v1');
    for (const e of list) {
      field(e.rel);
      field(e.type);
      field(e.mode.toString(8));
      if (e.type === 'file') field(await this.fileDigest(e.abs));
      if (e.type === 'symlink') field(e.linkTarget ?? '');
    }
    field('dockerfile');
    field(dockerfileInContext(spec));
    field(await readDockerfile(spec));
    const args = Object.entries(spec.buildArgs ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    field(JSON.stringify(args));
    field(spec.target ?? '');
    field(spec.platform ?? '');
    return 'innerloop-' + h.digest('hex').slice(0, 16);
  }
}

/** Fixed mtime so the same files always give the same tar bytes. */
const EPOCH = new Date(0);

/**
 * The `.dockerignore` to send, or undefined to send the context's own unchanged. The daemon uses it only to
 * drop the Dockerfile and .dockerignore from COPY when they are excluded (everything else is already filtered
 * by us), so, like the docker CLI, we append the names it must drop: an inline Dockerfile always, and the
 * Dockerfile / .dockerignore when our rules exclude them but the file's own patterns would not.
 */
export function dockerignoreToSend(spec: ContextSpec, original: string | undefined): string | undefined {
  const ours = spec.ignoreSets.map((set) => new DockerIgnoreMatcher(set));
  const theirs = new DockerIgnoreMatcher(original === undefined ? [] : parseDockerignore(original));
  const extras: string[] = [];
  const df = dockerfileInContext(spec);
  if (df === INLINE_DOCKERFILE) extras.push(df);
  else if (ours.some((m) => m.matches(df)) && !theirs.matches(df)) extras.push(df);
  if (original === undefined ? extras.length > 0 : ours.some((m) => m.matches('.dockerignore')) && !theirs.matches('.dockerignore')) {
    extras.push('.dockerignore');
  }
  if (extras.length === 0) return undefined;
  const escaped = extras.map((n) => n.replace(/[*?[\\\]]/g, '\\$&'));
  return `${original ?? ''}${original && !original.endsWith('\n') ? '\n' : ''}${escaped.join('\n')}\n`;
}

/**
 * The context as a BuildKit session syncs it: the listed entries, with the .dockerignore the daemon must read
 * (dockerfileToSend), and the Dockerfile on its own (the session's "dockerfile" directory).
 */
export async function contextForSession(spec: ContextSpec, list: readonly ContextEntry[]): Promise<{ context: SyncedEntry[]; dockerfile: SyncedEntry }> {
  const ignoreEntry = list.find((e) => e.rel === '.dockerignore' && e.type === 'file');
  const original = ignoreEntry ? (await readListedFile(ignoreEntry)).toString('utf8') : undefined;
  const send = dockerignoreToSend(spec, original);
  // Generated files have no mtime; one derived from the content makes the daemon re-read them when they change.
  const fixed = (rel: string, body: Buffer, mode = 0o644): SyncedEntry => ({
    rel, type: 'file', mode, size: body.length, mtimeNs: BigInt(`0x${createHash('sha256').update(body).digest('hex').slice(0, 15)}`),
    read: async function* () { yield body; },
  });
  const context: SyncedEntry[] = list.filter((e) => e !== ignoreEntry || send === undefined).map((e) => ({
    rel: e.rel, type: e.type, mode: e.mode, size: e.size, linkTarget: e.linkTarget, mtimeNs: e.mtimeNs,
    read: e.type === 'file' ? () => streamListedFile(e) : undefined,
  }));
  if (send !== undefined) context.push(fixed('.dockerignore', Buffer.from(send), ignoreEntry?.mode));
  return { context, dockerfile: fixed('Dockerfile', Buffer.from(await readDockerfile(spec))) };
}

/** A listed file's bytes, checked as the tar does (openListed) and cut at the size seen when opened. */
async function* streamListedFile(e: ContextEntry): AsyncIterable<Buffer> {
  const { fh, size } = await openListed(e);
  try {
    if (size > 0) for await (const chunk of fh.createReadStream({ start: 0, end: size - 1, autoClose: false })) yield chunk as Buffer;
  } finally {
    await fh.close();
  }
}

/** Stream the context as a tar (what the Docker build API takes). Inline/outside Dockerfiles are added as INLINE_DOCKERFILE. */
export function contextTar(spec: ContextSpec, entries?: ContextEntry[]): Readable {
  return packTar(async (pack) => {
    const list = entries ?? (await listContext(spec));
    const ignoreEntry = list.find((e) => e.rel === '.dockerignore' && e.type === 'file');
    const original = ignoreEntry ? (await readListedFile(ignoreEntry)).toString('utf8') : undefined;
    const send = dockerignoreToSend(spec, original);
    await packEntries(pack, send === undefined ? list : list.filter((e) => e !== ignoreEntry));
    if (send !== undefined) {
      const body = Buffer.from(send);
      await addEntry(pack, { name: '.dockerignore', type: 'file', size: body.length, mode: ignoreEntry?.mode ?? 0o644, mtime: EPOCH }, body);
    }
    if (dockerfileInContext(spec) === INLINE_DOCKERFILE) {
      const text = Buffer.from(await readDockerfile(spec));
      await addEntry(pack, { name: INLINE_DOCKERFILE, type: 'file', size: text.length, mode: 0o644, mtime: EPOCH }, text);
    }
  });
}

/** Run `fill` against a fresh tar pack and return the pack as a Node stream; a failure destroys the stream. */
export function packTar(fill: (pack: tar.Pack) => Promise<void>): Readable {
  const pack = tar.pack();
  const out = Readable.from(pack);
  let consumerGone = false;
  out.once('close', () => (consumerGone = true));
  void fill(pack).then(
    () => pack.finalize(),
    (err: unknown) => {
      // Once the reader is gone (destroyed early), a failing fill is expected and nobody is listening.
      if (!consumerGone) out.destroy(err instanceof Error ? err : new Error(String(err)));
    },
  );
  return out;
}

/** Add entries (named by `rel`) in order, timestamped with their mtime or the fixed epoch. */
export async function packEntries(pack: tar.Pack, list: readonly ContextEntry[]): Promise<void> {
  const mtime = (e: ContextEntry): Date => e.mtime ?? EPOCH;
  for (const e of list) {
    if (e.type === 'directory') {
      await addEntry(pack, { name: e.rel, type: 'directory', mode: e.mode, mtime: mtime(e) });
    } else if (e.type === 'symlink') {
      await addEntry(pack, { name: e.rel, type: 'symlink', linkname: e.linkTarget ?? '', mode: e.mode, mtime: mtime(e) });
    } else {
      await addFile(pack, e, mtime(e));
    }
  }
}

/** O_NOFOLLOW where the platform has it: a file swapped for a symlink after listing must not be followed. */
const OPEN_NOFOLLOW = fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0);

/**
 * Open a listed file without following symlinks and check it is still the file that was listed, so nothing
 * outside the context (a symlink or a directory swapped in since the walk) ever reaches the tar.
 */
async function openListed(e: ContextEntry): Promise<{ fh: fs.promises.FileHandle; size: number }> {
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(e.abs, OPEN_NOFOLLOW);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') throw new Error(`${e.rel} became a symlink while it was being sent; not following it (build again)`);
    throw err;
  }
  const st = await fh.stat();
  if (!st.isFile() || (e.ino !== undefined && st.ino !== e.ino)) {
    await fh.close();
    throw new Error(`${e.rel} was replaced while it was being sent (build again)`);
  }
  return { fh, size: st.size };
}

async function readListedFile(e: ContextEntry): Promise<Buffer> {
  const { fh } = await openListed(e);
  try {
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}

/** Stream one file into the tar, sized from a stat taken now; a file that shrinks meanwhile is an error (retry the build). */
async function addFile(pack: tar.Pack, e: ContextEntry, mtime: Date): Promise<void> {
  const { fh, size } = await openListed(e);
  try {
    let entry: ReturnType<tar.Pack['entry']> | undefined;
    // pack.entry throws if the pack was destroyed (consumer gone); that rejects `done`, which we then await.
    const done = new Promise<void>((resolve, reject) => {
      entry = pack.entry({ name: e.rel, type: 'file', size, mode: e.mode, mtime }, (err) => (err ? reject(err) : resolve()));
    });
    if (!entry) return await done;
    // The consumer can go mid-file (the pod of a live update deleted while its tar streams in): the entry is then
    // destroyed and `done` rejects while we wait for a drain that never comes. Handle that rejection now (it is
    // awaited below) and stop waiting for the drain when it comes.
    done.catch(() => undefined);
    if (size > 0) {
      for await (const chunk of fh.createReadStream({ start: 0, end: size - 1, autoClose: false })) {
        if (!entry.write(chunk as Buffer)) await Promise.race([once(entry, 'drain'), done]);
      }
    }
    entry.end(undefined);
    await done;
  } finally {
    await fh.close();
  }
}

function addEntry(pack: tar.Pack, header: Parameters<tar.Pack['entry']>[0], body?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry(header, body ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
  });
}
