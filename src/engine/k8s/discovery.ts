// Follows a resource's pods: one self-healing pod watch per namespace involved; a pod belongs to the resource when
// an applied object is among its owners (Deployment -> ReplicaSet -> Pod, CronJob -> Job -> Pod, StatefulSet,
// DaemonSet, plain Pod), or when its labels match an applied pod template or an extra_pod_selector. Reports each
// pod's containers (with waiting reasons such as CrashLoopBackOff) and container restarts (a new container ID).

import type { V1ContainerStatus, V1OwnerReference, V1Pod } from '@kubernetes/client-node';
import type { AppliedObject } from './apply';
import type { KubeClient } from './client';
import { httpStatus } from './errors';
import { NamespacePodWatch } from './podWatch';

export interface ContainerInfo {
  name: string;
  image: string;
  /** Runtime ID without the "containerd://" prefix; undefined until the container was created. */
  id?: string;
  ready: boolean;
  restartCount: number;
  state: 'waiting' | 'running' | 'terminated' | 'unknown';
  /** e.g. CrashLoopBackOff, ImagePullBackOff, ErrImagePull, Completed, Error. */
  reason?: string;
  message?: string;
  exitCode?: number;
  init: boolean;
}

export interface PodInfo {
  name: string;
  namespace: string;
  uid: string;
  phase: string;
  /** Pod condition Ready. */
  ready: boolean;
  deleting: boolean;
  /** Epoch ms. */
  createdAt: number;
  /** Init containers first, then app containers. */
  containers: ContainerInfo[];
  /** UIDs of the pod's owners, nearest first (ReplicaSet, then Deployment...). */
  ancestors: string[];
  /** Declared container ports by container name (port-forward defaults). */
  ports: Record<string, number[]>;
  raw: V1Pod;
}

export interface ContainerRestart {
  pod: string;
  namespace: string;
  container: string;
  previousId: string;
  newId: string;
  restartCount: number;
  /** Why the previous container ended, when the kubelet says. */
  lastReason?: string;
}

export interface DiscoverySpec {
  applied: readonly AppliedObject[];
  extraPodSelectors?: ReadonlyArray<Record<string, string>>;
  discoveryStrategy?: 'default' | 'selectors-only';
  /** Namespace for extra selectors when no applied object is namespaced. */
  namespace?: string;
}

export interface DiscoveryOptions {
  /** Server-side watch timeout (renewed after it). Default 240 s; tests use a short one. */
  watchTimeoutSeconds?: number;
}

export interface DiscoveryHandlers {
  onPods?(pods: PodInfo[]): void;
  onRestart?(r: ContainerRestart): void;
  /** Watch trouble (retrying) or undefined when healthy again. */
  onHealth?(problem: string | undefined): void;
}

const WORKLOAD_KINDS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod', 'ReplicationController']);

function toDate(x: unknown): number {
  if (x instanceof Date) return x.getTime();
  if (typeof x === 'string') return new Date(x).getTime();
  return 0;
}

function containerInfo(c: V1ContainerStatus, init: boolean): ContainerInfo {
  const s = c.state ?? {};
  const state: ContainerInfo['state'] = s.running ? 'running' : s.terminated ? 'terminated' : s.waiting ? 'waiting' : 'unknown';
  return {
    name: c.name,
    image: c.image,
    id: c.containerID ? c.containerID.replace(/^[a-z0-9-]+:\/\//, '') : undefined,
    ready: c.ready,
    restartCount: c.restartCount,
    state,
    reason: s.waiting?.reason ?? s.terminated?.reason,
    message: s.waiting?.message ?? s.terminated?.message,
    exitCode: s.terminated?.exitCode,
    init,
  };
}

export function podInfo(pod: V1Pod, ancestors: string[] = []): PodInfo {
  const st = pod.status ?? {};
  const ports: Record<string, number[]> = {};
  for (const c of pod.spec?.containers ?? []) ports[c.name] = (c.ports ?? []).map((p) => p.containerPort);
  return {
    name: pod.metadata?.name ?? '',
    namespace: pod.metadata?.namespace ?? '',
    uid: pod.metadata?.uid ?? '',
    phase: st.phase ?? 'Unknown',
    ready: st.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    deleting: !!pod.metadata?.deletionTimestamp,
    createdAt: toDate(pod.metadata?.creationTimestamp),
    containers: [...(st.initContainerStatuses ?? []).map((c) => containerInfo(c, true)), ...(st.containerStatuses ?? []).map((c) => containerInfo(c, false))],
    ancestors,
    ports,
    raw: pod,
  };
}

/** Pod template labels of a workload object (CronJob: the job template's pod template). */
export function templateLabels(obj: { kind?: string; spec?: unknown }): Record<string, string> | undefined {
  const spec = obj.spec as Record<string, unknown> | undefined;
  if (!spec) return undefined;
  const pick = (s: Record<string, unknown> | undefined): Record<string, string> | undefined => {
    const labels = ((s?.template as Record<string, unknown> | undefined)?.metadata as Record<string, unknown> | undefined)?.labels;
    return labels && typeof labels === 'object' && Object.keys(labels).length > 0 ? (labels as Record<string, string>) : undefined;
  };
  if (obj.kind === 'CronJob') return pick((spec.jobTemplate as Record<string, unknown> | undefined)?.spec as Record<string, unknown> | undefined);
  return pick(spec);
}

export const labelsMatch = (labels: Record<string, string> | undefined, selector: Record<string, string>): boolean =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);

