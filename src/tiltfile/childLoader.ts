// Loading a Tiltfile in a CHILD PROCESS with a heap limit, so that nothing a Tiltfile does can take down the
// process that asked (the VS Code extension host, or `innerloop up`). A worker thread is not enough: a V8 fatal
// error (heap exhausted, a string over the length limit, bad_alloc) aborts the whole process, every thread
// included. The child is killed (its whole process group, so local() commands go too) on timeout or abort, and
// its death becomes an error diagnostic at the Tiltfile instead of a crash.
//
// The child script is any entry point that calls runTiltfileChildIfRequested() first thing: dist/tiltfile-loader.js
// (the loader alone, quick to start) or the CLI bundle dist/cli.js; both are forked with --innerloop-tiltfile-child.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadTiltfileOnDeepStack, runDeepStackWorkerIfRequested } from './deepStack';
import type { LoadResult } from './loader';
import type { LoadOptions } from './state';

/** argv[2] of a loader child; an argument, not an env var, so local() commands do not inherit it. */
export const CHILD_FLAG = '--innerloop-tiltfile-child';

/** Heap limit of a loader child when the caller gives none: far above a 1,000-resource Tiltfile (~100 MB). */
export const DEFAULT_CHILD_HEAP_MB = 1024;

export interface ChildLoadOptions {
  /** Wall-clock limit for the whole load (default 60 s). */
  timeoutMs?: number;
  /** Script to fork; default: dist/cli.js next to the current bundle (see defaultChildScript). */
  childScript?: string;
  /** Extra Node flags for the child, e.g. ['--import', 'tsx'] when running from TypeScript sources. */
  execArgv?: string[];
  /** --max-old-space-size for the child, in MB (default DEFAULT_CHILD_HEAP_MB). */
  maxHeapMb?: number;
  /** Abort from the caller, e.g. the editor cancelling a stale load. */
  signal?: AbortSignal;
}

interface Request { path: string; options: Omit<LoadOptions, 'cancel'>; heapMb: number }

/**
 * Call first thing in an entry point that can serve as the loader child (or as its deep-stack worker thread,
 * deepStack.ts); returns true when this process or thread is one.
 */
