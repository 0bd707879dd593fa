// docker_compose and dc_resource: one resource per Compose service.
import { basename, dirname } from 'node:path';
import { Builtin, type Call, type Value } from '../starlark';
import { absent, bool, seq, str, strList, unpack, wrongType } from './args';
import { labelsArg, linksArg, triggerModeArg } from './k8s';
import type { ComposeProject, TiltfileState } from './state';
import { Blob } from './values';
import { COMPOSE_SCHEMA, parseYamlStream } from './yaml';

/** Compose's ${VAR}, ${VAR:-default}, ${VAR-default} and $$ interpolation. */
export function interpolate(text: string, env: Record<string, string | undefined>): string {
  return text.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (m, name: string | undefined, op: string | undefined, def: string | undefined, bare: string | undefined) => {
      if (m === '$$') return '$';
      const key = name ?? bare!;
      const v = env[key];
      if (op === ':-') return v ? v : def ?? '';
      if (op === '-') return v !== undefined ? v : def ?? '';
      return v ?? '';
    });
}

export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let v = m[2]!;
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
    else v = v.replace(/\s+#.*$/, '');
    out[m[1]!] = v;
  }
  return out;
}

function dockerCompose(s: TiltfileState, call: Call): void {
  const a = unpack(call, ['configPaths', 'env_file?', 'project_name?', 'profiles?', 'wait?']);
  const paths: string[] = [];
  const texts: Array<{ text: string; source: string }> = [];
  let inlineYaml: string | undefined;
  for (const v of seq(a.configPaths)) {
    if (typeof v === 'string') {
      const p = s.resolve(v);
      paths.push(p);
      texts.push({ text: s.readFile(p), source: p });
    } else if (v instanceof Blob) {
      inlineYaml = (inlineYaml ? inlineYaml + '\n---\n' : '') + v.text;
      texts.push({ text: v.text, source: v.source });
    } else throw wrongType('configPaths', v, 'string, blob, or list of strings and blobs');
  }
  if (texts.length === 0) throw new Error('docker_compose: configPaths must not be empty');
  const envFileArg = str(a.env_file, 'env_file');
  const projectDir = paths[0] ? dirname(paths[0]) : s.dir();
  const envFile = envFileArg ? s.resolve(envFileArg) : undefined;
  let fileEnv: Record<string, string> = {};
  if (envFile) fileEnv = parseEnvFile(s.readFile(envFile));
  else {
    const dflt = `${projectDir}/.env`;
    try { fileEnv = parseEnvFile(s.readFile(dflt)); } catch { s.configFiles.delete(dflt); }
  }
  const env = { ...fileEnv, ...s.env };
  const services = new Map<string, Record<string, unknown>>();
  for (const t of texts) {
    for (const doc of parseYamlStream(interpolate(t.text, env), t.source, COMPOSE_SCHEMA)) {
      const svcs = (doc as { services?: unknown }).services;
      if (svcs === undefined) continue;
      if (typeof svcs !== 'object' || svcs === null || Array.isArray(svcs)) throw new Error(`${t.source}: services must be a mapping`);
      for (const [name, cfg] of Object.entries(svcs as Record<string, unknown>)) {
        const prev = services.get(name) ?? {};
        services.set(name, { ...prev, ...(cfg as Record<string, unknown> ?? {}) });
      }
    }
  }
  const profiles = strList(a.profiles, 'profiles');
  const activeProfiles = profiles.length ? profiles : (s.env.COMPOSE_PROFILES ?? '').split(',').filter(Boolean);
  const name = (str(a.project_name, 'project_name') || basename(projectDir)).toLowerCase().replace(/[^a-z0-9_-]/g, '');
  let project = s.composeProjects.find((p) => p.name === name);
  if (!project) {
    project = { name, configPaths: [], profiles: activeProfiles, wait: bool(a.wait, 'wait'), services: [], pos: s.pos(call), envFile };
    s.composeProjects.push(project);
  }
  project.configPaths.push(...paths);
  if (inlineYaml) project.yaml = (project.yaml ? project.yaml + '\n---\n' : '') + inlineYaml;
  for (const [svc, cfg] of services) {
    const svcProfiles = Array.isArray(cfg.profiles) ? (cfg.profiles as string[]) : [];
    if (svcProfiles.length && !svcProfiles.some((p) => activeProfiles.includes(p))) continue;
    const existing = project.services.find((x) => x.name === svc);
    if (existing) existing.config = { ...existing.config, ...cfg };
    else project.services.push({ name: svc, config: cfg });
  }
}

export function composeBuiltins(s: TiltfileState): Record<string, Value> {
  return {
    docker_compose: new Builtin('docker_compose', (call) => { dockerCompose(s, call); return null; }),
    dc_resource: new Builtin('dc_resource', (call) => {
      const a = unpack(call, ['name', 'trigger_mode?', 'resource_deps?', 'links?', 'labels?', 'auto_init?', 'project_name?', 'new_name?', 'infer_links?']);
      const name = str(a.name, 'name');
      if (!name) throw new Error('dc_resource: name must not be empty');
      if (s.dcResourceOpts.has(name)) throw new Error(`dc_resource already called for ${name}`);
      s.dcResourceOpts.set(name, {
        name,
        newName: str(a.new_name, 'new_name') || undefined,
        triggerMode: triggerModeArg(a.trigger_mode),
        resourceDeps: absent(a.resource_deps) ? undefined : strList(a.resource_deps, 'resource_deps'),
        links: linksArg(a.links),
        labels: labelsArg(a.labels),
        autoInit: absent(a.auto_init) ? undefined : bool(a.auto_init, 'auto_init'),
        projectName: str(a.project_name, 'project_name') || undefined,
        inferLinks: absent(a.infer_links) ? undefined : bool(a.infer_links, 'infer_links'),
        pos: s.pos(call),
      });
      return null;
    }),
  };
}

export type { ComposeProject };
