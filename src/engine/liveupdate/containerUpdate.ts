// Applies a live-update plan to running containers, one container after another, through an injected exec
// port (Kubernetes exec or docker exec), like Tilt's exec updater: (1) rm -rf deleted paths, (2) stream a tar
// of changed files into `tar -C / -x -f -`, (3) each triggered run step, (4) restart if asked.
// Failure taxonomy: a failing run step is the user's (show it, no rebuild); a failing rm/tar/exec is
// infrastructure (rebuild); some containers updated and others not is inconsistent (rebuild); a container that
// stopped or restarted meanwhile is left to the replay onto its replacement (engine.ts containersChanged).

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { packEntries, packTar, type ContextEntry } from '../build/context';
import type { LiveUpdatePlan, SyncCopy } from './plan';
import { restartRequestScript } from '../../shared/restartRequest';

export interface ContainerRef {
  pod: string;
  namespace?: string;
  container: string;
  containerId: string;
}

export interface ExecResult {
  exitCode: number;
  /** Combined stdout/stderr. */
  output: string;
}

/**
 * Thrown by an executor that saw its target container stop, restart (a new container ID) or its pod go away while
 * an exec ran: what was written there is gone, and a new container gets the files replayed when it starts.
 */
export class ContainerGoneError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContainerGoneError';
  }
}

export interface ExecStepOptions {
  /** Running the step twice does what running it once does (rm, tar, the restart token): an executor may retry it. */
  idempotent?: boolean;
  /** Cancels the exec (it then rejects). */
  signal?: AbortSignal;
}

/** Port: run argv inside a container, optionally feeding stdin. Rejects only when exec itself cannot run. */
export interface ContainerExecutor {
  exec(target: ContainerRef, argv: string[], stdin?: Readable, opts?: ExecStepOptions): Promise<ExecResult>;
  /** Restart the container (Docker/Compose only). Absent on Kubernetes. */
  restart?(target: ContainerRef): Promise<void>;
}

export type ContainerUpdateOutcome =
  | { kind: 'ok'; updated: ContainerRef[] }
  | { kind: 'run_failed'; container: ContainerRef; command: string; exitCode: number; output: string; updated: ContainerRef[] }
  | { kind: 'needs_rebuild'; reason: string; hint?: string; updated: ContainerRef[] }
  /** The container stopped or restarted mid-update (ContainerGoneError): its replacement needs a replay, not a rebuild. */
  | { kind: 'container_gone'; container: ContainerRef; reason: string; updated: ContainerRef[] };

export interface ApplyOptions {
  /** ext://restart_process: restart by writing a new token to this file (watched by the restart wrapper). */
  restartFile?: string;
  onOutput?: (line: string) => void;
}

type LivePlan = Extract<LiveUpdatePlan, { kind: 'live_update' }>;

/** Tar of the copies, named by their container paths (relative to /), with real mtimes so tools that compare
 * mtimes (Python .pyc caches, make) see the change. Directories are included recursively. */
export function syncArchive(copies: readonly SyncCopy[]): Readable {
  return packTar(async (pack) => {
    const entries: ContextEntry[] = [];
    const add = async (local: string, remote: string): Promise<void> => {
      let st: fs.Stats;
      try {
        st = await fs.promises.lstat(local);
      } catch {
        return; // deleted since planning; the next change event will handle it
      }
      const rel = remote.replace(/^\/+/, '');
      const base = { rel, abs: local, mode: st.mode & 0o7777, mtime: st.mtime };
      if (st.isDirectory()) {
        entries.push({ ...base, type: 'directory', size: 0 });
        for (const name of (await fs.promises.readdir(local)).sort()) await add(path.join(local, name), path.posix.join(remote, name));
      } else if (st.isSymbolicLink()) {
        entries.push({ ...base, type: 'symlink', size: 0, linkTarget: await fs.promises.readlink(local) });
      } else if (st.isFile()) {
        entries.push({ ...base, type: 'file', size: st.size });
      }
    };
    for (const c of copies) await add(c.localPath, c.containerPath);
    await packEntries(pack, entries);
  });
}

let restartSeq = 0;

/** The engine's own steps: a reused exec stream that died mid-step may rerun them (k8s/execSession.ts). */
const IDEMPOTENT: ExecStepOptions = { idempotent: true };

/** One argv word for `sh -c` (and the reused exec session's script). */
export const shellQuote = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

function runArgv(r: LivePlan['runs'][number]): string[] {
  return r.shell ? ['sh', '-c', r.command.join(' ')] : r.command;
}

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

const PERMISSION = /permission denied|operation not permitted/i;

/**
 * Actionable hints for the usual infrastructure failures (Tilt #4303): a missing tar/rm (scratch, distroless),
 * a read-only filesystem, or a destination the container's user (uid, when known) cannot write.
 */
export function hintFor(step: 'rm' | 'tar' | 'restart', result: ExecResult, paths: readonly string[], uid?: string): string | undefined {
  const out = result.output;
  if ((step === 'tar' || step === 'rm') && (result.exitCode === 126 || result.exitCode === 127 || /executable file not found|: not found|no such file or directory.*\b(tar|rm|sh)\b/i.test(out))) {
    return `${step} not found in the container: live update needs '${step}' and 'sh' in the image (scratch and distroless images lack them); add them (e.g. busybox) or remove live_update to rebuild on every change`;
  }
  const where = deniedPath(out) ?? paths[0] ?? 'the sync destination';
  if (/read-only file system/i.test(out)) {
    return `the container's filesystem is read-only at ${where}: sync into a writable volume or drop readOnlyRootFilesystem for development`;
  }
  if (PERMISSION.test(out) || /cannot open/i.test(out)) {
    const who = uid !== undefined ? `the container runs as uid ${uid}` : "the container's user cannot write there";
    return `permission denied writing ${where}: ${who} — make the sync destination writable (e.g. chown it in the Dockerfile)`;
  }
  return undefined;
}

