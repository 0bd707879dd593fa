// workload_to_resource_function: Tilt calls the Tiltfile's function with each workload's id to name its resource.
import { Dict, HostObject, StarlarkError, call, typeName, type Value } from '../starlark';
import type { K8sObject } from './plan';
import type { TiltfileState } from './state';

/** Tilt's K8sObjectID (name, kind, namespace, group); `labels` is ours (the workload's metadata.labels). */
export class K8sObjectId extends HostObject {
  readonly typeName = 'K8sObjectID';
  readonly name: string;
  readonly kind: string;
  readonly namespace: string;
  readonly group: string;
  constructor(private readonly obj: K8sObject) {
    super();
    this.name = obj.metadata.name;
    this.kind = obj.kind;
    this.namespace = obj.metadata.namespace || 'default';
    const api = obj.apiVersion ?? '';
    this.group = api.includes('/') ? api.slice(0, api.indexOf('/')) : '';
  }
  override attr(name: string): Value | undefined {
    switch (name) {
      case 'name': return this.name;
      case 'kind': return this.kind;
      case 'namespace': return this.namespace;
      case 'group': return this.group;
      case 'labels': {
        const d = new Dict();
        for (const [k, v] of Object.entries(this.obj.metadata.labels ?? {})) d.set(k, String(v));
        return d;
      }
      default: return undefined;
    }
  }
  override attrNames(): string[] { return ['group', 'kind', 'labels', 'name', 'namespace']; }
  override truth(): boolean { return !!(this.name || this.kind || this.namespace || this.group); }
  override repr(): string { return `${this.name}:${this.kind}:${this.namespace}:${this.group}`.toLowerCase(); }
}

/**
 * Names for `workloads` from the registered function, with Tilt's errors: a failing call or a non-string result
 * names the workload, and two workloads mapped to one name conflict.
 */
export function workloadResourceNames(s: TiltfileState, workloads: K8sObject[]): string[] {
  const w = s.workloadToResource!;
  const where = w.pos ? `${w.pos.file}:${w.pos.line}:${w.pos.col}` : '';
  const taken = new Map<string, K8sObjectId>();
  return workloads.map((obj) => {
    const id = new K8sObjectId(obj);
    let ret: Value;
    try {
      ret = call(w.thread, w.fn, [id]);
      if (typeof ret !== 'string') throw new Error(`${w.fn.name}: invalid return value. wanted: string. got: ${typeName(ret)}`);
    } catch (e) {
      const msg = e instanceof StarlarkError ? e.shortMessage : (e as Error).message;
      throw new Error(`error applying workload_to_resource_function ${where}: error determing resource name for '${id.repr()}': ${msg}`);
    }
    const prev = taken.get(ret);
    if (prev) throw new Error(`error applying workload_to_resource_function ${where}: both '${id.repr()}' and '${prev.repr()}' mapped to resource name '${ret}'`);
    taken.set(ret, id);
    return ret;
  });
}
