// Kubernetes builtins: k8s_yaml, filter_yaml, k8s_resource, port_forward, link, k8s_kind, k8s_custom_deploy,
// allow_k8s_contexts, k8s_context, k8s_namespace, helm, kustomize.
import { readTextFileSafely } from './safeRead';
import { homedir } from 'node:os';
import { Builtin, Dict, List, StarlarkFunction, Tuple, typeName, type Call, type Value } from '../starlark';
import { absent, bool, command, int, optStr, seq, str, strDict, strList, unpack, wrongType } from './args';
import { liveUpdateFromValue } from './liveUpdate';
import type { K8sObject, Link, PortForward, TriggerMode } from './plan';
import { readYamlFile, type K8sResourceOptions, type TiltfileState } from './state';
import { Blob, LinkValue, PortForwardValue, TriggerModeValue } from './values';
import { parseK8sYaml, serializeYaml } from './yaml';
import { isValidRef } from './imageRef';
import { runCommand, which } from './exec';

// Parsed YAML files across loads (a reload re-reads every file; most did not change). Entries are cloned on the
// way out because callers and the engine may modify objects.
const yamlCache = new Map<string, { mtimeMs: number; size: number; objs: K8sObject[] }>();

function yamlFile(s: TiltfileState, p: string): K8sObject[] {
  const st = s.stat(p);
  const hit = st && yamlCache.get(p);
  if (st && hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) {
    s.configFiles.add(p);
    return structuredClone(hit.objs);
  }
  const objs = parseK8sYaml(readYamlFile(s, p), p);
  if (st) {
    if (yamlCache.size >= 2000) yamlCache.clear();
    yamlCache.set(p, { mtimeMs: st.mtimeMs, size: st.size, objs: structuredClone(objs) });
  }
  return objs;
}

/** YAML given as a path, a blob, or a list of those. */
export function yamlObjects(s: TiltfileState, v: Value | undefined, param = 'yaml'): K8sObject[] {
  const out: K8sObject[] = [];
  for (const e of seq(v)) {
    if (e instanceof Blob) out.push(...parseK8sYaml(e.text, e.source));
    else if (typeof e === 'string') out.push(...yamlFile(s, s.resolve(e)));
    else throw wrongType(param, e, 'string, blob, or list of strings and blobs');
  }
  return out;
}

export function objectId(o: K8sObject): string {
  return `${o.metadata.name}:${o.kind}${o.metadata.namespace ? `:${o.metadata.namespace}` : ''}`.toLowerCase();
}

export function triggerModeArg(v: Value | undefined, param = 'trigger_mode'): TriggerMode | undefined {
  if (absent(v)) return undefined;
  if (v instanceof TriggerModeValue) return v.mode;
  throw new Error(`for parameter "${param}": got ${typeName(v)}, want TRIGGER_MODE_AUTO or TRIGGER_MODE_MANUAL`);
}

const labelRe = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
export function labelsArg(v: Value | undefined): string[] | undefined {
  if (absent(v)) return undefined;
  const labels = strList(v, 'labels');
  for (const l of labels) {
    if (!labelRe.test(l) || l.length > 63) {
      throw new Error(`labels: invalid label ${JSON.stringify(l)}: must be 63 characters or less, begin and end with an alphanumeric character, and contain only alphanumerics, '-', '_' or '.'`);
    }
  }
  return labels;
}

function parsePort(s: string, whole: string): number {
  if (!/^\d+$/.test(s)) throw new Error(`invalid port forward ${JSON.stringify(whole)}: ${JSON.stringify(s)} is not a port number`);
  const n = Number(s);
  if (n < 0 || n > 65535) throw new Error(`invalid port forward ${JSON.stringify(whole)}: port ${n} is not in the valid range [0-65535]`);
  return n;
}

