// Pure: a Compose service's container (as `docker inspect` shows it) → the state the UI shows. Rules follow
// Tilt's Compose runtime status: running (and healthy, when there is a healthcheck) = ok; exited 0 = ok
// (a one-shot service finished); a non-zero exit, unhealthy, dead or a restart loop = error.

import type { ContainerStatus, PodStatus, RuntimeStatus } from '../../shared/state';
import { LABEL_PROJECT, LABEL_SERVICE } from './project';

/** The fields of a container inspect this module reads. */
export interface ContainerInspectLike {
  Id: string;
  Name: string;
  Created?: string;
  Config?: { Image?: string; Labels?: Record<string, string> | null };
  State: {
    Status: string;
    Running?: boolean;
    ExitCode?: number;
    Error?: string;
    OOMKilled?: boolean;
    StartedAt?: string;
    Health?: { Status: string } | null;
  };
  RestartCount?: number;
  NetworkSettings?: { Ports?: Record<string, Array<{ HostIp: string; HostPort: string }> | null> | null };
}

export type ServiceState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead' | 'missing';

export interface ServiceStatus {
  project: string;
  service: string;
  containerId?: string;
  containerName?: string;
  image?: string;
  state: ServiceState;
  exitCode?: number;
  /** Healthcheck state; undefined when the container has no healthcheck. */
  health?: 'starting' | 'healthy' | 'unhealthy';
  restarts: number;
  /** Epoch ms of the last start. */
  startedAt?: number;
  createdAt?: number;
  runtimeStatus: RuntimeStatus;
  /** User-visible reason when not ok ("exited with code 1", "unhealthy", "OOMKilled"). */
  reason?: string;
  ports: Array<{ containerPort: number; protocol: string; hostIp: string; hostPort: number }>;
}

const STATES = new Set<ServiceState>(['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead']);

const epoch = (s: string | undefined): number | undefined => {
  if (!s || s.startsWith('0001-')) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
};

export function missingStatus(project: string, service: string): ServiceStatus {
  return { project, service, state: 'missing', restarts: 0, runtimeStatus: 'pending', reason: 'no container', ports: [] };
}

export function statusFromInspect(info: ContainerInspectLike): ServiceStatus {
  const labels = info.Config?.Labels ?? {};
  const raw = info.State.Status as ServiceState;
  const state: ServiceState = STATES.has(raw) ? raw : 'dead';
  const h = info.State.Health?.Status;
  const health = h === 'starting' || h === 'healthy' || h === 'unhealthy' ? h : undefined;
  const exitCode = state === 'exited' || state === 'dead' || state === 'restarting' ? info.State.ExitCode ?? 0 : undefined;

  let runtimeStatus: RuntimeStatus;
  let reason: string | undefined;
  switch (state) {
    case 'running':
      runtimeStatus = health === 'unhealthy' ? 'error' : health === 'starting' ? 'pending' : 'ok';
      if (health && health !== 'healthy') reason = health === 'starting' ? 'health: starting' : 'unhealthy';
      break;
    case 'exited':
      runtimeStatus = exitCode === 0 ? 'ok' : 'error';
      reason = info.State.OOMKilled ? 'OOMKilled' : `exited with code ${exitCode}`;
      break;
    case 'restarting':
      runtimeStatus = 'error';
      reason = `restarting (last exit code ${exitCode})`;
      break;
    case 'dead':
      runtimeStatus = 'error';
      reason = info.State.Error || 'dead';
      break;
    default:
      runtimeStatus = 'pending';
      reason = state;
  }
  if (info.State.Error && runtimeStatus === 'error' && state !== 'dead') reason = `${reason}: ${info.State.Error}`;

  const ports: ServiceStatus['ports'] = [];
  for (const [key, binds] of Object.entries(info.NetworkSettings?.Ports ?? {})) {
    const [port, protocol = 'tcp'] = key.split('/');
    for (const b of binds ?? []) {
      // Docker lists an IPv6 twin for some bindings; keep one entry per host port.
      if (ports.some((p) => p.hostPort === Number(b.HostPort) && p.protocol === protocol)) continue;
      ports.push({ containerPort: Number(port), protocol, hostIp: b.HostIp, hostPort: Number(b.HostPort) });
    }
  }
  ports.sort((a, b) => a.containerPort - b.containerPort);

  return {
    project: labels[LABEL_PROJECT] ?? '',
    service: labels[LABEL_SERVICE] ?? '',
    containerId: info.Id,
    containerName: info.Name.replace(/^\//, ''),
    image: info.Config?.Image,
    state,
    exitCode,
    health,
    restarts: info.RestartCount ?? 0,
    startedAt: epoch(info.State.StartedAt),
    createdAt: epoch(info.Created),
    runtimeStatus,
    reason,
    ports,
  };
}

/** The service as the engine's PodStatus, so resource state and the UI can show Compose like a one-container pod. */
export function toPodStatus(s: ServiceStatus): PodStatus {
  const cstate: ContainerStatus['state'] = s.state === 'running' ? 'running' : s.state === 'exited' || s.state === 'dead' ? 'terminated' : s.state === 'missing' ? 'unknown' : 'waiting';
  const ready = s.runtimeStatus === 'ok' && s.state === 'running';
  const label = s.state === 'running' ? (s.health ? `Running (${s.health})` : 'Running') : s.state === 'exited' ? `Exited (${s.exitCode ?? 0})` : s.state[0]!.toUpperCase() + s.state.slice(1);
  return {
    name: s.containerName ?? `${s.project}-${s.service}`,
    status: label,
    ready,
    restarts: s.restarts,
    containers: [{ name: s.service, id: s.containerId, image: s.image, ready, restarts: s.restarts, state: cstate, reason: s.runtimeStatus === 'ok' ? undefined : s.reason }],
    createdAt: s.createdAt,
  };
}
