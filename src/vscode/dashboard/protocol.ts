// Messages between the dashboard webview (media/dashboard.js) and the extension host. No 'vscode' import.
// The host pushes state snapshots; the webview only sends user intents. media/dashboard.js mirrors these
// shapes in JSDoc; a unit test checks both sides use the same message types.
import type { DashboardModel } from '../resourceModel';

/** Host → webview. */
export type HostMessage =
  /** The whole model, projected on the host; sent after `ready` and (throttled) after every store change. */
  { type: 'state'; model: DashboardModel };

/** Webview → host. */
export type WebviewMessage =
  /** The page has loaded and listens; the host answers with `state`. */
  | { type: 'ready' }
  | { type: 'trigger'; resource: string }
  | { type: 'showLogs'; resource: string }
  | { type: 'openEndpoint'; url: string };

export const WEBVIEW_MESSAGE_TYPES = ['ready', 'trigger', 'showLogs', 'openEndpoint'] as const;
export const HOST_MESSAGE_TYPES = ['state'] as const;

/** Validates an untrusted message from the webview. */
export function isWebviewMessage(m: unknown): m is WebviewMessage {
  if (typeof m !== 'object' || m === null) return false;
  const o = m as Record<string, unknown>;
  switch (o.type) {
    case 'ready':
      return true;
    case 'trigger':
    case 'showLogs':
      return typeof o.resource === 'string' && o.resource.length > 0;
    case 'openEndpoint':
      return typeof o.url === 'string' && /^https?:\/\//.test(o.url);
    default:
      return false;
  }
}
