// `innerloop tiltfile`: load a Tiltfile and print its plan as JSON (stdout) and diagnostics (stderr).
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { failedLoad } from '../../tiltfile/childLoader';
import { loadTiltfileOnDeepStack } from '../../tiltfile/deepStack';
import type { LoadResult } from '../../tiltfile/loader';
import { loadTiltfileInWorker } from '../../tiltfile/worker';
import type { Diagnostic } from '../../tiltfile/plan';
import { SecretScrubber } from '../../engine/logs';
import { sanitizeForTerminal } from '../render/terminal';
import { bool, durationFlag, parseFlags, str } from './flags';
import { CliError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, type Command, type CommandIO } from './types';

export function formatDiagnostic(d: Diagnostic, cwd: string): string {
  const sev = d.severity === 'warning' ? 'warning: ' : '';
  if (!d.pos) return `${sev}${d.message}`;
  const rel = relative(cwd, d.pos.file);
  const file = rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : d.pos.file;
  return `${file}:${d.pos.line}:${d.pos.col}: ${sev}${d.message}`;
}

interface Flags { file: string; args: string[]; untrusted: boolean; subcommand: string; timeoutMs: number; inProcess: boolean; maxSteps?: number; kubeContext?: string }

function tiltfileFlags(argv: string[]): Flags {
  const p = parseFlags(argv, {
    file: { type: 'string', short: 'f' },
    subcommand: { type: 'string' },
    timeout: { type: 'string' },
    'max-steps': { type: 'string' },
    context: { type: 'string' },
    untrusted: { type: 'boolean' },
    'in-process': { type: 'boolean' },
  });
  const steps = str(p, 'max-steps');
  const maxSteps = steps === undefined ? undefined : Number(steps);
  if (maxSteps !== undefined && !(Number.isInteger(maxSteps) && maxSteps > 0)) throw new CliError(`--max-steps needs a positive whole number (got ${JSON.stringify(steps)})`, EXIT_USAGE);
  return {
    file: str(p, 'file') ?? 'Tiltfile',
    args: [...p.positionals, ...p.rest],
    untrusted: bool(p, 'untrusted'),
    subcommand: str(p, 'subcommand') ?? 'up',
    timeoutMs: durationFlag(p, 'timeout') ?? 60_000,
    inProcess: bool(p, 'in-process'),
    maxSteps,
    kubeContext: str(p, 'context'),
  };
}

export const tiltfileCommand: Command = {
  name: 'tiltfile',
  summary: 'Load a Tiltfile and print the plan as JSON',
  usage: `innerloop tiltfile [--file PATH] [--untrusted] [--subcommand up|ci|down] [--timeout DURATION] [--context NAME] [RESOURCE...] [-- ARGS...]

  Prints the plan (resources, images, objects, port forwards, links, labels, deps, trigger modes,
  the files the load read, warnings) as JSON on stdout, and diagnostics on stderr as file:line:col: message.
  Exits 1 when the Tiltfile has an error.

  --file, -f PATH     the Tiltfile, or a directory holding one (default ./Tiltfile)
  --untrusted         refuse local(), helm() and kustomize(), as in an untrusted workspace
  --subcommand CMD    what config.tilt_subcommand reports (default up)
  --timeout DURATION  give up on the load, or on a local() in it, after DURATION: 30s, 2m, 500ms;
                      a bare number is seconds, as in every command (default 60s)
  --max-steps N       stop the load after N evaluation steps (an endless loop becomes an error)
  --context NAME      check allow_k8s_contexts against this kube context
  -- ARGS             arguments for config.parse()`,
  async run(argv: string[], io: CommandIO): Promise<number> {
    const f = tiltfileFlags(argv);
    let path = resolve(io.cwd, f.file);
    if (existsSync(path) && statSync(path).isDirectory()) path = join(path, 'Tiltfile');
    const opts = { args: f.args, subcommand: f.subcommand, trusted: !f.untrusted, maxSteps: f.maxSteps, kubeContext: f.kubeContext };
    // An untrusted Tiltfile loads in a child process with a heap limit (childLoader.ts), like the editor's checks.
    // A trusted one loads in-process (on a worker thread with a deep stack): this process is the user's own
    // command, so a crash only ends it; local() is bounded by --timeout and loops by the step budget; and it skips
    // ~1 s of child start-up (npm run bench: tiltfile-isolation). From sources (tests) on the calling thread.
    const bundled = __filename.endsWith('.js');
    const r: LoadResult = bundled && !f.inProcess && f.untrusted
      ? await loadTiltfileInWorker(path, opts, { timeoutMs: f.timeoutMs })
      : bundled
        // on a thread with a deep stack, so deep recursion works as in Tilt (deepStack.ts)
        ? await loadTiltfileOnDeepStack(path, { ...opts, commandTimeoutMs: f.timeoutMs }, (p, e) => failedLoad(p, `Tiltfile loader failed: ${e.message}`))
        : (await import('../../tiltfile/loader')).loadTiltfile(path, { ...opts, commandTimeoutMs: f.timeoutMs });
    // The load's output (print, local() echoes, dotenv) and its errors can carry the secrets it declared, and
    // escape sequences from the commands it ran: scrubbed and made safe for a terminal, as `up` shows them.
    const scrubber = new SecretScrubber(r.plan.secrets);
    const show = (text: string): void => io.stderr(sanitizeForTerminal(scrubber.scrub(text)) + '\n');
    // Joined first, so a multi-line secret (a PEM key) printed across lines is redacted whole.
    if (r.output.length > 0) for (const line of scrubber.scrub(r.output.join('\n')).split('\n')) show(line);
    for (const d of r.diagnostics) show(formatDiagnostic(d, io.cwd));
    io.stdout(JSON.stringify(r.plan, null, 2) + '\n');
    return r.ok ? EXIT_OK : EXIT_FAILURE;
  },
};
