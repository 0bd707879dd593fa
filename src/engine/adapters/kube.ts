// The engine's KubePort on a real cluster, plus what follows an apply: pod discovery (pods, runtime status and
// readiness into the store; the engine notices new container IDs and replays live updates), port forwards that
// follow the best pod, and pod log streams into the resource's log (scrubbed by the log store).

import type { Readable } from 'node:stream';
import type { K8sCustomDeployResource, K8sObject, K8sResource, PortForward } from '../../shared/plan';
import type { PortForwardStatus, RuntimeStatus } from '../../shared/state';
import type { Observation } from '../actions';
import { ContainerGoneError, type ContainerRef, type ContainerExecutor, type ExecResult, type ExecStepOptions } from '../liveupdate/containerUpdate';
import type { KubePort, UpdateContext } from '../ports';
import { applyObjects, deleteObjects, type AppliedObject } from '../k8s/apply';
import type { KubeClient } from '../k8s/client';
import { ClusterHealth, type ClusterHealthOptions } from '../k8s/clusterHealth';
import { PodDiscovery, type ContainerRestart, type PodInfo } from '../k8s/discovery';
import { parseYamlStream } from '../../tiltfile/yaml';
import { kubeContainerExecutor } from '../k8s/exec';
import { ReusingExecutor } from '../k8s/execSession';
import { PodLogStreams } from '../k8s/podLogs';
import { PodPortForward, pickForwardPod, resolveContainerPort } from '../k8s/portForward';
import { clusterRefFor, type TargetRegistry } from '../k8s/registry';
import { bestPod, k8sRuntimeStatus, podStatusFrom, type KubePodLike } from '../runtime';
import { repoOf } from './images';
import { runCapture } from './process';

/** Where the adapter reports what it sees: observations for the store's reducer, lines for the logs. */
export interface KubeSink {
  observe(o: Observation): void;
  log(resource: string, line: string, level?: 'info' | 'warn' | 'error'): void;
}

export interface KubeAdapterOptions {
  client: KubeClient;
  /** Namespace for objects without one (default: the context's). */
  namespace?: string;
  registry(): TargetRegistry | undefined;
  sink: KubeSink;
  /** Session start: pod logs older than this are not shown. */
  since: Date;
  /** The API server health check's timing (tests shorten it). */
  health?: Pick<ClusterHealthOptions, 'intervalMs' | 'timeoutMs'>;
}

/** A running forward; its state lives in the store (reported as forward_observed), not here. */
interface Forward {
  spec: PortForward;
  pf?: PodPortForward;
  /** forwardPodRevision of the pod it forwards to, when last seen: a change re-probes the forward. */
  podRevision?: string;
}

/**
 * What about a forward's pod can change whether its port answers, short of replacing the pod (which retargets): a
 * container restarted (new ID), started or stopped, readiness, phase, deletion. The forward probes only on changes
 * (no polling while idle), so each of these, as the pod watch reports it, re-probes it.
 */
export function forwardPodRevision(pod: PodInfo): string {
  const containers = pod.containers.filter((c) => !c.init).map((c) => `${c.name}=${c.id ?? ''}/${c.state}/${c.ready}`);
  return [pod.name, pod.phase, pod.ready, pod.deleting, ...containers].join('|');
}

/** The state a declared forward starts in, before its connection reports. */
function declaredForward(p: PortForward): PortForwardStatus {
  return {
    localPort: p.localPort, containerPort: p.containerPort, host: p.host || undefined, state: 'connecting',
    ...(p.name ? { name: p.name } : {}), ...(p.linkPath ? { linkPath: p.linkPath } : {}),
  };
}

interface Tracked {
  resource: K8sResource;
  applied: AppliedObject[];
  discovery: PodDiscovery;
  logs: PodLogStreams;
  forwards: Forward[];
  /** Deployed by k8s_custom_deploy's apply_cmd. */
  custom: boolean;
}

