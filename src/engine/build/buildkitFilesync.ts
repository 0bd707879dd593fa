// The build context through a BuildKit session, as the docker CLI sends it (moby.filesync.v1.FileSync/DiffCopy,
// tonistiigi/fsutil's packet protocol): the daemon asks for a named directory ("context" or "dockerfile") with
// include/exclude patterns; we send one STAT per entry in walk order, an empty STAT to end the listing, then the
// bytes of each file it requests by index. With a tar context BuildKit would keep the Dockerfile and .dockerignore
// in `COPY .` even when .dockerignore excludes them; through the session its frontend filters exactly as the CLI.

import * as protobuf from 'protobufjs';
import type * as grpc from '@grpc/grpc-js';
import { DockerIgnoreMatcher, parseDockerignore } from '../dockerignore';

export const DIFF_COPY_METHOD = '/moby.filesync.v1.FileSync/DiffCopy';

const SCHEMA = `
syntax = "proto3";
message Stat { string path = 1; uint32 mode = 2; uint32 uid = 3; uint32 gid = 4; int64 size = 5; int64 modTime = 6; string linkname = 7; int64 devmajor = 8; int64 devminor = 9; }
message Packet { int32 type = 1; Stat stat = 2; uint32 ID = 3; bytes data = 4; }
`;
const STAT = 0;
const REQ = 1;
const DATA = 2;
const FIN = 3;
const ERR = 4;

/** One entry of a synced directory; `read` gives a regular file's bytes. */
export interface SyncedEntry {
  rel: string;
  type: 'file' | 'directory' | 'symlink';
  /** Unix permission bits (0o7777). */
  mode: number;
  size: number;
  linkTarget?: string;
  /** The receiver re-requests a file only when its size or mtime changed since the last sync (same shared key). */
  mtimeNs?: bigint;
  read?: () => AsyncIterable<Buffer>;
}

export interface Packet { type: number; stat?: Record<string, unknown> | null; ID?: number; data?: Uint8Array }

let packetType: protobuf.Type | undefined;
function packet(): protobuf.Type {
  packetType ??= protobuf.parse(SCHEMA).root.lookupType('Packet');
  return packetType;
}
export const packetCodec = {
  ser: (p: Packet): Buffer => Buffer.from(packet().encode(packet().fromObject(p)).finish()),
  de: (b: Buffer): Packet => packet().toObject(packet().decode(b), { longs: String, defaults: false }) as Packet,
};

// Go's os.FileMode bits, which fsutil puts on the wire (not st_mode).
const GO_DIR = 2 ** 31;
const GO_SYMLINK = 2 ** 27;
const GO_SETUID = 2 ** 23;
const GO_SETGID = 2 ** 22;
const GO_STICKY = 2 ** 20;
function goMode(e: SyncedEntry): number {
  let m = e.mode & 0o777;
  if (e.mode & 0o4000) m += GO_SETUID;
  if (e.mode & 0o2000) m += GO_SETGID;
  if (e.mode & 0o1000) m += GO_STICKY;
  if (e.type === 'directory') m += GO_DIR;
  if (e.type === 'symlink') m += GO_SYMLINK;
  return m;
}

/**
 * What a request for the directory sends: entries the include patterns select (or all) and the exclude patterns
 * do not (dockerignore semantics, as fsutil), every parent directory before its contents, in walk order.
 */
export function selectEntries(entries: readonly SyncedEntry[], include: readonly string[], exclude: readonly string[]): SyncedEntry[] {
  const inc = include.length > 0 ? new DockerIgnoreMatcher(include.flatMap((p) => parseDockerignore(p))) : undefined;
  const exc = new DockerIgnoreMatcher(exclude.flatMap((p) => parseDockerignore(p)));
  const byRel = new Map(entries.map((e) => [e.rel, e]));
  const chosen = new Map<string, SyncedEntry>();
  for (const e of entries) {
    if (e.type === 'directory') continue;
    if (inc && !inc.matches(e.rel)) continue;
    if (exc.matches(e.rel)) continue;
    chosen.set(e.rel, e);
    const parts = e.rel.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (!chosen.has(dir)) chosen.set(dir, byRel.get(dir) ?? { rel: dir, type: 'directory', mode: 0o755, size: 0 });
    }
  }
  // Empty directories the patterns keep are sent too.
  for (const e of entries) if (e.type === 'directory' && !chosen.has(e.rel) && !(inc && !inc.matches(e.rel)) && !exc.matches(e.rel)) chosen.set(e.rel, e);
  return [...chosen.values()].sort((a, b) => comparePath(a.rel, b.rel));
}

/** Walk order: component by component, so "a/b" comes right after "a" and before "a.txt". */
function comparePath(a: string, b: string): number {
  const pa = a.split('/');
  const pb = b.split('/');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] !== pb[i]) return pa[i]! < pb[i]! ? -1 : 1;
  }
  return pa.length - pb.length;
}

const metaList = (call: grpc.ServerDuplexStream<Packet, Packet>, key: string): string[] =>
  call.metadata.get(key).map(String).flatMap((v) => v.split(',')).filter((v) => v !== '');

/** Serve one DiffCopy stream from `dirs` (the synced directories by name). */
export function serveDiffCopy(call: grpc.ServerDuplexStream<Packet, Packet>, dirs: ReadonlyMap<string, readonly SyncedEntry[]>): void {
  const name = metaList(call, 'dir-name')[0] ?? '';
  const all = dirs.get(name);
  if (!all) {
    call.write({ type: ERR, data: Buffer.from(`no synced directory "${name}"`) });
    call.end();
    return;
  }
  const followPaths = metaList(call, 'followpaths');
  const include = [...metaList(call, 'include-patterns'), ...followPaths];
  const sent = selectEntries(all, include, metaList(call, 'exclude-patterns'));
  for (const e of sent) {
    call.write({ type: STAT, stat: { path: e.rel, mode: goMode(e), size: e.type === 'file' ? e.size : 0, modTime: (e.mtimeNs ?? 0n).toString(), linkname: e.linkTarget ?? '' } });
  }
  call.write({ type: STAT });
  // Requests are answered one file at a time, in order (the receiver asks for each file once). When the daemon
  // goes away mid-file, the file being read is closed (leaving the loop closes it) instead of waiting forever.
  let queue = Promise.resolve();
  let gone = false;
  const goneNow = new Promise<void>((resolve) => {
    for (const ev of ['close', 'cancelled', 'error', 'finish']) call.once(ev, () => { gone = true; resolve(); });
  });
  const send = async (id: number): Promise<void> => {
    const e = sent[id];
    if (!e?.read) throw new Error(`file ${id} was not sent`);
    for await (const chunk of e.read()) {
      for (let off = 0; off < chunk.length && !gone; off += 32 * 1024) {
        if (!call.write({ type: DATA, ID: id, data: chunk.subarray(off, off + 32 * 1024) })) {
          await Promise.race([new Promise((r) => call.once('drain', r)), goneNow]);
        }
      }
      if (gone) return;
    }
    call.write({ type: DATA, ID: id, data: Buffer.alloc(0) });
  };
  call.on('data', (p: Packet) => {
    if (p.type === REQ) {
      queue = queue.then(() => (gone ? undefined : send(p.ID ?? 0))).catch((err: unknown) => {
        if (!gone) call.write({ type: ERR, data: Buffer.from(err instanceof Error ? err.message : String(err)) });
      });
    } else if (p.type === FIN) {
      void queue.then(() => {
        call.write({ type: FIN });
        call.end();
      });
    } else if (p.type === ERR) {
      call.end();
    }
  });
  call.on('error', () => undefined);
}
