// Docker Compose services on the Docker Engine, without the compose CLI: up (network, volumes, recreate on config
// change, dependency conditions), down, status, and a status watch fed by docker events. Object names and labels
// are Compose's, so `docker compose ls`-style label filters see the same project.

import * as fs from 'node:fs';
import * as os from 'node:os';
import type Dockerode from 'dockerode';
import {
  LABEL_HASH, LABEL_MANAGED, LABEL_NETWORK, LABEL_PROJECT, LABEL_SERVICE, planService, serviceOrder,
  type ComposeProjectModel, type PlanServiceOptions, type ServiceDependency, type ServicePlan,
} from './project';
import { missingStatus, statusFromInspect, type ContainerInspectLike, type ServiceStatus } from './status';

export interface ComposeRuntimeOptions {
  /** Host environment for `environment: [KEY]`; default process.env. */
  env?: Record<string, string | undefined>;
  readFile?: (absPath: string) => string;
  homeDir?: string;
  /** Poll interval while waiting for dependencies / reconnecting. Default 250 ms. */
  pollMs?: number;
}

export interface UpOptions {
  /** The image the engine built for this service. */
  imageRef?: string;
  onOutput?: (line: string) => void;
  /** Wait for depends_on conditions before starting (default true). */
  waitForDependencies?: boolean;
  /** Give up waiting for a dependency after this long. Default 120 s. */
  dependencyTimeoutMs?: number;
  signal?: AbortSignal;
}

export interface UpResult {
  containerId: string;
  containerName: string;
  /** What up did: created a new container, replaced one whose config changed, started a stopped one, or nothing. */
  action: 'created' | 'recreated' | 'started' | 'unchanged';
  warnings: string[];
  plan: ServicePlan;
}

export interface DownOptions {
  /** Also remove the project's named volumes (tilt down --delete-volumes). */
  volumes?: boolean;
  onOutput?: (line: string) => void;
}

export interface DownResult {
  containers: string[];
  networks: string[];
  volumes: string[];
}

export interface Watch {
  close(): void;
}

/** A user-facing failure of up/down (bad config, a dependency that failed, a port in use...). */
export class ComposeRuntimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ComposeRuntimeError';
  }
}