/** One port forward: 8000, '9000:8000', 'host:9000:8000' or port_forward(...). An int forwards to the same port when the pod declares it. */
export function portForwardFrom(v: Value): PortForward {
  if (v instanceof PortForwardValue) return v.pf;
  if (typeof v === 'number') {
    if (v <= 0 || v > 65535) throw new Error(`invalid port forward ${v}: port ${v} is not in the valid range [0-65535]`);
    return { localPort: v, containerPort: 0, host: '' };
  }
  if (typeof v === 'string') {
    const parts = v.split(':');
    if (parts.length === 1) return { localPort: parsePort(parts[0]!, v), containerPort: 0, host: '' };
    if (parts.length === 2) return { localPort: parsePort(parts[0]!, v), containerPort: parsePort(parts[1]!, v), host: '' };
    if (parts.length === 3) return { host: parts[0]!, localPort: parsePort(parts[1]!, v), containerPort: parsePort(parts[2]!, v) };
    throw new Error(`invalid port forward ${JSON.stringify(v)}: want 'LOCAL', 'LOCAL:CONTAINER' or 'HOST:LOCAL:CONTAINER'`);
  }
  throw new Error(`port_forwards: got ${typeName(v)}, want int, string, or port_forward`);
}

export function portForwardsArg(v: Value | undefined): PortForward[] | undefined {
  if (absent(v)) return undefined;
  return seq(v).map(portForwardFrom);
}

export function linksArg(v: Value | undefined): Link[] | undefined {
  if (absent(v)) return undefined;
  return seq(v).map((e) => {
    if (e instanceof LinkValue) return e.link;
    if (typeof e === 'string') {
      if (!e) throw new Error('links: link URL must not be empty');
      return { url: e };
    }
    throw new Error(`links: got ${typeName(e)}, want string or link`);
  });
}

export function selectorsArg(v: Value | undefined): Array<Record<string, string>> | undefined {
  if (absent(v)) return undefined;
  const one = (d: Value): Record<string, string> => {
    if (!(d instanceof Dict)) throw new Error(`pod labels elements must be dicts; got ${typeName(d)}`);
    const out: Record<string, string> = {};
    for (const [k, val] of d.entries()) {
      if (typeof k !== 'string') throw new Error(`pod label keys must be strings; got '${String(k)}' of type ${typeName(k)}`);
      if (typeof val !== 'string') throw new Error(`pod label values must be strings; got '${String(val)}' of type ${typeName(val)}`);
      out[k] = val;
    }
    return out;
  };
  if (v instanceof Dict) return [one(v)].filter((x) => Object.keys(x).length > 0);
  if (v instanceof List || v instanceof Tuple) return v.elems.map(one).filter((x) => Object.keys(x).length > 0);
  throw new Error(`pod labels must be a dict or a list; got ${typeName(v)}`);
}

function readinessArg(v: Value | undefined): 'wait' | 'ignore' | undefined {
  const r = str(v, 'pod_readiness');
  if (r === '') return undefined;
  if (r !== 'wait' && r !== 'ignore') throw new Error(`Invalid value. Allowed: {ignore, wait}. Got: ${r}`);
  return r;
}

function currentKubeContext(s: TiltfileState): { context: string; namespace: string } {
  if (s.opts.kubeContext) return { context: s.opts.kubeContext, namespace: 'default' };
  const files = (s.env.KUBECONFIG ?? `${s.env.HOME ?? homedir()}/.kube/config`).split(':').filter(Boolean);
  for (const f of files) {
    let text: string;
    try { text = readTextFileSafely(f); } catch { continue; }
    const m = /^current-context:\s*"?([^"\n]*)"?\s*$/m.exec(text);
    if (m?.[1]) return { context: m[1].trim(), namespace: 'default' };
  }
  return { context: '', namespace: 'default' };
}

