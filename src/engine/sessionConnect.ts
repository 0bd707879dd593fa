// Connecting a session to its cluster, once, BEFORE anything is built or deployed: the kube context must be local
// or allowed (safety.ts), the API server reachable (connectKube, all `down` needs); then the registry is
// discovered and the Docker image and Kubernetes adapters are created. The outcome is reported to the store as actions.

import type Dockerode from 'dockerode';
import type { Plan } from '../shared/plan';
import type { EngineAction } from './actions';
import { DockerImageAdapter } from './adapters/images';
import { KubeAdapter, type KubeSink } from './adapters/kube';
import { checkReachable, loadKubeClient, type KubeClient } from './k8s/client';
import { discoverLocalRegistry, targetRegistry, type TargetRegistry } from './k8s/registry';
import { checkKubeContext, identityOf } from './safety';

export interface ConnectSettings {
  kubeconfigPath?: string;
  context?: string;
  namespace?: string;
  /** Session start: pod logs older than this are not shown. */
  since: Date;
  now(): number;
  docker(): Promise<Dockerode>;
  dispatch(a: EngineAction): void;
  sink: KubeSink;
  log: { info(msg: string): void };
}

export interface Connection {
  client: KubeClient;
  kube: KubeAdapter;
  images: DockerImageAdapter;
  registry: TargetRegistry | undefined;
}

const REACHABLE_TIMEOUT_MS = 10_000;

/** A client whose GET /version started before the Tiltfile was loaded (earlyKube). */
export interface EarlyKube {
  /** The context option it was made for. */
  context: string | undefined;
  client: KubeClient;
  reachable: Promise<unknown>;
  /** Abandon it (the request in flight is aborted: it must not keep the process alive). */
  cancel(): void;
}

/**
 * `down` opens its connection while the Tiltfile loads, but only to a context the guard allows whatever the
 * Tiltfile says (a local cluster, or one in INNERLOOP_ALLOW_K8S_CONTEXTS): no other cluster hears from us before
 * its allow_k8s_contexts() is known. undefined when there is nothing to start (no kubeconfig, a context to check).
 */
export function earlyKube(o: Pick<ConnectSettings, 'kubeconfigPath' | 'context'>): EarlyKube | undefined {
  let client: KubeClient;
  try {
    client = loadKubeClient({ kubeconfigPath: o.kubeconfigPath, context: o.context });
  } catch {
    return undefined; // connectKube reports it
  }
  if (!checkKubeContext(identityOf(client), []).allowed) return undefined;
  const abort = new AbortController();
  let done = false;
  const reachable = checkReachable(client, REACHABLE_TIMEOUT_MS, client.connections, abort.signal).finally(() => (done = true));
  reachable.catch(() => undefined); // awaited by connectKube, or abandoned
  return { context: o.context, client, reachable, cancel: () => (done ? undefined : abort.abort()) };
}

/**
 * The Kubernetes half of connecting, all that `down` needs: the client, the safety check on its context, and
 * the API server reachable. The client, or the refusal/error text (also recorded in the session state).
 * `early`: the connection earlyKube() opened, used when the plan names no other context.
 */
export async function connectKube(plan: Plan, o: Pick<ConnectSettings, 'kubeconfigPath' | 'context' | 'namespace' | 'dispatch'>, early?: EarlyKube): Promise<{ client: KubeClient; namespace: string } | string> {
  const fail = (error: string): string => {
    o.dispatch({ type: 'cluster_failed', error });
    return error;
  };
  const context = plan.k8s.context ?? o.context;
  const pre = early?.context === context ? early : undefined;
  if (!pre) early?.cancel();
  let client: KubeClient;
  try {
    client = pre?.client ?? loadKubeClient({ kubeconfigPath: o.kubeconfigPath, context });
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  }
  const check = checkKubeContext(identityOf(client), plan.k8s.allowedContexts);
  const namespace = o.namespace || plan.k8s.namespace || client.namespace;
  o.dispatch({ type: 'cluster_checked', k8s: { context: client.context, namespace, allowed: check.allowed, error: check.allowed ? undefined : check.reason } });
  if (!check.allowed) return check.reason;
  try {
    await (pre?.reachable ?? checkReachable(client, REACHABLE_TIMEOUT_MS));
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  }
  return { client, namespace };
}

/** Connect for `plan`: the connection, or the refusal/error text (also recorded in the session state). */
export async function connectCluster(plan: Plan, o: ConnectSettings): Promise<Connection | string> {
  const k = await connectKube(plan, o);
  if (typeof k === 'string') return k;
  const { client, namespace } = k;
  const disc = await discoverLocalRegistry(client);
  const registry = targetRegistry(disc.kind === 'found' ? disc.registry : undefined, plan.k8s.defaultRegistry);
  const docker = await o.docker();
  const clusterUsesLocalDocker = await nodesUseLocalDocker(client, docker);
  o.log.info(`cluster ${client.context} (${client.server}); registry ${registry?.host ?? 'none'}${clusterUsesLocalDocker ? '; nodes use this Docker daemon' : ''}`);
  const images = new DockerImageAdapter({ docker, registry: () => registry, clusterUsesLocalDocker, now: o.now, tiltfile: () => plan.tiltfile });
  const kube = new KubeAdapter({ client, namespace, registry: () => registry, since: o.since, sink: o.sink });
  return { client, kube, images, registry };
}

/** Docker Desktop / minikube docker-env style clusters: the node's runtime is the daemon we build with. */
async function nodesUseLocalDocker(client: KubeClient, docker: Dockerode): Promise<boolean> {
  try {
    const nodes = await client.core.listNode();
    const info = await docker.info() as { Name?: string };
    return nodes.items.length > 0 && nodes.items.every((n) => (n.status?.nodeInfo?.containerRuntimeVersion ?? '').startsWith('docker://') && n.metadata?.name === info.Name);
  } catch {
    return false;
  }
}
