// A lean recursive watcher on node's fs.watch. chokidar keeps one watcher and a stat per *file*: on a
// 100,000-file tree it took 15-20 s and ~700 MB to start. Here Linux gets one inotify watch per *directory*
// (skipping directories no target wants, like an ignored node_modules), and macOS/Windows one native recursive
// watch per root (FSEvents / ReadDirectoryChangesW). Entries are classified by lstat when they change, and a
// known-names set per directory tells add from change and reports deletions.
//
// inotify watches an inode, not a path, so three things can make a per-directory watcher go blind; each is handled:
//  - a directory replaced under its name (`mv gen.tmp gen`, `rm -rf src && mkdir src`, git checkout): the parent
//    reports a create/delete/move ("rename") of the name, so the subtree is watched again and diffed;
//  - the kernel event queue overflowing (fs.inotify.max_queued_events): libuv drops the overflow marker, so a
//    read batch as large as the queue is taken as an overflow and every watched directory is rescanned;
//  - the watch limit (fs.inotify.max_user_watches): that root falls back to polling, with a message saying so.
// Symlinks inside the tree are entries (their target is not followed, as in a Docker build context); a root that
// is a symlink to a directory is watched through it.

import { watch as chokidarWatch } from 'chokidar';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Disposable } from '../../shared/events';
import type { FileEvent } from './coalesce';

export interface NativeWatchOptions {
  /** Skip this path (and, for a directory, everything below it). isDir undefined = unknown. */
  canSkip(absPath: string, isDir: boolean | undefined): boolean;
  onEvent(e: FileEvent): void;
  onError(err: Error): void;
  /** Something the user should know (the watch limit was hit and a root is polled); default: onError. */
  onWarning?(message: string): void;
  /** Force the per-directory strategy (tests); default: per-directory on Linux, recursive elsewhere. */
  perDirectory?: boolean;
  /** Polling interval of the watch-limit fallback (ms). */
  pollIntervalMs?: number;
}

const WALK_CONCURRENCY = 8;
/** mtime/ctime granularity and clock skew allowance when a rescan decides what changed since a point in time. */
const RESCAN_SLACK_MS = 2000;

interface DirState {
  watcher: fs.FSWatcher;
  /** Child name -> is a directory. */
  known: Map<string, boolean>;
  /** Only report these names (a root that is a file is watched through its parent). */
  only?: Set<string>;
  /** Inode of the directory when watched: a different inode under the same name is a replaced directory. */
  ino: number;
}

