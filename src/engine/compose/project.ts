// Pure Compose model: turns parsed compose service configs into the Docker objects `docker compose up` would
// create (same names and labels as Compose, so `docker ps --filter label=com.docker.compose.project=x` works),
// without the compose CLI. Every published port is bound to 127.0.0.1; anything else is rewritten with a warning.
// File reads (env_file) and the host environment are injected, so this module does no I/O.

import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type Dockerode from 'dockerode';
import type { DockerComposeResource } from '../../tiltfile/plan';
import { parseEnvFile } from '../../tiltfile/compose';

export const LABEL_PROJECT = 'com.docker.compose.project';
export const LABEL_SERVICE = 'com.docker.compose.service';
export const LABEL_NUMBER = 'com.docker.compose.container-number';
export const LABEL_ONEOFF = 'com.docker.compose.oneoff';
export const LABEL_HASH = 'com.docker.compose.config-hash';
export const LABEL_NETWORK = 'com.docker.compose.network';
export const LABEL_VOLUME = 'com.docker.compose.volume';
export const LABEL_WORKDIR = 'com.docker.compose.project.working_dir';
export const LABEL_CONFIG_FILES = 'com.docker.compose.project.config_files';
export const LABEL_DEPENDS_ON = 'com.docker.compose.depends_on';
/** Marks objects Innerloop created (Compose itself does not set it). */
export const LABEL_MANAGED = 'dev.innerloop.managed';

/** The only address container ports are published on. */
export const PUBLISH_HOST_IP = '127.0.0.1';

export type ComposeConfig = Record<string, unknown>;

export interface ComposeProjectModel {
  name: string;
  /** Directory that relative paths (bind mounts, env_file) resolve against: the first compose file's. */
  workingDir: string;
  configFiles: string[];
  /** Service name → merged service config, in file order. */
  services: Record<string, ComposeConfig>;
}

export type DependsCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully';

export interface ServiceDependency {
  service: string;
  condition: DependsCondition;
  /** `required: false`: a missing or disabled dependency is not an error. */
  required: boolean;
}

export interface PublishedPort {
  containerPort: number;
  protocol: 'tcp' | 'udp' | 'sctp';
  hostIp: string;
  /** '' = an ephemeral port chosen by Docker; may be a range "8000-8010" (Docker picks one). */
  hostPort: string;
}

export interface VolumeToCreate {
  /** Full Docker volume name: `<project>_<name>`. */
  name: string;
  /** The name as written in the compose file. */
  composeName: string;
  labels: Record<string, string>;
}

export interface ServicePlan {
  project: string;
  service: string;
  containerName: string;
  image: string;
  network: string;
  aliases: string[];
  /** Ready for docker.createContainer (includes name, labels with the config hash, network endpoint). */
  create: Dockerode.ContainerCreateOptions;
  configHash: string;
  volumes: VolumeToCreate[];
  /** Host directories of bind mounts that Compose would create when missing. */
  bindPathsToCreate: string[];
  dependsOn: ServiceDependency[];
  ports: PublishedPort[];
  /** User-visible notes (a port moved to 127.0.0.1, an ignored key...). */
  warnings: string[];
}

export interface PlanServiceOptions {
  /** The image the engine built for this service (docker_build matching the service image); wins over `image:`. */
  imageRef?: string;
  /** Host environment for `environment: [KEY]` without a value. */
  env?: Record<string, string | undefined>;
  /** Reads env_file contents; throws when the file is missing. */
  readFile?: (absPath: string) => string;
  /** Home directory for `~/` in bind mounts. */
  homeDir?: string;
}

export class ComposeConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ComposeConfigError';
  }
}

// ---------------------------------------------------------------- project

/** One project model from the plan's docker_compose resources (all of one project). */
export function projectFromResources(resources: readonly DockerComposeResource[], fallbackDir: string): ComposeProjectModel {
  const first = resources[0];
  if (!first) throw new ComposeConfigError('no docker_compose resources');
  const services: Record<string, ComposeConfig> = {};
  for (const r of resources) {
    if (r.project.name !== first.project.name) throw new ComposeConfigError(`resources of projects ${first.project.name} and ${r.project.name} mixed`);
    services[r.service] = r.serviceConfig;
  }
  const configFiles = first.project.configPaths;
  return { name: first.project.name, workingDir: configFiles[0] ? path.dirname(configFiles[0]) : fallbackDir, configFiles: [...configFiles], services };
}