/** Resource readiness from its pods, Tilt's rules. */
export function resourceReadiness(
  pods: readonly PodInfo[],
  applied: readonly AppliedObject[],
  podReadiness: 'wait' | 'ignore',
): { ready: boolean; reason: string } {
  if (podReadiness === 'ignore') return { ready: true, reason: "pod_readiness='ignore'" };
  const workloads = applied.filter((a) => WORKLOAD_KINDS.has(a.kind) || templateLabels(a.object) !== undefined);
  if (workloads.length === 0) return { ready: true, reason: 'no workloads' };
  const live = pods.filter((p) => !p.deleting);
  for (const w of workloads) {
    if (w.kind === 'CronJob') continue; // ready at once: it runs on a schedule
    const mine = live.filter((p) => p.uid === w.uid || p.ancestors.includes(w.uid));
    if (w.kind === 'Job') {
      if (!mine.some((p) => p.phase === 'Succeeded')) return { ready: false, reason: `job ${w.name} has not completed` };
      continue;
    }
    const newest = [...mine].sort((a, b) => b.createdAt - a.createdAt)[0];
    if (!newest) return { ready: false, reason: `waiting for pods of ${w.kind.toLowerCase()}/${w.name}` };
    const bad = newest.containers.find((c) => !c.init && (c.reason === 'CrashLoopBackOff' || c.reason === 'ImagePullBackOff' || c.reason === 'ErrImagePull'));
    if (bad) return { ready: false, reason: `${newest.name}/${bad.name}: ${bad.reason}${bad.message ? `: ${bad.message}` : ''}` };
    const app = newest.containers.filter((c) => !c.init);
    if (app.length === 0 || !app.every((c) => c.ready)) return { ready: false, reason: `pod ${newest.name} is not ready` };
  }
  return { ready: true, reason: 'all containers ready' };
}

interface OwnerLookup {
  owners: V1OwnerReference[];
}

