// The engine's typed state, shared read-only with the editor and the webview.
// Plain JSON-serialisable data (no Maps, no classes) so a snapshot can be posted to a webview as is.

import type { Diagnostic, Resource, TriggerMode } from '../tiltfile/plan';

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
}

export interface ResourceState {
  name: string;
  type: ResourceType;
  labels: string[];
  triggerMode: TriggerMode;
  autoInit: boolean;
  updateStatus: UpdateStatus;
  runtimeStatus: RuntimeStatus;
  /** Why the resource is not updating right now, user-visible ("waiting on db"); undefined when not waiting. */
  waitingReason?: string;
  /** Changed files not yet built (absolute paths). In manual mode these wait for a trigger. */
  pendingChanges: string[];
  /** Epoch ms of the oldest pending change (scheduling order: oldest first). */
  pendingSince?: number;
  /** The user asked for an update (trigger button / command) that has not started yet. */
  triggered: boolean;
  currentBuild?: BuildRecord;
  lastBuild?: BuildRecord;
  /** Most recent first, bounded by the store. */
  buildHistory: BuildRecord[];
  pods: PodStatus[];
  /** URLs to open (links + port-forwards). */
  endpoints: string[];
  portForwards: PortForwardStatus[];
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
export function initialResourceState(r: Pick<Resource, 'name' | 'type' | 'labels' | 'triggerMode' | 'autoInit'> & { serveCmd?: { command: string[] } }): ResourceState {
  const hasRuntime = r.type !== 'local' || (r.serveCmd?.command.length ?? 0) > 0;
  return {
    name: r.name,
    type: r.type,
    labels: [...r.labels],
    triggerMode: r.triggerMode,
    autoInit: r.autoInit,
    updateStatus: r.autoInit ? 'pending' : 'none',
    runtimeStatus: hasRuntime ? 'unknown' : 'not_applicable',
    pendingChanges: [],
    triggered: false,
    buildHistory: [],
    pods: [],
    endpoints: [],
    portForwards: [],
    disabled: false,
  };
}

export function initialSessionState(): SessionState {
  return { tiltfile: { status: 'none', diagnostics: [] }, k8s: {} };
}
