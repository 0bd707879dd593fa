// Assembly, as Tilt's tiltfile_state.go does it: one resource per workload, images matched by name,
// Services attached by selector, k8s_resource renames/groupings applied, the rest "uncategorized".
import { readTextFileSafely } from './safeRead';
import { dockerfileImageRefs } from '../shared/dockerfileRefs';
import { isUnder } from './liveUpdate';
import { matchName, tagOf } from './imageRef';
import { objectId } from './k8s';
import { defaultTriggerMode } from './localResource';
import type {
  Diagnostic, DockerComposeResource, ImageLocator, ImageTarget, K8sCustomDeployResource, K8sObject, K8sResource, Plan,
  Resource, SourcePos,
} from './plan';
import { defaultEnabledResources } from './config';
import type { K8sEntity, K8sResourceOptions, TiltfileState } from './state';
import { workloadResourceNames } from './workloadNames';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The pod template of a workload (spec and labels), or undefined. */
export function podTemplate(o: K8sObject): { spec: Obj; labels: Record<string, string> } | undefined {
  const spec = o.spec;
  if (!isObj(spec)) return undefined;
  if (o.kind === 'Pod') return { spec, labels: o.metadata.labels ?? {} };
  let tmpl: unknown = spec.template;
  if (o.kind === 'CronJob' && isObj(spec.jobTemplate) && isObj(spec.jobTemplate.spec)) tmpl = spec.jobTemplate.spec.template;
  if (!isObj(tmpl) || !isObj(tmpl.spec) || !Array.isArray(tmpl.spec.containers)) return undefined;
  const md = isObj(tmpl.metadata) ? tmpl.metadata : {};
  return { spec: tmpl.spec, labels: (isObj(md.labels) ? md.labels : {}) as Record<string, string> };
}

function containers(spec: Obj): Obj[] {
  const out: Obj[] = [];
  for (const k of ['initContainers', 'containers', 'ephemeralContainers']) {
    const list = spec[k];
    if (Array.isArray(list)) for (const c of list) if (isObj(c)) out.push(c);
  }
  return out;
}

/** Minimal JSONPath for k8s_kind: `{.spec.image}`, `{.spec.containers[*].image}`, `{.a[0].b}`. */
export function jsonPathValues(root: unknown, path: string): unknown[] {
  const p = path.trim().replace(/^\{/, '').replace(/\}$/, '').replace(/^\$/, '').replace(/^\./, '');
  let cur: unknown[] = [root];
  for (const seg of p.split('.').filter(Boolean)) {
    const m = /^([^[\]]*)((?:\[[^\]]*\])*)$/.exec(seg);
    if (!m) return [];
    const next: unknown[] = [];
    for (const c of cur) {
      let vals: unknown[] = [m[1] ? (isObj(c) ? c[m[1]] : undefined) : c];
      for (const idx of m[2]!.match(/\[[^\]]*\]/g) ?? []) {
        const inner = idx.slice(1, -1);
        vals = vals.flatMap((v) => (!Array.isArray(v) ? [] : inner === '*' || inner === '' ? v : [v[Number(inner)]]));
      }
      next.push(...vals.filter((v) => v !== undefined));
    }
    cur = next;
  }
  return cur;
}

