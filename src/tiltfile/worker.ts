// Loading a Tiltfile off the main thread: a worker_threads Worker runs loadTiltfile, with a timeout that first
// cancels cooperatively (the interpreter's cancel flag) and then terminates the worker.
// The worker entry is whichever script imports this module and calls runTiltfileWorkerIfRequested() at startup:
// the CLI bundle (dist/cli.js) does, so editors and commands spawn `dist/cli.js` as the worker script.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadTiltfile, type LoadResult } from './loader';
import type { LoadOptions } from './state';

const FLAG = 'innerloopTiltfileWorker';

export interface WorkerLoadOptions {
  /** Wall-clock limit for the whole load (default 60 s). */
  timeoutMs?: number;
  /** Script that runs as the worker; default: dist/cli.js next to the current bundle (see defaultWorkerScript). */
  workerScript?: string;
  /** Node flags for the worker, e.g. ['--import', 'tsx'] when running from TypeScript sources. */
  execArgv?: string[];
  /** Abort from the caller, e.g. the editor cancelling a stale load. */
  signal?: AbortSignal;
}

interface Request { [FLAG]: true; path: string; options: Omit<LoadOptions, 'cancel'>; cancelBuffer: SharedArrayBuffer }

/** Call at the top of a worker-capable entry point; returns true when this thread is a Tiltfile worker. */
export function runTiltfileWorkerIfRequested(): boolean {
  const data = workerData as Partial<Request> | null;
  if (isMainThread || !data || data[FLAG] !== true || !parentPort) return false;
  const cancel = new Int32Array(data.cancelBuffer!);
  const result = loadTiltfile(data.path!, { ...data.options, cancel });
  parentPort.postMessage(result);
  return true;
}

function failed(path: string, message: string): LoadResult {
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

/** The CLI bundle next to the current bundle (dist/extension.js -> dist/cli.js), else the current bundle. */
export function defaultWorkerScript(): string {
  const sibling = join(dirname(__filename), 'cli.js');
  return __filename.endsWith('.js') && existsSync(sibling) ? sibling : __filename;
}

export function loadTiltfileInWorker(path: string, options: Omit<LoadOptions, 'cancel'> = {}, w: WorkerLoadOptions = {}): Promise<LoadResult> {
  const timeoutMs = w.timeoutMs ?? 60_000;
  const cancelBuffer = new SharedArrayBuffer(4);
  const flag = new Int32Array(cancelBuffer);
  // A blocking local() ignores the cancel flag and outlives terminate(): bound each command by the same limit.
  const opts = { ...options, env: options.env ?? { ...process.env }, commandTimeoutMs: options.commandTimeoutMs ?? timeoutMs };
  const req: Request = { [FLAG]: true, path, options: opts, cancelBuffer };
  return new Promise((resolvePromise) => {
    let done = false;
    const worker = new Worker(w.workerScript ?? defaultWorkerScript(), { workerData: req, execArgv: w.execArgv, stdout: true, stderr: true });
    let hardKill: NodeJS.Timeout | undefined;
    const finish = (r: LoadResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (hardKill) clearTimeout(hardKill);
      w.signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      resolvePromise(r);
    };
    const stop = (why: string): void => {
      Atomics.store(flag, 0, 1);
      // A blocking local() cannot see the flag: give the interpreter a moment, then terminate.
      hardKill = setTimeout(() => finish(failed(path, why)), 1000);
    };
    const timer = setTimeout(() => stop(`Tiltfile load timed out after ${timeoutMs} ms (an endless loop or a slow local() command?)`), timeoutMs);
    const onAbort = (): void => stop('Tiltfile load cancelled');
    w.signal?.addEventListener('abort', onAbort);
    worker.on('message', (r: LoadResult) => finish(r));
    worker.on('error', (e) => finish(failed(path, `Tiltfile worker failed: ${e.message}`)));
    worker.on('exit', (code) => finish(failed(path, `Tiltfile worker exited with code ${code} before finishing`)));
  });
}
