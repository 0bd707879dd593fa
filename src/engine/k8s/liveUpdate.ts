// Live update of one Kubernetes container, Tilt's exec updater: (a) `rm -rf` deleted paths, (b) a tar of the changed
// files (named by container path, modes kept) streamed into `tar -x -f - -C /`, (c) each run step as its own exec
// (`sh -c` for shell strings). A run step exiting non-zero is the user's error (RunStepFailed, no rebuild); any
// rm/tar/exec failure is infrastructure (LiveUpdateInfraError: the container needs a rebuild), with a hint.

import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { syncArchive } from '../liveupdate/containerUpdate';
import type { PlannedRun, SyncCopy } from '../liveupdate/plan';
import type { KubeClient } from './client';
import { ExecError, LiveUpdateInfraError, RunStepFailed } from './errors';
import { EXIT_NOT_FOUND, execInContainer, type ExecOutput, type ExecTarget } from './exec';

export interface ContainerLiveUpdate {
  /** Container paths to remove. */
  deletions: readonly string[];
  copies: readonly SyncCopy[];
  runs: readonly PlannedRun[];
}

export interface LiveUpdateTimings {
  rmMs: number;
  tarMs: number;
  /** One per run step, in order. */
  runMs: number[];
  totalMs: number;
}

export interface LiveUpdateResult {
  timings: LiveUpdateTimings;
  filesCopied: number;
  pathsDeleted: number;
  /** Output of the run steps (for the resource log). */
  runOutput: Array<{ command: string; output: string }>;
}

export interface LiveUpdateOptions {
  onOutput?: (line: string) => void;
  signal?: AbortSignal;
  /** Per-exec deadline. */
  timeoutMs?: number;
  /** Override the archive (tests, benchmarks); default: syncArchive(copies). */
  archive?: () => Readable;
}

const label = (t: ExecTarget): string => `${t.pod}/${t.container}`;

const shellQuote = (x: string): string => (/^[\w@%+=:,./-]+$/.test(x) ? x : `'${x.replace(/'/g, `'\\''`)}'`);

/** How a run step is shown: shell strings as written, argv quoted. */
export const runCommandText = (r: PlannedRun): string => (r.shell ? r.command.join(' ') : r.command.map(shellQuote).join(' '));
const runArgv = (r: PlannedRun): string[] => (r.shell ? ['sh', '-c', r.command.join(' ')] : [...r.command]);

/** First path tar/rm complained about (GNU: "tar: app/x: Cannot open: Permission denied", busybox: "can't open 'app/x'"). */
export function deniedPath(output: string): string | undefined {
  const m =
    /(?:can't (?:create directory|open|create|remove) ['"]?)([^'":\s]+)['"]?(?::|\s)*[^\n]*(?:permission denied|read-only file system|operation not permitted)/i.exec(output) ??
    /tar: ([^:\n]+): (?:Cannot open|Cannot mkdir|Cannot create|Cannot utime|Cannot change mode)[^\n]*(?:permission denied|read-only file system|operation not permitted)/i.exec(output) ??
    /rm: (?:cannot remove |can't remove )['"]?([^'":\n]+)['"]?[^\n]*(?:permission denied|read-only file system|operation not permitted)/i.exec(output);
  if (!m?.[1]) return undefined;
  const p = m[1].trim();
  return p.startsWith('/') ? p : `/${p}`;
}

/** A user-actionable hint for an rm/tar failure, from its output (and the container's uid when known). */
export function infraHint(step: 'rm' | 'tar', result: Pick<ExecOutput, 'exitCode' | 'output'>, uid?: string, firstPath?: string): string | undefined {
  const out = result.output;
  if (result.exitCode === EXIT_NOT_FOUND || /executable file not found|: not found|no such file or directory.*\b(tar|rm)\b/i.test(out)) {
    return `${step} not found in the container: live update needs '${step}' in the image (scratch and distroless images lack it); add it (e.g. busybox) or remove live_update to rebuild on every change`;
  }
  if (/read-only file system/i.test(out)) {
    return `the container's filesystem is read-only at ${deniedPath(out) ?? firstPath ?? 'the sync destination'}: sync into a writable volume or drop readOnlyRootFilesystem for development`;
  }
  if (/permission denied|operation not permitted/i.test(out)) {
    const where = deniedPath(out) ?? firstPath ?? 'the sync destination';
    const who = uid !== undefined ? `the container runs as uid ${uid}` : 'the container user cannot write there';
    return `permission denied writing ${where}: ${who} — make the sync destination writable (e.g. chown it in the Dockerfile)`;
  }
  return undefined;
}