export function runTiltfileChildIfRequested(): boolean {
  if (runDeepStackWorkerIfRequested()) return true;
  if (process.argv[2] !== CHILD_FLAG || !process.send) return false;
  process.once('message', (req: Request) => {
    // On a worker thread with a deep stack, so deep recursion works as in Tilt (deepStack.ts).
    void loadTiltfileOnDeepStack(req.path, req.options, (path, err) =>
      failedLoad(path, (err as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY' ? deathMessage(null, null, `heap out of memory`, req.heapMb) : `Tiltfile loader failed: ${err.message}`),
    ).then((result) => process.send!(result, undefined, {}, () => process.exit(0)));
  });
  return true;
}

/** dist/tiltfile-loader.js (else dist/cli.js) next to the current bundle, else the current bundle. */
export function defaultChildScript(): string {
  if (!__filename.endsWith('.js')) return __filename;
  for (const name of ['tiltfile-loader.js', 'cli.js']) {
    const sibling = join(dirname(__filename), name);
    if (existsSync(sibling)) return sibling;
  }
  return __filename;
}

export function failedLoad(path: string, message: string): LoadResult {
  const abs = resolve(path);
  return {
    plan: {
      tiltfile: abs, resources: [], images: [], k8s: { allowedContexts: [], imageLocators: [] },
      settings: {
        triggerMode: 'auto', maxParallelUpdates: 3, k8sUpsertTimeoutSecs: 30, suppressUnusedImageWarnings: [], secretScrub: true,
        watchIgnore: [], ci: { k8sGracePeriodSecs: 0, timeoutSecs: 1800, readinessTimeoutSecs: 300 },
      },
      buttons: [], configFiles: [abs], config: {}, secrets: [], warnings: [],
    },
    diagnostics: [{ severity: 'error', message, pos: { file: abs, line: 1, col: 1 } }],
    configFiles: [abs], output: [], ok: false,
  };
}

/** What the user reads when the child died without answering. Exported for tests. */
export function deathMessage(code: number | null, signal: NodeJS.Signals | null, stderrTail: string, heapMb: number): string {
  const lines = stderrTail.split('\n').map((l) => l.replace(/^#\s*/, '').trim()).filter(Boolean);
  // V8 prints "FATAL ERROR: ..." or "# Fatal JavaScript invalid size error N" before aborting; that line says why.
  const why = lines.find((l) => /^fatal/i.test(l) && !/^Fatal error in/i.test(l)) ?? lines.at(-1);
  if (/heap out of memory|Reached heap limit|Allocation failed|invalid (array |string |table )?(size|length)/i.test(stderrTail)) {
    return `The Tiltfile used more memory than allowed (${heapMb} MB heap; a huge string or list?) and was stopped${why ? ` (${why})` : ''}. The editor and Innerloop are unaffected.`;
  }
  if (signal === 'SIGKILL') return 'The Tiltfile evaluation was killed (SIGKILL), probably by the system running out of memory.';
  const how = signal ? `signal ${signal}` : `exit code ${code}`;
  return `The Tiltfile evaluation crashed (${how})${why ? `: ${why}` : ''}. The editor and Innerloop are unaffected.`;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Kill the child and, on POSIX, its process group (local() commands it started). */
function killTree(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    if (process.platform !== 'win32' && child.pid) process.kill(-child.pid, 'SIGKILL');
    else child.kill('SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

export function loadTiltfileInChild(path: string, options: Omit<LoadOptions, 'cancel'> = {}, c: ChildLoadOptions = {}): Promise<LoadResult> {
  const timeoutMs = c.timeoutMs ?? 60_000;
  const heapMb = c.maxHeapMb ?? DEFAULT_CHILD_HEAP_MB;
  // A blocking local() is bounded by the same limit (and killed with the process group on timeout).
  const opts = { ...options, env: options.env ?? { ...process.env }, commandTimeoutMs: options.commandTimeoutMs ?? timeoutMs };
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // Detached children outlive us otherwise: when the host exits, take them along.
    process.once('exit', () => live.forEach(killTree));
  }
  return new Promise((resolvePromise) => {
    if (c.signal?.aborted) { resolvePromise(failedLoad(path, 'Tiltfile load cancelled')); return; }
    let child: ChildProcess;
    try {
      child = fork(c.childScript ?? defaultChildScript(), [CHILD_FLAG], {
        execArgv: [...(c.execArgv ?? []), `--max-old-space-size=${heapMb}`],
        // In Electron (desktop VS Code) process.execPath is the app; this makes it behave as plain Node.
        env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        serialization: 'advanced',
        // Its own process group, so a kill reaches the local() commands it started.
        detached: process.platform !== 'win32',
      });
    } catch (e) {
      resolvePromise(failedLoad(path, `could not start the Tiltfile loader: ${(e as Error).message}`));
      return;
    }
    live.add(child);
    let stderrTail = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => { stderrTail = (stderrTail + d).slice(-4096); });
    let done = false;
    let stopped: string | undefined;
    const finish = (r: LoadResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      c.signal?.removeEventListener('abort', onAbort);
      live.delete(child);
      killTree(child);
      resolvePromise(r);
    };
    const stop = (why: string): void => {
      stopped ??= why;
      killTree(child);
    };
    const timer = setTimeout(() => stop(`Tiltfile load timed out after ${timeoutMs} ms (an endless loop or a slow local() command?)`), timeoutMs);
    const onAbort = (): void => stop('Tiltfile load cancelled');
    c.signal?.addEventListener('abort', onAbort);
    child.on('message', (r: LoadResult) => finish(r));
    child.on('error', (e) => finish(failedLoad(path, stopped ?? `Tiltfile loader failed: ${e.message}`)));
    // 'close' (not 'exit'): stderr is fully read by then, so an OOM report is seen.
    child.on('close', (code, signal) => finish(failedLoad(path, stopped ?? deathMessage(code, signal, stderrTail, heapMb))));
    child.send({ path, options: opts, heapMb } satisfies Request, (err) => {
      if (err) finish(failedLoad(path, stopped ?? `Tiltfile loader failed: ${err.message}`));
    });
  });
}
