// Live update of a Compose service's container, Tilt's Docker updater: rm -rf deleted paths, stream a tar of
// changed files into `tar -x -f - -C /` over docker exec, run steps, then `docker restart` for
// restart_container(). The step order and failure taxonomy (run failure = user error, rm/tar/exec failure =
// rebuild) are the engine's shared containerUpdate.ts; this module supplies the Docker executor and a plain plan.

import type Dockerode from 'dockerode';
import type { LiveUpdatePlan } from '../liveupdate/plan';
import { applyToContainers, type ContainerRef, type ContainerUpdateOutcome } from '../liveupdate/containerUpdate';
import { DockerContainerExecutor, type DockerExecOptions } from './exec';

export interface ComposeLiveUpdatePlan {
  /** Files (or directories, copied recursively) to copy; containerPath is absolute inside the container. */
  files: Array<{ localPath: string; containerPath: string }>;
  /** Absolute container paths to remove before copying. */
  deletes: string[];
  /** Run steps in order; shell: run `command.join(' ')` through `sh -c`. */
  runs: Array<{ command: string[]; shell: boolean; echoOff?: boolean }>;
  /** restart_container(): `docker restart` after the update. */
  restart: boolean;
}

type EngineLivePlan = Extract<LiveUpdatePlan, { kind: 'live_update' }>;

/** The engine's live-update plan (liveupdate/plan.ts, kind 'live_update') as a Compose plan. */
export function fromEnginePlan(plan: EngineLivePlan): ComposeLiveUpdatePlan {
  return {
    files: plan.copies.map((c) => ({ localPath: c.localPath, containerPath: c.containerPath })),
    deletes: [...plan.deletions],
    runs: plan.runs.map((r) => ({ command: [...r.command], shell: r.shell, echoOff: r.echoOff })),
    restart: plan.restart,
  };
}

export function toEnginePlan(plan: ComposeLiveUpdatePlan): EngineLivePlan {
  return {
    kind: 'live_update',
    copies: plan.files.map((f) => ({ localPath: f.localPath, containerPath: f.containerPath })),
    deletions: [...plan.deletes],
    runs: plan.runs.map((r) => ({ command: [...r.command], shell: r.shell, echoOff: r.echoOff ?? false })),
    restart: plan.restart,
  };
}

export interface ComposeTarget {
  project: string;
  service: string;
  containerId: string;
}

export interface ComposeLiveUpdateOptions extends DockerExecOptions {
  onOutput?: (line: string) => void;
  /** ext://restart_process restart file (the restart wrapper); restart then signals it instead of docker restart. */
  restartFile?: string;
}

/** Apply the plan to the service's container. See ContainerUpdateOutcome for what each outcome means. */
export function liveUpdateContainer(docker: Dockerode, target: ComposeTarget, plan: ComposeLiveUpdatePlan, opts: ComposeLiveUpdateOptions = {}): Promise<ContainerUpdateOutcome> {
  const ref: ContainerRef = { pod: target.project, container: target.service, containerId: target.containerId };
  return applyToContainers(new DockerContainerExecutor(docker, opts), [ref], toEnginePlan(plan), { onOutput: opts.onOutput, restartFile: opts.restartFile });
}
