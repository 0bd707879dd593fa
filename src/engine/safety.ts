// The production guard: only deploy to a kube context that is obviously a local dev cluster, or one the
// Tiltfile explicitly allows with allow_k8s_contexts(). Anything else is refused with a message that names the
// context and says exactly how to allow it.

import { isIP } from 'node:net';

/** Context names local cluster tools create (exact names, or prefixes ending in "-"). */
const LOCAL_CONTEXT_NAMES = ['minikube', 'docker-desktop', 'docker-for-desktop', 'microk8s', 'rancher-desktop', 'orbstack', 'colima', 'crc-admin', 'crc-developer'];
const LOCAL_CONTEXT_PREFIXES = ['kind-', 'k3d-', 'krucible-'];

export interface ContextCheck {
  allowed: boolean;
  /** Why: "kind cluster", "API server on loopback (127.0.0.1)", "allow_k8s_contexts", or the refusal text. */
  reason: string;
}

/** Is the API server URL's host on this machine (127.0.0.0/8, ::1, localhost)? */
export function isLoopbackServer(server: string | undefined): boolean {
  if (!server) return false;
  let host: string;
  try {
    host = new URL(server.includes('://') ? server : `https://${server}`).hostname;
  } catch {
    return false;
  }
  host = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(host);
  return false;
}

export function isLocalContextName(name: string): boolean {
  return LOCAL_CONTEXT_NAMES.includes(name) || LOCAL_CONTEXT_PREFIXES.some((p) => name.startsWith(p));
}

export function checkKubeContext(context: string, server: string | undefined, allowedContexts: readonly string[]): ContextCheck {
  if (allowedContexts.includes(context)) return { allowed: true, reason: `allowed by allow_k8s_contexts('${context}')` };
  if (isLocalContextName(context)) return { allowed: true, reason: `"${context}" is a local cluster` };
  if (isLoopbackServer(server)) return { allowed: true, reason: `the API server of "${context}" is on this machine (${server})` };
  return { allowed: false, reason: refusalMessage(context, server) };
}

export function refusalMessage(context: string, server: string | undefined): string {
  const where = server ? ` (API server ${server})` : '';
  return [
    `Refusing to deploy to kube context "${context}"${where}: it does not look like a local development cluster, so it might be shared or production.`,
    `If this is intended, allow it in your Tiltfile:`,
    `    allow_k8s_contexts('${context}')`,
    `or switch to a local cluster: kubectl config use-context <kind-…|k3d-…|minikube|docker-desktop|…>`,
  ].join('\n');
}