export class KubeAdapter implements KubePort {
  /** Live updates: one reused exec stream per container, a fresh exec when that cannot be (k8s/execSession.ts). */
  readonly exec: ContainerExecutor & { dispose(): void };
  private readonly tracked = new Map<string, Tracked>();
  /** Execs in flight, cancelled when their container goes (execWatched). */
  private readonly execs = new Set<{ target: ContainerRef; abort(why: string): void }>();
  /** Per resource: pods with more than one container (their log lines carry the container name). */
  private readonly multiContainerPods = new Map<string, Set<string>>();
  private stopped = false;

  /** Started with the first tracked resource: the session-level "cluster unreachable" fact. */
  private readonly health: ClusterHealth;
  private clusterDown = false;

  constructor(private readonly opts: KubeAdapterOptions) {
    const reusing = new ReusingExecutor(opts.client, this.namespace, kubeContainerExecutor(opts.client, this.namespace));
    this.exec = { exec: (target, argv, stdin, o) => this.execWatched(reusing, target, argv, stdin, o), dispose: () => reusing.dispose() };
    this.health = new ClusterHealth(opts.client, { ...opts.health, onChange: (reachable, error) => this.reachabilityChanged(reachable, error) });
  }

  /**
   * An exec (a live update's copy) into a container that stops or restarts meanwhile can hang until its deadline:
   * the kubelet keeps the stream open while stdin is still being fed. Pod discovery sees the container go, so the
   * exec is cancelled then, with a ContainerGoneError.
   */
  private async execWatched(exec: ContainerExecutor, target: ContainerRef, argv: string[], stdin?: Readable, opts?: ExecStepOptions): Promise<ExecResult> {
    const ac = new AbortController();
    const watch = { target, abort: (why: string) => ac.abort(why) };
    const gone = this.containerGone(target);
    if (gone) {
      stdin?.destroy();
      throw new ContainerGoneError(`${target.pod}/${target.container}: ${gone}`);
    }
    this.execs.add(watch);
    try {
      const r = await exec.exec(target, argv, stdin, { ...opts, signal: ac.signal });
      // Killed with its container (exit 137) and discovery already saw the container go: the same case.
      const after = r.exitCode === 137 ? this.containerGone(target) : undefined;
      if (after) throw new ContainerGoneError(`${target.pod}/${target.container}: ${after}`);
      return r;
    } catch (err) {
      if (err instanceof ContainerGoneError) throw err;
      const why = ac.signal.aborted ? String(ac.signal.reason) : this.containerGone(target);
      if (why) throw new ContainerGoneError(`${target.pod}/${target.container}: ${why}`);
      throw err;
    } finally {
      this.execs.delete(watch);
    }
  }

  /** Why the exec's container is no longer the one running there; undefined while it is (or discovery does not know). */
  private containerGone(target: ContainerRef): string | undefined {
    for (const t of this.tracked.values()) {
      const why = containerGoneReason(t.discovery.pods(), target);
      if (why) return why;
    }
    return undefined;
  }

  private reachabilityChanged(reachable: boolean, error?: string): void {
    if (this.stopped) return;
    this.opts.sink.observe({ type: 'cluster_reachability', reachable, error, now: Date.now() });
    const wasDown = this.clusterDown;
    this.clusterDown = !reachable;
    if (!reachable) {
      // Forwards are not polled while healthy: probe them now, so their state says the cluster is gone too.
      if (!wasDown) for (const t of this.tracked.values()) for (const f of t.forwards) f.pf?.recheck();
      return;
    }
    if (!wasDown) return;
    // Back after an outage: watches, log streams and forwards reconnect now instead of after
    // the backoff the outage built up; connections that were blackholed are replaced.
    for (const t of this.tracked.values()) {
      t.discovery.resumeWatches();
      t.logs.resume();
      for (const f of t.forwards) f.pf?.recheck();
    }
  }

  get namespace(): string {
    return this.opts.namespace || this.opts.client.namespace;
  }

  async apply(resource: K8sResource, objects: K8sObject[], ctx: UpdateContext): Promise<void> {
    this.health.start();
    const applied = await applyObjects(this.opts.client, objects, { namespace: this.namespace, onOutput: ctx.onOutput, signal: ctx.signal });
    // Objects the resource no longer declares are deleted, as Tilt's apply reconciler garbage-collects them.
    const previous = this.tracked.get(resource.name)?.applied ?? [];
    await this.deleteApplied(droppedObjects(previous, applied), ctx);
    await this.track(resource, applied);
  }

