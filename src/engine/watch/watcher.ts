// The file watcher the engine uses: watches the minimal set of roots, skips directories no target wants
// (a huge ignored node_modules or target/ is never walked), coalesces bursts, then routes per target.
// Backends: 'native' (default; one OS watch per directory, see nativeWatcher.ts) or 'chokidar' (polling-capable
// fallback, e.g. for network filesystems; far heavier on big trees).

import { watch } from 'chokidar';
import type { Stats } from 'node:fs';
import type { Disposable } from '../../shared/events';
import type { Clock } from '../clock';
import { Coalescer, DEFAULT_COALESCE, type CoalesceOptions, type FileEvent, type FileEventType } from './coalesce';
import { NativeWatcher } from './nativeWatcher';
import type { PathRouter } from './router';

export interface WatcherOptions {
  clock: Clock;
  coalesce?: CoalesceOptions;
  backend?: 'native' | 'chokidar';
  /** chokidar only: poll instead of OS events. */
  usePolling?: boolean;
  /** One call per coalesced batch, with the events for each interested target id. */
  onChanges(routed: Map<string, FileEvent[]>): void;
  onError(err: Error): void;
}

export class FileWatcher implements Disposable {
  private constructor(
    private readonly backend: Disposable,
    private readonly coalescer: Coalescer,
  ) {}

  /** Start watching; resolves once the initial scan is done (changes after that are reported). */
  static async start(router: PathRouter, opts: WatcherOptions): Promise<FileWatcher> {
    const coalescer = new Coalescer(
      opts.clock,
      (events) => {
        const routed = router.routeBatch(events);
        if (routed.size > 0) opts.onChanges(routed);
      },
      opts.coalesce ?? DEFAULT_COALESCE,
    );
    const roots = router.roots();
    const canSkip = (p: string, isDir: boolean | undefined): boolean => router.canSkip(p, isDir);
    const push = (e: FileEvent): void => coalescer.push(e);
    const backend = opts.backend === 'chokidar'
      ? await startChokidar(roots, canSkip, push, opts)
      : await NativeWatcher.start(roots, { canSkip, onEvent: push, onError: opts.onError });
    return new FileWatcher(backend, coalescer);
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
    ignored: (p: string, stats?: Stats) => canSkip(p, stats ? stats.isDirectory() : undefined),
  });
  const types: FileEventType[] = ['add', 'change', 'unlink', 'addDir', 'unlinkDir'];
  for (const type of types) fsw.on(type, (p: string) => push({ path: p, type }));
  fsw.on('error', (err: unknown) => opts.onError(err instanceof Error ? err : new Error(String(err))));
  await new Promise<void>((resolve) => fsw.once('ready', () => resolve()));
  return { dispose: () => void fsw.close() };
}
