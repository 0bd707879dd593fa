// A single-container view of the live update the engine runs (liveupdate/containerUpdate.ts applyToContainers
// over the Kubernetes exec port): the same steps and hints, reported as typed errors (RunStepFailed = the
// user's, LiveUpdateInfraError = rebuild) with the tar exec's timing. Only the k8s bench and unit tests still use
// it; the product calls applyToContainers directly.

import { performance } from 'node:perf_hooks';
import { applyToContainers, hintFor, type ContainerExecutor, type ExecResult } from '../liveupdate/containerUpdate';
import type { PlannedRun, SyncCopy } from '../liveupdate/plan';
import type { KubeClient } from './client';
import { LiveUpdateInfraError, RunStepFailed } from './errors';
import { kubeContainerExecutor } from './exec';
import type { ExecTarget } from './exec';

export { deniedPath, runCommandText } from '../liveupdate/containerUpdate';

export interface ContainerLiveUpdate {
  /** Container paths to remove. */
  deletions: readonly string[];
  copies: readonly SyncCopy[];
  runs: readonly PlannedRun[];
}

export interface LiveUpdateResult {
  /** How long the tar exec took (0 without copies), and the whole update. */
  timings: { tarMs: number; totalMs: number };
  filesCopied: number;
  pathsDeleted: number;
}

/** The hint for an rm/tar failure (see hintFor); the uid of the container's user when known. */
export function infraHint(step: 'rm' | 'tar', result: ExecResult, uid?: string, firstPath?: string): string | undefined {
  return hintFor(step, result, firstPath ? [firstPath] : [], uid);
}

/** Apply one container's update. Resolves with timings; throws RunStepFailed or LiveUpdateInfraError. */
export async function liveUpdateContainer(client: KubeClient, target: ExecTarget, update: ContainerLiveUpdate, opts: { onOutput?: (line: string) => void } = {}): Promise<LiveUpdateResult> {
  const t0 = performance.now();
  const kube = kubeContainerExecutor(client, target.namespace);
  let tarMs = 0;
  let lastStep: 'rm' | 'tar' | 'exec' = 'exec';
  const exec: ContainerExecutor = {
    exec: async (c, argv, stdin) => {
      // `id -u` is the hint's uid lookup after a failure, not a step.
      if (argv[0] !== 'id') lastStep = argv[0] === 'rm' ? 'rm' : argv[0] === 'tar' ? 'tar' : 'exec';
      const t = performance.now();
      const r = await kube.exec(c, argv, stdin);
      if (lastStep === 'tar') tarMs = performance.now() - t;
      return r;
    },
  };
  const ref = { pod: target.pod, namespace: target.namespace, container: target.container, containerId: `${target.pod}/${target.container}` };
  const plan = { kind: 'live_update' as const, deletions: [...update.deletions], copies: [...update.copies], runs: [...update.runs], restart: false };
  const outcome = await applyToContainers(exec, [ref], plan, { onOutput: opts.onOutput });
  const label = `${target.pod}/${target.container}`;
  if (outcome.kind === 'run_failed') throw new RunStepFailed(label, outcome.command, outcome.exitCode, outcome.output);
  if (outcome.kind === 'needs_rebuild') throw new LiveUpdateInfraError(label, lastStep, outcome.reason, outcome.hint);
  return { timings: { tarMs, totalMs: performance.now() - t0 }, filesCopied: update.copies.length, pathsDeleted: update.deletions.length };
}
