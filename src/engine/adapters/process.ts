// Local processes for local_resource and custom_build: run in their own process group (so stopping kills the
// whole tree, not just the shell), output split into lines, abortable.

import { spawn, type ChildProcess } from 'node:child_process';
import { LineBuffer } from '../lineBuffer';

export interface CommandSpec {
  command: string[];
  shell: boolean;
  dir: string;
  env: Record<string, string>;
}

export interface RunOptions {
  onOutput(line: string): void;
  signal?: AbortSignal;
  /** On abort: SIGTERM, then SIGKILL after this long (killGroup's default when unset). */
  killGraceMs?: number;
}

/** Line splitter for a child's stdout/stderr, with a bounded unfinished line (lineBuffer.ts). */
function lines(onLine: (l: string) => void): { push(chunk: Buffer): void; end(): void } {
  const buf = new LineBuffer(onLine);
  return { push: (chunk) => buf.push(chunk.toString()), end: () => buf.end() };
}

export function spawnCommand(spec: CommandSpec, onOutput: (line: string) => void): ChildProcess {
  const argv = spec.shell ? ['sh', '-c', spec.command.join(' ')] : spec.command;
  const child = spawn(argv[0] ?? 'true', argv.slice(1), {
    cwd: spec.dir,
    env: { ...process.env, ...spec.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // own process group
  });
  const out = lines(onOutput);
  const err = lines(onOutput);
  child.stdout?.on('data', (c: Buffer) => out.push(c));
  child.stderr?.on('data', (c: Buffer) => err.push(c));
  child.on('close', () => {
    out.end();
    err.end();
  });
  return child;
}

/** SIGTERM the child's process group, SIGKILL after graceMs. */
export function killGroup(child: ChildProcess, graceMs = 3_000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return resolve();
    const pid = child.pid;
    const timer = setTimeout(() => {
      try { process.kill(-pid, 'SIGKILL'); } catch { /* already gone */ }
    }, graceMs);
    child.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    try { process.kill(-pid, 'SIGTERM'); } catch { clearTimeout(timer); resolve(); }
  });
}

/** Run to completion; exit code 127 when the program cannot start. */
export function runCommand(spec: CommandSpec, opts: RunOptions): Promise<{ exitCode: number }> {
  return new Promise((resolve) => {
    const child = spawnCommand(spec, opts.onOutput);
    const onAbort = (): void => void killGroup(child, opts.killGraceMs);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err) => {
      opts.onOutput(`cannot run ${spec.command.join(' ')}: ${err.message}`);
    });
    child.on('close', (code, signal) => {
      opts.signal?.removeEventListener('abort', onAbort);
      resolve({ exitCode: code ?? (signal ? 128 : 127) });
    });
  });
}

/** Run to completion keeping stdout (stderr lines go to onOutput), e.g. k8s_custom_deploy's printed YAML. */
export function runCapture(spec: CommandSpec, opts: RunOptions): Promise<{ exitCode: number; stdout: string }> {
  return new Promise((resolve) => {
    const argv = spec.shell ? ['sh', '-c', spec.command.join(' ')] : spec.command;
    const child = spawn(argv[0] ?? 'true', argv.slice(1), { cwd: spec.dir, env: { ...process.env, ...spec.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    const err = lines(opts.onOutput);
    child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr?.on('data', (c: Buffer) => err.push(c));
    const onAbort = (): void => void killGroup(child, opts.killGraceMs);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e) => opts.onOutput(`cannot run ${spec.command.join(' ')}: ${e.message}`));
    child.on('close', (code, signal) => {
      err.end();
      opts.signal?.removeEventListener('abort', onAbort);
      resolve({ exitCode: code ?? (signal ? 128 : 127), stdout });
    });
  });
}
