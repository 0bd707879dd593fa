// The names callers import to load a Tiltfile off the calling process. Loads used to run in a worker thread;
// they now run in a child process with a heap limit (childLoader.ts), because a V8 fatal error in a worker
// thread still aborts the whole process (the extension host). The names stay so callers need not change.
import type { LoadResult } from './loader';
import type { LoadOptions } from './state';
import { defaultChildScript, loadTiltfileInChild, runTiltfileChildIfRequested } from './childLoader';

export interface WorkerLoadOptions {
  /** Wall-clock limit for the whole load (default 60 s). */
  timeoutMs?: number;
  /** Script the child runs; default: dist/cli.js next to the current bundle. */
  workerScript?: string;
  /** Extra Node flags for the child, e.g. ['--import', 'tsx'] when running from TypeScript sources. */
  execArgv?: string[];
  /** Heap limit of the child in MB (childLoader.ts DEFAULT_CHILD_HEAP_MB when absent). */
  maxHeapMb?: number;
  /** Abort from the caller, e.g. the editor cancelling a stale load. */
  signal?: AbortSignal;
}

/** Call at the top of a loader-capable entry point; returns true when this process is a Tiltfile loader child. */
export function runTiltfileWorkerIfRequested(): boolean {
  return runTiltfileChildIfRequested();
}

export const defaultWorkerScript = defaultChildScript;

export function loadTiltfileInWorker(path: string, options: Omit<LoadOptions, 'cancel'> = {}, w: WorkerLoadOptions = {}): Promise<LoadResult> {
  const { workerScript, ...rest } = w;
  return loadTiltfileInChild(path, options, { ...rest, ...(workerScript ? { childScript: workerScript } : {}) });
}
