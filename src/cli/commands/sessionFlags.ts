// Flags shared by up / ci / down, and building a Session from them.
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Session } from '../../engine/session';
import { loadTiltfile } from '../../tiltfile/loader';
import { CliError, EXIT_USAGE, type CommandIO } from './types';
import { bool, durationFlag, parseFlags, str } from './flags';

export interface SessionFlags {
  file: string;
  /** Resource names and Tiltfile args (after `--`), passed to the Tiltfile like Tilt does. */
  args: string[];
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  timeoutSecs?: number;
  sessionJson?: string;
  deleteNamespaces: boolean;
  /** `down --wait`: wait until deleted objects are gone. */
  wait: boolean;
}

export const SESSION_FLAGS_HELP = `  --file, -f PATH       the Tiltfile, or a directory holding one (default ./Tiltfile)
  --kubeconfig PATH     kubeconfig to use (default $KUBECONFIG, then ~/.kube/config)
  --context NAME        kube context (k8s_context() in the Tiltfile wins)
  --namespace, -n NAME  default namespace instead of the context's
  -- ARGS               arguments for config.parse()`;

/** Parses up/ci/down flags (node:util parseArgs); a usage error is returned as its message. */
export function parseSessionFlags(argv: string[], extra: { timeout?: boolean; sessionJson?: boolean; deleteNamespaces?: boolean; wait?: boolean } = {}): SessionFlags | string {
  try {
    const p = parseFlags(argv, {
      file: { type: 'string', short: 'f' },
      kubeconfig: { type: 'string' },
      context: { type: 'string' },
      namespace: { type: 'string', short: 'n' },
      ...(extra.timeout ? { timeout: { type: 'string' } } : {}),
      ...(extra.sessionJson ? { 'session-json': { type: 'string' } } : {}),
      ...(extra.deleteNamespaces ? { 'delete-namespaces': { type: 'boolean' } } : {}),
      ...(extra.wait ? { wait: { type: 'boolean' } } : {}),
    } as const);
    const timeoutMs = durationFlag(p, 'timeout');
    return {
      file: str(p, 'file') ?? 'Tiltfile',
      args: [...p.positionals, ...p.rest],
      kubeconfig: str(p, 'kubeconfig'),
      context: str(p, 'context'),
      namespace: str(p, 'namespace'),
      timeoutSecs: timeoutMs === undefined ? undefined : timeoutMs / 1000,
      sessionJson: str(p, 'session-json'),
      deleteNamespaces: bool(p, 'delete-namespaces'),
      wait: bool(p, 'wait'),
    };
  } catch (e) {
    if (e instanceof CliError && e.code === EXIT_USAGE) return e.message;
    throw e;
  }
}

export function tiltfilePath(io: CommandIO, file: string): string {
  const p = resolve(io.cwd, file);
  return existsSync(p) && statSync(p).isDirectory() ? join(p, 'Tiltfile') : p;
}

/** The Tiltfile to run; a missing one is one sentence with the fix (exit 1), before anything starts. */
export function requireTiltfile(io: CommandIO, file: string): string {
  const tf = tiltfilePath(io, file);
  if (!existsSync(tf)) throw new CliError(`no Tiltfile at ${tf}: create one, or pass --file PATH`);
  return tf;
}

export function sessionFrom(f: SessionFlags, io: CommandIO, subcommand: 'up' | 'ci' | 'down'): Session {
  // From the bundle the Tiltfile loads in a worker (a hung local() cannot hang the CLI); from sources, in-process.
  const bundled = __filename.endsWith('.js');
  return new Session({
    tiltfile: requireTiltfile(io, f.file),
    args: f.args,
    subcommand,
    kubeconfigPath: f.kubeconfig ? resolve(io.cwd, f.kubeconfig) : undefined,
    context: f.context,
    namespace: f.namespace,
    watch: subcommand === 'up',
    ...(bundled ? {} : { load: async (p: string, opts: Parameters<typeof loadTiltfile>[1]) => loadTiltfile(p, opts) }),
  });
}
