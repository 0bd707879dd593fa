// The editor's view of an engine session: a thin adapter from the extension's settings to the shared
// src/engine/session.ts (Tiltfile load in a worker, kube-context guard, real adapters, reloads). No 'vscode'
// import (unit-tested); engineHost.ts adds the editor around it. Structurally an EngineSession (ctx.ts).
import type { Clock } from '../engine/clock';
import type { EngineOptions } from '../engine/engine';
import { Session } from '../engine/session';

/** Adapters to use instead of the real Docker/Kubernetes/process ones (tests). */
export type EnginePorts = Pick<EngineOptions, 'images' | 'kube' | 'local'>;

const unwired = (): never => {
  throw new Error('REAL_ADAPTERS is a marker: EngineSessionCore replaces it with the real adapters');
};

/**
 * Stands for "the real adapters" where an EnginePorts value is expected (the extension's composition root):
 * EngineSessionCore then lets the session connect to Docker and the kube context itself.
 */
export const REAL_ADAPTERS: EnginePorts = Object.freeze({
  images: { buildImage: unwired },
  kube: { apply: unwired, runningContainers: unwired, exec: { exec: unwired } },
  local: { run: unwired },
});

export interface EngineSessionOptions {
  tiltfile: string;
  args: string[];
  /** REAL_ADAPTERS or undefined = the real adapters (Docker daemon, kube context from KUBECONFIG, local processes). */
  ports?: EnginePorts;
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
  kubeconfigPath?: string;
  context?: string;
}

export class EngineSessionCore {
  readonly session: Session;

  constructor(opts: EngineSessionOptions) {
    this.session = new Session({
      tiltfile: opts.tiltfile,
      args: opts.args,
      subcommand: 'up',
      clock: opts.clock,
      workerScript: opts.workerScript,
      execArgv: opts.execArgv,
      loadTimeoutMs: opts.loadTimeoutMs,
      debounceMs: opts.debounceMs,
      logBufferLines: opts.logBufferLines,
      ports: opts.ports === REAL_ADAPTERS ? undefined : opts.ports,
      kubeconfigPath: opts.kubeconfigPath,
      context: opts.context,
      log: { info: (m) => opts.log.info(m), error: (m, e) => (e === undefined ? opts.log.error(m) : opts.log.error(m, e)) },
    });
  }

  get engine(): Session['engine'] {
    return this.session.engine;
  }
  get tiltfile(): string {
    return this.session.tiltfile;
  }
  get store(): Session['store'] {
    return this.session.store;
  }
  get logs(): Session['logs'] {
    return this.session.logs;
  }
  trigger(resource: string): void {
    this.session.trigger(resource);
  }
  start(): Promise<void> {
    return this.session.start();
  }
  reload(): void {
    this.session.reload();
  }
  settled(): Promise<void> {
    return this.session.settled();
  }
  /** Stops the engine; deployed resources keep running. */
  dispose(): void {
    this.session.dispose();
  }
}