export const defaultNetworkName = (project: string): string => `${project}_default`;
export const defaultContainerName = (project: string, service: string): string => `${project}-${service}-1`;

// ---------------------------------------------------------------- small parsers

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function scalar(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new ComposeConfigError(`expected a string, got ${JSON.stringify(v)}`);
}

/** Splits a command string like a POSIX shell would split words (quotes, backslashes), no expansion. */
export function splitShellWords(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else cur += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < s.length && '"\\$`'.includes(s[i + 1]!)) cur += s[++i];
      else cur += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote) throw new ComposeConfigError(`unterminated quote in ${JSON.stringify(s)}`);
  if (inWord) out.push(cur);
  return out;
}

function commandArg(v: unknown, key: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return splitShellWords(v);
  if (Array.isArray(v)) return v.map(scalar);
  throw new ComposeConfigError(`${key} must be a string or a list`);
}

const DURATION_UNITS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Go-style duration ("1m30s", "500ms", "10s") or a number of seconds → nanoseconds. */
export function parseDuration(v: unknown): number {
  if (typeof v === 'number') return Math.round(v * 1e9);
  const s = scalar(v).trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1e9);
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let pos = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    pos = re.lastIndex;
  }
  if (pos !== s.length || s === '') throw new ComposeConfigError(`invalid duration ${JSON.stringify(s)}`);
  return Math.round(total);
}

/** "512m", "1g", 1048576 → bytes. */
export function parseBytes(v: unknown): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(scalar(v).trim());
  if (!m) throw new ComposeConfigError(`invalid size ${JSON.stringify(v)}`);
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m[2]!.toLowerCase()] ?? 1;
  return Math.round(Number(m[1]) * mult);
}

/** `KEY=value` list or mapping → map; list items without '=' and null map values are returned as undefined. */
function keyValues(v: unknown, key: string): Array<[string, string | undefined]> {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) {
    return v.map((item) => {
      const s = scalar(item);
      const eq = s.indexOf('=');
      return eq < 0 ? [s, undefined] : [s.slice(0, eq), s.slice(eq + 1)];
    });
  }
  if (isRecord(v)) return Object.entries(v).map(([k, x]) => [k, x === null || x === undefined ? undefined : scalar(x)]);
  throw new ComposeConfigError(`${key} must be a list or a mapping`);
}

function stringList(v: unknown, key: string): string[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.map(scalar);
  throw new ComposeConfigError(`${key} must be a string or a list`);
}

// ---------------------------------------------------------------- environment

/** The container environment: env_file entries first, then `environment:` (which wins), Compose's order. */
export function resolveEnvironment(cfg: ComposeConfig, workingDir: string, opts: PlanServiceOptions): string[] {
  const env = new Map<string, string>();
  const files: Array<{ path: string; required: boolean }> = [];
  const ef = cfg.env_file;
  if (typeof ef === 'string') files.push({ path: ef, required: true });
  else if (Array.isArray(ef)) {
    for (const f of ef) {
      if (typeof f === 'string') files.push({ path: f, required: true });
      else if (isRecord(f)) files.push({ path: scalar(f.path), required: f.required !== false });
      else throw new ComposeConfigError('env_file entries must be strings or {path, required}');
    }
  } else if (ef !== undefined && ef !== null) throw new ComposeConfigError('env_file must be a string or a list');
  for (const f of files) {
    const abs = path.resolve(workingDir, f.path);
    let text: string;
    try {
      if (!opts.readFile) throw new Error('no file reader');
      text = opts.readFile(abs);
    } catch (err) {
      if (!f.required) continue;
      throw new ComposeConfigError(`env_file ${abs}: ${err instanceof Error ? err.message : String(err)}`);
    }
    for (const [k, v] of Object.entries(parseEnvFile(text))) env.set(k, v);
  }
  for (const [k, v] of keyValues(cfg.environment, 'environment')) {
    // `- KEY` / `KEY:` with no value: take it from the host, or leave it out as Compose does.
    const value = v ?? opts.env?.[k];
    if (value === undefined) env.delete(k);
    else env.set(k, value);
  }
  return [...env].map(([k, v]) => `${k}=${v}`);
}

