// The editor's engine session: the shared src/engine/session.ts (Tiltfile load in a worker, kube-context guard,
// real adapters, reloads) created from the extension's settings. No 'vscode' import (unit-tested); engineHost.ts
// adds the editor around it. A Session is structurally an EngineSession (ctx.ts).
import { realClock } from '../engine/clock';
import { Session, type SessionOptions } from '../engine/session';

export interface EditorSessionOptions {
  tiltfile: string;
  args: string[];
  /** Script that serves as the loader worker (dist/cli.js). */
  workerScript: string;
  debounceMs: number;
  logBufferLines: number;
  /** The extension's own log. */
  log: { info(...a: unknown[]): void; error(...a: unknown[]): void };
  /** Fake adapters (tests only); absent = the real Docker, Kubernetes and process adapters. */
  ports?: SessionOptions['ports'];
  /** Loader wall-clock limit (default 120 s: local() commands may be slow). */
  loadTimeoutMs?: number;
  /** Node flags for the worker (tests). */
  execArgv?: string[];
  kubeconfigPath?: string;
  context?: string;
  namespace?: string;
}

export function createEditorSession(opts: EditorSessionOptions): Session {
  return new Session({
    tiltfile: opts.tiltfile,
    args: opts.args,
    subcommand: 'up',
    clock: realClock,
    workerScript: opts.workerScript,
    execArgv: opts.execArgv,
    loadTimeoutMs: opts.loadTimeoutMs,
    debounceMs: opts.debounceMs,
    logBufferLines: opts.logBufferLines,
    ports: opts.ports,
    kubeconfigPath: opts.kubeconfigPath,
    context: opts.context,
    namespace: opts.namespace,
    log: { info: (m) => opts.log.info(m), error: (m, e) => (e === undefined ? opts.log.error(m) : opts.log.error(m, e)) },
  });
}