async function containerUid(client: KubeClient, target: ExecTarget): Promise<string | undefined> {
  try {
    const r = await execInContainer(client, target, ['id', '-u'], { timeoutMs: 10_000 });
    return r.exitCode === 0 ? r.stdout.trim() : undefined;
  } catch {
    return undefined;
  }
}

/** Apply one container's update. Resolves with timings; throws RunStepFailed or LiveUpdateInfraError. */
export async function liveUpdateContainer(client: KubeClient, target: ExecTarget, update: ContainerLiveUpdate, opts: LiveUpdateOptions = {}): Promise<LiveUpdateResult> {
  const out = opts.onOutput ?? ((): void => undefined);
  const t0 = performance.now();
  const timings: LiveUpdateTimings = { rmMs: 0, tarMs: 0, runMs: [], totalMs: 0 };
  const execOpts = { signal: opts.signal, timeoutMs: opts.timeoutMs };
  const infra = async (step: 'rm' | 'tar', r: ExecOutput, paths: readonly string[]): Promise<never> => {
    const needsUid = /permission denied|operation not permitted/i.test(r.output);
    const uid = needsUid ? await containerUid(client, target) : undefined;
    throw new LiveUpdateInfraError(label(target), step, `exit ${r.exitCode}: ${r.output.trim() || '(no output)'}`, infraHint(step, r, uid, paths[0]));
  };
  const wrap = async <T>(step: 'rm' | 'tar' | 'exec', fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof LiveUpdateInfraError || err instanceof RunStepFailed) throw err;
      const reason = err instanceof ExecError ? err.message : err instanceof Error ? err.message : String(err);
      throw new LiveUpdateInfraError(label(target), step, reason, err instanceof ExecError ? err.hint : undefined, { cause: err });
    }
  };

  if (update.deletions.length > 0) {
    out(`[${label(target)}] removing ${update.deletions.length} path(s)`);
    const t = performance.now();
    const r = await wrap('rm', () => execInContainer(client, target, ['rm', '-rf', ...update.deletions], execOpts));
    timings.rmMs = performance.now() - t;
    if (r.exitCode !== 0) await infra('rm', r, update.deletions);
  }

  if (update.copies.length > 0) {
    out(`[${label(target)}] copying ${update.copies.length} file(s)`);
    const t = performance.now();
    const archive = opts.archive ? opts.archive() : syncArchive(update.copies);
    let archiveError: Error | undefined;
    archive.on('error', (e: Error) => (archiveError = e));
    const r = await wrap('tar', () => execInContainer(client, target, ['tar', '-x', '-f', '-', '-C', '/'], { ...execOpts, stdin: archive }));
    archive.destroy();
    timings.tarMs = performance.now() - t;
    if (archiveError) throw new LiveUpdateInfraError(label(target), 'tar', `packing the changed files failed: ${archiveError.message}`);
    if (r.exitCode !== 0) await infra('tar', r, update.copies.map((c) => c.containerPath));
  }

  const runOutput: LiveUpdateResult['runOutput'] = [];
  for (const run of update.runs) {
    const command = runCommandText(run);
    if (!run.echoOff) out(`[${label(target)}] running: ${command}`);
    const t = performance.now();
    const r = await wrap('exec', () => execInContainer(client, target, runArgv(run), execOpts));
    timings.runMs.push(performance.now() - t);
    if (r.output) for (const l of r.output.replace(/\n$/, '').split('\n')) out(`[${label(target)}] ${l}`);
    runOutput.push({ command, output: r.output });
    if (r.exitCode !== 0) throw new RunStepFailed(label(target), command, r.exitCode, r.output);
  }

  timings.totalMs = performance.now() - t0;
  return { timings, filesCopied: update.copies.length, pathsDeleted: update.deletions.length, runOutput };
}
