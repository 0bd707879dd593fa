// The production guard: only deploy to a kube context that is a local dev cluster, or one that is explicitly
// allowed (allow_k8s_contexts() in the Tiltfile, or INNERLOOP_ALLOW_K8S_CONTEXTS in the environment). Anything
// else is refused with a message that names the context and says exactly how to allow it.
//
// "Local" is decided as Tilt does: from the kubeconfig's identity of the cluster (the names kind, k3d,
// minikube, Docker Desktop, Rancher Desktop, microk8s, crc, OrbStack, Colima and krucible give their clusters),
// NEVER from a loopback server URL alone: an SSH tunnel, `kubectl proxy` or an IAP/Teleport proxy to a
// production cluster is on 127.0.0.1 too. Unlike Tilt, a local-looking name is not enough either when the
// server is plainly somewhere else (a `kind-prod` context pointing at a cloud endpoint).

import { isIP } from 'node:net';

/** The environment variable that allows contexts like allow_k8s_contexts() does (comma-separated names). */
export const ALLOW_CONTEXTS_ENV = 'INNERLOOP_ALLOW_K8S_CONTEXTS';

/** What the kubeconfig says about the context in use. */
export interface KubeIdentity {
  context: string;
  /** The context's cluster entry name (kind names it kind-NAME, crc api-crc-testing:6443, …). */
  cluster?: string;
  /** API server URL of that cluster. */
  server?: string;
}

export interface ContextCheck {
  allowed: boolean;
  /** Why: "allowed by allow_k8s_contexts", "a kind cluster", … or the refusal text. */
  reason: string;
}

/** Cluster (or, without one, context) names local cluster tools create, by product. */
const LOCAL_PRODUCTS: ReadonlyArray<[product: string, name: RegExp]> = [
  ['kind', /^kind(-|$)/],
  ['k3d', /^k3d-/],
  ['minikube', /^minikube/],
  ['Docker Desktop', /^docker-(for-)?desktop/],
  ['Rancher Desktop', /^rancher-desktop/],
  ['microk8s', /^microk8s/],
  ['crc', /^(crc(-|$)|api-crc-testing)/],
  ['OrbStack', /^orbstack/],
  ['Colima', /^colima/],
  ['krucible', /^krucible-/],
];

/** Is the API server URL's host on this machine (127.0.0.0/8, ::1, localhost)? Never enough to call it local. */
export function isLoopbackServer(server: string | undefined): boolean {
  const host = serverHost(server);
  if (host === undefined) return false;
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(host);
  return false;
}

function serverHost(server: string | undefined): string | undefined {
  if (!server) return undefined;
  try {
    return new URL(server.includes('://') ? server : `https://${server}`).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * Could this server be a cluster on this machine or a VM it runs? Loopback, private and link-local addresses,
 * and host names that only resolve locally (single label, .local, .internal, .localhost, crc's .testing).
 * Anything else (a public address, a cloud DNS name) plainly is not a local cluster.
 */
export function isPlausiblyLocalServer(server: string | undefined): boolean {
  if (server === undefined) return true;
  const host = serverHost(server);
  if (host === undefined) return false;
  if (isLoopbackServer(server)) return true;
  if (isIP(host) === 4) {
    const [a, b] = host.split('.').map(Number) as [number, number];
    return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254);
  }
  if (isIP(host) === 6) return /^f[cd]/.test(host) || /^fe[89ab]/.test(host);
  return !host.includes('.') || /\.(local|internal|localhost|testing|lan|home\.arpa)$/.test(host);
}

/** The local cluster product the kubeconfig identity names, or undefined. */
export function localProduct(id: KubeIdentity): string | undefined {
  // Tilt keys on the cluster entry's name; a context name is what a user renames freely, so it only counts
  // when the kubeconfig gives no cluster name.
  const name = id.cluster || id.context;
  return LOCAL_PRODUCTS.find(([, re]) => re.test(name))?.[0];
}

/** Local as Tilt decides it (the cluster's identity), and not contradicted by a server plainly elsewhere. */
export function isLocalCluster(id: KubeIdentity): boolean {
  return localProduct(id) !== undefined && isPlausiblyLocalServer(id.server);
}

/** The identity of a loaded kubeconfig context (a KubeClient: context, its cluster entry, server). */
export function identityOf(c: { context: string; server: string; kc: { getCurrentCluster(): { name: string } | null } }): KubeIdentity {
  return { context: c.context, cluster: c.kc.getCurrentCluster()?.name, server: c.server };
}

/** Names from INNERLOOP_ALLOW_K8S_CONTEXTS (comma-separated, spaces ignored). */
export function envAllowedContexts(env: Record<string, string | undefined> = process.env): string[] {
  return (env[ALLOW_CONTEXTS_ENV] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

export function checkKubeContext(id: KubeIdentity, allowedContexts: readonly string[], env: Record<string, string | undefined> = process.env): ContextCheck {
  const { context, server } = id;
  if (allowedContexts.includes(context)) return { allowed: true, reason: `allowed by allow_k8s_contexts('${context}')` };
  if (envAllowedContexts(env).includes(context)) return { allowed: true, reason: `allowed by ${ALLOW_CONTEXTS_ENV}` };
  const product = localProduct(id);
  if (product && isPlausiblyLocalServer(server)) return { allowed: true, reason: `"${context}" is a local ${product} cluster` };
  return { allowed: false, reason: refusalMessage(id, product) };
}

export function refusalMessage(id: KubeIdentity, product?: string): string {
  const { context, server } = id;
  const where = server ? ` (API server ${server})` : '';
  const why = product
    ? `it is named like a ${product} cluster, but its API server is not on this machine or a local VM, so it might be shared or production.`
    : isLoopbackServer(server)
      ? 'its API server is on this machine, but that is also how an SSH tunnel, kubectl proxy or an access proxy to a remote cluster looks, and the kubeconfig does not name a local cluster, so it might be shared or production.'
      : 'it does not look like a local development cluster, so it might be shared or production.';
  return [
    `Refusing to deploy to kube context "${context}"${where}: ${why}`,
    `If this is intended, allow it in your Tiltfile:`,
    `    allow_k8s_contexts('${context}')`,
    `or in the environment: ${ALLOW_CONTEXTS_ENV}=${context}`,
    `or switch to a local cluster: kubectl config use-context <kind-…|k3d-…|minikube|docker-desktop|…>`,
  ].join('\n');
}