function locatorMatches(l: ImageLocator, o: K8sObject): boolean {
  let kindRe: RegExp;
  try { kindRe = new RegExp(`^(?:${l.kind})$`, 'i'); } catch { kindRe = new RegExp(`^${l.kind.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'i'); }
  return kindRe.test(o.kind) && (!l.apiVersion || l.apiVersion.toLowerCase() === o.apiVersion.toLowerCase());
}

/** Every image reference an object carries (containers, k8s_kind locators, and env values when asked). */
export function objectImages(o: K8sObject, locators: ImageLocator[], envImages: Set<string>): string[] {
  const out: string[] = [];
  const tmpl = podTemplate(o);
  if (tmpl) {
    for (const c of containers(tmpl.spec)) {
      if (typeof c.image === 'string') out.push(c.image);
      if (envImages.size && Array.isArray(c.env)) {
        for (const e of c.env) if (isObj(e) && typeof e.value === 'string' && envImages.has(matchName(e.value))) out.push(e.value);
      }
    }
  }
  for (const l of locators) {
    if (!locatorMatches(l, o)) continue;
    if (l.imageJsonPath) for (const v of jsonPathValues(o, l.imageJsonPath)) if (typeof v === 'string') out.push(v);
    if (l.imageObjectJsonPath) {
      for (const v of jsonPathValues(o, l.imageObjectJsonPath.path)) {
        if (isObj(v) && typeof v[l.imageObjectJsonPath.repoField] === 'string') {
          const tag = v[l.imageObjectJsonPath.tagField];
          out.push(`${v[l.imageObjectJsonPath.repoField] as string}${typeof tag === 'string' && tag ? `:${tag}` : ''}`);
        }
      }
    }
  }
  return out;
}

/** Label selector of a non-workload object (Service, PodDisruptionBudget, NetworkPolicy...). */
function selectorOf(o: K8sObject): Record<string, string> | undefined {
  const spec = o.spec;
  if (!isObj(spec)) return undefined;
  if (o.kind === 'Service') return isObj(spec.selector) ? (spec.selector as Record<string, string>) : undefined;
  for (const k of ['selector', 'podSelector']) {
    const sel = spec[k];
    if (isObj(sel) && isObj(sel.matchLabels) && !podTemplate(o)) return sel.matchLabels as Record<string, string>;
  }
  return undefined;
}

const selectorMatches = (sel: Record<string, string>, labels: Record<string, string>): boolean =>
  Object.keys(sel).length > 0 && Object.entries(sel).every(([k, v]) => labels[k] === v);

/** Tilt's unique names: `name`, then `name:kind`, then `name:kind:namespace`, then a counter. */
function uniqueNames(objs: K8sObject[]): string[] {
  const cands = objs.map((o) => [
    o.metadata.name.toLowerCase(),
    `${o.metadata.name}:${o.kind}`.toLowerCase(),
    `${o.metadata.name}:${o.kind}:${o.metadata.namespace ?? 'default'}`.toLowerCase(),
  ]);
  const names = cands.map((c) => c[0]!);
  for (let level = 1; level < 3; level++) {
    const count = new Map<string, number>();
    for (const n of names) count.set(n, (count.get(n) ?? 0) + 1);
    for (let i = 0; i < names.length; i++) if (count.get(names[i]!)! > 1) names[i] = cands[i]![level]!;
  }
  const seen = new Map<string, number>();
  return names.map((n) => {
    const c = seen.get(n) ?? 0;
    seen.set(n, c + 1);
    return c === 0 ? n : `${n}:${c + 1}`;
  });
}

function fragmentMatches(frag: string, o: K8sObject): boolean {
  const parts = frag.toLowerCase().split(':');
  const vals = [o.metadata.name, o.kind, o.metadata.namespace ?? 'default'].map((x) => x.toLowerCase());
  if (parts.length > 3) return false;
  return parts.every((p, i) => p === vals[i] || (i === 2 && p === 'default' && !o.metadata.namespace));
}

function levenshtein(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return d[b.length]!;
}

/** Images named by the Dockerfile's FROM / COPY --from lines, after ARG and build_args substitution (as Tilt). */
function dockerfileBaseImages(img: ImageTarget): string[] {
  if (img.kind !== 'docker_build') return [];
  let text = img.dockerfileContents;
  if (text === undefined && img.dockerfile) {
    try { text = readTextFileSafely(img.dockerfile); } catch { return []; }
  }
  return dockerfileImageRefs(text ?? '', img.buildArgs).map((r) => r.ref);
}

/** The paths an image watches: a live_update sync must copy from under one of these (or a dependency's). */
function watchedPaths(img: ImageTarget): string[] {
  if (img.kind === 'custom_build') return img.deps;
  return img.only.length ? img.only.map((o) => `${img.context}/${o}`.replace(/\/\.$/, '')) : [img.context];
}

function b64(s: string): string | undefined {
  try { return Buffer.from(s, 'base64').toString('utf8'); } catch { return undefined; }
}

function fmtPos(p?: SourcePos): string {
  return p ? `${p.file}:${p.line}:${p.col}` : 'unknown position';
}

// Helm's install order, which Tilt also applies in: dependencies (namespaces, CRDs, config) before workloads.
const kindOrder = ['Namespace', 'NetworkPolicy', 'ResourceQuota', 'LimitRange', 'PodSecurityPolicy', 'PodDisruptionBudget',
  'ServiceAccount', 'Secret', 'SecretList', 'ConfigMap', 'StorageClass', 'PersistentVolume', 'PersistentVolumeClaim',
  'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleList', 'ClusterRoleBinding', 'ClusterRoleBindingList', 'Role',
  'RoleList', 'RoleBinding', 'RoleBindingList', 'Service', 'DaemonSet', 'Pod', 'ReplicationController', 'ReplicaSet',
  'Deployment', 'HorizontalPodAutoscaler', 'StatefulSet', 'Job', 'CronJob', 'IngressClass', 'Ingress', 'APIService'];
const kindRank = new Map(kindOrder.map((k, i) => [k, i]));

export function sortForApply(objs: K8sObject[]): K8sObject[] {
  const rank = (o: K8sObject): number => kindRank.get(o.kind) ?? kindOrder.length;
  return objs.map((o, i) => ({ o, i })).sort((a, b) => rank(a.o) - rank(b.o) || a.i - b.i).map((x) => x.o);
}

/**
 * Finds the image target for a ref found in YAML, as Tilt's RefSelector does: a docker_build ref without a tag
 * matches any tag of that name; a ref with a tag matches only that tag.
 */
export class ImageIndex {
  private byName = new Map<string, ImageTarget[]>();
  constructor(images: ImageTarget[]) {
    for (const img of images) {
      const list = this.byName.get(img.matchName) ?? [];
      list.push(img);
      this.byName.set(img.matchName, list);
    }
  }
  find(ref: string): ImageTarget | undefined {
    const list = this.byName.get(matchName(ref));
    if (!list) return undefined;
    const tag = tagOf(ref);
    return list.find((i) => tagOf(i.ref) !== '' && tagOf(i.ref) === tag) ?? list.find((i) => tagOf(i.ref) === '');
  }
}

export class AssemblyError extends Error {
  constructor(message: string, readonly pos?: SourcePos) { super(message); }
}

export function assemble(s: TiltfileState): Plan {
  const images = s.images;
  const byMatch = new ImageIndex(images);
  const envImages = new Set(images.filter((i) => i.matchInEnvVars).map((i) => i.matchName));

  // Images built by Tilt that a Dockerfile builds FROM (or COPY --from) are dependencies: built first, their ref
  // substituted into the Dockerfile by the engine.
  for (const img of images) {
    for (const base of dockerfileBaseImages(img)) {
      const dep = byMatch.find(base);
      if (dep && dep !== img && !img.imageDeps.includes(dep.ref)) img.imageDeps.push(dep.ref);
    }
  }
  checkImageGraph(images, byMatch);

  const imageRefsFor = (objs: K8sObject[]): string[] => {
    const out: string[] = [];
    const add = (img: ImageTarget, depth: number): void => {
      if (depth > 20 || out.includes(img.ref)) return;
      for (const d of img.imageDeps) { const di = byMatch.find(d); if (di) add(di, depth + 1); }
      if (!out.includes(img.ref)) out.push(img.ref);
    };
    for (const o of objs) for (const ref of objectImages(o, s.imageLocators, envImages)) {
      const img = byMatch.find(ref);
      if (img) add(img, 0);
    }
    return out;
  };

  // 1. Workloads: objects with a pod template, or a kind registered with k8s_kind.
  const isWorkload = (o: K8sObject): boolean => podTemplate(o) !== undefined || s.imageLocators.some((l) => locatorMatches(l, o));
  const workloads = s.k8sEntities.filter((e) => isWorkload(e.obj));
  let rest: K8sEntity[] = s.k8sEntities.filter((e) => !isWorkload(e.obj));
  let names: string[];
  try {
    names = s.workloadToResource ? workloadResourceNames(s, workloads.map((w) => w.obj)) : uniqueNames(workloads.map((w) => w.obj));
  } catch (e) {
    throw new AssemblyError((e as Error).message, s.workloadToResource?.pos);
  }
  interface Draft { res: K8sResource; templates: Array<{ labels: Record<string, string>; ns: string }>; opts?: K8sResourceOptions; manual: boolean }
  const drafts: Draft[] = workloads.map((w, i) => {
    const t = podTemplate(w.obj);
    return {
      res: {
        type: 'k8s', name: names[i]!, labels: [], resourceDeps: [], triggerMode: s.settings.triggerMode, autoInit: true, links: [],
        pos: w.pos, objects: [w.obj], imageRefs: [], portForwards: [], podReadiness: 'wait', extraPodSelectors: [], discoveryStrategy: 'default',
      },
      templates: t ? [{ labels: t.labels, ns: w.obj.metadata.namespace ?? '' }] : [],
      manual: false,
    };
  });
  const draftByName = new Map(drafts.map((d) => [d.res.name, d]));

  // 2. k8s_resource options: workloads by name, manual groups by new_name; objects= pulls in non-workloads.
  const customByName = new Map(s.customDeploys.map((c) => [c.name, c]));
  const customTrigger = new Map<K8sCustomDeployResource, 'auto' | 'manual'>();
  for (const [key, opts] of s.k8sResourceOpts) {
    let d: Draft | undefined;
    if (opts.manuallyGrouped) {
      d = {
        res: {
          type: 'k8s', name: opts.newName, labels: [], resourceDeps: [], triggerMode: s.settings.triggerMode, autoInit: true, links: [],
          pos: opts.pos, objects: [], imageRefs: [], portForwards: [], podReadiness: 'wait', extraPodSelectors: [], discoveryStrategy: 'default',
        },
        templates: [],
        manual: true,
      };
      drafts.push(d);
    } else {
      d = draftByName.get(key);
      if (!d) {
        const custom = customByName.get(key);
        if (custom) {
          applyCommonOpts(custom, opts, true);
          if (opts.triggerMode) customTrigger.set(custom, opts.triggerMode);
          continue;
        }
        const known = [...draftByName.keys(), ...customByName.keys()];
        throw new AssemblyError(`k8s_resource specified unknown resource ${JSON.stringify(key)}. known k8s resources: ${known.join(', ') || '(none)'}`, opts.pos);
      }
    }
    d.opts = opts;
    for (const frag of opts.objects) {
      const hits = rest.filter((e) => fragmentMatches(frag, e.obj));
      if (hits.length === 0) {
        const w = workloads.find((e) => fragmentMatches(frag, e.obj));
        if (w) throw new AssemblyError(`k8s_resource: object ${JSON.stringify(frag)} is a workload with its own resource; workloads cannot be added to other resources`, opts.pos);
        const possible = rest.map((e) => objectId(e.obj)).join(', ') || '(none)';
        throw new AssemblyError(`No object identified by the fragment ${JSON.stringify(frag)} could be found. Possible objects are: ${possible}`, opts.pos);
      }
      if (hits.length > 1) {
        throw new AssemblyError(`${JSON.stringify(frag)} matches more than one object: ${hits.map((e) => objectId(e.obj)).join(', ')}. Add :KIND or :KIND:NAMESPACE to pick one`, opts.pos);
      }
      d.res.objects.push(hits[0]!.obj);
      rest = rest.filter((e) => e !== hits[0]);
    }
  }

  // 3. Services and other selector-bearing objects follow the workload whose pod template they select.
  rest = rest.filter((e) => {
    const sel = selectorOf(e.obj);
    if (!sel) return true;
    const ns = e.obj.metadata.namespace ?? '';
    const owner = drafts.find((d) => d.templates.some((t) => t.ns === ns && selectorMatches(sel, t.labels)));
    if (!owner) return true;
    owner.res.objects.push(e.obj);
    return false;
  });

  // Where each resource was configured (k8s_resource), by final name: the best place to point messages at.
  const configuredAt = new Map<string, SourcePos | undefined>();

  // 4. Apply options, images, readiness.
  const k8sResources: K8sResource[] = [];
  for (const d of drafts) {
    const r = d.res;
    const o = d.opts;
    r.objects = sortForApply(r.objects);
    r.imageRefs = imageRefsFor(r.objects);
    if (o) {
      applyCommonOpts(r, o, !d.manual);
      if (o.extraPodSelectors) r.extraPodSelectors = o.extraPodSelectors;
      if (o.triggerMode) r.triggerMode = o.triggerMode;
      if (o.discoveryStrategy) r.discoveryStrategy = o.discoveryStrategy;
    }
    if (o) configuredAt.set(r.name, o.pos);
    const kindReadiness = s.imageLocators.find((l) => l.podReadiness && r.objects.some((x) => locatorMatches(l, x)))?.podReadiness;
    const hasPods = r.objects.some((x) => podTemplate(x)) || r.extraPodSelectors.length > 0 || r.imageRefs.length > 0;
    r.podReadiness = o?.podReadiness ?? kindReadiness ?? (hasPods ? 'wait' : 'ignore');
    k8sResources.push(r);
  }

  // 5. Everything else is "uncategorized" and applies first (namespaces, CRDs, ConfigMaps...).
  const resources: Resource[] = [];
  if (rest.length) {
    resources.push({
      type: 'k8s', name: 'uncategorized', labels: [], resourceDeps: [], triggerMode: s.settings.triggerMode, autoInit: true, links: [],
      objects: sortForApply(rest.map((e) => e.obj)), imageRefs: imageRefsFor(rest.map((e) => e.obj)), portForwards: [], podReadiness: 'ignore',
      extraPodSelectors: [], discoveryStrategy: 'default',
    });
  }
  resources.push(...k8sResources);

  for (const c of s.customDeploys) {
    c.triggerMode = customTrigger.get(c) ?? s.settings.triggerMode;
    const deps: string[] = [];
    for (const ref of c.imageRefs) {
      const img = byMatch.find(ref);
      if (img) for (const d of img.imageDeps) if (!deps.includes(d)) deps.push(d);
      if (!deps.includes(ref)) deps.push(ref);
    }
    if (c.imageSelector) {
      const img = byMatch.find(c.imageSelector);
      if (img && !deps.includes(img.ref)) deps.push(img.ref);
    }
    c.imageRefs = deps.map((r) => byMatch.find(r)?.ref ?? r);
    resources.push(c);
  }

  resources.push(...composeResources(s, byMatch));

  for (const l of s.localResources) {
    if (defaultTriggerMode.has(l)) l.triggerMode = s.settings.triggerMode;
    resources.push(l);
  }

  // 6. Names are unique across resource types.
  const seen = new Map<string, Resource>();
  for (const r of resources) {
    const prev = seen.get(r.name);
    if (prev) throw new AssemblyError(`Resource name ${JSON.stringify(r.name)} is used by more than one resource (${prev.type} at ${fmtPos(prev.pos)} and ${r.type})`, r.pos);
    seen.set(r.name, r);
  }
  for (const r of resources) {
    for (const dep of r.resourceDeps) {
      if (!seen.has(dep)) throw new AssemblyError(`resource ${r.name} specified a dependency on unknown resource ${dep}`, configuredAt.get(r.name) ?? r.pos);
      if (dep === r.name) throw new AssemblyError(`resource ${r.name} depends on itself`, r.pos);
    }
  }
  const cycle = findCycle(resources);
  if (cycle) throw new AssemblyError(`resource_deps form a cycle: ${cycle.join(' -> ')}`, seen.get(cycle[0]!)?.pos);

  // 7. Warnings: unused images, conflicting port forwards.
  const used = new Set<string>();
  for (const r of resources) if ('imageRefs' in r) for (const ref of r.imageRefs) used.add(ref);
  const markUsed = (ref: string): void => {
    for (const d of byMatch.find(ref)?.imageDeps ?? []) {
      const dr = byMatch.find(d)?.ref ?? d;
      if (!used.has(dr)) { used.add(dr); markUsed(dr); }
    }
  };
  for (const ref of [...used]) markUsed(ref);
  const yamlImages = [...new Set(s.k8sEntities.flatMap((e) => objectImages(e.obj, s.imageLocators, new Set())).map(matchName))];
  for (const img of images) {
    if (used.has(img.ref)) continue;
    const sup = s.settings.suppressUnusedImageWarnings;
    if (sup.includes('*') || sup.some((x) => matchName(x) === img.matchName)) continue;
    const close = yamlImages.map((y) => ({ y, d: levenshtein(y, img.matchName) })).filter((x) => x.d <= Math.max(3, img.matchName.length / 3)).sort((a, b) => a.d - b.d).slice(0, 3);
    const mean = close.length ? `Did you mean…\n${close.map((c) => `    - ${c.y}\n`).join('')}` : '';
    s.warn(`Image not used in any deploy config:\n    ✕ ${img.ref}\n${mean}Skipping this image build`, img.pos);
  }
  const ports = new Map<string, string>();
  for (const r of resources) {
    const pfs = 'portForwards' in r ? r.portForwards : [];
    for (const pf of pfs) {
      const key = `${pf.host || 'localhost'}:${pf.localPort}`;
      const prev = ports.get(key);
      if (prev !== undefined) {
        s.warn(`Port forward conflict: local port ${pf.localPort}${pf.host ? ` on ${pf.host}` : ''} is forwarded by both ${JSON.stringify(prev)} and ${JSON.stringify(r.name)}; only one can listen`, configuredAt.get(r.name) ?? r.pos);
      } else ports.set(key, r.name);
    }
  }

  // 8. Context guard, like Tilt's "Stop! ... might be production".
  const hasK8s = resources.some((r) => r.type === 'k8s' || r.type === 'k8s_custom_deploy');
  const ctx = s.opts.kubeContext;
  if (hasK8s && ctx && !s.kubeContextAllowed()) {
    throw new AssemblyError(`Stop! ${ctx} might be production.\nIf you're sure you want to deploy there, add:\n\tallow_k8s_contexts('${ctx}')\nto your Tiltfile. Otherwise, switch k8s contexts and restart Tilt.`);
  }

  // 9. Enabled resources (config.set_enabled_resources or `up a b`), with their resource_deps.
  let enabled = defaultEnabledResources(s);
  if (enabled) {
    for (const n of enabled) {
      if (!seen.has(n)) throw new AssemblyError(`no resource named ${JSON.stringify(n)}; known resources: ${[...seen.keys()].join(', ')}`);
    }
    const all = new Set<string>();
    const visit = (n: string): void => { if (all.has(n)) return; all.add(n); for (const d of seen.get(n)?.resourceDeps ?? []) visit(d); };
    enabled.forEach(visit);
    // Uncategorized objects (namespaces, CRDs, shared config) are what every enabled workload stands on.
    if (seen.has('uncategorized')) all.add('uncategorized');
    enabled = resources.map((r) => r.name).filter((n) => all.has(n));
  }

  const secrets = new Set(s.secrets);
  if (s.settings.secretScrub) {
    for (const e of s.k8sEntities) {
      if (e.obj.kind !== 'Secret') continue;
      const data = e.obj.data;
      if (isObj(data)) for (const v of Object.values(data)) if (typeof v === 'string') { const t = b64(v); if (t) secrets.add(t); }
      const sd = e.obj.stringData;
      if (isObj(sd)) for (const v of Object.values(sd)) if (typeof v === 'string' && v) secrets.add(v);
    }
  }

  return {
    tiltfile: s.tiltfile,
    resources,
    images,
    enabledResources: enabled,
    k8s: {
      allowedContexts: [...new Set(s.allowedContexts)],
      context: s.k8sContext,
      namespace: s.k8sNamespace,
      defaultRegistry: s.defaultRegistry,
      imageLocators: s.imageLocators.map(({ podReadiness: _p, ...l }) => l),
    },
    settings: s.settings,
    buttons: s.buttons,
    configFiles: [...s.configFiles],
    config: s.config,
    secrets: [...secrets].filter((x) => x.length >= 1),
    warnings: s.diagnostics.filter((d): d is Diagnostic => d.severity === 'warning'),
  };
}

/**
 * Image dependencies must not form a cycle, and every live_update sync must copy from a path the image or one of
 * the images it is built from watches (Tilt's live_update_base_image case: sync the base image's files).
 */
function checkImageGraph(images: ImageTarget[], byMatch: ImageIndex): void {
  const state = new Map<ImageTarget, number>();
  const visit = (img: ImageTarget, path: string[]): void => {
    const st = state.get(img);
    if (st === 2) return;
    if (st === 1) throw new AssemblyError(`Image dependency cycle: ${[...path.slice(path.indexOf(img.ref)), img.ref].join(' -> ')}`, img.pos);
    state.set(img, 1);
    for (const d of img.imageDeps) { const di = byMatch.find(d); if (di && di !== img) visit(di, [...path, img.ref]); }
    state.set(img, 2);
  };
  for (const img of images) visit(img, []);
  for (const img of images) {
    const roots: string[] = [];
    const seen = new Set<ImageTarget>();
    const collect = (i: ImageTarget): void => {
      if (seen.has(i)) return;
      seen.add(i);
      roots.push(...watchedPaths(i));
      for (const d of i.imageDeps) { const di = byMatch.find(d); if (di) collect(di); }
    };
    collect(img);
    if (roots.length === 0) continue;
    for (const st of img.liveUpdate) {
      if (st.kind === 'sync' && !roots.some((r) => isUnder(st.localPath, r))) {
        throw new AssemblyError(`live_update: sync step source '${st.localPath}' is not a child of any watched filepaths (${roots.join(', ')})`, img.pos);
      }
    }
  }
}

/** The k8s_resource options every Kubernetes-deployed resource takes. */
function applyCommonOpts(r: K8sResource | K8sCustomDeployResource, o: K8sResourceOptions, rename: boolean): void {
  if (o.newName && rename) r.name = o.newName;
  if (o.portForwards) r.portForwards = o.portForwards;
  if (o.resourceDeps) r.resourceDeps = o.resourceDeps;
  if (o.autoInit !== undefined) r.autoInit = o.autoInit;
  if (o.links) r.links = o.links;
  if (o.labels) r.labels = o.labels;
}

function findCycle(resources: Resource[]): string[] | undefined {
  const deps = new Map(resources.map((r) => [r.name, r.resourceDeps]));
  const state = new Map<string, number>();
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    const st = state.get(n);
    if (st === 2) return undefined;
    if (st === 1) return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, 1);
    stack.push(n);
    for (const d of deps.get(n) ?? []) { const c = visit(d); if (c) return c; }
    stack.pop();
    state.set(n, 2);
    return undefined;
  };
  for (const r of resources) { const c = visit(r.name); if (c) return c; }
  return undefined;
}

