// Starts the engine for a Tiltfile and keeps it fed: load the Tiltfile (trusted, in a worker thread), hand
// the plan to the Engine, reload when a file the Tiltfile read changes. No 'vscode' import (unit-tested);
// engineHost.ts adds the editor around it. Structurally an EngineSession (ctx.ts).
import { Engine, type EngineOptions } from '../engine/engine';
import type { Clock } from '../engine/clock';
import { loadTiltfileInWorker } from '../tiltfile/worker';

/** The real-world adapters the engine needs (Docker, Kubernetes, local processes). */
export type EnginePorts = Pick<EngineOptions, 'images' | 'kube' | 'local'>;

export interface EngineSessionOptions {
  tiltfile: string;
  args: string[];
  ports: EnginePorts;
  clock: Clock;
  /** Script that serves as the loader worker (dist/cli.js). */
  workerScript: string;
  debounceMs: number;
  logBufferLines: number;
  /** The extension's own log. */
  log: { info(...a: unknown[]): void; error(...a: unknown[]): void };
  /** Loader wall-clock limit (default 120 s: local() commands may be slow). */
  loadTimeoutMs?: number;
  /** Node flags for the worker (tests). */
  execArgv?: string[];
}

export class EngineSessionCore {
  readonly engine: Engine;
  private loading: Promise<void> = Promise.resolve();
  private reloadQueued = false;
  private disposed = false;
  private abort: AbortController | undefined;

  constructor(private readonly opts: EngineSessionOptions) {
    this.engine = new Engine({
      ...opts.ports,
      clock: opts.clock,
      maxLogLinesPerResource: opts.logBufferLines,
      // The quiet period the user configured; the cap keeps a constant stream of writes from starving builds.
      watch: { enabled: true, coalesce: { quietMs: opts.debounceMs, maxWaitMs: Math.max(10_000, opts.debounceMs * 20) } },
      onConfigChanged: (files) => {
        opts.log.info(`Tiltfile inputs changed (${files.join(', ')}): reloading`);
        this.reload();
      },
      onInternalError: (err) => opts.log.error('engine internal error', err),
    });
  }

  get tiltfile(): string {
    return this.opts.tiltfile;
  }
  get store(): Engine['store'] {
    return this.engine.store;
  }
  get logs(): Engine['logs'] {
    return this.engine.logs;
  }

  trigger(resource: string): void {
    this.engine.trigger(resource);
  }

  /** Loads the Tiltfile now; resolves when the plan is installed (or the failure recorded). */
  start(): Promise<void> {
    this.loading = this.load();
    return this.loading;
  }

  /** Re-runs the Tiltfile; several requests during one load become one more load. */
  reload(): void {
    if (this.disposed || this.reloadQueued) return;
    this.reloadQueued = true;
    this.loading = this.loading.then(() => {
      this.reloadQueued = false;
      return this.load();
    });
  }

  /** Resolves when the current load (and any queued reload) is done. */
  settled(): Promise<void> {
    return this.loading;
  }

  private async load(): Promise<void> {
    if (this.disposed) return;
    const { tiltfile } = this.opts;
    this.engine.tiltfileLoading(tiltfile);
    this.abort = new AbortController();
    const started = this.opts.clock.now();
    const r = await loadTiltfileInWorker(
      tiltfile,
      { trusted: true, args: this.opts.args, subcommand: 'up' },
      { workerScript: this.opts.workerScript, timeoutMs: this.opts.loadTimeoutMs ?? 120_000, signal: this.abort.signal, ...(this.opts.execArgv ? { execArgv: this.opts.execArgv } : {}) },
    );
    if (this.disposed) return;
    for (const line of r.output) this.engine.logs.append('(Tiltfile)', 'system', line);
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    if (r.ok) {
      this.opts.log.info(`Tiltfile loaded in ${this.opts.clock.now() - started} ms: ${r.plan.resources.length} resources`);
      await this.engine.setPlan(r.plan);
    } else {
      const first = errors[0];
      const where = first?.pos ? `${first.pos.file}:${first.pos.line}:${first.pos.col}: ` : '';
      const message = `${where}${first?.message ?? 'Tiltfile load failed'}`;
      this.opts.log.error(`Tiltfile load failed: ${message}`);
      this.engine.logs.append('(Tiltfile)', 'system', message, 'error');
      this.engine.tiltfileFailed(tiltfile, message, r.diagnostics);
    }
  }

  dispose(): void {
    this.disposed = true;
    this.abort?.abort();
    this.engine.dispose();
  }
}