  async remove(resource: string, ctx: UpdateContext): Promise<void> {
    const t = this.tracked.get(resource);
    if (!t) return;
    this.tracked.delete(resource);
    this.multiContainerPods.delete(resource);
    await this.untrack(t);
    // k8s_custom_deploy objects belong to its delete_cmd, not to us.
    if (!t.custom) await this.deleteApplied(t.applied, ctx);
  }

  private async deleteApplied(applied: readonly AppliedObject[], ctx: UpdateContext): Promise<void> {
    if (applied.length === 0) return;
    const objects = applied.map((a) => a.object as K8sObject);
    const res = await deleteObjects(this.opts.client, objects, { namespace: this.namespace, onOutput: ctx.onOutput });
    for (const k of res.kept) ctx.onOutput(`kept ${k.object}: ${k.reason}`);
  }

  private async untrack(t: Tracked): Promise<void> {
    t.discovery.stop();
    t.logs.stop();
    await Promise.all(t.forwards.map((f) => f.pf?.stop()));
  }

  async customDeploy(resource: K8sCustomDeployResource, images: readonly string[], ctx: UpdateContext): Promise<void> {
    const env: Record<string, string> = { ...resource.applyCmd.env };
    images.forEach((ref, i) => (env[`TILT_IMAGE_${i}`] = ref));
    ctx.onOutput(`Running apply_cmd: ${resource.applyCmd.command.join(' ')}`);
    const r = await runCapture({ ...resource.applyCmd, env }, { onOutput: ctx.onOutput, signal: ctx.signal });
    if (r.exitCode !== 0) throw new Error(`apply_cmd exited with code ${r.exitCode}`);
    this.health.start();
    const applied = parseAppliedYaml(r.stdout, this.namespace);
    if (applied.length === 0) throw new Error('apply_cmd printed no Kubernetes objects: it must print the YAML of what it applied (e.g. kubectl apply -o yaml)');
    for (const a of applied) ctx.onOutput(`${a.kind.toLowerCase()}/${a.name} deployed`);
    const asResource: K8sResource = {
      type: 'k8s', name: resource.name, labels: resource.labels, resourceDeps: resource.resourceDeps, triggerMode: resource.triggerMode,
      autoInit: resource.autoInit, links: resource.links, objects: [], imageRefs: resource.imageRefs, portForwards: resource.portForwards,
      podReadiness: 'wait', extraPodSelectors: [], discoveryStrategy: 'default',
    };
    await this.track(asResource, applied, true);
  }

  private async track(resource: K8sResource, applied: AppliedObject[], custom = false): Promise<void> {
    const spec = { applied, extraPodSelectors: resource.extraPodSelectors, discoveryStrategy: resource.discoveryStrategy, namespace: this.namespace };
    let t = this.tracked.get(resource.name);
    if (t) {
      t.resource = resource;
      t.applied = applied;
      this.reconcileForwardSpecs(t);
      await t.discovery.update(spec);
    } else {
      const name = resource.name;
      const logs = new PodLogStreams(this.opts.client, {
        since: this.opts.since,
        // With several containers in a pod, say which one a line came from (as Tilt does).
        onLine: (l) => this.opts.sink.log(name, (this.multiContainerPods.get(name)?.has(l.pod) ? `[${l.container}] ` : '') + l.text),
        onNotice: (m) => this.opts.sink.log(name, m, 'warn'),
      });
      const discovery = new PodDiscovery(this.opts.client, spec, {
        onPods: (pods) => this.podsChanged(name, pods),
        onHealth: (problem) => { if (problem) this.opts.sink.log(name, `pod watch: ${problem}`, 'warn'); },
        onRestart: (r) => this.containerRestarted(name, r),
      });
      t = { resource, applied, discovery, logs, forwards: [], custom };
      this.tracked.set(name, t);
      this.reconcileForwardSpecs(t);
      if (this.stopped) return;
      await discovery.start();
    }
    this.podsChanged(resource.name, t.discovery.pods());
  }