// ---------------------------------------------------------------- ports

const PROTOCOLS = new Set(['tcp', 'udp', 'sctp']);

function portRange(s: string, what: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(s);
  if (!m) throw new ComposeConfigError(`invalid ${what} ${JSON.stringify(s)}`);
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  if (lo < 1 || hi > 65535 || hi < lo) throw new ComposeConfigError(`invalid ${what} ${JSON.stringify(s)}`);
  return [lo, hi];
}

/** The host IP to bind, with a warning when the compose file asked for something other than 127.0.0.1. */
function loopbackOnly(requested: string, spec: string, warnings: string[]): string {
  if (requested === PUBLISH_HOST_IP) return requested;
  const what = requested === '' ? 'all interfaces (no host IP given)' : requested === '0.0.0.0' || requested === '::' ? 'all interfaces' : requested;
  warnings.push(`port ${spec}: Compose would publish on ${what}; Innerloop publishes on ${PUBLISH_HOST_IP} only`);
  return PUBLISH_HOST_IP;
}

function expandPorts(hostIp: string, host: string, container: string, protocol: string, spec: string): PublishedPort[] {
  if (!PROTOCOLS.has(protocol)) throw new ComposeConfigError(`port ${spec}: unknown protocol ${protocol}`);
  const proto = protocol as PublishedPort['protocol'];
  const [clo, chi] = portRange(container, `container port in ${spec}`);
  const out: PublishedPort[] = [];
  if (host === '') {
    for (let p = clo; p <= chi; p++) out.push({ containerPort: p, protocol: proto, hostIp, hostPort: '' });
    return out;
  }
  const [hlo, hhi] = portRange(host, `host port in ${spec}`);
  if (clo === chi) return [{ containerPort: clo, protocol: proto, hostIp, hostPort: hlo === hhi ? String(hlo) : `${hlo}-${hhi}` }];
  if (hhi - hlo !== chi - clo) throw new ComposeConfigError(`port ${spec}: host and container ranges differ in size`);
  for (let i = 0; i <= chi - clo; i++) out.push({ containerPort: clo + i, protocol: proto, hostIp, hostPort: String(hlo + i) });
  return out;
}

/** One `ports:` entry in any Compose form (number, short string, long mapping). */
export function parsePort(entry: unknown, warnings: string[]): PublishedPort[] {
  if (typeof entry === 'number') return expandPorts(loopbackOnly('', String(entry), warnings), '', String(entry), 'tcp', String(entry));
  if (typeof entry === 'string') {
    const spec = entry.trim();
    let rest = spec;
    let protocol = 'tcp';
    const slash = rest.lastIndexOf('/');
    if (slash >= 0) {
      protocol = rest.slice(slash + 1).toLowerCase();
      rest = rest.slice(0, slash);
    }
    let ip = '';
    if (rest.startsWith('[')) {
      const close = rest.indexOf(']:');
      if (close < 0) throw new ComposeConfigError(`invalid port ${JSON.stringify(spec)}`);
      ip = rest.slice(1, close);
      rest = rest.slice(close + 2);
      const parts = rest.split(':');
      if (parts.length !== 2) throw new ComposeConfigError(`invalid port ${JSON.stringify(spec)}`);
      return expandPorts(loopbackOnly(ip, spec, warnings), parts[0]!, parts[1]!, protocol, spec);
    }
    const parts = rest.split(':');
    if (parts.length === 1) return expandPorts(loopbackOnly('', spec, warnings), '', parts[0]!, protocol, spec);
    if (parts.length === 2) return expandPorts(loopbackOnly('', spec, warnings), parts[0]!, parts[1]!, protocol, spec);
    if (parts.length === 3) return expandPorts(loopbackOnly(parts[0]!, spec, warnings), parts[1]!, parts[2]!, protocol, spec);
    // An unbracketed IPv6 address: the last two fields are the ports.
    const container = parts.pop()!;
    const host = parts.pop()!;
    return expandPorts(loopbackOnly(parts.join(':'), spec, warnings), host, container, protocol, spec);
  }
  if (isRecord(entry)) {
    if (entry.target === undefined) throw new ComposeConfigError('ports: long syntax needs target');
    const target = scalar(entry.target);
    const published = entry.published === undefined || entry.published === null ? '' : scalar(entry.published);
    const protocol = entry.protocol === undefined ? 'tcp' : scalar(entry.protocol).toLowerCase();
    const shown = `${published ? `${published}:` : ''}${target}/${protocol}`;
    if (entry.mode !== undefined && entry.mode !== 'ingress' && entry.mode !== 'host') throw new ComposeConfigError(`port ${shown}: unknown mode ${scalar(entry.mode)}`);
    return expandPorts(loopbackOnly(entry.host_ip === undefined ? '' : scalar(entry.host_ip), shown, warnings), published, target, protocol, shown);
  }
  throw new ComposeConfigError(`invalid ports entry ${JSON.stringify(entry)}`);
}