export function k8sResourceCall(s: TiltfileState, call: Call): void {
  for (const [k] of call.kwargs) {
    if (k === 'name' || k === 'yaml' || k === 'image') {
      throw new Error(`It looks like k8s_resource is being called with deprecated arguments: it was called with kwarg ${JSON.stringify(k)}, which no longer exists.`);
    }
  }
  const second = call.args[1];
  if (typeof second === 'string' && /\.ya?ml$/.test(second)) {
    throw new Error('It looks like k8s_resource is being called with deprecated arguments: second arg looks like a yaml file name, not a resource name.');
  }
  const a = unpack(call, [
    'workload?', 'new_name?', 'port_forwards?', 'extra_pod_selectors?', 'trigger_mode?', 'resource_deps?', 'objects?',
    'auto_init?', 'pod_readiness?', 'links?', 'labels?', 'discovery_strategy?',
  ]);
  const workload = str(a.workload, 'workload');
  const newName = str(a.new_name, 'new_name');
  const manuallyGrouped = workload === '';
  const name = workload || newName;
  const pos = s.pos(call);
  const prev = s.k8sResourceOpts.get(name);
  if (prev && name) {
    const at = prev.pos ? `${prev.pos.file}:${prev.pos.line}:${prev.pos.col}` : 'an earlier call';
    throw new Error(`k8s_resource already called for ${name}, at ${at}`);
  }
  const objects = strList(a.objects, 'objects');
  if (manuallyGrouped && objects.length === 0) {
    throw new Error("k8s_resource doesn't specify a workload or any objects. All non-workload resources must specify 1 or more objects");
  }
  if (manuallyGrouped && !newName) throw new Error("k8s_resource has only non-workload objects but doesn't provide a new_name");
  const ds = str(a.discovery_strategy, 'discovery_strategy');
  if (ds !== '' && ds !== 'default' && ds !== 'selectors-only') {
    throw new Error(`Invalid value. Allowed: {default, selectors-only}. Got: ${ds}`);
  }
  const opts: K8sResourceOptions = {
    workload,
    newName,
    portForwards: portForwardsArg(a.port_forwards),
    extraPodSelectors: selectorsArg(a.extra_pod_selectors),
    triggerMode: triggerModeArg(a.trigger_mode),
    resourceDeps: absent(a.resource_deps) ? undefined : strList(a.resource_deps, 'resource_deps'),
    objects,
    autoInit: absent(a.auto_init) ? undefined : bool(a.auto_init, 'auto_init'),
    podReadiness: readinessArg(a.pod_readiness),
    links: linksArg(a.links),
    labels: labelsArg(a.labels),
    discoveryStrategy: ds === '' ? undefined : ds,
    manuallyGrouped,
    pos,
  };
  s.k8sResourceOpts.set(name, opts);
}

function helm(s: TiltfileState, call: Call): Value {
  const a = unpack(call, ['paths', 'name?', 'namespace?', 'values?', 'set?', 'kube_version?', 'skip_crds?']);
  const chartArg = str(a.paths, 'paths');
  if (!chartArg) throw new Error('helm: paths must not be empty');
  const chart = /^[a-z0-9+.-]+:\/\//i.test(chartArg) || (!chartArg.startsWith('.') && !chartArg.startsWith('/') && chartArg.includes('/') && !s.resolveExists(chartArg))
    ? chartArg : s.resolve(chartArg);
  const values = strList(a.values, 'values').map((v) => s.resolve(v));
  const sets = strList(a.set, 'set');
  const name = str(a.name, 'name') || 'chart';
  const namespace = str(a.namespace, 'namespace');
  if (chart.startsWith('/')) s.configFiles.add(chart);
  for (const v of values) s.configFiles.add(v);
  if (s.refuseUntrusted('helm()', call)) return new Blob('', 'helm', true);
  if (!which('helm', s.env)) {
    throw new Error('helm() needs the helm binary, which is not on PATH. Install Helm (https://helm.sh/docs/intro/install/) or render the chart yourself and pass the YAML to k8s_yaml()');
  }
  const argv = ['helm', 'template', name, chart];
  if (namespace) argv.push('--namespace', namespace);
  for (const v of values) argv.push('--values', v);
  for (const x of sets) argv.push('--set', x);
  const kv = str(a.kube_version, 'kube_version');
  if (kv) argv.push('--kube-version', kv);
  if (!bool(a.skip_crds, 'skip_crds')) argv.push('--include-crds');
  const out = runCommand(s, { command: argv, shell: false, dir: s.dir() });
  return new Blob(out.stdout, `helm ${chartArg}`);
}

