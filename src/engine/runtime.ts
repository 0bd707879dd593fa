// Pure derivation of pod and resource runtime status from Kubernetes pod objects (structurally typed, so this
// module does not depend on the client library). Rules follow Tilt: all containers Ready = ok; Jobs are ok when
// their pod Succeeded; pod_readiness='ignore' is ok once applied; crash loops and image pull failures are errors.

import type { ContainerStatus, PodStatus, RuntimeStatus } from '../shared/state';

/** The fields of a V1Pod this module reads. */
export interface KubePodLike {
  metadata?: { name?: string; namespace?: string; creationTimestamp?: Date | string; deletionTimestamp?: Date | string };
  status?: {
    phase?: string;
    reason?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: KubeContainerStatusLike[];
    initContainerStatuses?: KubeContainerStatusLike[];
  };
}

export interface KubeContainerStatusLike {
  name: string;
  image?: string;
  containerID?: string;
  ready: boolean;
  restartCount: number;
  state?: {
    waiting?: { reason?: string; message?: string };
    running?: { startedAt?: Date | string };
    terminated?: { reason?: string; exitCode: number; message?: string };
  };
}

/** Waiting reasons that mean the pod will not get better by itself. */
const ERROR_REASONS = new Set([
  'CrashLoopBackOff', 'ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'CreateContainerConfigError',
  'CreateContainerError', 'RunContainerError', 'ErrImageNeverPull', 'Error', 'OOMKilled', 'Evicted',
]);

function containerFrom(c: KubeContainerStatusLike): ContainerStatus {
  const s = c.state ?? {};
  const state: ContainerStatus['state'] = s.running ? 'running' : s.terminated ? 'terminated' : s.waiting ? 'waiting' : 'unknown';
  const reason = s.waiting?.reason ?? s.terminated?.reason;
  const message = s.waiting?.message ?? s.terminated?.message;
  // "docker://abc" / "containerd://abc" -> "abc"
  const id = c.containerID?.replace(/^[a-z]+:\/\//, '');
  return { name: c.name, id, image: c.image, ready: c.ready, restarts: c.restartCount, state, reason, ...(message ? { message } : {}) };
}

export function podStatusFrom(pod: KubePodLike): PodStatus {
  const containers = (pod.status?.containerStatuses ?? []).map(containerFrom);
  const inits = (pod.status?.initContainerStatuses ?? []).map(containerFrom);
  const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  // The most specific reason wins: a failing (init) container, then the pod's own reason, then the phase.
  const failing = [...inits, ...containers].find((c) => c.reason && (ERROR_REASONS.has(c.reason) || c.state === 'waiting'));
  let status = failing?.reason ?? pod.status?.reason ?? pod.status?.phase ?? 'Unknown';
  if (pod.metadata?.deletionTimestamp) status = 'Terminating';
  const created = pod.metadata?.creationTimestamp;
  return {
    name: pod.metadata?.name ?? '',
    namespace: pod.metadata?.namespace,
    status,
    ready,
    restarts: containers.reduce((n, c) => n + c.restarts, 0),
    containers,
    createdAt: created === undefined ? undefined : new Date(created).getTime(),
  };
}

/** The pod the UI should focus on: newest non-terminating. */
export function bestPod(pods: readonly PodStatus[]): PodStatus | undefined {
  const live = pods.filter((p) => p.status !== 'Terminating');
  const pool = live.length > 0 ? live : pods;
  return [...pool].sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0))[0];
}

export interface K8sRuntimeInput {
  pods: readonly PodStatus[];
  podReadiness: 'wait' | 'ignore';
  /** Objects were applied successfully at least once. */
  applied: boolean;
  /** The workload is a Job/CronJob-style run-to-completion. */
  runToCompletion?: boolean;
}

export function k8sRuntimeStatus(input: K8sRuntimeInput): RuntimeStatus {
  if (!input.applied) return 'pending';
  if (input.podReadiness === 'ignore') return 'ok';
  const pod = bestPod(input.pods);
  if (!pod) return 'pending';
  if (pod.status === 'Succeeded' || (input.runToCompletion && pod.status === 'Completed')) return 'ok';
  if (pod.status === 'Failed' || ERROR_REASONS.has(pod.status)) return 'error';
  if (input.runToCompletion) return 'pending';
  return pod.ready ? 'ok' : 'pending';
}