function composeResources(s: TiltfileState, byMatch: ImageIndex): DockerComposeResource[] {
  const out: DockerComposeResource[] = [];
  const services = new Set<string>();
  for (const p of s.composeProjects) {
    for (const svc of p.services) {
      services.add(svc.name);
      const o = s.dcResourceOpts.get(svc.name);
      if (o?.projectName && o.projectName !== p.name) continue;
      const imageName = typeof svc.config.image === 'string' ? svc.config.image : `${p.name}-${svc.name}`;
      const img = byMatch.find(imageName) ?? (svc.config.build !== undefined ? byMatch.find(`${p.name}_${svc.name}`) : undefined);
      const imageRefs = img ? [...img.imageDeps.map((d) => byMatch.find(d)?.ref ?? d), img.ref] : [];
      const deps = Array.isArray(svc.config.depends_on) ? (svc.config.depends_on as string[])
        : isObj(svc.config.depends_on) ? Object.keys(svc.config.depends_on) : [];
      out.push({
        type: 'docker_compose',
        name: o?.newName ?? svc.name,
        labels: o?.labels ?? [],
        resourceDeps: o?.resourceDeps ?? deps.filter((d) => p.services.some((x) => x.name === d)).map((d) => s.dcResourceOpts.get(d)?.newName ?? d),
        triggerMode: o?.triggerMode ?? s.settings.triggerMode,
        autoInit: o?.autoInit ?? true,
        links: o?.links ?? [],
        pos: o?.pos ?? p.pos,
        service: svc.name,
        project: { name: p.name, configPaths: p.configPaths, yaml: p.yaml, envFile: p.envFile, profiles: p.profiles, wait: p.wait },
        imageRefs,
        serviceConfig: svc.config,
        inferLinks: o?.inferLinks ?? true,
      });
    }
  }
  for (const [name, o] of s.dcResourceOpts) {
    if (!services.has(name)) throw new AssemblyError(`no Docker Compose service found with name ${JSON.stringify(name)}`, o.pos);
  }
  return out;
}