// ---------------------------------------------------------------- volumes

interface VolumeResult {
  mounts: Dockerode.MountSettings[];
  volumes: VolumeToCreate[];
  bindPaths: string[];
}

// The API accepts partial mount options; the typings demand every field.
const NO_COPY = { NoCopy: true } as Dockerode.MountSettings['VolumeOptions'];

const isPathSource = (s: string): boolean => s.startsWith('.') || s.startsWith('/') || s.startsWith('~');

function resolveHostPath(src: string, workingDir: string, homeDir: string | undefined): string {
  if (src === '~' || src.startsWith('~/')) {
    if (!homeDir) throw new ComposeConfigError(`bind mount ${src}: no home directory to expand ~`);
    return path.join(homeDir, src.slice(1));
  }
  return path.resolve(workingDir, src);
}

function namedVolume(project: string, name: string): VolumeToCreate {
  return { name: `${project}_${name}`, composeName: name, labels: { [LABEL_PROJECT]: project, [LABEL_VOLUME]: name, [LABEL_MANAGED]: 'true' } };
}

export function parseVolumes(entries: unknown, project: string, workingDir: string, homeDir?: string): VolumeResult {
  const res: VolumeResult = { mounts: [], volumes: [], bindPaths: [] };
  if (entries === undefined || entries === null) return res;
  if (!Array.isArray(entries)) throw new ComposeConfigError('volumes must be a list');
  const addNamed = (name: string): string => {
    const v = namedVolume(project, name);
    if (!res.volumes.some((x) => x.name === v.name)) res.volumes.push(v);
    return v.name;
  };
  for (const e of entries) {
    if (typeof e === 'string') {
      const parts = e.split(':');
      if (parts.length === 1) {
        res.mounts.push({ Type: 'volume', Source: '', Target: parts[0]! });
        continue;
      }
      if (parts.length > 3) throw new ComposeConfigError(`invalid volume ${JSON.stringify(e)}`);
      const [src, target, modeStr] = parts as [string, string, string | undefined];
      const modes = (modeStr ?? '').split(',').filter(Boolean);
      for (const m of modes) if (!['ro', 'rw', 'z', 'Z', 'cached', 'delegated', 'consistent', 'nocopy'].includes(m)) throw new ComposeConfigError(`volume ${e}: unknown option ${m}`);
      const readOnly = modes.includes('ro');
      if (isPathSource(src)) {
        const abs = resolveHostPath(src, workingDir, homeDir);
        res.mounts.push({ Type: 'bind', Source: abs, Target: target, ReadOnly: readOnly });
        res.bindPaths.push(abs); // short syntax: Compose creates a missing host path
      } else {
        res.mounts.push({ Type: 'volume', Source: addNamed(src), Target: target, ReadOnly: readOnly, ...(modes.includes('nocopy') ? { VolumeOptions: NO_COPY } : {}) });
      }
    } else if (isRecord(e)) {
      const type = scalar(e.type ?? 'volume');
      const target = scalar(e.target);
      if (!target) throw new ComposeConfigError('volumes: long syntax needs target');
      const readOnly = e.read_only === true;
      const src = e.source === undefined ? '' : scalar(e.source);
      if (type === 'bind') {
        if (!src) throw new ComposeConfigError(`volume ${target}: bind needs source`);
        const abs = resolveHostPath(src, workingDir, homeDir);
        res.mounts.push({ Type: 'bind', Source: abs, Target: target, ReadOnly: readOnly });
        const bind = isRecord(e.bind) ? e.bind : {};
        if (bind.create_host_path === true) res.bindPaths.push(abs);
      } else if (type === 'volume') {
        const vol = isRecord(e.volume) ? e.volume : {};
        res.mounts.push({ Type: 'volume', Source: src ? addNamed(src) : '', Target: target, ReadOnly: readOnly, ...(vol.nocopy === true ? { VolumeOptions: NO_COPY } : {}) });
      } else if (type === 'tmpfs') {
        const tmpfs = isRecord(e.tmpfs) ? e.tmpfs : {};
        res.mounts.push({ Type: 'tmpfs', Source: '', Target: target, ...(tmpfs.size !== undefined ? { TmpfsOptions: { SizeBytes: parseBytes(tmpfs.size) } as Dockerode.MountSettings['TmpfsOptions'] } : {}) });
      } else throw new ComposeConfigError(`volume ${target}: unsupported type ${type}`);
    } else throw new ComposeConfigError(`invalid volumes entry ${JSON.stringify(e)}`);
  }
  return res;
}