export class PodDiscovery {
  private spec: DiscoverySpec;
  private readonly watches = new Map<string, NamespacePodWatch>();
  private readonly rawPods = new Map<string, V1Pod>(); // uid -> pod (all pods in watched namespaces)
  private readonly matched = new Map<string, PodInfo>(); // uid -> matched pod
  private readonly ownerCache = new Map<string, OwnerLookup | null>(); // owner uid -> its owners
  private readonly lastIds = new Map<string, string>(); // podUid/container -> container id
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly client: KubeClient,
    spec: DiscoverySpec,
    private readonly handlers: DiscoveryHandlers = {},
    private readonly options: DiscoveryOptions = {},
  ) {
    this.spec = spec;
  }

  /** Starts the watches; resolves after the first listing of every namespace. */
  async start(): Promise<void> {
    await this.ensureWatches();
  }

  /** A new apply (new UIDs, maybe new namespaces): re-match every known pod. */
  async update(spec: DiscoverySpec): Promise<void> {
    this.spec = spec;
    await this.ensureWatches();
    this.enqueue(async () => {
      for (const pod of this.rawPods.values()) await this.consider(pod, false);
      this.emit();
    });
    await this.queue;
  }

  stop(): void {
    this.stopped = true;
    for (const w of this.watches.values()) w.stop();
    this.watches.clear();
  }

  pods(): PodInfo[] {
    return [...this.matched.values()].sort((a, b) => b.createdAt - a.createdAt || a.name.localeCompare(b.name));
  }

  readiness(podReadiness: 'wait' | 'ignore'): { ready: boolean; reason: string } {
    return resourceReadiness(this.pods(), this.spec.applied, podReadiness);
  }

  /** Resolves once every queued pod event is processed (tests). */
  async settled(): Promise<void> {
    await this.queue;
  }

  /** Drop the current watch connections (tests: they must come back by themselves). */
  interruptWatches(): void {
    for (const w of this.watches.values()) w.interrupt();
  }

  /** The API server is back after an outage: re-establish every watch now (see NamespacePodWatch.resume). */
  resumeWatches(): void {
    for (const w of this.watches.values()) w.resume();
  }

  get watchCount(): number {
    let n = 0;
    for (const w of this.watches.values()) n += w.watchCount;
    return n;
  }

  private namespaces(): string[] {
    const ns = new Set<string>();
    for (const a of this.spec.applied) if (a.namespace) ns.add(a.namespace);
    if (ns.size === 0 || (this.spec.extraPodSelectors?.length ?? 0) > 0) ns.add(this.spec.namespace ?? this.client.namespace);
    return [...ns];
  }

  private async ensureWatches(): Promise<void> {
    // An update() racing stop() must not open watches nobody will close.
    if (this.stopped) return;
    const starts: Promise<void>[] = [];
    for (const ns of this.namespaces()) {
      if (this.watches.has(ns)) continue;
      const w = new NamespacePodWatch(this.client, ns, {
        onSync: (pods) =>
          this.enqueue(async () => {
            const present = new Set(pods.map((p) => p.metadata?.uid ?? ''));
            for (const [uid, p] of this.rawPods) {
              if (p.metadata?.namespace === ns && !present.has(uid)) {
                this.rawPods.delete(uid);
                this.matched.delete(uid);
              }
            }
            for (const p of pods) await this.consider(p, true);
            this.emit();
          }),
        onUpsert: (pod) =>
          this.enqueue(async () => {
            await this.consider(pod, true);
            this.emit();
          }),
        onDelete: (pod) =>
          this.enqueue(async () => {
            const uid = pod.metadata?.uid ?? '';
            this.rawPods.delete(uid);
            for (const key of [...this.lastIds.keys()]) if (key.startsWith(`${uid}/`)) this.lastIds.delete(key);
            if (this.matched.delete(uid)) this.emit();
          }),
        onHealth: (p) => this.handlers.onHealth?.(p),
      }, { timeoutSeconds: this.options.watchTimeoutSeconds });
      this.watches.set(ns, w);
      starts.push(w.start());
    }
    await Promise.all(starts);
    await this.queue;
  }

  private enqueue(fn: () => Promise<void>): void {
    this.queue = this.queue.then(fn).catch((err: unknown) => this.handlers.onHealth?.(`pod discovery: ${err instanceof Error ? err.message : String(err)}`));
  }

  private emit(): void {
    if (!this.stopped) this.handlers.onPods?.(this.pods());
  }

  private async consider(pod: V1Pod, detectRestarts: boolean): Promise<void> {
    const uid = pod.metadata?.uid ?? '';
    this.rawPods.set(uid, pod);
    const ancestors = await this.ancestors(pod);
    if (!this.matches(pod, ancestors)) {
      this.matched.delete(uid);
      return;
    }
    const info = podInfo(pod, ancestors);
    if (detectRestarts) this.detectRestarts(info);
    this.matched.set(uid, info);
  }

  private matches(pod: V1Pod, ancestors: string[]): boolean {
    const labels = pod.metadata?.labels;
    const ns = pod.metadata?.namespace;
    if ((this.spec.extraPodSelectors ?? []).some((sel) => labelsMatch(labels, sel))) return true;
    if (this.spec.discoveryStrategy === 'selectors-only') return false;
    const uid = pod.metadata?.uid ?? '';
    for (const a of this.spec.applied) {
      if (a.uid && (a.uid === uid || ancestors.includes(a.uid))) return true;
      const tl = templateLabels(a.object);
      if (tl && a.namespace === ns && labelsMatch(labels, tl)) return true;
    }
    return false;
  }

  /** Owner UIDs up the chain (reads ReplicaSets/Jobs once; cached by UID). */
  private async ancestors(pod: V1Pod): Promise<string[]> {
    const out: string[] = [];
    let refs = pod.metadata?.ownerReferences ?? [];
    const ns = pod.metadata?.namespace;
    for (let depth = 0; depth < 4 && refs.length > 0; depth++) {
      const next: V1OwnerReference[] = [];
      for (const r of refs) {
        out.push(r.uid);
        if (this.spec.applied.some((a) => a.uid === r.uid)) continue; // found: no need to go higher
        let cached = this.ownerCache.get(r.uid);
        if (cached === undefined) {
          cached = await this.lookupOwners(r, ns);
          if (cached) this.ownerCache.set(r.uid, cached); // transient failures are retried on the next event
        }
        if (cached) next.push(...cached.owners);
      }
      refs = next;
    }
    return out;
  }

  private async lookupOwners(ref: V1OwnerReference, namespace: string | undefined): Promise<OwnerLookup | null> {
    try {
      const obj = await this.client.objects.read({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace } });
      return { owners: obj.metadata?.ownerReferences ?? [] };
    } catch (err) {
      // Gone or not readable: treat as a root (a 404 is cached too; the UID will never come back).
      return httpStatus(err) === 404 || httpStatus(err) === 403 ? { owners: [] } : null;
    }
  }

  private detectRestarts(info: PodInfo): void {
    for (const c of info.containers) {
      if (!c.id) continue;
      const key = `${info.uid}/${c.name}`;
      const prev = this.lastIds.get(key);
      this.lastIds.set(key, c.id);
      if (prev && prev !== c.id) {
        const raw = [...(info.raw.status?.containerStatuses ?? []), ...(info.raw.status?.initContainerStatuses ?? [])].find((s) => s.name === c.name);
        this.handlers.onRestart?.({ pod: info.name, namespace: info.namespace, container: c.name, previousId: prev, newId: c.id, restartCount: c.restartCount, lastReason: raw?.lastState?.terminated?.reason });
      }
    }
  }
}
