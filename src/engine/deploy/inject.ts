// Pure manifest rewriting before apply, as Tilt does: point containers at the image we built, force
// imagePullPolicy IfNotPresent (the image only exists locally / in the dev registry under a content tag),
// apply entrypoint/args overrides, label everything managed-by=innerloop, and stamp each pod template with a
// hash label so discovery can tell new pods from old ones.

import { createHash } from 'node:crypto';
import type { ImageLocator, K8sObject } from '../../tiltfile/plan';
import { parseImageRef, sameImageName } from './imageRef';
import { parseJsonPath, resolveSlots } from './jsonPath';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'innerloop';
export const POD_TEMPLATE_HASH_LABEL = 'innerloop.dev/pod-template-hash';

export interface InjectImage {
  /** Name to match in manifests (tag ignored). */
  matchName: string;
  /** The ref to write, e.g. "localhost:5000/api:innerloop-0123456789abcdef". */
  ref: string;
  matchInEnvVars: boolean;
  /** Overrides the container command when non-empty (args are dropped unless containerArgs is set). */
  entrypoint: string[];
  containerArgs?: string[];
}

export interface InjectOptions {
  images: readonly InjectImage[];
  locators?: readonly ImageLocator[];
}

export interface Injection {
  objectKind: string;
  objectName: string;
  /** Where, e.g. "spec.template.spec.containers[0].image" or "env API_IMAGE". */
  location: string;
  matchName: string;
}

export interface InjectResult {
  objects: K8sObject[];
  injections: Injection[];
  /** matchNames that no object referenced (for "image built but not used" warnings). */
  unusedImages: string[];
}

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

function at(obj: unknown, ...keys: string[]): unknown {
  let v = obj;
  for (const k of keys) {
    if (!isObj(v)) return undefined;
    v = v[k];
  }
  return v;
}

/** The pod template(s) of a workload: [templateObject, pathPrefix]. Pods have their spec directly. */
function podTemplates(obj: K8sObject): { template: Json; prefix: string; isPod: boolean }[] {
  if (obj.kind === 'Pod') return isObj(obj.spec) ? [{ template: obj as unknown as Json, prefix: '', isPod: true }] : [];
  const cron = at(obj, 'spec', 'jobTemplate', 'spec', 'template');
  if (obj.kind === 'CronJob' && isObj(cron)) return [{ template: cron, prefix: 'spec.jobTemplate.spec.template.', isPod: false }];
  // Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, ReplicationController, and CRDs shaped like them.
  const tpl = at(obj, 'spec', 'template');
  if (isObj(tpl) && isObj(tpl.spec)) return [{ template: tpl, prefix: 'spec.template.', isPod: false }];
  return [];
}

function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return '[' + v.map(stableStringify).join(',') + ']';
  if (isObj(v)) return '{' + Object.keys(v).sort().map((k) => JSON.stringify(k) + ':' + stableStringify(v[k])).join(',') + '}';
  return JSON.stringify(v) ?? 'null';
}

export function podTemplateHash(template: unknown): string {
  return createHash('sha256').update(stableStringify(template)).digest('hex').slice(0, 10);
}

function addLabel(meta: unknown, key: string, value: string): Json {
  const m: Json = isObj(meta) ? meta : {};
  const labels: Json = isObj(m.labels) ? m.labels : {};
  labels[key] = value;
  m.labels = labels;
  return m;
}

function findImage(images: readonly InjectImage[], ref: unknown): InjectImage | undefined {
  if (typeof ref !== 'string' || ref === '') return undefined;
  return images.find((i) => sameImageName(i.matchName, ref));
}

function locatorApplies(loc: ImageLocator, obj: K8sObject): boolean {
  if (loc.apiVersion && loc.apiVersion !== obj.apiVersion) return false;
  try {
    return new RegExp(`^(?:${loc.kind})$`, 'i').test(obj.kind);
  } catch {
    return loc.kind.toLowerCase() === obj.kind.toLowerCase();
  }
}

