// Where images go: the cluster's advertised local registry (KEP-1755 ConfigMap kube-public/local-registry-hosting),
// and Tilt's default_registry renaming. When the registry is reached under another name from the container runtime
// (kind: push to localhost:5001, the node pulls kind-registry:5000), we push to `host` and reference
// `hostFromContainerRuntime` in manifests.

import { parseYamlStream } from '../../tiltfile/yaml';
import type { KubeClient } from './client';
import { describeError, httpStatus } from './errors';

export interface LocalRegistry {
  /** Where the developer's machine pushes, e.g. localhost:5000. */
  host: string;
  /** How pods reach it over the cluster network (informational). */
  hostFromClusterNetwork?: string;
  /** How the container runtime (kubelet pulls) reaches it; manifests use this. */
  hostFromContainerRuntime?: string;
  /** URL with setup docs. */
  help?: string;
}

export type RegistryDiscovery =
  | { kind: 'found'; registry: LocalRegistry }
  | { kind: 'none'; reason: string }
  | { kind: 'error'; message: string };

/** Parse the `localRegistryHosting.v1` value (YAML). Returns undefined when it has no host. */
export function parseLocalRegistryHosting(text: string): LocalRegistry | undefined {
  let doc: unknown;
  try {
    doc = parseYamlStream(text, 'localRegistryHosting.v1')[0];
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null) return undefined;
  const rec = doc as Record<string, unknown>;
  const str = (k: string): string | undefined => (typeof rec[k] === 'string' && (rec[k] as string).trim() ? (rec[k] as string).trim() : undefined);
  const host = str('host');
  const help = str('help');
  if (!host) return undefined;
  return { host, hostFromClusterNetwork: str('hostFromClusterNetwork'), hostFromContainerRuntime: str('hostFromContainerRuntime'), help };
}

/** Read kube-public/local-registry-hosting. Forbidden / NotFound mean "no registry advertised", not an error. */
export async function discoverLocalRegistry(client: KubeClient): Promise<RegistryDiscovery> {
  try {
    const cm = await client.core.readNamespacedConfigMap({ name: 'local-registry-hosting', namespace: 'kube-public' });
    const text = cm.data?.['localRegistryHosting.v1'];
    if (!text) return { kind: 'none', reason: 'ConfigMap kube-public/local-registry-hosting has no localRegistryHosting.v1 key' };
    const registry = parseLocalRegistryHosting(text);
    if (!registry) return { kind: 'none', reason: 'localRegistryHosting.v1 has no host' };
    return { kind: 'found', registry };
  } catch (err) {
    const status = httpStatus(err);
    if (status === 404) return { kind: 'none', reason: 'the cluster does not advertise a local registry (no ConfigMap kube-public/local-registry-hosting)' };
    if (status === 403) return { kind: 'none', reason: 'not allowed to read kube-public/local-registry-hosting' };
    return { kind: 'error', message: `reading kube-public/local-registry-hosting failed: ${describeError(err)}` };
  }
}

/** A registry to rename images into: discovered (wins, as in Tilt) or from default_registry(). */
export interface TargetRegistry {
  /** Push here. */
  host: string;
  /** Reference this in manifests, when different from host. */
  hostFromCluster?: string;
  /** default_registry(single_name=...): every image goes to host/single_name. */
  singleName?: string;
}

export function targetRegistry(discovered: LocalRegistry | undefined, defaultRegistry?: TargetRegistry): TargetRegistry | undefined {
  if (discovered) {
    const fromRuntime = discovered.hostFromContainerRuntime;
    return { host: discovered.host, hostFromCluster: fromRuntime && fromRuntime !== discovered.host ? fromRuntime : undefined, singleName: defaultRegistry?.singleName };
  }
  return defaultRegistry && defaultRegistry.host ? defaultRegistry : undefined;
}

export interface ImageRefs {
  /** Ref to tag and push from the developer's machine. */
  pushRef: string;
  /** Ref written into manifests (what the kubelet pulls). */
  clusterRef: string;
}

/** Split "name[:tag][@digest]" (a ':' after the last '/' is a tag, before it a registry port). */
function splitRef(ref: string): { name: string; suffix: string } {
  const at = ref.indexOf('@');
  const withoutDigest = at >= 0 ? ref.slice(0, at) : ref;
  const digest = at >= 0 ? ref.slice(at) : '';
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  if (colon > slash) return { name: withoutDigest.slice(0, colon), suffix: withoutDigest.slice(colon) + digest };
  return { name: withoutDigest, suffix: digest };
}

/** docker.io/library/x -> x, docker.io/u/x -> u/x (the "familiar" name users write). */
function familiarName(name: string): string {
  return name.replace(/^(?:docker\.io|index\.docker\.io)\/(?:library\/)?/, '');
}

/**
 * Tilt's default_registry rules for an image ref (tag/digest kept): names already under the registry host are left
 * alone; otherwise `/` becomes `_` and the host is prefixed (`gcr.io/a/b` -> `localhost:5000/gcr.io_a_b`), or with
 * single_name every image becomes `host/single_name`. Without a registry the ref is used as is.
 */
export function clusterRefFor(ref: string, registry: TargetRegistry | undefined): ImageRefs {
  if (!registry || !registry.host) return { pushRef: ref, clusterRef: ref };
  const { name, suffix } = splitRef(ref);
  const fam = familiarName(name);
  const host = registry.host.replace(/\/+$/, '');
  const clusterHost = (registry.hostFromCluster || host).replace(/\/+$/, '');
  let rest: string;
  if (registry.singleName) rest = registry.singleName;
  else if (fam.startsWith(`${host}/`)) rest = fam.slice(host.length + 1);
  else if (registry.hostFromCluster && fam.startsWith(`${clusterHost}/`)) rest = fam.slice(clusterHost.length + 1);
  else rest = fam.replace(/\//g, '_');
  return { pushRef: `${host}/${rest}${suffix}`, clusterRef: `${clusterHost}/${rest}${suffix}` };
}