/** /proc/sys value as a number, or undefined off Linux / when unreadable. */
export function readProcNumber(file: string): number | undefined {
  try {
    const n = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/** The user-facing explanation of an inotify watch limit hit. */
export function watchLimitMessage(dir: string, root: string): string {
  const limit = readProcNumber('/proc/sys/fs/inotify/max_user_watches');
  const nsLimit = readProcNumber('/proc/sys/user/max_inotify_watches');
  const value = limit === undefined ? 'unknown' : String(limit);
  const ns = nsLimit !== undefined && limit !== undefined && nsLimit < limit ? ` (this user namespace allows ${nsLimit}: /proc/sys/user/max_inotify_watches)` : '';
  return (
    `cannot watch ${dir}: the inotify watch limit is reached (fs.inotify.max_user_watches = ${value}${ns}). ` +
    `Watching ${root} by polling instead, which is slower and uses more CPU. Raise the limit ` +
    `(sudo sysctl fs.inotify.max_user_watches=524288) or add large directories to .tiltignore, then restart.`
  );
}

// One inotify instance (and one event queue) serves every fs.watch in the process, so the overflow check counts
// raw events across all watchers: libuv delivers everything it read from the inotify fd synchronously, then
// setImmediate runs. A batch that reaches the kernel queue size means events were dropped (libuv discards the
// IN_Q_OVERFLOW marker), so every live watcher rescans for changes since the previous batch.
const live = new Set<NativeWatcher>();
let batchCount = 0;
let lastBatchEnd = Date.now();
let overflowAt: number | undefined;

function noteRawEvent(): void {
  if (batchCount++ > 0) return;
  setImmediate(() => {
    overflowAt ??= Math.floor((readProcNumber('/proc/sys/fs/inotify/max_queued_events') ?? 16384) * 0.9);
    const overflowed = batchCount >= overflowAt;
    const since = lastBatchEnd - RESCAN_SLACK_MS;
    batchCount = 0;
    lastBatchEnd = Date.now();
    if (overflowed) for (const w of live) w.overflowed(since);
  });
}

export class NativeWatcher implements Disposable {
  private dirs = new Map<string, DirState>();
  private recursive: fs.FSWatcher[] = [];
  private roots: string[] = [];
  private polled = new Map<string, Disposable & { ready: Promise<void> }>();
  private limitHit = new Set<string>();
  private disposed = false;
  private draining = false;
  /** Per-path chains, so two events for one name are classified one after the other. */
  private chains = new Map<string, Promise<void>>();
  /** Tree walks in progress (start-up excluded). */
  private walks = 0;
  /** Rescans started (tests and diagnostics). */
  rescans = 0;

  private constructor(private readonly opts: NativeWatchOptions) {
    live.add(this);
  }

  static async start(roots: readonly string[], opts: NativeWatchOptions): Promise<NativeWatcher> {
    const w = new NativeWatcher(opts);
    const perDir = opts.perDirectory ?? !(process.platform === 'darwin' || process.platform === 'win32');
    for (const root of roots) {
      const st = await lstatOrUndefined(root);
      // A root that is a symlink to a directory is watched through the link (events keep the link's path).
      const isDir = st?.isDirectory() || (st?.isSymbolicLink() && (await statOrUndefined(root))?.isDirectory());
      if (isDir) {
        if (perDir) {
          w.roots.push(root);
          await w.addTree(root, false);
          if (w.limitHit.has(root)) await w.pollRoot(root);
        } else {
          w.watchRecursive(root);
        }
      } else {
        // A file (or not yet created): watch its parent for this name only, so editors' rename-over-save works.
        const parent = path.dirname(root);
        if (await lstatOrUndefined(parent)) await w.watchDir(parent, new Set([path.basename(root)]));
      }
    }
    return w;
  }

  /** Number of OS watches held (for benches and diagnostics). */
  get watchCount(): number {
    return this.dirs.size + this.recursive.length;
  }

  /** Roots watched by polling because the watch limit was hit. */
  get polledRoots(): string[] {
    return [...this.polled.keys()];
  }

  dispose(): void {
    this.disposed = true;
    live.delete(this);
    for (const d of this.dirs.values()) d.watcher.close();
    for (const r of this.recursive) r.close();
    for (const p of this.polled.values()) p.dispose();
    this.dirs.clear();
    this.polled.clear();
    this.recursive = [];
  }

  /**
   * Walk and watch a directory tree, a few directories at a time (readdir latency dominates start-up);
   * with `report`, every entry found is reported as added.
   */
  private async addTree(root: string, report: boolean): Promise<void> {
    this.walks++;
    try {
      await this.walkTree(root, report);
    } finally {
      this.walks--;
    }
  }

  private async walkTree(root: string, report: boolean): Promise<void> {
    const queue = [root];
    const worker = async (): Promise<void> => {
      while (queue.length > 0 && !this.disposed) {
        const dir = queue.pop() as string;
        const state = await this.watchDir(dir);
        if (!state) continue;
        for (const [name, isDir] of state.known) {
          const p = path.join(dir, name);
          if (report && !(isDir ? false : this.opts.canSkip(p, false))) this.opts.onEvent({ path: p, type: isDir ? 'addDir' : 'add' });
          if (isDir) queue.push(p);
        }
      }
    };
    // Workers exit when the queue is momentarily empty; loop until it stays empty.
    while (queue.length > 0 && !this.disposed) await Promise.all(Array.from({ length: WALK_CONCURRENCY }, worker));
  }

  private rootOf(dir: string): string | undefined {
    return this.roots.find((r) => dir === r || dir.startsWith(r + path.sep));
  }

  private async watchDir(dir: string, only?: Set<string>): Promise<DirState | undefined> {
    const existing = this.dirs.get(dir);
    if (existing) {
      if (only && existing.only) for (const n of only) existing.only.add(n);
      else if (!only) existing.only = undefined;
      return existing;
    }
    if (this.disposed) return undefined;
    const root = this.rootOf(dir);
    if (root !== undefined && (this.polled.has(root) || this.limitHit.has(root))) return undefined;
    let watcher: fs.FSWatcher;
    try {
      watcher = fs.watch(dir, { persistent: true }, (type, name) => this.onDirEvent(dir, type, name === null ? null : String(name)));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOSPC') {
        const r = root ?? dir;
        if (!this.limitHit.has(r)) {
          this.limitHit.add(r);
          (this.opts.onWarning ?? ((m: string) => this.opts.onError(new Error(m))))(watchLimitMessage(dir, r));
          // At start-up the root is switched once its walk ends; later (a new directory), right away.
          if (this.roots.includes(r) && this.dirs.has(r)) void this.pollRoot(r);
        }
      } else if (!isGone(err)) {
        this.opts.onError(asError(err));
      }
      return undefined;
    }
    watcher.on('error', (err) => {
      if (!isGone(err)) this.opts.onError(asError(err));
      this.unwatchTree(dir);
    });
    const st = await lstatOrUndefined(dir);
    // Disposed while we looked: dispose() closed only the watches already in `dirs`, so this one is ours to close
    // (left open, it is an inotify handle that keeps the process alive after stop).
    if (this.disposed) {
      watcher.close();
      return undefined;
    }
    // Another walk watched it while we looked: keep one watch per directory.
    const raced = this.dirs.get(dir);
    if (raced) {
      watcher.close();
      return raced;
    }
    const state: DirState = { watcher, known: new Map(), only, ino: st?.ino ?? -1 };
    this.dirs.set(dir, state);
    // Read after watching, so nothing created in between is missed.
    for (const ent of await readdirOrEmpty(dir)) {
      if (only && !only.has(ent.name)) continue;
      const isDir = ent.isDirectory();
      // Only directories are filtered here (that is what saves work); file events are filtered when they happen.
      if (isDir && this.opts.canSkip(path.join(dir, ent.name), true)) continue;
      state.known.set(ent.name, isDir);
    }
    return state;
  }

  private onDirEvent(dir: string, type: string, name: string | null): void {
    if (this.disposed || this.draining) return;
    noteRawEvent();
    const state = this.dirs.get(dir);
    if (!state) return;
    if (name === null) {
      void this.rescanDir(dir, state, 0);
      return;
    }
    if (state.only && !state.only.has(name)) return;
    this.serial(path.join(dir, name), () => this.classify(dir, state, name, type === 'rename'));
  }

  /** Still classifying received events or walking a new or replaced tree. */
  get busy(): boolean {
    return this.chains.size > 0 || this.walks > 0;
  }

  /** Resolves when every event received so far has been classified and reported. */
  async settle(): Promise<void> {
    // Later events are the successor watcher's (it is running by now); finish what was already received.
    this.draining = true;
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }

  /** Called by the shared batch counter when a read batch looked like a queue overflow. */
  overflowed(since: number): void {
    if (!this.disposed) void this.rescanAll(since);
  }

  private serial(key: string, fn: () => Promise<void>): void {
    const prev = this.chains.get(key) ?? Promise.resolve();
    const next = prev.then(fn).catch((err: unknown) => this.opts.onError(asError(err)));
    this.chains.set(key, next);
    void next.then(() => {
      if (this.chains.get(key) === next) this.chains.delete(key);
    });
  }

  /** `renamed`: the name itself was created, deleted or moved (not just written or chmod-ed). */
  private async classify(dir: string, state: DirState, name: string, renamed: boolean): Promise<void> {
    const p = path.join(dir, name);
    const st = await lstatOrUndefined(p);
    if (this.disposed) return;
    const wasDir = state.known.get(name);
    if (!st) {
      if (wasDir === undefined) return;
      state.known.delete(name);
      if (wasDir) this.unwatchTree(p);
      this.opts.onEvent({ path: p, type: wasDir ? 'unlinkDir' : 'unlink' });
      return;
    }
    const isDir = st.isDirectory();
    if (this.opts.canSkip(p, isDir)) return;
    if (wasDir !== undefined && wasDir !== isDir) {
      // Replaced by the other kind: report the removal first.
      if (wasDir) this.unwatchTree(p);
      this.opts.onEvent({ path: p, type: wasDir ? 'unlinkDir' : 'unlink' });
    }
    state.known.set(name, isDir);
    if (isDir) {
      if (wasDir !== true) {
        this.opts.onEvent({ path: p, type: 'addDir' });
        // Files may have landed in it before its watch existed (mkdir -p a/b && touch a/b/c).
        await this.addTree(p, true);
      } else if (renamed || this.dirs.get(p)?.ino !== st.ino) {
        // Same name, maybe another directory (swapped in, or deleted and recreated, even with a reused inode):
        // the old watch follows the old inode, so watch again and report what differs.
        await this.replaceTree(p);
      }
    } else {
      this.opts.onEvent({ path: p, type: wasDir === false ? 'change' : 'add' });
    }
  }

  /** Re-watch a directory that may have been replaced, reporting every entry of the new tree against the old. */
  private async replaceTree(top: string): Promise<void> {
    this.walks++;
    try {
      await this.rewalk(top);
    } finally {
      this.walks--;
    }
  }

  private async rewalk(top: string): Promise<void> {
    const before = new Map<string, Map<string, boolean>>();
    for (const [dir, state] of this.dirs) {
      if (dir === top || dir.startsWith(top + path.sep)) {
        before.set(dir, state.known);
        state.watcher.close();
        this.dirs.delete(dir);
      }
    }
    const walk = async (dir: string): Promise<void> => {
      const state = await this.watchDir(dir);
      const old = before.get(dir) ?? new Map<string, boolean>();
      const now = state?.known ?? new Map<string, boolean>();
      for (const name of new Set([...old.keys(), ...now.keys()])) {
        if (this.disposed) return;
        const p = path.join(dir, name);
        const was = old.get(name);
        const is = now.get(name);
        if (was !== undefined && was !== is) this.opts.onEvent({ path: p, type: was ? 'unlinkDir' : 'unlink' });
        if (is === true) {
          if (was !== true) this.opts.onEvent({ path: p, type: 'addDir' });
          await walk(p);
        } else if (is === false && !this.opts.canSkip(p, false)) {
          // Same name in a replaced tree: the content may differ, so it counts as changed.
          this.opts.onEvent({ path: p, type: was === false ? 'change' : 'add' });
        }
      }
    };
    await walk(top);
  }

  /** Compare one directory with what is known: new and gone names, and files modified since `since` (epoch ms). */
  private async rescanDir(dir: string, state: DirState, since: number): Promise<void> {
    const names = new Set((await readdirOrEmpty(dir)).map((e) => e.name));
    for (const n of new Set([...names, ...state.known.keys()])) {
      if (state.only && !state.only.has(n)) continue;
      const p = path.join(dir, n);
      const known = state.known.get(n);
      if (known === false && names.has(n)) {
        const st = await lstatOrUndefined(p);
        if (st && !st.isDirectory() && Math.max(st.mtimeMs, st.ctimeMs) < since) continue;
      }
      await new Promise<void>((resolve) => this.serial(p, async () => {
        await this.classify(dir, state, n, false);
        resolve();
      }));
    }
  }

  /** After an event-queue overflow: rescan every watched directory. */
  private async rescanAll(since: number): Promise<void> {
    this.rescans++;
    this.walks++;
    try {
      for (const [dir, state] of [...this.dirs]) {
        if (this.disposed) return;
        if (this.dirs.get(dir) === state) await this.rescanDir(dir, state, since);
      }
    } finally {
      this.walks--;
    }
  }

  /** Watch-limit fallback: drop this root's OS watches and poll it (chokidar's stat polling). */
  private async pollRoot(root: string): Promise<void> {
    const existing = this.polled.get(root);
    if (existing) return existing.ready;
    if (this.disposed) return;
    this.unwatchTree(root);
    const fsw = chokidarWatch(root, {
      ignoreInitial: true,
      persistent: true,
      usePolling: true,
      interval: this.opts.pollIntervalMs ?? 1000,
      binaryInterval: this.opts.pollIntervalMs ?? 1000,
      ignored: (p: string, stats?: fs.Stats) => p !== root && this.opts.canSkip(p, stats ? stats.isDirectory() : undefined),
    });
    const ready = new Promise<void>((resolve) => fsw.once('ready', () => resolve()));
    this.polled.set(root, { dispose: () => void fsw.close(), ready });
    for (const type of ['add', 'change', 'unlink', 'addDir', 'unlinkDir'] as const) fsw.on(type, (p: string) => this.opts.onEvent({ path: p, type }));
    fsw.on('error', (err: unknown) => this.opts.onError(asError(err)));
    await ready;
  }

  private unwatchTree(root: string): void {
    for (const [dir, state] of this.dirs) {
      if (dir === root || dir.startsWith(root + path.sep)) {
        state.watcher.close();
        this.dirs.delete(dir);
      }
    }
  }

  private watchRecursive(root: string): void {
    const w = fs.watch(root, { persistent: true, recursive: true }, (_type, name) => {
      if (this.disposed || name === null) return;
      const p = path.join(root, String(name));
      void lstatOrUndefined(p).then((st) => {
        if (this.disposed || this.opts.canSkip(p, st ? st.isDirectory() : undefined)) return;
        // Recursive watches can't cheaply tell add from change; consumers care about exists vs deleted.
        this.opts.onEvent({ path: p, type: st ? (st.isDirectory() ? 'addDir' : 'change') : 'unlink' });
      });
    });
    w.on('error', (err) => this.opts.onError(asError(err)));
    this.recursive.push(w);
  }
}

function isGone(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EPERM' || code === 'EACCES';
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

async function lstatOrUndefined(p: string): Promise<fs.Stats | undefined> {
  try {
    return await fs.promises.lstat(p);
  } catch {
    return undefined;
  }
}

async function statOrUndefined(p: string): Promise<fs.Stats | undefined> {
  try {
    return await fs.promises.stat(p);
  } catch {
    return undefined;
  }
}

async function readdirOrEmpty(dir: string): Promise<fs.Dirent[]> {
  try {
    return await fs.promises.readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}
