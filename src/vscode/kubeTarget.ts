// Which kube context and namespace the editor's engine uses or would use, and whether that context counts as
// local. No 'vscode' import (unit-tested): a kubeconfig file read, no network.
import { loadKubeClient } from '../engine/k8s/client';
import { identityOf, isLocalCluster, type KubeIdentity } from '../engine/safety';
import type { DeepReadonly, SessionState } from '../shared/state';

export interface KubeTarget {
  context: string;
  namespace: string;
  /** A local dev cluster by name or loopback API server; false means allowed only by allow_k8s_contexts. */
  local: boolean;
  /** Set when the context cannot be read or the engine refused it. */
  error?: string;
}

export interface KubeSettings {
  kubeconfig: string;
  context: string;
  namespace: string;
}

/** From the running engine's session state when it has connected, else from the kubeconfig and settings. */
export function kubeTarget(settings: KubeSettings, running?: DeepReadonly<SessionState>): KubeTarget | { none: string } {
  let id: KubeIdentity | undefined;
  let context: string | undefined = running?.k8s.context;
  let namespace: string | undefined = running?.k8s.namespace;
  try {
    const c = loadKubeClient({ kubeconfigPath: settings.kubeconfig || undefined, context: context ?? (settings.context || undefined) });
    context ??= c.context;
    namespace ??= settings.namespace || c.namespace;
    id = identityOf(c);
  } catch (e) {
    if (!context) return { none: e instanceof Error ? e.message : String(e) };
  }
  return { context, namespace: namespace ?? 'default', local: id !== undefined && isLocalCluster(id), error: running?.k8s.error };
}

/** The status bar text and tooltip for a target. */
export function contextLabel(t: KubeTarget): { text: string; tooltip: string; warn: boolean } {
  const where = `kube context "${t.context}", namespace "${t.namespace}"`;
  if (t.error) return { text: `$(error) ${t.context}/${t.namespace}`, tooltip: `${where}\n${t.error}`, warn: true };
  if (!t.local) return { text: `$(warning) ${t.context}/${t.namespace}`, tooltip: `${where}\nNot a local cluster: the Tiltfile allows it with allow_k8s_contexts(). Deploys go to a shared cluster.`, warn: true };
  return { text: `$(server-environment) ${t.context}/${t.namespace}`, tooltip: `${where} (local cluster)`, warn: false };
}
