// Typed messages between the dashboard webview (src/webview/) and the extension host (src/vscode/dashboard/).
// Plain JSON both ways, discriminated by `type`. Both sides validate what they receive with the is*() guards:
// the webview's messages are untrusted input to the host, and the host's are checked so a stale webview
// (older bundle restored from a previous session) ignores shapes it does not know.

import type { RuntimeStatus, UpdateStatus } from './state';
import type { Endpoint, ResourceStatus } from './status';

export type { Endpoint, ResourceStatus };

/** One resource as the tree shows it. */
export interface ResourceView {
  name: string;
  status: ResourceStatus;
  /** Short text next to the name: "building", "waiting on db", "CrashLoopBackOff", "2 changes pending (manual)". */
  description: string;
  /** Lines for the hover. */
  tooltip: string[];
  /** Endpoints (Tiltfile links, port forwards, published ports), in display order (shared/status.ts). */
  endpoints: Endpoint[];
  /** Manual trigger mode with work waiting: the tree shows a trigger affordance. */
  needsTrigger: boolean;
  labels: string[];
  /** The resources it waits for (a typed hold reason), so a surface can reveal them. */
  waitingFor?: string[];
}

/** One dashboard row: what the tree shows plus build and runtime details. */
export interface DashboardRow extends ResourceView {
  type: string;
  triggerMode: 'auto' | 'manual';
  updateStatus: UpdateStatus;
  runtimeStatus: RuntimeStatus;
  /** Changed files waiting for an update (in manual mode: for a trigger). */
  pendingChanges: number;
  /** Last finished build: how long it took, when it ended (epoch ms), first error line. */
  lastBuild?: { durationMs: number; finishedAt: number; error?: string; kind: string };
  pods: Array<{ name: string; status: string; ready: boolean; restarts: number }>;
  /** A debugger port is forwarded (same discovery as Attach Debugger): the row offers Attach. */
  debuggable: boolean;
}

export interface DashboardGroup {
  label: string;
  names: string[];
  status: ResourceStatus;
}

export interface DashboardModel {
  running: boolean;
  counts: Record<ResourceStatus, number>;
  total: number;
  tiltfileError?: string;
  rows: DashboardRow[];
  /** Label groups like Tilt's UI; absent when no resource has a label (flat list). */
  groups?: DashboardGroup[];
}

/** Log line sources and levels as sent on the wire (single letters: a million lines cross postMessage). */
export type WireSource = 'b' | 'r' | 's';
export type WireLevel = 'i' | 'w' | 'e';

/**
 * A batch of log lines in columns: `res[i]` indexes `resources`, `src`/`lvl` are one letter per line.
 * Columns keep structured-clone cost and webview memory low compared with one object per line.
 */
export interface LogBatch {
  resources: string[];
  res: number[];
  src: string;
  lvl: string;
  text: string[];
}

/** Host → webview. */
export type HostMessage =
  /** The whole model, projected on the host; sent after `ready` and (throttled) after every store change. */
  | { type: 'state'; model: DashboardModel }
  /** Log lines in arrival order; `reset` drops what the webview holds first (new session or reload). */
  | { type: 'logs'; reset: boolean; batch: LogBatch };

/** Webview → host. */
export type WebviewMessage =
  /** The page has loaded and listens; the host answers with `state` and every log line it has. */
  | { type: 'ready' }
  | { type: 'trigger'; resource: string }
  | { type: 'showLogs'; resource: string }
  | { type: 'openEndpoint'; url: string }
  /** Runs Attach Debugger for the resource. */
  | { type: 'attach'; resource: string };

export const WEBVIEW_MESSAGE_TYPES = ['ready', 'trigger', 'showLogs', 'openEndpoint', 'attach'] as const satisfies readonly WebviewMessage['type'][];
export const HOST_MESSAGE_TYPES = ['state', 'logs'] as const satisfies readonly HostMessage['type'][];

function record(m: unknown): Record<string, unknown> | undefined {
  return typeof m === 'object' && m !== null ? (m as Record<string, unknown>) : undefined;
}

/** Validates an untrusted message from the webview. */
export function isWebviewMessage(m: unknown): m is WebviewMessage {
  const o = record(m);
  switch (o?.type) {
    case 'ready':
      return true;
    case 'trigger':
    case 'showLogs':
    case 'attach':
      return typeof o.resource === 'string' && o.resource.length > 0;
    case 'openEndpoint':
      return typeof o.url === 'string' && /^https?:\/\//.test(o.url);
    default:
      return false;
  }
}

function isLogBatch(b: unknown): b is LogBatch {
  const o = record(b);
  if (!o || !Array.isArray(o.resources) || !Array.isArray(o.res) || !Array.isArray(o.text)) return false;
  if (typeof o.src !== 'string' || typeof o.lvl !== 'string') return false;
  const n = o.text.length;
  return o.res.length === n && o.src.length === n && o.lvl.length === n;
}

/** Validates a message from the host (shape only; the model's fields are trusted host output). */
export function isHostMessage(m: unknown): m is HostMessage {
  const o = record(m);
  switch (o?.type) {
    case 'state': {
      const model = record(o.model);
      return model !== undefined && typeof model.running === 'boolean' && Array.isArray(model.rows);
    }
    case 'logs':
      return typeof o.reset === 'boolean' && isLogBatch(o.batch);
    default:
      return false;
  }
}

/** Narrowing helper for either direction: is(m, 'logs') etc. */
export function is<T extends HostMessage['type']>(m: HostMessage, type: T): m is Extract<HostMessage, { type: T }>;
export function is<T extends WebviewMessage['type']>(m: WebviewMessage, type: T): m is Extract<WebviewMessage, { type: T }>;
export function is(m: { type: string }, type: string): boolean {
  return m.type === type;
}

const SOURCE_CODE = { build: 'b', runtime: 'r', system: 's' } as const;
const LEVEL_CODE = { info: 'i', warn: 'w', error: 'e' } as const;

/** Packs log lines into one batch (host side). */
export function packLogBatch(lines: ReadonlyArray<{ resource: string; source: keyof typeof SOURCE_CODE; level: keyof typeof LEVEL_CODE; text: string }>): LogBatch {
  const index = new Map<string, number>();
  const resources: string[] = [];
  const res: number[] = new Array<number>(lines.length);
  const text: string[] = new Array<string>(lines.length);
  let src = '';
  let lvl = '';
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    let r = index.get(l.resource);
    if (r === undefined) {
      r = resources.length;
      resources.push(l.resource);
      index.set(l.resource, r);
    }
    res[i] = r;
    text[i] = l.text;
    src += SOURCE_CODE[l.source];
    lvl += LEVEL_CODE[l.level];
  }
  return { resources, res, src, lvl, text };
}