/** Rewrite a list of objects. Inputs are not modified. */
export function injectObjects(input: readonly K8sObject[], opts: InjectOptions): InjectResult {
  const objects = input.map((o) => structuredClone(o));
  const injections: Injection[] = [];
  const used = new Set<string>();
  const record = (obj: K8sObject, location: string, img: InjectImage): void => {
    injections.push({ objectKind: obj.kind, objectName: obj.metadata.name, location, matchName: img.matchName });
    used.add(img.matchName);
  };

  for (const obj of objects) {
    obj.metadata = addLabel(obj.metadata, MANAGED_BY_LABEL, MANAGED_BY_VALUE) as K8sObject['metadata'];

    for (const { template, prefix, isPod } of podTemplates(obj)) {
      const spec = template.spec as Json;
      let injectedHere = false;
      for (const field of ['initContainers', 'containers', 'ephemeralContainers'] as const) {
        const list = spec[field];
        if (!Array.isArray(list)) continue;
        list.forEach((c: unknown, i: number) => {
          if (!isObj(c)) return;
          const where = `${prefix}spec.${field}[${i}]`;
          const img = findImage(opts.images, c.image);
          if (img) {
            c.image = img.ref;
            c.imagePullPolicy = 'IfNotPresent';
            if (img.entrypoint.length > 0) {
              c.command = [...img.entrypoint];
              if (img.containerArgs === undefined) delete c.args;
            }
            if (img.containerArgs !== undefined) c.args = [...img.containerArgs];
            record(obj, `${where}.image`, img);
            injectedHere = true;
          }
          if (Array.isArray(c.env)) {
            for (const e of c.env) {
              if (!isObj(e) || typeof e.value !== 'string') continue;
              const envImg = opts.images.find((x) => x.matchInEnvVars && sameImageName(x.matchName, e.value as string));
              if (envImg) {
                e.value = envImg.ref;
                record(obj, `${where}.env ${String(e.name)}`, envImg);
              }
            }
          }
        });
      }
      if (!isPod) {
        template.metadata = addLabel(template.metadata, MANAGED_BY_LABEL, MANAGED_BY_VALUE);
        const hash = podTemplateHash({ ...template, metadata: { ...(template.metadata as Json) } });
        template.metadata = addLabel(template.metadata, POD_TEMPLATE_HASH_LABEL, hash);
      }
      // StatefulSets roll one pod at a time by default, which makes dev loops crawl (Tilt #1962).
      if (injectedHere && obj.kind === 'StatefulSet' && isObj(obj.spec) && obj.spec.podManagementPolicy === undefined) {
        obj.spec.podManagementPolicy = 'Parallel';
      }
    }

    for (const loc of opts.locators ?? []) {
      if (!locatorApplies(loc, obj)) continue;
      if (loc.imageJsonPath) {
        for (const slot of resolveSlots(obj, parseJsonPath(loc.imageJsonPath))) {
          const img = findImage(opts.images, slot.get());
          if (img) {
            slot.set(img.ref);
            record(obj, loc.imageJsonPath, img);
          }
        }
      }
      if (loc.imageObjectJsonPath) {
        const { path: p, repoField, tagField } = loc.imageObjectJsonPath;
        for (const slot of resolveSlots(obj, parseJsonPath(p))) {
          const v = slot.get();
          if (!isObj(v)) continue;
          const img = findImage(opts.images, v[repoField]);
          if (!img) continue;
          const parsed = parseImageRef(img.ref);
          const cut = img.ref.length - (parsed.tag ? parsed.tag.length + 1 : 0);
          v[repoField] = img.ref.slice(0, cut);
          v[tagField] = parsed.tag ?? 'latest';
          record(obj, p, img);
        }
      }
    }
  }

  return { objects, injections, unusedImages: opts.images.map((i) => i.matchName).filter((n) => !used.has(n)) };
}
