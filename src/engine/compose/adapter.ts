// What the orchestrator plugs in for docker_compose resources: deploy a service with the images the engine
// built, know its running container (from a docker-events watch, so lookups are synchronous like KubePort's),
// exec/restart for live update, status and log callbacks, and down. One instance per engine session.

import type Dockerode from 'dockerode';
import type { DockerComposeResource, Plan } from '../../tiltfile/plan';
import type { ContainerExecutor, ContainerRef } from '../liveupdate/containerUpdate';
import { DockerContainerExecutor, type DockerExecOptions } from './exec';
import { followServiceLogs, type LogFollower, type LogLine } from './logs';
import { projectFromResources, type ComposeProjectModel } from './project';
import { ComposeRuntime, type ComposeRuntimeOptions, type DownResult, type UpResult, type Watch } from './runtime';
import type { ServiceStatus } from './status';

export interface ComposeAdapterOptions extends ComposeRuntimeOptions, DockerExecOptions {
  /** Directory for relative paths when a project came from an inline Blob (no file): the Tiltfile's. */
  fallbackDir?: string;
}

export interface DeployContext {
  onOutput(line: string): void;
  signal?: AbortSignal;
}

/** The compose resources of a plan, grouped into project models. */
export function composeProjects(plan: Pick<Plan, 'resources' | 'tiltfile'>, fallbackDir?: string): Map<string, ComposeProjectModel> {
  const byProject = new Map<string, DockerComposeResource[]>();
  for (const r of plan.resources) {
    if (r.type !== 'docker_compose') continue;
    const list = byProject.get(r.project.name) ?? [];
    list.push(r);
    byProject.set(r.project.name, list);
  }
  const dir = fallbackDir ?? plan.tiltfile.replace(/\/[^/]*$/, '');
  return new Map([...byProject].map(([name, rs]) => [name, projectFromResources(rs, dir)]));
}

export class ComposeAdapter {
  readonly runtime: ComposeRuntime;
  readonly exec: ContainerExecutor;
  private readonly watches = new Map<string, Watch>();
  /** `${project}/${service}` → latest status. */
  private readonly statuses = new Map<string, ServiceStatus>();
  private readonly statusListeners = new Set<(s: ServiceStatus) => void>();

  constructor(docker: Dockerode, private readonly opts: ComposeAdapterOptions = {}) {
    this.runtime = new ComposeRuntime(docker, opts);
    this.exec = new DockerContainerExecutor(docker, opts);
  }

  /**
   * Create or refresh the resource's container. `builtRefs` maps ImageTarget.ref → the ref the engine built
   * (BuiltImage.clusterRef). resource.imageRefs lists base images first and the service's own image last, so
   * the last one that was built replaces the service's `image:`.
   * Waits for depends_on conditions of services already started; throws ComposeRuntimeError with a user message.
   */
  async deploy(plan: Pick<Plan, 'resources' | 'tiltfile'>, resource: DockerComposeResource, builtRefs: Record<string, string>, ctx: DeployContext): Promise<UpResult> {
    const project = composeProjects(plan, this.opts.fallbackDir).get(resource.project.name)!;
    this.ensureWatch(resource.project.name);
    const imageRef = [...resource.imageRefs].reverse().map((r) => builtRefs[r]).find((r): r is string => r !== undefined);
    const res = await this.runtime.up(project, resource.service, { imageRef, onOutput: ctx.onOutput, signal: ctx.signal });
    // Don't wait for the event round-trip: live updates right after a deploy need the new container.
    this.record(await this.runtime.status(resource.project.name, resource.service));
    return res;
  }

  /** The running container of the resource, as a live-update target (empty when none runs). */
  runningContainers(resource: DockerComposeResource): ContainerRef[] {
    const s = this.statuses.get(`${resource.project.name}/${resource.service}`);
    if (!s || s.state !== 'running' || !s.containerId) return [];
    return [{ pod: s.containerName ?? resource.project.name, container: resource.service, containerId: s.containerId }];
  }

  status(resource: DockerComposeResource): ServiceStatus | undefined {
    return this.statuses.get(`${resource.project.name}/${resource.service}`);
  }

  /** Every status change of every watched service (start watching a project with watchProject or deploy). */
  onStatus(listener: (s: ServiceStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  watchProject(project: string): void {
    this.ensureWatch(project);
  }

  followLogs(resource: DockerComposeResource, onLine: (l: LogLine) => void, sinceMs?: number): LogFollower {
    return followServiceLogs(this.runtime.docker, resource.project.name, resource.service, onLine, { sinceMs });
  }

  async down(project: string, opts: { volumes?: boolean; onOutput?: (l: string) => void } = {}): Promise<DownResult> {
    return this.runtime.down(project, opts);
  }

  close(): void {
    for (const w of this.watches.values()) w.close();
    this.watches.clear();
  }

  private ensureWatch(project: string): void {
    if (this.watches.has(project)) return;
    this.watches.set(project, this.runtime.watch(project, (s) => this.record(s)));
  }

  private record(s: ServiceStatus): void {
    const key = `${s.project}/${s.service}`;
    const prev = this.statuses.get(key);
    // A late event about an older container must not overwrite the newer one's state.
    if (prev && prev.containerId !== s.containerId && s.createdAt !== undefined && prev.createdAt !== undefined && s.createdAt < prev.createdAt) return;
    this.statuses.set(key, s);
    for (const l of this.statusListeners) l(s);
  }
}