  runningContainers(resource: string, matchName: string): ContainerRef[] {
    const t = this.tracked.get(resource);
    if (!t) return [];
    const clusterRepo = repoOf(clusterRefFor(matchName, this.opts.registry()).clusterRef);
    const out: ContainerRef[] = [];
    for (const p of t.discovery.pods()) {
      if (p.deleting || p.phase !== 'Running') continue;
      for (const c of p.containers) {
        if (c.init || c.state !== 'running' || !c.id) continue;
        const repo = repoOf(c.image);
        if (repo !== matchName && repo !== clusterRepo && repoOf(specImage(p, c.name) ?? '') !== clusterRepo) continue;
        out.push({ pod: p.name, namespace: p.namespace, container: c.name, containerId: c.id });
      }
    }
    return out;
  }

  private containerRestarted(name: string, r: ContainerRestart): void {
    if (!this.tracked.has(name) || this.stopped) return;
    // The restart count itself is in the pods the store holds (pods_observed); here only the log line.
    const why = r.lastReason ? ` Reason: ${r.lastReason}.` : '';
    this.opts.sink.log(name, `Detected container restart. Pod: ${r.pod}. Container: ${r.container}.${why}`, 'warn');
  }

  /** What was applied per resource (for down). */
  appliedObjects(resource: string): readonly AppliedObject[] {
    return this.tracked.get(resource)?.applied ?? [];
  }

