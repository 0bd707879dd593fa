// Server-side apply of a resource's objects (field manager "innerloop", conflicts forced, in the given order) and
// their deletion for `down` (reverse order, Namespaces kept unless asked, `tilt.dev/down-policy: keep` honoured).

import { PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import type { K8sObject } from '../../tiltfile/plan';
import type { KubeClient } from './client';
import { ApplyError, DeleteError, describeError, httpStatus } from './errors';

export const FIELD_MANAGER = 'innerloop';
export const DOWN_POLICY_ANNOTATION = 'tilt.dev/down-policy';

export interface AppliedObject {
  apiVersion: string;
  kind: string;
  name: string;
  /** Undefined for cluster-scoped objects. */
  namespace?: string;
  uid: string;
  /** The object as the server returned it (spec + status + metadata). */
  object: KubernetesObject;
}

export interface ApplyOptions {
  /** Namespace for namespaced objects that have none; default: the context's namespace. */
  namespace?: string;
  onOutput?: (line: string) => void;
  /** Stop between objects when aborted. */
  signal?: AbortSignal;
}

export function describeObject(o: { kind: string; metadata: { name?: string; namespace?: string } }): string {
  return `${o.kind}/${o.metadata.name ?? '?'}${o.metadata.namespace ? ` in namespace ${o.metadata.namespace}` : ''}`;
}

/** Copy of the object ready to send: namespace defaulted for namespaced kinds, server-owned fields stripped. */
async function prepare(client: KubeClient, obj: K8sObject, namespace: string): Promise<KubernetesObject> {
  const copy = structuredClone(obj) as KubernetesObject & Record<string, unknown>;
  const meta = { ...(copy.metadata ?? {}) };
  delete meta.resourceVersion;
  delete meta.uid;
  delete meta.creationTimestamp;
  delete meta.managedFields;
  delete meta.generation;
  delete copy.status;
  let namespaced: boolean | undefined;
  try {
    namespaced = await client.objects.isNamespaced(obj.apiVersion, obj.kind);
  } catch (err) {
    throw new ApplyError(describeObject(obj), `API discovery for ${obj.apiVersion} failed: ${describeError(err)}`);
  }
  if (namespaced === undefined) {
    throw new ApplyError(describeObject(obj), `the cluster does not know kind ${obj.kind} in ${obj.apiVersion}`, 'install its CustomResourceDefinition first (put the CRD in an earlier resource, or resource_deps on it)');
  }
  if (namespaced && !meta.namespace) meta.namespace = namespace;
  if (!namespaced) delete meta.namespace;
  copy.metadata = meta;
  return copy;
}

const isImmutableFieldError = (err: unknown): boolean => httpStatus(err) === 422 && /field is immutable|may not change once set|Forbidden: updates to .* are forbidden/i.test(describeError(err));

function applyFailure(obj: KubernetesObject, err: unknown): ApplyError {
  const status = httpStatus(err);
  const reason = describeError(err);
  const what = describeObject({ kind: obj.kind ?? '?', metadata: obj.metadata ?? {} });
  let hint: string | undefined;
  if (status === 403) hint = 'your kubeconfig user is not allowed to change this object; check RBAC for the context';
  else if (status === 404 && /namespaces? ".*" not found/i.test(reason)) hint = 'create the namespace first (add a Namespace object to the Tiltfile YAML)';
  else if (status === 422) hint = 'fix the manifest; the API server rejected it';
  else if (status === undefined) hint = 'check that the cluster is reachable';
  return new ApplyError(what, reason, hint, { cause: err });
}

/** Apply each object in order; returns what the server stored (with uid). Stops at the first failure. */
export async function applyObjects(client: KubeClient, objects: readonly K8sObject[], opts: ApplyOptions = {}): Promise<AppliedObject[]> {
  const namespace = opts.namespace || client.namespace;
  const out: AppliedObject[] = [];
  for (const obj of objects) {
    if (opts.signal?.aborted) throw new ApplyError(describeObject(obj), 'cancelled');
    const spec = await prepare(client, obj, namespace);
    let applied: KubernetesObject;
    try {
      applied = await client.objects.patch(spec, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
    } catch (err) {
      if (!isImmutableFieldError(err)) throw applyFailure(spec, err);
      // Like `kubectl replace --force`: a changed immutable field (Job template, Service selector...) needs a
      // fresh object.
      opts.onOutput?.(`${describeObject(obj)}: immutable field changed, deleting and re-creating it`);
      try {
        await client.objects.delete(spec, undefined, undefined, undefined, undefined, 'Foreground');
        await waitGone(client, spec, 60_000);
        applied = await client.objects.patch(spec, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
      } catch (err2) {
        throw applyFailure(spec, err2);
      }
    }
    const m = applied.metadata ?? {};
    opts.onOutput?.(`${obj.kind.toLowerCase()}/${m.name ?? obj.metadata.name} applied`);
    out.push({ apiVersion: applied.apiVersion ?? obj.apiVersion, kind: applied.kind ?? obj.kind, name: m.name ?? obj.metadata.name, namespace: m.namespace, uid: m.uid ?? '', object: applied });
  }
  return out;
}

export interface DeleteOptions {
  namespace?: string;
  /** Also delete Namespace objects (`down --delete-namespaces`). */
  deleteNamespaces?: boolean;
  /** Wait until every deleted object is gone. */
  wait?: boolean;
  timeoutMs?: number;
  onOutput?: (line: string) => void;
}

export interface DeleteResult {
  deleted: string[];
  /** Kept by policy (Namespaces, down-policy: keep), with why. */
  kept: Array<{ object: string; reason: string }>;
  /** Already absent. */
  missing: string[];
}

export function downPolicyKeeps(obj: K8sObject): boolean {
  const ann = obj.metadata.annotations;
  return typeof ann === 'object' && ann !== null && (ann as Record<string, unknown>)[DOWN_POLICY_ANNOTATION] === 'keep';
}

/** Delete objects in reverse order. Missing objects are fine; other failures are collected and thrown at the end. */
/**
 * When an object may be deleted: ordinary objects first, then CustomResourceDefinitions (their custom objects go
 * with them), then Namespaces (everything in them goes). Within a phase the order does not matter.
 */
export function deletePhase(obj: { apiVersion: string; kind: string }): 0 | 1 | 2 {
  if (obj.kind === 'Namespace' && obj.apiVersion === 'v1') return 2;
  if (obj.kind === 'CustomResourceDefinition' && obj.apiVersion.startsWith('apiextensions.k8s.io/')) return 1;
  return 0;
}

/**
 * Deletes `objects` (Background propagation), phase by phase (deletePhase), each phase's deletes issued in
 * parallel; with `wait`, also waits for them to be gone (finalizers) before the next phase.
 */
export async function deleteObjects(client: KubeClient, objects: readonly K8sObject[], opts: DeleteOptions = {}): Promise<DeleteResult> {
  const namespace = opts.namespace || client.namespace;
  const result: DeleteResult = { deleted: [], kept: [], missing: [] };
  const failures: DeleteError[] = [];
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  // Reverse declaration order is kept for what the result and output list (readable, stable).
  const reversed = [...objects].reverse();
  for (const phase of [0, 1, 2] as const) {
    type Outcome = { kept?: string; missing?: true; deleted?: KubernetesObject; failure?: DeleteError };
    const inPhase = reversed.filter((o) => deletePhase(o) === phase);
    const outcomes = await Promise.all(inPhase.map(async (obj): Promise<Outcome> => {
      if (phase === 2 && !opts.deleteNamespaces) return { kept: 'namespaces are kept (use --delete-namespaces)' };
      if (downPolicyKeeps(obj)) return { kept: `annotation ${DOWN_POLICY_ANNOTATION}: keep` };
      let spec: KubernetesObject;
      try {
        spec = await prepare(client, obj, namespace);
      } catch {
        return { missing: true }; // kind unknown to the server: nothing of it can exist
      }
      try {
        await client.objects.delete(spec, undefined, undefined, undefined, undefined, 'Background');
        opts.onOutput?.(`${obj.kind.toLowerCase()}/${obj.metadata.name} deleted`);
        return { deleted: spec };
      } catch (err) {
        if (httpStatus(err) === 404) return { missing: true };
        return { failure: new DeleteError(describeObject(obj), describeError(err), { cause: err }) };
      }
    }));
    const pending: KubernetesObject[] = [];
    outcomes.forEach((o, i) => {
      const what = describeObject(inPhase[i]!);
      if (o.kept) result.kept.push({ object: what, reason: o.kept });
      else if (o.missing) result.missing.push(what);
      else if (o.failure) failures.push(o.failure);
      else if (o.deleted) { result.deleted.push(what); pending.push(o.deleted); }
    });
    if (opts.wait) {
      const gone = await Promise.all(pending.map((spec) => waitGone(client, spec, deadline - Date.now())));
      const stuck = pending.find((_, i) => !gone[i]);
      if (stuck) {
        failures.push(new DeleteError(describeObject({ kind: stuck.kind ?? '?', metadata: stuck.metadata ?? {} }), 'still present after the wait timeout (a finalizer may be blocking it)'));
      }
    }
  }
  if (failures.length > 0) {
    const first = failures[0]!;
    if (failures.length === 1) throw first;
    throw new DeleteError(`${failures.length} objects`, failures.map((f) => f.message).join('; '), { cause: first });
  }
  return result;
}

/** Poll until the object is gone; false on timeout. */
async function waitGone(client: KubeClient, spec: KubernetesObject, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let delay = 100;
  for (;;) {
    try {
      await client.objects.read({ apiVersion: spec.apiVersion ?? 'v1', kind: spec.kind ?? '', metadata: { name: spec.metadata?.name ?? '', namespace: spec.metadata?.namespace } });
    } catch (err) {
      if (httpStatus(err) === 404) return true;
    }
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 1_000);
  }
}
