// `innerloop tiltfile`: load a Tiltfile and print its plan as JSON (stdout) and diagnostics (stderr).
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { loadTiltfile, type LoadResult } from '../../tiltfile/loader';
import { loadTiltfileInWorker } from '../../tiltfile/worker';
import type { Diagnostic } from '../../tiltfile/plan';
import { SecretScrubber } from '../../engine/logs';
import { sanitizeForTerminal } from '../render/terminal';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, type Command, type CommandIO } from './types';

export function formatDiagnostic(d: Diagnostic, cwd: string): string {
  const sev = d.severity === 'warning' ? 'warning: ' : '';
  if (!d.pos) return `${sev}${d.message}`;
  const rel = relative(cwd, d.pos.file);
  const file = rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : d.pos.file;
  return `${file}:${d.pos.line}:${d.pos.col}: ${sev}${d.message}`;
}

interface Flags { file: string; args: string[]; untrusted: boolean; subcommand: string; timeoutMs: number; inProcess: boolean; maxSteps?: number; kubeContext?: string }

function parseFlags(argv: string[]): Flags | string {
  const f: Flags = { file: 'Tiltfile', args: [], untrusted: false, subcommand: 'up', timeoutMs: 60_000, inProcess: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const val = (): string | undefined => (a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i]);
    const name = a.split('=')[0];
    if (a === '--') { f.args = argv.slice(i + 1); break; }
    if (name === '--file' || name === '-f') { const v = val(); if (!v) return `${name} needs a path`; f.file = v; }
    else if (name === '--subcommand') { const v = val(); if (!v) return '--subcommand needs a value'; f.subcommand = v; }
    else if (name === '--timeout') { const v = Number(val()); if (!(v > 0)) return '--timeout needs milliseconds'; f.timeoutMs = v; }
    else if (name === '--max-steps') { const v = Number(val()); if (!(v > 0)) return '--max-steps needs a number'; f.maxSteps = v; }
    else if (name === '--context') { const v = val(); if (!v) return '--context needs a name'; f.kubeContext = v; }
    else if (a === '--untrusted') f.untrusted = true;
    else if (a === '--in-process') f.inProcess = true;
    else if (!a.startsWith('-')) f.args.push(a);
    else return `unknown flag: ${a}`;
  }
  return f;
}

export const tiltfileCommand: Command = {
  name: 'tiltfile',
  summary: 'Load a Tiltfile and print the plan as JSON',
  usage: `innerloop tiltfile [--file PATH] [--untrusted] [--subcommand up|ci|down] [--timeout MS] [--context NAME] [RESOURCE...] [-- ARGS...]

  Prints the plan (resources, images, objects, port forwards, links, labels, deps, trigger modes,
  the files the load read, warnings) as JSON on stdout, and diagnostics on stderr as file:line:col: message.
  Exits 1 when the Tiltfile has an error.

  --file, -f PATH   the Tiltfile, or a directory holding one (default ./Tiltfile)
  --untrusted       refuse local(), helm() and kustomize(), as in an untrusted workspace
  --subcommand CMD  what config.tilt_subcommand reports (default up)
  --timeout MS      give up on the load after MS milliseconds (default 60000)
  --context NAME    check allow_k8s_contexts against this kube context
  -- ARGS           arguments for config.parse()`,
  async run(argv: string[], io: CommandIO): Promise<number> {
    const f = parseFlags(argv);
    if (typeof f === 'string') { io.stderr(`innerloop tiltfile: ${f}\n\n${this.usage}\n`); return EXIT_USAGE; }
    let path = resolve(io.cwd, f.file);
    if (existsSync(path) && statSync(path).isDirectory()) path = join(path, 'Tiltfile');
    const opts = { args: f.args, subcommand: f.subcommand, trusted: !f.untrusted, maxSteps: f.maxSteps, kubeContext: f.kubeContext };
    // An untrusted Tiltfile loads in a child process with a heap limit (childLoader.ts), like the editor's checks.
    // A trusted one loads in-process: this process is the user's own command, so a crash only ends it; local()
    // is bounded by --timeout and loops by the step budget; and it skips ~1 s of child start-up (npm run bench:
    // tiltfile-isolation). From sources (tests) always in-process.
    const bundled = __filename.endsWith('.js');
    const r: LoadResult = bundled && !f.inProcess && f.untrusted
      ? await loadTiltfileInWorker(path, opts, { timeoutMs: f.timeoutMs })
      : loadTiltfile(path, { ...opts, commandTimeoutMs: f.timeoutMs });
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
