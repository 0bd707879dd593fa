// docker_compose resources on the local Docker daemon through src/engine/compose (no compose CLI): each update
// builds the service's images into the daemon (no push), then creates/refreshes the container; a status watch
// and a log follower per project/service feed runtime status and logs. Live update is not wired for Compose:
// every change is a full update.

import type Dockerode from 'dockerode';
import * as path from 'node:path';
import type { DockerComposeResource, Plan } from '../../shared/plan';
import type { Observation } from '../actions';
import { ComposeRuntime, followServiceLogs, projectFromResources, type LogFollower, type ServiceStatus, type Watch } from '../compose';
import type { ComposePort, UpdateContext } from '../ports';
import { imagesInBuildOrder } from '../update';
import { DockerImageAdapter } from './images';

/** Where the adapter reports what it sees: observations for the store's reducer, lines for the logs. */
export interface ComposeSink {
  observe(o: Observation): void;
  log(resource: string, line: string): void;
}

/** A service's state as the store holds it: runtime status and the TCP ports it publishes on this machine. */
function observed(name: string, s: ServiceStatus): Observation {
  const publishedPorts = s.ports.filter((p) => p.protocol === 'tcp').map((p) => ({ ...(p.hostIp ? { host: p.hostIp } : {}), port: p.hostPort }));
  return { type: 'runtime_observed', name, runtime: s.runtimeStatus, publishedPorts };
}

export class ComposeAdapter implements ComposePort {
  private readonly runtime: ComposeRuntime;
  private readonly images: DockerImageAdapter;
  private readonly watches = new Map<string, Watch>();
  private readonly followers = new Map<string, LogFollower>();

  constructor(private readonly docker: Dockerode, private readonly plan: () => Plan | undefined, private readonly sink: ComposeSink, private readonly since: number, now: () => number) {
    this.runtime = new ComposeRuntime(docker);
    this.images = new DockerImageAdapter({ docker, registry: () => undefined, clusterUsesLocalDocker: true, now });
  }

  async update(resource: DockerComposeResource, ctx: UpdateContext): Promise<void> {
    const plan = this.plan();
    if (!plan) throw new Error('no plan');
    let imageRef: string | undefined;
    for (const img of imagesInBuildOrder(plan, resource.imageRefs)) imageRef = (await this.images.buildImage(img, ctx)).clusterRef;
    const project = projectFromResources(this.resources(plan, resource.project.name), path.dirname(plan.tiltfile));
    const r = await this.runtime.up(project, resource.service, { imageRef, onOutput: ctx.onOutput, signal: ctx.signal });
    ctx.onOutput(`${r.containerName}: ${r.action}`);
    this.follow(resource);
  }

  /** Stop and remove every compose project of the plan. */
  async down(plan: Plan, onOutput: (line: string) => void): Promise<void> {
    const projects = new Set(plan.resources.flatMap((r) => (r.type === 'docker_compose' ? [r.project.name] : [])));
    for (const p of projects) await this.runtime.down(p, { onOutput });
  }

  stop(): void {
    for (const w of this.watches.values()) w.close();
    for (const f of this.followers.values()) f.close();
    this.watches.clear();
    this.followers.clear();
  }

  private resources(plan: Plan, project: string): DockerComposeResource[] {
    return plan.resources.filter((r): r is DockerComposeResource => r.type === 'docker_compose' && r.project.name === project);
  }

  private follow(resource: DockerComposeResource): void {
    const project = resource.project.name;
    if (!this.watches.has(project)) {
      this.watches.set(project, this.runtime.watch(project, (s) => {
        const r = this.plan()?.resources.find((x) => x.type === 'docker_compose' && x.project.name === project && x.service === s.service);
        if (r) this.sink.observe(observed(r.name, s));
      }));
    }
    const key = `${project}/${resource.service}`;
    if (!this.followers.has(key)) {
      this.followers.set(key, followServiceLogs(this.docker, project, resource.service, (l) => this.sink.log(resource.name, l.text), { sinceMs: this.since }));
    }
    void this.runtime.status(project, resource.service).then((s) => this.sink.observe(observed(resource.name, s)), () => undefined);
  }
}