// ---------------------------------------------------------------- depends_on, healthcheck, restart

export function parseDependsOn(v: unknown): ServiceDependency[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.map((s) => ({ service: scalar(s), condition: 'service_started', required: true }));
  if (isRecord(v)) {
    return Object.entries(v).map(([service, d]) => {
      const o = isRecord(d) ? d : {};
      const condition = scalar(o.condition ?? 'service_started');
      if (condition !== 'service_started' && condition !== 'service_healthy' && condition !== 'service_completed_successfully') {
        throw new ComposeConfigError(`depends_on ${service}: unknown condition ${condition}`);
      }
      return { service, condition, required: o.required !== false };
    });
  }
  throw new ComposeConfigError('depends_on must be a list or a mapping');
}

export function parseHealthcheck(v: unknown): Dockerode.HealthConfig | undefined {
  if (!isRecord(v)) return undefined;
  if (v.disable === true) return { Test: ['NONE'] };
  const hc: Dockerode.HealthConfig = {};
  if (typeof v.test === 'string') hc.Test = ['CMD-SHELL', v.test];
  else if (Array.isArray(v.test)) hc.Test = v.test.map(scalar);
  if (v.interval !== undefined) hc.Interval = parseDuration(v.interval);
  if (v.timeout !== undefined) hc.Timeout = parseDuration(v.timeout);
  if (v.start_period !== undefined) hc.StartPeriod = parseDuration(v.start_period);
  if (v.start_interval !== undefined) hc.StartInterval = parseDuration(v.start_interval);
  if (v.retries !== undefined) hc.Retries = Number(v.retries);
  return hc;
}

export function parseRestart(v: unknown): Dockerode.HostRestartPolicy | undefined {
  if (v === undefined || v === null) return undefined;
  const s = scalar(v);
  if (s === 'no' || s === 'false') return { Name: 'no' };
  if (s === 'always' || s === 'unless-stopped') return { Name: s };
  const m = /^on-failure(?::(\d+))?$/.exec(s);
  if (m) return { Name: 'on-failure', ...(m[1] ? { MaximumRetryCount: Number(m[1]) } : {}) };
  throw new ComposeConfigError(`unknown restart policy ${JSON.stringify(s)}`);
}

/** Services in start order (dependencies first, file order otherwise). Missing required dependencies and cycles throw. */
export function serviceOrder(project: ComposeProjectModel): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, chain: string[]): void => {
    const st = state.get(name);
    if (st === 'done') return;
    if (st === 'visiting') throw new ComposeConfigError(`depends_on cycle: ${[...chain, name].join(' -> ')}`);
    state.set(name, 'visiting');
    for (const d of parseDependsOn(project.services[name]!.depends_on)) {
      if (!(d.service in project.services)) {
        if (d.required) throw new ComposeConfigError(`service ${name} depends on ${d.service}, which is not in project ${project.name}`);
        continue;
      }
      visit(d.service, [...chain, name]);
    }
    state.set(name, 'done');
    order.push(name);
  };
  for (const name of Object.keys(project.services)) visit(name, []);
  return order;
}