  /** Stop watching, streaming and forwarding; leaves everything in the cluster running. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.health.stop();
    this.exec.dispose();
    const all = [...this.tracked.values()];
    this.tracked.clear();
    await Promise.all(all.map((t) => this.untrack(t)));
  }

  private podsChanged(name: string, pods: PodInfo[]): void {
    const t = this.tracked.get(name);
    if (!t || this.stopped) return;
    for (const e of this.execs) {
      const gone = this.containerGone(e.target);
      if (gone) e.abort(gone);
    }
    const statuses = pods.map((p) => podStatusFrom(p.raw as KubePodLike));
    const ready = t.discovery.readiness(t.resource.podReadiness).ready;
    const job = t.applied.some((a) => a.kind === 'Job');
    let runtime: RuntimeStatus = k8sRuntimeStatus({ pods: statuses.filter((s) => s === bestPod(statuses)), podReadiness: t.resource.podReadiness, applied: true, runToCompletion: job });
    if (ready) runtime = 'ok';
    else if (runtime === 'ok') runtime = 'pending';
    this.opts.sink.observe({ type: 'pods_observed', name, pods: statuses, runtime });
    this.multiContainerPods.set(name, new Set(pods.filter((p) => p.containers.length > 1).map((p) => p.name)));
    t.logs.update(pods);
    this.retarget(t, pods);
  }

  private reconcileForwardSpecs(t: Tracked): void {
    const { next, stop } = reconcileForwards(t.forwards, t.resource.portForwards, (p): Forward => ({ spec: p }));
    for (const f of stop) void f.pf?.stop();
    t.forwards = next;
    this.opts.sink.observe({ type: 'forwards_declared', name: t.resource.name, forwards: next.map((f) => declaredForward(f.spec)) });
  }

  private retarget(t: Tracked, pods: PodInfo[]): void {
    const pod = pickForwardPod(pods);
    for (const f of t.forwards) {
      const port = pod ? resolveContainerPort(pod, f.spec.localPort, f.spec.containerPort) : undefined;
      const target = pod && port ? { namespace: pod.namespace, pod: pod.name, port } : undefined;
      const seen = f.podRevision;
      f.podRevision = pod ? forwardPodRevision(pod) : undefined;
      if (!f.pf) {
        if (!target) continue;
        f.pf = new PodPortForward(this.opts.client, {
          localPort: f.spec.localPort,
          host: f.spec.host || undefined,
          target,
          // Without a target (pod gone) the container port last resolved stays: the reducer merges observations.
          onState: (e) => this.forwardObserved(t, f, { ...(e.target ? { containerPort: e.target.port } : {}), podName: e.target?.pod, state: e.phase, error: e.message }),
        });
        const pf = f.pf;
        pf.start().catch((err: unknown) => this.forwardObserved(t, f, { state: 'error', error: err instanceof Error ? err.message : String(err) }));
      } else {
        f.pf.setTarget(target); // another pod: probed at once
        // The pod changed (a restart, readiness...): probe now (after a retarget, the same probe setTarget asked for).
        if (target && f.podRevision !== seen) f.pf.recheck();
      }
    }
  }

  private forwardObserved(t: Tracked, f: Forward, seen: Omit<Partial<PortForwardStatus>, 'localPort' | 'host'> & Pick<PortForwardStatus, 'state'>): void {
    if (this.stopped || !t.forwards.includes(f)) return;
    const { localPort, host } = declaredForward(f.spec);
    this.opts.sink.observe({ type: 'forward_observed', name: t.resource.name, forward: { localPort, host, podName: undefined, error: undefined, ...seen } });
  }
}

/**
 * Level-triggered port-forward specs (as Tilt's portforward reconciler): forwards still wanted (same host, local
 * and container port) keep their running connection; new ones are created; the rest are returned to stop.
 * Pod changes are not a spec change: a kept forward is retargeted to the new pod (PodPortForward.setTarget).
 */
export function reconcileForwards<F extends { spec: PortForward }>(current: readonly F[], want: readonly PortForward[], create: (p: PortForward) => F): { next: F[]; stop: F[] } {
  const key = (p: PortForward): string => `${p.host}:${p.localPort}:${p.containerPort}`;
  const have = new Map(current.map((f) => [key(f.spec), f]));
  const next = want.map((p) => {
    const f = have.get(key(p));
    have.delete(key(p));
    return f ?? create(p);
  });
  return { next, stop: [...have.values()] };
}

/** Objects of an earlier apply that the latest apply of the same resource no longer contains. */
export function droppedObjects(previous: readonly AppliedObject[], latest: readonly AppliedObject[]): AppliedObject[] {
  const key = (a: AppliedObject): string => `${a.apiVersion.split('/')[0]}|${a.kind}|${a.namespace ?? ''}|${a.name}`;
  const kept = new Set(latest.map(key));
  return previous.filter((a) => !kept.has(key(a)));
}

/**
 * Why `target` is no longer the container running in its pod, from discovered pods: its pod is being deleted, or
 * the container has another ID (restarted) or is not running. Undefined while it runs, or when the pod is unknown.
 */
export function containerGoneReason(pods: readonly PodInfo[], target: ContainerRef): string | undefined {
  const pod = pods.find((p) => p.name === target.pod && (target.namespace === undefined || p.namespace === target.namespace));
  if (!pod) return undefined;
  if (pod.deleting) return 'its pod is being deleted';
  const c = pod.containers.find((x) => x.name === target.container && !x.init);
  if (!c) return undefined;
  if (c.id && c.id !== target.containerId) return 'the container restarted during the live update';
  if (c.state !== 'running') return `the container stopped during the live update${c.reason ? ` (${c.reason})` : ''}`;
  return undefined;
}

/** The objects apply_cmd printed (documents or a List), as applied objects for discovery. */
export function parseAppliedYaml(text: string, namespace: string): AppliedObject[] {
  const out: AppliedObject[] = [];
  const add = (o: unknown): void => {
    if (!o || typeof o !== 'object') return;
    const obj = o as { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string; uid?: string }; items?: unknown[] };
    if (obj.kind === 'List' || (obj.kind?.endsWith('List') && Array.isArray(obj.items))) {
      for (const i of obj.items ?? []) add(i);
      return;
    }
    if (!obj.kind || !obj.metadata?.name) return;
    out.push({
      apiVersion: obj.apiVersion ?? 'v1', kind: obj.kind, name: obj.metadata.name,
      namespace: obj.metadata.namespace ?? (obj.kind === 'Namespace' ? undefined : namespace),
      uid: obj.metadata.uid ?? '', object: obj as AppliedObject['object'],
    });
  };
  // YAML 1.1, as kubectl printed it (`0755` is 493, `yes` a boolean): the one parser every manifest goes through.
  for (const doc of parseYamlStream(text, 'apply_cmd output')) add(doc);
  return out;
}

function specImage(p: PodInfo, container: string): string | undefined {
  return p.raw.spec?.containers.find((c) => c.name === container)?.image;
}
