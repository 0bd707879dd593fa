// Pure live-update planning, Tilt-style: decide between copying changed files into running containers and a
// full rebuild, and say why in words the user understands ("src/x.py is not under any sync path").

import * as path from 'node:path';
import type { LiveUpdateStep } from '../../tiltfile/plan';

export interface FileChange {
  /** Absolute local path. */
  path: string;
  /** The file no longer exists locally: delete it in the container. */
  deleted: boolean;
}

export interface SyncCopy {
  localPath: string;
  containerPath: string;
}

export interface PlannedRun {
  command: string[];
  shell: boolean;
  echoOff: boolean;
}

export type LiveUpdatePlan =
  | { kind: 'full_rebuild'; reason: string; files: string[] }
  | { kind: 'noop'; reason: string }
  | {
      kind: 'live_update';
      /** Files to copy, in change order. */
      copies: SyncCopy[];
      /** Container paths to remove (rm -rf) before copying. */
      deletions: string[];
      runs: PlannedRun[];
      /** restart_container(): restart after the update. */
      restart: boolean;
    };

export interface PlanOptions {
  /** Directory that user-facing paths are shown relative to (usually the Tiltfile's). */
  displayBase?: string;
  /** Set by ext://restart_process: also counts as restart. */
  restartProcess?: boolean;
}

export function isUnderPath(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

type SyncStep = Extract<LiveUpdateStep, { kind: 'sync' }>;

/** The most specific sync covering a file (nested syncs map to the deeper one). */
function syncFor(file: string, syncs: readonly SyncStep[]): SyncStep | undefined {
  let best: SyncStep | undefined;
  for (const s of syncs) {
    if (isUnderPath(file, s.localPath) && (!best || s.localPath.length > best.localPath.length)) best = s;
  }
  return best;
}

export function containerPathFor(file: string, sync: { localPath: string; remotePath: string }): string {
  const rel = path.relative(sync.localPath, file).split(path.sep).join('/');
  return rel === '' ? sync.remotePath : path.posix.join(sync.remotePath, rel);
}

function describe(files: readonly string[], base: string | undefined, verbSingular: string, verbPlural: string): string {
  const show = (f: string): string => (base ? path.relative(base, f) || '.' : f).split(path.sep).join('/');
  if (files.length === 1) return `${show(files[0])} ${verbSingular}`;
  const more = files.length - 1;
  return `${show(files[0])} and ${more} other file${more === 1 ? '' : 's'} ${verbPlural}`;
}

/** Plan one live update for a set of changed files. */
export function planLiveUpdate(steps: readonly LiveUpdateStep[], changes: readonly FileChange[], opts: PlanOptions = {}): LiveUpdatePlan {
  const files = changes.map((c) => c.path);
  if (changes.length === 0) return { kind: 'noop', reason: 'no changed files' };
  const syncs = steps.filter((s): s is SyncStep => s.kind === 'sync');
  if (syncs.length === 0) return { kind: 'full_rebuild', reason: 'no live_update sync steps', files };

  for (const s of steps) {
    if (s.kind !== 'fall_back_on') continue;
    const hits = files.filter((f) => s.files.some((fb) => isUnderPath(f, fb)));
    if (hits.length > 0) return { kind: 'full_rebuild', reason: describe(hits, opts.displayBase, 'matches fall_back_on', 'match fall_back_on'), files };
  }

  const outside = files.filter((f) => !syncFor(f, syncs));
  if (outside.length > 0) {
    return { kind: 'full_rebuild', reason: describe(outside, opts.displayBase, 'is not under any sync path', 'are not under any sync path'), files };
  }

  const copies: SyncCopy[] = [];
  const deletions: string[] = [];
  for (const c of changes) {
    const sync = syncFor(c.path, syncs) as SyncStep;
    const containerPath = containerPathFor(c.path, sync);
    if (c.deleted) deletions.push(containerPath);
    else copies.push({ localPath: c.path, containerPath });
  }

  const runs: PlannedRun[] = [];
  for (const s of steps) {
    if (s.kind !== 'run') continue;
    const fires = s.triggers.length === 0 || files.some((f) => s.triggers.some((t) => isUnderPath(f, t)));
    if (fires) runs.push({ command: [...s.command], shell: s.shell, echoOff: s.echoOff });
  }

  return { kind: 'live_update', copies, deletions, runs, restart: opts.restartProcess === true || steps.some((s) => s.kind === 'restart_container') };
}

/** Every file under the sync roots, for initial_sync() and container (re)start replays. */
export function hasInitialSync(steps: readonly LiveUpdateStep[]): boolean {
  return steps.some((s) => s.kind === 'initial_sync');
}