/** The container's uid, for the permission hint; undefined when it cannot be asked. */
async function containerUid(exec: ContainerExecutor, c: ContainerRef): Promise<string | undefined> {
  try {
    const r = await exec.exec(c, ['id', '-u']);
    const uid = r.output.trim();
    return r.exitCode === 0 && /^\d+$/.test(uid) ? uid : undefined;
  } catch {
    return undefined;
  }
}

/** The hint for a failed rm/tar/restart exec, asking the container for its uid when the failure is a permission one. */
async function infraHint(exec: ContainerExecutor, c: ContainerRef, step: 'rm' | 'tar' | 'restart', r: ExecResult, paths: readonly string[]): Promise<string | undefined> {
  const uid = PERMISSION.test(r.output) ? await containerUid(exec, c) : undefined;
  return hintFor(step, r, paths, uid);
}

/** How a run step is shown in the log: shell strings as written, argv quoted. */
export function runCommandText(r: LivePlan['runs'][number]): string {
  return r.shell ? r.command.join(' ') : r.command.map(shellQuote).join(' ');
}

/** Apply the plan to each container in turn. */
export async function applyToContainers(exec: ContainerExecutor, containers: readonly ContainerRef[], plan: LivePlan, opts: ApplyOptions = {}): Promise<ContainerUpdateOutcome> {
  const out = opts.onOutput ?? ((): void => undefined);
  const updated: ContainerRef[] = [];
  const infra = (reason: string, hint?: string): ContainerUpdateOutcome => {
    if (updated.length > 0) reason = `${reason}; ${updated.length} other container(s) were already updated, so the pods are inconsistent`;
    return { kind: 'needs_rebuild', reason, hint, updated: [...updated] };
  };
  if (containers.length === 0) return { kind: 'needs_rebuild', reason: 'no running container to live update', updated };

  for (const c of containers) {
    const label = `${c.pod}/${c.container}`;
    try {
      if (plan.deletions.length > 0) {
        out(`[${label}] removing ${plan.deletions.length} path(s)`);
        const r = await exec.exec(c, ['rm', '-rf', ...plan.deletions], undefined, IDEMPOTENT);
        if (r.exitCode !== 0) return infra(`removing files in ${label} failed (exit ${r.exitCode}): ${r.output.trim()}`, await infraHint(exec, c, 'rm', r, plan.deletions));
      }
      if (plan.copies.length > 0) {
        out(`[${label}] copying ${plan.copies.length} file(s)`);
        const archive = syncArchive(plan.copies);
        // Keep a packing error (a file vanished mid-read) from becoming an unhandled stream error.
        let archiveError: Error | undefined;
        archive.on('error', (e: Error) => (archiveError = e));
        let r: ExecResult;
        try {
          r = await exec.exec(c, ['tar', '-C', '/', '-x', '-f', '-'], archive, IDEMPOTENT);
        } finally {
          archive.destroy();
        }
        if (archiveError) return infra(`packing changed files for ${label} failed: ${archiveError.message}`);
        if (r.exitCode !== 0) {
          return infra(`copying files into ${label} failed (exit ${r.exitCode}): ${r.output.trim()}`, await infraHint(exec, c, 'tar', r, plan.copies.map((x) => x.containerPath)));
        }
      }
      for (const run of plan.runs) {
        const argv = runArgv(run);
        const shown = runCommandText(run);
        if (!run.echoOff) out(`[${label}] running: ${shown}`);
        const r = await exec.exec(c, argv);
        if (r.output) for (const l of r.output.replace(/\n$/, '').split('\n')) out(`[${label}] ${l}`);
        if (r.exitCode !== 0) return { kind: 'run_failed', container: c, command: shown, exitCode: r.exitCode, output: r.output, updated: [...updated] };
      }
      if (plan.restart) {
        if (opts.restartFile) {
          // The restart wrapper (build/restartWrapper.ts) restarts the process when this content changes; the request
          // also wakes it at once.
          const token = `${Date.now()}-${++restartSeq}`;
          const r = await exec.exec(c, ['sh', '-c', restartRequestScript(shellQuote(opts.restartFile), token)], undefined, IDEMPOTENT);
          if (r.exitCode !== 0) return infra(`signalling the process restart in ${label} failed: ${r.output.trim()}`, await infraHint(exec, c, 'restart', r, [opts.restartFile]));
        } else if (exec.restart) {
          out(`[${label}] restarting container`);
          await exec.restart(c);
        } else {
          return infra('restart_container() only works for Docker Compose resources', "on Kubernetes, use load('ext://restart_process', 'docker_build_with_restart') instead");
        }
      }
    } catch (err) {
      if (err instanceof ContainerGoneError) return { kind: 'container_gone', container: c, reason: err.message, updated: [...updated] };
      return infra(`exec into ${label} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    updated.push(c);
  }
  return { kind: 'ok', updated };
}
