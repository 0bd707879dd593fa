// The engine's typed state, shared read-only with the editor and the webview.
// Plain JSON-serialisable data (no Maps, no classes) so a snapshot can be posted to a webview as is.

import type { Diagnostic, Link, Resource, TriggerMode } from './plan';

export type UpdateStatus = 'none' | 'pending' | 'in_progress' | 'ok' | 'error';
export type RuntimeStatus = 'unknown' | 'none' | 'pending' | 'ok' | 'error' | 'not_applicable';
export type ResourceType = Resource['type'];
export type BuildKind = 'full' | 'live_update';

/** Recursively read-only view; what subscribers and UIs receive. */
export type DeepReadonly<T> = T extends (infer E)[]
  ? ReadonlyArray<DeepReadonly<E>>
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

export interface BuildRecord {
  /** Epoch milliseconds. */
  startTime: number;
  finishTime?: number;
  /** User-visible error text; undefined = success (or still running). */
  error?: string;
  kind: BuildKind;
  /** Why this build ran: "initial build", "2 files changed", "triggered", or a live-update fallback reason. */
  reason?: string;
  /** Files that caused this build (absolute paths), possibly truncated by the engine. */
  edits?: string[];
  warnings?: string[];
}

/** A changed file waiting for an update, routed once by the watcher. */
export interface PendingChange {
  /** Absolute path. */
  path: string;
  /** Refs of the resource's images whose watch target saw it (empty for a local resource's deps). */
  images: string[];
}

export interface ContainerStatus {
  name: string;
  id?: string;
  image?: string;
  ready: boolean;
  restarts: number;
  state: 'waiting' | 'running' | 'terminated' | 'unknown';
  /** e.g. CrashLoopBackOff, ErrImagePull, Completed. */
  reason?: string;
  /** The kubelet's message for that reason (e.g. 'configmap "app" not found'); ci prints it while waiting. */
  message?: string;
}

export interface PodStatus {
  name: string;
  namespace?: string;
  /** Pod phase or a more specific reason (e.g. "CrashLoopBackOff"). */
  status: string;
  ready: boolean;
  restarts: number;
  containers: ContainerStatus[];
  /** Epoch milliseconds. */
  createdAt?: number;
}

export type PortForwardPhase = 'connecting' | 'active' | 'reconnecting' | 'error';

export interface PortForwardStatus {
  localPort: number;
  containerPort: number;
  host?: string;
  podName?: string;
  state: PortForwardPhase;
  error?: string;
  /** From the Tiltfile's port_forward(name=, link_path=): how the endpoint is shown. */
  name?: string;
  linkPath?: string;
}

/** A port a Compose service publishes on this machine (shown as an endpoint, like Tilt's inferred links). */
export interface PublishedPort {
  host?: string;
  port: number;
}

/** Why a resource is not updating right now. Typed so surfaces can act on it ("waiting for todo-api" → reveal it). */
export type HoldKind =
  /** auto_init=False, or manual trigger mode with changes: only a trigger starts it. */
  | 'manual_trigger'
  /** All updates hold while the Tiltfile re-executes. */
  | 'tiltfile_loading'
  /** `resources` are building and this one may not run beside them (serial local resources). */
  | 'serial_local'
  /** max_parallel_updates reached. */
  | 'build_slot'
  /** resource_deps not ready yet (first update only). */
  | 'dependency'
  /** Kubernetes resources wait for the first apply of the uncategorized objects (namespaces, CRDs). */
  | 'uncategorized';

export interface HoldReason {
  kind: HoldKind;
  /** The resources it waits for, when it waits for resources. */
  resources: string[];
  /** User-visible: "waiting on db", "waiting for build slot". */
  words: string;
}

export interface ResourceState {
  name: string;
  type: ResourceType;
  labels: string[];
  triggerMode: TriggerMode;
  autoInit: boolean;
  runtimeStatus: RuntimeStatus;
  /** Why the resource is not updating right now; undefined when not waiting. */
  hold?: HoldReason;
  /** Changed files not yet built, as the watcher routed them. In manual mode these wait for a trigger. */
  pendingChanges: PendingChange[];
  /** Epoch ms of the oldest pending change (scheduling order: oldest first). */
  pendingSince?: number;
  /** The user asked for an update (trigger button / command) that has not started yet. */
  triggered: boolean;
  currentBuild?: BuildRecord;
  /** Finished builds, most recent first (the first is the last build: shared/status.ts lastBuild), bounded. */
  buildHistory: BuildRecord[];
  pods: PodStatus[];
  /** links= from the Tiltfile. Endpoints (links, forwards, published ports) are derived: shared/status.ts. */
  links: Link[];
  portForwards: PortForwardStatus[];
  publishedPorts: PublishedPort[];
  disabled: boolean;
}

export type TiltfileLoadStatus = 'none' | 'loading' | 'ok' | 'error';

export interface SessionState {
  tiltfile: {
    path?: string;
    status: TiltfileLoadStatus;
    error?: string;
    diagnostics: Diagnostic[];
    /** Epoch milliseconds of the last finished load. */
    lastLoadTime?: number;
  };
  k8s: {
    context?: string;
    namespace?: string;
    /** Whether the context was judged local (or explicitly allowed). */
    allowed?: boolean;
    error?: string;
  };
  /** Whether the API server answers, as the session's health check last saw it (absent before any outage). */
  cluster?: ClusterReachability;
}

export interface ClusterReachability {
  reachable: boolean;
  /** Epoch ms of the last change: unreachable since, or back at. */
  since: number;
  /** Why it is unreachable (refused, no answer within N s). */
  error?: string;
  /** When reachable: since when it had been unreachable (the outage just ended). */
  downSince?: number;
}

export interface EngineState {
  session: SessionState;
  /** Resource names in display order (Tiltfile order). */
  order: string[];
  resources: Record<string, ResourceState>;
}

export type EngineSnapshot = DeepReadonly<EngineState>;
export type ResourceSnapshot = DeepReadonly<ResourceState>;

/** What one store change touched, so UIs refresh only that. */
export interface StateChange {
  /** Resources whose state changed (includes added ones). */
  resources: string[];
  added: string[];
  removed: string[];
  /** Session-level state changed. */
  session: boolean;
  /** The resource order changed. */
  order: boolean;
}

/** A fresh resource state with nothing built yet. Local resources have a runtime only with a serve_cmd. */
export function initialResourceState(r: Pick<Resource, 'name' | 'type' | 'labels' | 'triggerMode' | 'autoInit'> & { links?: Resource['links']; serveCmd?: { command: string[] } }): ResourceState {
  const hasRuntime = r.type !== 'local' || (r.serveCmd?.command.length ?? 0) > 0;
  return {
    name: r.name,
    type: r.type,
    labels: [...r.labels],
    triggerMode: r.triggerMode,
    autoInit: r.autoInit,
    runtimeStatus: hasRuntime ? 'unknown' : 'not_applicable',
    pendingChanges: [],
    triggered: false,
    buildHistory: [],
    pods: [],
    links: (r.links ?? []).map((l) => ({ ...l })),
    portForwards: [],
    publishedPorts: [],
    disabled: false,
  };
}

export function initialSessionState(): SessionState {
  return { tiltfile: { status: 'none', diagnostics: [] }, k8s: {} };
}