function kustomize(s: TiltfileState, call: Call): Value {
  const a = unpack(call, ['pathToDir', 'kustomize_bin?', 'flags?']);
  const dir = s.resolve(str(a.pathToDir, 'pathToDir'));
  const flags = strList(a.flags, 'flags');
  s.configFiles.add(dir);
  if (s.refuseUntrusted('kustomize()', call)) return new Blob('', 'kustomize', true);
  const bin = optStr(a.kustomize_bin, 'kustomize_bin');
  let argv: string[];
  if (bin) argv = [bin, 'build', dir, ...flags];
  else if (which('kustomize', s.env)) argv = ['kustomize', 'build', dir, ...flags];
  else if (which('kubectl', s.env)) argv = ['kubectl', 'kustomize', dir, ...flags];
  else throw new Error('kustomize() needs the kustomize or kubectl binary, and neither is on PATH. Install kubectl (https://kubernetes.io/docs/tasks/tools/)');
  const out = runCommand(s, { command: argv, shell: false, dir: s.dir() });
  return new Blob(out.stdout, `kustomize ${dir}`);
}

function filterYaml(s: TiltfileState, call: Call): Value {
  const a = unpack(call, ['yaml', 'labels?', 'name?', 'namespace?', 'kind?', 'api_version?']);
  const objs = yamlObjects(s, a.yaml);
  const labels = strDict(a.labels, 'labels');
  const re = (p: string | undefined, what: string): RegExp | undefined => {
    if (!p) return undefined;
    try { return new RegExp(`^(?:${p})$`, 'i'); } catch (e) { throw new Error(`${what}: invalid regular expression ${JSON.stringify(p)}: ${(e as Error).message}`); }
  };
  const nameRe = re(optStr(a.name, 'name'), 'name');
  const nsRe = re(optStr(a.namespace, 'namespace'), 'namespace');
  const kindRe = re(optStr(a.kind, 'kind'), 'kind');
  const apiRe = re(optStr(a.api_version, 'api_version'), 'api_version');
  const match: K8sObject[] = [];
  const rest: K8sObject[] = [];
  for (const o of objs) {
    const ok = (!nameRe || nameRe.test(o.metadata.name)) && (!nsRe || nsRe.test(o.metadata.namespace ?? ''))
      && (!kindRe || kindRe.test(o.kind)) && (!apiRe || apiRe.test(o.apiVersion))
      && Object.entries(labels).every(([k, v]) => o.metadata.labels?.[k] === v);
    (ok ? match : rest).push(o);
  }
  const source = a.yaml instanceof Blob ? a.yaml.source : 'filter_yaml';
  return new Tuple([new Blob(serializeYaml(match), source), new Blob(serializeYaml(rest), source)]);
}