// ---------------------------------------------------------------- service plan

/** Keys this runtime maps; others Compose knows are reported once as ignored. */
const HANDLED = new Set([
  'image', 'build', 'command', 'entrypoint', 'environment', 'env_file', 'ports', 'expose', 'volumes', 'working_dir', 'user',
  'depends_on', 'healthcheck', 'restart', 'labels', 'container_name', 'hostname', 'domainname', 'tty', 'stdin_open',
  'privileged', 'init', 'stop_signal', 'stop_grace_period', 'cap_add', 'cap_drop', 'extra_hosts', 'dns', 'shm_size',
  'read_only', 'security_opt', 'sysctls', 'tmpfs', 'mem_limit', 'profiles', 'networks', 'pull_policy', 'platform', 'x-',
]);

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (isRecord(v)) return `{${Object.keys(v).sort().filter((k) => v[k] !== undefined).map((k) => `${JSON.stringify(k)}:${stableJson(v[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

export function configHash(create: Dockerode.ContainerCreateOptions): string {
  const labels = { ...create.Labels };
  delete labels[LABEL_HASH];
  return createHash('sha256').update(stableJson({ ...create, Labels: labels })).digest('hex');
}

/** Everything needed to create one service's container. Throws ComposeConfigError on invalid config. */
export function planService(project: ComposeProjectModel, service: string, opts: PlanServiceOptions = {}): ServicePlan {
  const cfg = project.services[service];
  if (!cfg) throw new ComposeConfigError(`no service ${service} in project ${project.name}`);
  const warnings: string[] = [];
  const ignored = Object.keys(cfg).filter((k) => !HANDLED.has(k) && !k.startsWith('x-'));
  if (ignored.length > 0) warnings.push(`service ${service}: ignoring unsupported key(s) ${ignored.join(', ')}`);

  let image = opts.imageRef ?? (cfg.image === undefined ? '' : scalar(cfg.image));
  if (!image) {
    if (cfg.build === undefined) throw new ComposeConfigError(`service ${service} has neither image nor build`);
    image = `${project.name}-${service}`;
    warnings.push(`service ${service}: build: is not run by Innerloop; add docker_build('${image}', ...) to the Tiltfile or set image:`);
  }

  const network = defaultNetworkName(project.name);
  const networks = cfg.networks;
  const otherNets = Array.isArray(networks) ? networks.map(scalar) : isRecord(networks) ? Object.keys(networks) : [];
  if (otherNets.some((n) => n !== 'default')) warnings.push(`service ${service}: only the project's default network is supported; ignoring networks ${otherNets.filter((n) => n !== 'default').join(', ')}`);

  const containerName = cfg.container_name === undefined ? defaultContainerName(project.name, service) : scalar(cfg.container_name);
  const ports: PublishedPort[] = [];
  if (cfg.ports !== undefined && cfg.ports !== null) {
    if (!Array.isArray(cfg.ports)) throw new ComposeConfigError(`service ${service}: ports must be a list`);
    for (const p of cfg.ports) ports.push(...parsePort(p, warnings));
  }
  const exposed: Record<string, Record<string, never>> = {};
  for (const e of stringList(cfg.expose, 'expose')) {
    const [num, proto = 'tcp'] = e.split('/');
    const [lo, hi] = portRange(num!, 'expose port');
    for (let p = lo; p <= hi; p++) exposed[`${p}/${proto}`] = {};
  }
  const bindings: Dockerode.PortMap = {};
  for (const p of ports) {
    const key = `${p.containerPort}/${p.protocol}`;
    exposed[key] = {};
    (bindings[key] ??= []).push({ HostIp: p.hostIp, HostPort: p.hostPort });
  }

  const vols = parseVolumes(cfg.volumes, project.name, project.workingDir, opts.homeDir);
  const tmpfs: Record<string, string> = {};
  for (const t of stringList(cfg.tmpfs, 'tmpfs')) {
    const colon = t.indexOf(':');
    tmpfs[colon < 0 ? t : t.slice(0, colon)] = colon < 0 ? '' : t.slice(colon + 1);
  }
  const dependsOn = parseDependsOn(cfg.depends_on);
  const labels: Record<string, string> = {};
  for (const [k, v] of keyValues(cfg.labels, 'labels')) labels[k] = v ?? '';
  Object.assign(labels, {
    [LABEL_PROJECT]: project.name,
    [LABEL_SERVICE]: service,
    [LABEL_NUMBER]: '1',
    [LABEL_ONEOFF]: 'False',
    [LABEL_WORKDIR]: project.workingDir,
    [LABEL_CONFIG_FILES]: project.configFiles.join(','),
    [LABEL_DEPENDS_ON]: dependsOn.map((d) => `${d.service}:${d.condition}:false`).join(','),
    [LABEL_MANAGED]: 'true',
  });

  const extraHosts = keyValues(cfg.extra_hosts, 'extra_hosts').map(([k, v]) => (v === undefined ? k : `${k}:${v}`));
  const hostConfig: Dockerode.HostConfig = {
    PortBindings: bindings,
    Mounts: vols.mounts,
    RestartPolicy: parseRestart(cfg.restart),
    Privileged: cfg.privileged === true ? true : undefined,
    Init: cfg.init === true ? true : undefined,
    CapAdd: cfg.cap_add === undefined ? undefined : stringList(cfg.cap_add, 'cap_add'),
    CapDrop: cfg.cap_drop === undefined ? undefined : stringList(cfg.cap_drop, 'cap_drop'),
    ExtraHosts: extraHosts.length ? extraHosts : undefined,
    Dns: cfg.dns === undefined ? undefined : stringList(cfg.dns, 'dns'),
    ShmSize: cfg.shm_size === undefined ? undefined : parseBytes(cfg.shm_size),
    Memory: cfg.mem_limit === undefined ? undefined : parseBytes(cfg.mem_limit),
    ReadonlyRootfs: cfg.read_only === true ? true : undefined,
    SecurityOpt: cfg.security_opt === undefined ? undefined : stringList(cfg.security_opt, 'security_opt'),
    Sysctls: cfg.sysctls === undefined ? undefined : Object.fromEntries(keyValues(cfg.sysctls, 'sysctls').map(([k, v]) => [k, v ?? ''])),
    Tmpfs: Object.keys(tmpfs).length ? tmpfs : undefined,
    NetworkMode: network,
  };
  const aliases = [service, containerName];
  const create: Dockerode.ContainerCreateOptions = {
    name: containerName,
    Image: image,
    Cmd: commandArg(cfg.command, 'command'),
    Entrypoint: commandArg(cfg.entrypoint, 'entrypoint'),
    Env: resolveEnvironment(cfg, project.workingDir, opts),
    WorkingDir: cfg.working_dir === undefined ? undefined : scalar(cfg.working_dir),
    User: cfg.user === undefined ? undefined : scalar(cfg.user),
    Hostname: cfg.hostname === undefined ? undefined : scalar(cfg.hostname),
    Domainname: cfg.domainname === undefined ? undefined : scalar(cfg.domainname),
    Tty: cfg.tty === true ? true : undefined,
    OpenStdin: cfg.stdin_open === true ? true : undefined,
    StopSignal: cfg.stop_signal === undefined ? undefined : scalar(cfg.stop_signal),
    StopTimeout: cfg.stop_grace_period === undefined ? undefined : Math.ceil(parseDuration(cfg.stop_grace_period) / 1e9),
    Healthcheck: parseHealthcheck(cfg.healthcheck),
    ExposedPorts: exposed,
    Labels: labels,
    HostConfig: hostConfig,
    NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: aliases } } },
  };
  const hash = configHash(create);
  labels[LABEL_HASH] = hash;
  return {
    project: project.name, service, containerName, image, network, aliases, create, configHash: hash,
    volumes: vols.volumes, bindPathsToCreate: vols.bindPaths, dependsOn, ports, warnings,
  };
}
