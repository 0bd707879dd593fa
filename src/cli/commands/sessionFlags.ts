// Flags shared by up / ci / down, and building a Session from them.
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Session } from '../../engine/session';
import { loadTiltfile } from '../../tiltfile/loader';
import { parseDuration } from '../duration';
import type { CommandIO } from './types';

export interface SessionFlags {
  file: string;
  /** Resource names and Tiltfile args (after `--`), passed to the Tiltfile like Tilt does. */
  args: string[];
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  /** --timeout as milliseconds (parseDuration). */
  timeoutMs?: number;
  sessionJson?: string;
  deleteNamespaces: boolean;
}

export const SESSION_FLAGS_HELP = `  --file, -f PATH       the Tiltfile, or a directory holding one (default ./Tiltfile)
  --kubeconfig PATH     kubeconfig to use (default $KUBECONFIG, then ~/.kube/config)
  --context NAME        kube context (k8s_context() in the Tiltfile wins)
  --namespace NAME      default namespace instead of the context's
  -- ARGS               arguments for config.parse()`;

export function parseSessionFlags(argv: string[], extra: { timeout?: boolean; sessionJson?: boolean; deleteNamespaces?: boolean } = {}): SessionFlags | string {
  const f: SessionFlags = { file: 'Tiltfile', args: [], deleteNamespaces: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const name = a.split('=')[0];
    const val = (): string | undefined => (a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i]);
    if (a === '--') { f.args.push(...argv.slice(i + 1)); break; }
    if (name === '--file' || name === '-f') { const v = val(); if (!v) return `${name} needs a path`; f.file = v; }
    else if (name === '--kubeconfig') { const v = val(); if (!v) return '--kubeconfig needs a path'; f.kubeconfig = v; }
    else if (name === '--context') { const v = val(); if (!v) return '--context needs a name'; f.context = v; }
    else if (name === '--namespace' || name === '-n') { const v = val(); if (!v) return `${name} needs a name`; f.namespace = v; }
    else if (extra.timeout && name === '--timeout') {
      const v = val();
      if (!v) return '--timeout needs a duration (e.g. 30s, 5m, 1h30m; a bare number is seconds)';
      try { f.timeoutMs = parseDuration(v); } catch (err) { return `--timeout: ${(err as Error).message}`; }
    }
    else if (extra.sessionJson && name === '--session-json') { const v = val(); if (!v) return '--session-json needs a path'; f.sessionJson = v; }
    else if (extra.deleteNamespaces && a === '--delete-namespaces') f.deleteNamespaces = true;
    else if (!a.startsWith('-')) f.args.push(a);
    else return `unknown flag: ${a}`;
  }
  return f;
}

export function tiltfilePath(io: CommandIO, file: string): string {
  const p = resolve(io.cwd, file);
  return existsSync(p) && statSync(p).isDirectory() ? join(p, 'Tiltfile') : p;
}

export function sessionFrom(f: SessionFlags, io: CommandIO, subcommand: 'up' | 'ci' | 'down'): Session {
  // From the bundle the Tiltfile loads in a worker (a hung local() cannot hang the CLI); from sources, in-process.
  const bundled = __filename.endsWith('.js');
  return new Session({
    tiltfile: tiltfilePath(io, f.file),
    args: f.args,
    subcommand,
    kubeconfigPath: f.kubeconfig ? resolve(io.cwd, f.kubeconfig) : undefined,
    context: f.context,
    namespace: f.namespace,
    watch: subcommand === 'up',
    ...(bundled ? {} : { load: async (p: string, opts: Parameters<typeof loadTiltfile>[1]) => loadTiltfile(p, opts) }),
  });
}