const statusCode = (err: unknown): number | undefined => (err as { statusCode?: number } | undefined)?.statusCode;
const errText = (err: unknown): string => {
  const e = err as { json?: { message?: string }; message?: string };
  return e?.json?.message ?? e?.message ?? String(err);
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const projectFilter = (project: string): string => `${LABEL_PROJECT}=${project}`;

export class ComposeRuntime {
  private readonly pollMs: number;

  constructor(readonly docker: Dockerode, private readonly opts: ComposeRuntimeOptions = {}) {
    this.pollMs = opts.pollMs ?? 250;
  }

  planOptions(imageRef?: string): PlanServiceOptions {
    return {
      imageRef,
      env: this.opts.env ?? process.env,
      readFile: this.opts.readFile ?? ((p) => fs.readFileSync(p, 'utf8')),
      homeDir: this.opts.homeDir ?? os.homedir(),
    };
  }

  /** The container of a service, if any (running or not). */
  async findContainer(project: string, service: string): Promise<Dockerode.ContainerInfo | undefined> {
    const list = await this.docker.listContainers({ all: true, filters: { label: [projectFilter(project), `${LABEL_SERVICE}=${service}`] } });
    return list.sort((a, b) => b.Created - a.Created)[0];
  }

  async status(project: string, service: string): Promise<ServiceStatus> {
    const c = await this.findContainer(project, service);
    if (!c) return missingStatus(project, service);
    try {
      return statusFromInspect((await this.docker.getContainer(c.Id).inspect()) as ContainerInspectLike);
    } catch (err) {
      if (statusCode(err) === 404) return missingStatus(project, service);
      throw err;
    }
  }

  /** Create/refresh one service's container (not its dependencies: the orchestrator ups those first). */
  async up(project: ComposeProjectModel, service: string, opts: UpOptions = {}): Promise<UpResult> {
    const out = opts.onOutput ?? ((): void => undefined);
    let plan: ServicePlan;
    try {
      plan = planService(project, service, this.planOptions(opts.imageRef));
    } catch (err) {
      throw new ComposeRuntimeError(errText(err));
    }
    for (const w of plan.warnings) out(`warning: ${w}`);
    if (opts.waitForDependencies !== false) {
      for (const dep of plan.dependsOn) await this.waitForDependency(project, service, dep, opts);
    }
    await this.ensureNetwork(project.name, plan.network);
    for (const v of plan.volumes) await this.ensureVolume(v.name, v.labels);
    for (const p of plan.bindPathsToCreate) if (!fs.existsSync(p)) fs.mkdirSync(p, { recursive: true });

    let action: UpResult['action'] = 'created';
    const existing = await this.containerByName(plan.containerName);
    if (existing) {
      const labels = existing.Config.Labels ?? {};
      if (labels[LABEL_PROJECT] !== project.name || labels[LABEL_SERVICE] !== service) {
        throw new ComposeRuntimeError(`container name ${plan.containerName} is taken by a container that is not service ${service} of project ${project.name}; remove it or set container_name`);
      }
      if (labels[LABEL_HASH] === plan.configHash) {
        if (existing.State.Running) return { containerId: existing.Id, containerName: plan.containerName, action: 'unchanged', warnings: plan.warnings, plan };
        out(`starting ${plan.containerName}`);
        await this.start(existing.Id, plan);
        return { containerId: existing.Id, containerName: plan.containerName, action: 'started', warnings: plan.warnings, plan };
      }
      out(`recreating ${plan.containerName} (configuration or image changed)`);
      await this.removeContainer(existing.Id);
      action = 'recreated';
    } else out(`creating ${plan.containerName}`);

    const container = await this.create(plan, out);
    await this.start(container.id, plan);
    return { containerId: container.id, containerName: plan.containerName, action, warnings: plan.warnings, plan };
  }

  /** Bring a whole project up in dependency order (what `docker compose up -d` does). */
  async upAll(project: ComposeProjectModel, images: Record<string, string> = {}, opts: Omit<UpOptions, 'imageRef'> = {}): Promise<UpResult[]> {
    const results: UpResult[] = [];
    for (const svc of serviceOrder(project)) results.push(await this.up(project, svc, { ...opts, imageRef: images[svc] }));
    return results;
  }

  /** Stop and remove the project's containers (newest first), its networks, and its volumes when asked. */
  async down(project: string, opts: DownOptions = {}): Promise<DownResult> {
    const out = opts.onOutput ?? ((): void => undefined);
    const result: DownResult = { containers: [], networks: [], volumes: [] };
    const containers = await this.docker.listContainers({ all: true, filters: { label: [projectFilter(project)] } });
    // Dependents were created after their dependencies: removing newest first is reverse start order.
    for (const c of containers.sort((a, b) => b.Created - a.Created)) {
      const name = (c.Names[0] ?? c.Id).replace(/^\//, '');
      out(`removing ${name}`);
      await this.removeContainer(c.Id);
      result.containers.push(name);
    }
    for (const n of await this.docker.listNetworks({ filters: { label: [projectFilter(project)] } })) {
      try {
        await this.docker.getNetwork(n.Id).remove();
        out(`removed network ${n.Name}`);
        result.networks.push(n.Name);
      } catch (err) {
        if (statusCode(err) !== 404) throw new ComposeRuntimeError(`removing network ${n.Name}: ${errText(err)}`);
      }
    }
    if (opts.volumes) {
      const vols = (await this.docker.listVolumes({ filters: { label: [projectFilter(project)] } })).Volumes ?? [];
      for (const v of vols) {
        try {
          await this.docker.getVolume(v.Name).remove();
          out(`removed volume ${v.Name}`);
          result.volumes.push(v.Name);
        } catch (err) {
          if (statusCode(err) !== 404) throw new ComposeRuntimeError(`removing volume ${v.Name}: ${errText(err)}`);
        }
      }
    }
    return result;
  }

  /**
   * Watch every service of a project: calls onStatus with the current state of each container at once and
   * after every container event (start, die, health_status, restart, destroy...). Reconnects to the event
   * stream (and resyncs) when it drops, e.g. on a daemon restart.
   */
  watch(project: string, onStatus: (s: ServiceStatus) => void, onError?: (err: Error) => void): Watch {
    let closed = false;
    let stream: NodeJS.ReadableStream | undefined;
    const last = new Map<string, string>();
    const emit = (s: ServiceStatus): void => {
      const key = JSON.stringify(s);
      if (last.get(s.service) === key) return;
      last.set(s.service, key);
      onStatus(s);
    };
    const refresh = async (service: string): Promise<void> => emit(await this.status(project, service));
    const resync = async (): Promise<void> => {
      const list = await this.docker.listContainers({ all: true, filters: { label: [projectFilter(project)] } });
      const services = new Set([...last.keys(), ...list.map((c) => c.Labels[LABEL_SERVICE] ?? '').filter(Boolean)]);
      for (const s of services) await refresh(s);
    };
    const loop = async (): Promise<void> => {
      let delay = this.pollMs;
      while (!closed) {
        try {
          const since = Math.floor(Date.now() / 1000);
          await resync();
          stream = await this.docker.getEvents({ since, filters: { type: ['container'], label: [projectFilter(project)] } });
          // close() ran while the stream was opening: it had nothing to destroy, so destroy this one.
          if (closed) {
            (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
            break;
          }
          delay = this.pollMs;
          await new Promise<void>((resolve) => {
            let buf = '';
            let chain = Promise.resolve();
            stream!.on('data', (chunk: Buffer) => {
              buf += chunk.toString('utf8');
              let nl: number;
              while ((nl = buf.indexOf('\n')) >= 0) {
                const line = buf.slice(0, nl).trim();
                buf = buf.slice(nl + 1);
                if (!line) continue;
                let ev: { Actor?: { Attributes?: Record<string, string> } };
                try {
                  ev = JSON.parse(line) as typeof ev;
                } catch {
                  continue;
                }
                const svc = ev.Actor?.Attributes?.[LABEL_SERVICE];
                // Serialise refreshes so a service's statuses arrive in event order.
                if (svc) chain = chain.then(() => refresh(svc)).catch((e: unknown) => onError?.(e as Error));
              }
            });
            stream!.on('end', () => resolve());
            stream!.on('close', () => resolve());
            stream!.on('error', () => resolve());
          });
        } catch (err) {
          if (!closed) onError?.(err instanceof Error ? err : new Error(String(err)));
        }
        if (closed) break;
        // Unref'd: a closed watch's reconnect pause must not keep the process alive.
        await new Promise<void>((r) => setTimeout(r, delay).unref());
        delay = Math.min(delay * 2, 5_000);
      }
    };
    void loop();
    return {
      close: () => {
        closed = true;
        const s = stream as (NodeJS.ReadableStream & { destroy?: () => void }) | undefined;
        s?.destroy?.();
      },
    };
  }

  // ---------------------------------------------------------------- internals

  private async containerByName(name: string): Promise<Dockerode.ContainerInspectInfo | undefined> {
    try {
      return await this.docker.getContainer(name).inspect();
    } catch (err) {
      if (statusCode(err) === 404) return undefined;
      throw err;
    }
  }

  private async removeContainer(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).stop();
    } catch (err) {
      // 304: already stopped; 404: already gone.
      if (statusCode(err) !== 304 && statusCode(err) !== 404) throw new ComposeRuntimeError(`stopping container ${id.slice(0, 12)}: ${errText(err)}`);
    }
    try {
      // v: anonymous volumes go with the container, as with `docker compose down`.
      await this.docker.getContainer(id).remove({ v: true, force: true });
    } catch (err) {
      if (statusCode(err) !== 404 && statusCode(err) !== 409) throw new ComposeRuntimeError(`removing container ${id.slice(0, 12)}: ${errText(err)}`);
    }
  }

  private async create(plan: ServicePlan, out: (l: string) => void): Promise<Dockerode.Container> {
    try {
      return await this.docker.createContainer(plan.create);
    } catch (err) {
      if (statusCode(err) !== 404 || !/no such image/i.test(errText(err))) throw new ComposeRuntimeError(`creating ${plan.containerName}: ${errText(err)}`);
    }
    // Compose pulls a missing image; only registries this machine can reach (e.g. localhost:5000) will work.
    out(`pulling ${plan.image}`);
    try {
      const stream = await this.docker.pull(plan.image);
      await new Promise<void>((resolve, reject) => this.docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())));
    } catch (err) {
      throw new ComposeRuntimeError(`image ${plan.image} is not present locally and could not be pulled: ${errText(err)}`);
    }
    try {
      return await this.docker.createContainer(plan.create);
    } catch (err) {
      throw new ComposeRuntimeError(`creating ${plan.containerName}: ${errText(err)}`);
    }
  }

  private async start(id: string, plan: ServicePlan): Promise<void> {
    try {
      await this.docker.getContainer(id).start();
    } catch (err) {
      if (statusCode(err) === 304) return;
      const msg = errText(err);
      const hint = /port is already allocated|address already in use/i.test(msg) ? ' (another process or container holds a published port; change ports: in the compose file)' : '';
      throw new ComposeRuntimeError(`starting ${plan.containerName}: ${msg}${hint}`);
    }
  }

  private async ensureNetwork(project: string, name: string): Promise<void> {
    const existing = await this.docker.listNetworks({ filters: { name: [name] } });
    if (existing.some((n) => n.Name === name)) return;
    try {
      await this.docker.createNetwork({ Name: name, Driver: 'bridge', CheckDuplicate: true, Labels: { [LABEL_PROJECT]: project, [LABEL_NETWORK]: 'default', [LABEL_MANAGED]: 'true' } });
    } catch (err) {
      // A concurrent up of another service of the same project created it first.
      if (statusCode(err) !== 409) throw new ComposeRuntimeError(`creating network ${name}: ${errText(err)}`);
    }
  }

  private async ensureVolume(name: string, labels: Record<string, string>): Promise<void> {
    try {
      await this.docker.getVolume(name).inspect();
      return;
    } catch (err) {
      if (statusCode(err) !== 404) throw new ComposeRuntimeError(`inspecting volume ${name}: ${errText(err)}`);
    }
    await this.docker.createVolume({ Name: name, Labels: labels });
  }

  private async waitForDependency(project: ComposeProjectModel, service: string, dep: ServiceDependency, opts: UpOptions): Promise<void> {
    if (!(dep.service in project.services) && !dep.required) return;
    const deadline = Date.now() + (opts.dependencyTimeoutMs ?? 120_000);
    let announced = false;
    for (;;) {
      if (opts.signal?.aborted) throw new ComposeRuntimeError(`${service}: cancelled while waiting for ${dep.service}`);
      const s = await this.status(project.name, dep.service);
      if (s.state === 'missing') {
        // Like `compose up --no-deps`: the orchestrator orders services through resource_deps; a dependency that
        // was never started (disabled, auto_init=False) must not block this one.
        opts.onOutput?.(`note: ${dep.service} has no container; starting ${service} without waiting for it`);
        return;
      }
      const verdict = dependencyVerdict(dep, s);
      if (verdict.kind === 'ready') return;
      if (verdict.kind === 'failed') throw new ComposeRuntimeError(`${service} depends on ${dep.service}, which ${verdict.reason}`);
      if (Date.now() > deadline) throw new ComposeRuntimeError(`${service}: timed out waiting for ${dep.service} (${verdict.reason})`);
      if (!announced) opts.onOutput?.(`waiting for ${dep.service} (${verdict.reason})`);
      announced = true;
      await sleep(this.pollMs);
    }
  }
}

