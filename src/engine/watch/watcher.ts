// The file watcher the engine uses: watches the minimal set of roots, skips directories no target wants
// (a huge ignored node_modules or target/ is never walked), coalesces bursts, then routes per target.
// Backends (setting `innerloop.watcherBackend`, env INNERLOOP_WATCHER_BACKEND for the CLI): 'native' (default;
// one OS watch per directory, see nativeWatcher.ts), 'chokidar' (one watcher and stat per file; far heavier on big
// trees) or 'polling' (chokidar polling stats, for network or container filesystems that send no events).

import { watch } from 'chokidar';
import type { Stats } from 'node:fs';
import type { Disposable } from '../../shared/events';
import type { Clock } from '../clock';
import { Coalescer, DEFAULT_COALESCE, type CoalesceOptions, type FileEvent, type FileEventType } from './coalesce';
import { NativeWatcher } from './nativeWatcher';
import type { PathRouter } from './router';

export const WATCHER_BACKENDS = ['native', 'chokidar', 'polling'] as const;
export type WatcherBackend = (typeof WATCHER_BACKENDS)[number];

/** The backend to use: the explicit choice, else INNERLOOP_WATCHER_BACKEND, else native. Unknown names throw. */
export function resolveWatcherBackend(choice: string | undefined, env: NodeJS.ProcessEnv = process.env): WatcherBackend {
  const name = (choice || env.INNERLOOP_WATCHER_BACKEND || 'native').trim();
  if ((WATCHER_BACKENDS as readonly string[]).includes(name)) return name as WatcherBackend;
  throw new Error(`unknown file watcher backend "${name}": use one of ${WATCHER_BACKENDS.join(', ')}`);
}

export interface WatcherOptions {
  clock: Clock;
  coalesce?: CoalesceOptions;
  /** Default: resolveWatcherBackend(undefined). */
  backend?: WatcherBackend;
  /** chokidar only: poll instead of OS events (same as backend 'polling'). */
  usePolling?: boolean;
  /** One call per coalesced batch, with the events for each interested target id. */
  onChanges(routed: Map<string, FileEvent[]>): void;
  onError(err: Error): void;
  /** Something the user should read (the inotify watch limit was hit); default: onError. */
  onWarning?(message: string): void;
}

export class FileWatcher implements Disposable {
  private constructor(
    private readonly backend: Disposable & { settle?(): Promise<void> },
    private readonly coalescer: Coalescer,
    readonly backendName: WatcherBackend,
  ) {}

  /** Start watching; resolves once the initial scan is done (changes after that are reported). */
  static async start(router: PathRouter, opts: WatcherOptions): Promise<FileWatcher> {
    const backendRef: { current?: { busy?: boolean } } = {};
    const coalescer = new Coalescer(
      opts.clock,
      (events) => {
        const routed = router.routeBatch(events);
        if (routed.size > 0) opts.onChanges(routed);
      },
      opts.coalesce ?? DEFAULT_COALESCE,
      () => backendRef.current?.busy === true,
    );
    const roots = router.roots();
    const canSkip = (p: string, isDir: boolean | undefined): boolean => router.canSkip(p, isDir);
    const push = (e: FileEvent): void => coalescer.push(e);
    const name = opts.backend ?? resolveWatcherBackend(undefined);
    const backend = name === 'native'
      ? await NativeWatcher.start(roots, { canSkip, onEvent: push, onError: opts.onError, onWarning: opts.onWarning })
      : await startChokidar(roots, canSkip, push, { ...opts, usePolling: name === 'polling' || opts.usePolling });
    backendRef.current = backend as { busy?: boolean };
    return new FileWatcher(backend, coalescer, name);
  }

  /** Changed paths waiting for the quiet period (tests, diagnostics). */
  get pending(): number {
    return this.coalescer.size;
  }

  /** Roots the native backend polls because the inotify watch limit was hit. */
  get polledRoots(): string[] {
    return this.backend instanceof NativeWatcher ? this.backend.polledRoots : [];
  }

  /** Full rescans after a suspected event-queue overflow (native backend). */
  get rescans(): number {
    return this.backend instanceof NativeWatcher ? this.backend.rescans : 0;
  }

  /**
   * Stop, but first deliver what is pending: events still being classified and the coalescer's open batch. A
   * Tiltfile reload replaces the watcher; a change made just before must not be lost with the old one.
   */
  async handOver(): Promise<void> {
    await this.backend.settle?.();
    this.coalescer.flush();
    this.dispose();
  }

  dispose(): void {
    this.coalescer.dispose();
    this.backend.dispose();
  }
}

async function startChokidar(
  roots: string[],
  canSkip: (p: string, isDir: boolean | undefined) => boolean,
  push: (e: FileEvent) => void,
  opts: WatcherOptions,
): Promise<Disposable> {
  const fsw = watch(roots, {
    ignoreInitial: true,
    persistent: true,
    usePolling: opts.usePolling ?? false,
    interval: 500,
    binaryInterval: 500,
    ignored: (p: string, stats?: Stats) => canSkip(p, stats ? stats.isDirectory() : undefined),
  });
  const types: FileEventType[] = ['add', 'change', 'unlink', 'addDir', 'unlinkDir'];
  for (const type of types) fsw.on(type, (p: string) => push({ path: p, type }));
  fsw.on('error', (err: unknown) => opts.onError(err instanceof Error ? err : new Error(String(err))));
  await new Promise<void>((resolve) => fsw.once('ready', () => resolve()));
  return { dispose: () => void fsw.close() };
}