export function k8sBuiltins(s: TiltfileState): Record<string, Value> {
  return {
    k8s_yaml: new Builtin('k8s_yaml', (call) => {
      const a = unpack(call, ['yaml', 'allow_duplicates?']);
      const allowDup = bool(a.allow_duplicates, 'allow_duplicates');
      if (seq(a.yaml).length > 0 && seq(a.yaml).every((v) => v instanceof Blob && v.refused)) return null;
      const objs = absent(a.yaml) ? [] : yamlObjects(s, a.yaml);
      if (objs.length === 0) throw new Error('Empty or Invalid YAML Resource Detected');
      const pos = s.pos(call);
      for (const obj of objs) {
        const id = objectId(obj);
        const dup = s.k8sEntityIds.get(id);
        if (dup && !allowDup) {
          const at = dup.pos ? `${dup.pos.file}:${dup.pos.line}:${dup.pos.col}` : 'unknown';
          throw new Error(`Duplicate YAML: ${id}\nIgnore this error with k8s_yaml(..., allow_duplicates=True)\nYAML originally registered at: ${at}`);
        }
        const entity = { obj, pos };
        if (!dup) s.k8sEntityIds.set(id, entity);
        s.k8sEntities.push(entity);
      }
      return null;
    }),
    filter_yaml: new Builtin('filter_yaml', (call) => filterYaml(s, call)),
    k8s_resource: new Builtin('k8s_resource', (call) => { k8sResourceCall(s, call); return null; }),
    port_forward: new Builtin('port_forward', (call) => {
      const a = unpack(call, ['local_port', 'container_port?', 'name?', 'link_path?', 'host?']);
      const local = int(a.local_port, 'local_port');
      if (local <= 0 || local > 65535) throw new Error(`local_port ${local} is not in the valid range [0-65535]`);
      const container = int(a.container_port, 'container_port');
      if (container < 0 || container > 65535) throw new Error(`container_port ${container} is not in the valid range [0-65535]`);
      const pf: PortForward = { localPort: local, containerPort: container, host: str(a.host, 'host') };
      const name = str(a.name, 'name');
      if (name) pf.name = name;
      const lp = str(a.link_path, 'link_path');
      if (lp) pf.linkPath = lp.startsWith('/') ? lp : `/${lp}`;
      return new PortForwardValue(pf);
    }),
    link: new Builtin('link', (call) => {
      const a = unpack(call, ['url', 'name?']);
      const url = str(a.url, 'url');
      if (!url) throw new Error('url must not be empty');
      const l: Link = { url };
      const name = str(a.name, 'name');
      if (name) l.name = name;
      return new LinkValue(l);
    }),
    k8s_kind: new Builtin('k8s_kind', (call) => {
      const a = unpack(call, ['kind', 'image_json_path?', 'api_version?', 'image_object_json_path?', 'pod_readiness?']);
      const kind = str(a.kind, 'kind');
      if (!kind) throw new Error('k8s_kind: kind must not be empty');
      const paths = strList(a.image_json_path, 'image_json_path');
      let objPath: { repoField: string; tagField: string; path: string } | undefined;
      if (!absent(a.image_object_json_path)) {
        if (paths.length) throw new Error('Cannot specify both image_json_path and image_object_json_path');
        const d = a.image_object_json_path;
        if (!(d instanceof Dict)) throw wrongType('image_object_json_path', d, 'dict with keys json_path, repo_field, tag_field');
        const m = strDict(d, 'image_object_json_path');
        if (!m.json_path || !m.repo_field || !m.tag_field) throw new Error('image_object_json_path: must have keys json_path, repo_field and tag_field');
        objPath = { path: m.json_path, repoField: m.repo_field, tagField: m.tag_field };
      }
      const apiVersion = optStr(a.api_version, 'api_version') || undefined;
      const podReadiness = readinessArg(a.pod_readiness);
      const base = { kind, apiVersion, podReadiness };
      if (objPath) s.imageLocators.push({ ...base, imageObjectJsonPath: objPath });
      else if (paths.length === 0) s.imageLocators.push(base);
      else for (const p of paths) s.imageLocators.push({ ...base, imageJsonPath: p });
      return null;
    }),
    k8s_custom_deploy: new Builtin('k8s_custom_deploy', (call) => {
      const a = unpack(call, [
        'name', 'apply_cmd?', 'delete_cmd?', 'deps?', 'image_selector?', 'live_update?', 'apply_dir?', 'apply_env?',
        'apply_cmd_bat?', 'delete_dir?', 'delete_env?', 'delete_cmd_bat?', 'container_selector?', 'image_deps?',
      ]);
      const name = str(a.name, 'name');
      if (!name) throw new Error('k8s_custom_deploy: name must not be empty');
      const apply = command(absent(a.apply_cmd) ? a.apply_cmd_bat : a.apply_cmd, 'apply_cmd');
      const del = command(absent(a.delete_cmd) ? a.delete_cmd_bat : a.delete_cmd, 'delete_cmd');
      if (apply.command.length === 0) throw new Error('k8s_custom_deploy: apply_cmd must not be empty');
      if (del.command.length === 0) throw new Error('k8s_custom_deploy: delete_cmd must not be empty');
      const deps = strList(a.deps, 'deps').map((d) => s.resolve(d));
      const imageSelector = optStr(a.image_selector, 'image_selector') || undefined;
      const containerSelector = optStr(a.container_selector, 'container_selector') || undefined;
      if (imageSelector && containerSelector) throw new Error('k8s_custom_deploy: cannot specify both image_selector and container_selector');
      const liveUpdate = liveUpdateFromValue(a.live_update, deps);
      if (liveUpdate.length && !imageSelector && !containerSelector) {
        throw new Error('k8s_custom_deploy: live_update requires image_selector or container_selector');
      }
      const imageDeps = strList(a.image_deps, 'image_deps');
      for (const d of imageDeps) if (!isValidRef(d)) throw new Error(`image_deps: can't parse ${JSON.stringify(d)}: invalid reference format`);
      s.claimResourceName(name, 'k8s_custom_deploy');
      s.customDeploys.push({
        type: 'k8s_custom_deploy', name, labels: [], resourceDeps: [], triggerMode: s.settings.triggerMode, autoInit: true, links: [],
        pos: s.pos(call),
        applyCmd: { ...apply, dir: absent(a.apply_dir) ? s.dir() : s.resolve(str(a.apply_dir, 'apply_dir')), env: strDict(a.apply_env, 'apply_env') },
        deleteCmd: { ...del, dir: absent(a.delete_dir) ? s.dir() : s.resolve(str(a.delete_dir, 'delete_dir')), env: strDict(a.delete_env, 'delete_env') },
        deps, imageRefs: imageDeps, imageSelector, containerSelector, liveUpdate, portForwards: [],
      });
      return null;
    }),
    allow_k8s_contexts: new Builtin('allow_k8s_contexts', (call) => {
      const a = unpack(call, ['contexts']);
      s.allowedContexts.push(...strList(a.contexts, 'contexts'));
      return null;
    }),
    k8s_context: new Builtin('k8s_context', (call) => {
      unpack(call, []);
      return currentKubeContext(s).context;
    }),
    k8s_namespace: new Builtin('k8s_namespace', (call) => {
      unpack(call, []);
      return s.k8sNamespace ?? currentKubeContext(s).namespace;
    }),
    helm: new Builtin('helm', (call) => helm(s, call)),
    kustomize: new Builtin('kustomize', (call) => kustomize(s, call)),
    workload_to_resource_function: new Builtin('workload_to_resource_function', (call) => {
      const fn = unpack(call, ['func']).func;
      if (!(fn instanceof StarlarkFunction)) throw wrongType('func', fn ?? null, 'function');
      const n = fn.code.params.length;
      if (n !== 1) throw new Error(`workload_to_resource_function arg must take 1 argument. ${fn.name} takes ${n}`);
      s.workloadToResource = { fn, pos: { file: fn.code.file, line: fn.code.pos.line, col: fn.code.pos.col }, thread: call.thread };
      return null;
    }),
    k8s_image_json_path: new Builtin('k8s_image_json_path', (call) => {
      const a = unpack(call, ['paths', 'api_version?', 'kind?', 'name?', 'namespace?']);
      const kind = str(a.kind, 'kind');
      if (!kind) throw new Error('k8s_image_json_path: kind is required');
      for (const p of strList(a.paths, 'paths')) s.imageLocators.push({ kind, apiVersion: optStr(a.api_version, 'api_version') || undefined, imageJsonPath: p });
      return null;
    }),
  };
}