/** Whether a dependency satisfies its depends_on condition yet. service_healthy falls back to "running" when the
 * container has no healthcheck (Compose would refuse; waiting for a health that never comes helps nobody). */
export function dependencyVerdict(dep: ServiceDependency, s: ServiceStatus): { kind: 'ready' } | { kind: 'wait' | 'failed'; reason: string } {
  if (s.state === 'missing') return { kind: 'wait', reason: 'it has no container yet' };
  switch (dep.condition) {
    case 'service_completed_successfully':
      if (s.state === 'exited') return s.exitCode === 0 ? { kind: 'ready' } : { kind: 'failed', reason: `exited with code ${s.exitCode}` };
      return { kind: 'wait', reason: 'it has not completed yet' };
    case 'service_healthy':
      if (s.state === 'running' && (s.health === 'healthy' || s.health === undefined)) return { kind: 'ready' };
      if (s.health === 'unhealthy') return { kind: 'failed', reason: 'is unhealthy' };
      if (s.state === 'exited' || s.state === 'dead') return { kind: 'failed', reason: s.reason ?? 'stopped' };
      return { kind: 'wait', reason: s.health ? `health: ${s.health}` : `it is ${s.state}` };
    default:
      if (s.state === 'running' || (s.state === 'exited' && s.exitCode === 0)) return { kind: 'ready' };
      if (s.state === 'exited' || s.state === 'dead') return { kind: 'failed', reason: s.reason ?? 'stopped' };
      return { kind: 'wait', reason: `it is ${s.state}` };
  }
}
