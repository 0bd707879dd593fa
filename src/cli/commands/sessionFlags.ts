// Flags shared by up / ci / down, and building a Session from them.
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Session } from '../../engine/session';
import { failedLoad } from '../../tiltfile/childLoader';
import { loadTiltfileOnDeepStack } from '../../tiltfile/deepStack';
import { loadTiltfile } from '../../tiltfile/loader';
import type { TiltfileLoader } from '../../engine/sessionLoad';
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

/** A blocking local() in a load that runs in this process gives up after this long (the child loader's limit). */
const IN_PROCESS_COMMAND_TIMEOUT_MS = 120_000;

/**
 * `down` loads in this process (on a worker thread with a deep stack, as `innerloop tiltfile` does): the CLI is the
 * user's own command on their own, trusted Tiltfile, so a crash only ends it, local() is bounded by a timeout and
 * loops by the step budget; and it skips the loader child's start-up, most of `down`'s time (npm run bench down).
 * The editor keeps the child for everything (an untrusted repository must not take the extension host down).
 */
const loadInProcess: TiltfileLoader = (p, opts) =>
  loadTiltfileOnDeepStack(p, { ...opts, commandTimeoutMs: opts.commandTimeoutMs ?? IN_PROCESS_COMMAND_TIMEOUT_MS }, (path, e) => failedLoad(path, `Tiltfile loader failed: ${e.message}`));

export function sessionFrom(f: SessionFlags, io: CommandIO, subcommand: 'up' | 'ci' | 'down'): Session {
  // From the bundle, up and ci load the Tiltfile in a child process with a heap limit (a Tiltfile that exhausts
  // memory cannot take a running loop down with it), down in-process (above); from sources (tests), in-process.
  const bundled = __filename.endsWith('.js');
  const load: TiltfileLoader | undefined = !bundled ? async (p, opts) => loadTiltfile(p, opts) : subcommand === 'down' ? loadInProcess : undefined;
  return new Session({
    tiltfile: requireTiltfile(io, f.file),
    args: f.args,
    subcommand,
    kubeconfigPath: f.kubeconfig ? resolve(io.cwd, f.kubeconfig) : undefined,
    context: f.context,
    namespace: f.namespace,
    watch: subcommand === 'up',
    ...(load ? { load } : {}),
  });
}
