// Running commands at load time (local(), helm, kustomize): synchronous, like Tilt's Tiltfile execution.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { TiltfileState } from './state';

export interface CommandSpec {
  command: string[];
  shell: boolean;
  dir: string;
  env?: Record<string, string>;
  stdin?: string;
}

export interface CommandResult { stdout: string; stderr: string }

export function which(bin: string, env: Record<string, string | undefined>): string | undefined {
  for (const d of (env.PATH ?? '').split(delimiter)) {
    if (!d) continue;
    const p = join(d, bin);
    try { accessSync(p, constants.X_OK); return p; } catch { /* keep looking */ }
  }
  return undefined;
}

export function displayCommand(spec: Pick<CommandSpec, 'command' | 'shell'>): string {
  return spec.shell ? spec.command[0] ?? '' : spec.command.join(' ');
}

/** Runs a command to completion; throws Tilt's `command "X" failed` message on a non-zero exit. */
export function runCommand(s: TiltfileState, spec: CommandSpec): CommandResult {
  const [file, ...args] = spec.shell ? ['sh', '-c', spec.command[0] ?? ''] : spec.command;
  if (!file) throw new Error('empty command');
  const r = spawnSync(file, args, {
    cwd: spec.dir,
    env: { ...s.env, ...spec.env },
    input: spec.stdin ?? '',
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: s.opts.commandTimeoutMs,
  });
  const shown = displayCommand(spec);
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`command "${shown}" failed.\nerror: executable not found: ${file}`);
    if (code === 'ETIMEDOUT') throw new Error(`command "${shown}" failed.\nerror: timed out after ${s.opts.commandTimeoutMs} ms`);
    throw new Error(`command "${shown}" failed.\nerror: ${r.error.message}`);
  }
  if (r.status !== 0) {
    const why = r.signal ? `signal: ${r.signal}` : `exit status ${r.status}`;
    throw new Error(`command "${shown}" failed.\nerror: ${why}\nstdout: ${r.stdout.trimEnd()}\nstderr: ${r.stderr.trimEnd()}`);
  }
  return { stdout: r.stdout, stderr: r.stderr };
}
