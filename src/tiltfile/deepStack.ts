// Tiltfile loads on a worker thread with a deep stack. The interpreter recurses on the JS stack (several JS frames
// per Starlark call), and a thread's default stack (~1 MB) holds only about 1,000 Starlark calls; starlark-go, which
// Tilt runs, allows far deeper recursion. A worker thread's stack size is an option (resourceLimits.stackSizeMb),
// unlike the main thread's, which the OS fixes (8 MB, and --stack-size beyond it crashes). The worker runs the
// same script as its parent: every entry point that can host it calls runTiltfileChildIfRequested() first
// thing (childLoader.ts), which hands over to runDeepStackWorkerIfRequested().
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { LoadResult } from './loader';
import type { LoadOptions } from './state';

/** Stack of the load thread: room for well over 10,000 nested Starlark calls (about 1 KB of stack each). */
export const DEEP_STACK_MB = 32;

const TAG = 'innerloop-tiltfile-deep-stack';

interface DeepStackJob {
  tag: typeof TAG;
  path: string;
  options: Omit<LoadOptions, 'cancel'>;
}

/** In a deep-stack worker: runs the load, posts the result and returns true. Elsewhere: returns false. */
export function runDeepStackWorkerIfRequested(): boolean {
  const job = workerData as DeepStackJob | undefined;
  const port = parentPort;
  if (isMainThread || job?.tag !== TAG || !port) return false;
  // The loader is evaluated on the load thread only: the thread that starts a load (the CLI dispatcher, for
  // `innerloop tiltfile` and `version`) never runs its module code (~20 ms of CPU). A require(), not an import():
  // bundled, it becomes a lazy initializer; from sources, tsx/cjs resolves it (a worker has no ESM hooks).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { loadTiltfile } = require('./loader') as typeof import('./loader');
  port.postMessage(loadTiltfile(job.path, job.options));
  return true;
}

/** dist/tiltfile-loader.js when it sits next to this bundle (it starts far faster than dist/cli.js), else this bundle. */
function bundleScript(): string {
  const loader = join(dirname(__filename), 'tiltfile-loader.js');
  return existsSync(loader) ? loader : __filename;
}

/**
 * loadTiltfile on a worker thread with a DEEP_STACK_MB stack. Options must be cloneable (no cancel flag: the
 * load's own step budget and the caller's timeout bound it). A worker that dies becomes an error diagnostic.
 */
export function loadTiltfileOnDeepStack(path: string, options: Omit<LoadOptions, 'cancel'>, fail: (path: string, err: Error) => LoadResult): Promise<LoadResult> {
  return new Promise((resolvePromise) => {
    let done = false;
    const finish = (r: LoadResult): void => {
      if (done) return;
      done = true;
      resolvePromise(r);
      void worker.terminate();
    };
    // The bundle (its entry point dispatches, see above); from TypeScript sources (tests), this file through tsx.
    const fromSources = !__filename.endsWith('.js');
    const script = fromSources ? `require('tsx/cjs'); require(${JSON.stringify(__filename)});` : bundleScript();
    const worker = new Worker(script, {
      eval: fromSources,
      workerData: { tag: TAG, path, options } satisfies DeepStackJob,
      resourceLimits: { stackSizeMb: DEEP_STACK_MB },
    });
    worker.once('message', (r: LoadResult) => finish(r));
    worker.once('error', (e) => finish(fail(path, e)));
    worker.once('exit', (code) => finish(fail(path, new Error(`the loader thread exited (code ${code}) without a result`))));
  });
}

// From TypeScript sources the worker runs this file itself (there is no bundle entry point to dispatch).
if (!__filename.endsWith('.js')) runDeepStackWorkerIfRequested();
