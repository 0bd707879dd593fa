// The config module: define_* settings filled from CLI args (after `--`) and tilt_config.json, and enabled resources.
import { readTextFileSafely, SafeReadError } from './safeRead';
import { dirname, join } from 'node:path';
import { Builtin, Dict, Struct, fromJS, type Call } from '../starlark';
import { bool, str, strList, unpack } from './args';
import type { ConfigSetting, TiltfileState } from './state';

function define(s: TiltfileState, type: ConfigSetting['type']): Builtin {
  const fname = `config.define_${type}`;
  return new Builtin(fname, (call: Call) => {
    const a = unpack(call, ['name', 'args?', 'usage?']);
    if (s.configParsed) throw new Error(`${fname} cannot be called after config.parse is called`);
    const name = str(a.name, 'name');
    if (!name) throw new Error(`${fname}: name must not be empty`);
    if (s.configDefs.has(name)) throw new Error(`${name} defined multiple times`);
    const args = bool(a.args, 'args');
    if (args) {
      for (const [other, d] of s.configDefs) if (d.args) throw new Error(`only one setting can have args=True; ${other} already does`);
    }
    s.configDefs.set(name, { type, args, usage: str(a.usage, 'usage'), pos: s.pos(call) });
    return null;
  });
}

function usage(s: TiltfileState): string {
  const lines = [...s.configDefs].map(([n, d]) => `  --${n}${d.type === 'bool' ? '' : ' ' + d.type}${d.args ? ' (positional)' : ''}  ${d.usage}`);
  return lines.length ? `\nAvailable settings:\n${lines.join('\n')}` : '';
}

/** Applies CLI args over tilt_config.json, Tilt's flag grammar: --name value, --name=value, --bool, positional. */
function parse(s: TiltfileState): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const file = join(dirname(s.tiltfile), 'tilt_config.json');
  let fileText: string | undefined;
  try { fileText = readTextFileSafely(file, s.readGuard()); } catch (e) { if (e instanceof SafeReadError) throw e; /* missing is fine */ }
  s.configFiles.add(file);
  if (fileText !== undefined) {
    let obj: unknown;
    try { obj = JSON.parse(fileText); } catch (e) { throw new Error(`error parsing ${file}: ${(e as Error).message}`); }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new Error(`${file}: must contain a JSON object`);
    for (const [k, v] of Object.entries(obj)) {
      const d = s.configDefs.get(k);
      if (!d) throw new Error(`${file}: specified unknown setting name ${JSON.stringify(k)}${usage(s)}`);
      if (d.type === 'string' && typeof v !== 'string') throw new Error(`${file}: setting ${JSON.stringify(k)} must be a string`);
      if (d.type === 'bool' && typeof v !== 'boolean') throw new Error(`${file}: setting ${JSON.stringify(k)} must be a bool`);
      if (d.type === 'string_list' && !(Array.isArray(v) && v.every((x) => typeof x === 'string'))) throw new Error(`${file}: setting ${JSON.stringify(k)} must be a list of strings`);
      out[k] = v;
    }
  }
  const cli: Record<string, unknown> = {};
  const positional: string[] = [];
  const args = s.opts.args;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') { positional.push(...args.slice(i + 1)); break; }
    if (!arg.startsWith('-') || arg === '-') { positional.push(arg); continue; }
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    const d = s.configDefs.get(name);
    if (!d) throw new Error(`unknown flag: --${name}${usage(s)}`);
    let val: string;
    if (eq >= 0) val = body.slice(eq + 1);
    else if (d.type === 'bool') val = 'true';
    else {
      if (i + 1 >= args.length) throw new Error(`flag needs an argument: --${name}`);
      val = args[++i]!;
    }
    if (d.type === 'bool') {
      if (!['true', 'false', '1', '0', 't', 'f', 'True', 'False'].includes(val)) throw new Error(`invalid boolean value ${JSON.stringify(val)} for --${name}`);
      cli[name] = ['true', '1', 't', 'True'].includes(val);
    } else if (d.type === 'string_list') {
      cli[name] = [...((cli[name] as string[] | undefined) ?? []), val];
    } else if (d.type === 'object') {
      try { cli[name] = JSON.parse(val) as unknown; } catch { throw new Error(`invalid JSON value for --${name}`); }
    } else {
      if (name in cli) throw new Error(`string settings can only be specified once: --${name}`);
      cli[name] = val;
    }
  }
  if (positional.length) {
    const argDef = [...s.configDefs].find(([, d]) => d.args);
    if (!argDef) {
      throw new Error(`positional CLI args (${positional.map((p) => JSON.stringify(p)).join(', ')}) were specified, but none were expected. See https://docs.tilt.dev/tiltfile_config.html#positional-arguments for examples.`);
    }
    const [n, d] = argDef;
    if (d.type === 'string_list') cli[n] = [...((cli[n] as string[] | undefined) ?? []), ...positional];
    else if (d.type === 'string') {
      if (positional.length > 1) throw new Error(`${n} takes a single positional argument; got ${positional.length}`);
      cli[n] = positional[0];
    } else throw new Error(`${n}: positional args are only supported for string and string_list settings`);
  }
  return { ...out, ...cli };
}

export function configModule(s: TiltfileState): Struct {
  return new Struct({
    define_string: define(s, 'string'),
    define_string_list: define(s, 'string_list'),
    define_bool: define(s, 'bool'),
    define_object: define(s, 'object'),
    parse: new Builtin('config.parse', (call) => {
      unpack(call, []);
      if (!s.configParsed) {
        s.config = parse(s);
        s.configParsed = true;
      }
      const d = fromJS(s.config);
      return d instanceof Dict ? d : new Dict();
    }),
    set_enabled_resources: new Builtin('config.set_enabled_resources', (call) => {
      const a = unpack(call, ['resources']);
      s.enabledResources = strList(a.resources, 'resources');
      return null;
    }),
    clear_enabled_resources: new Builtin('config.clear_enabled_resources', (call) => {
      unpack(call, []);
      s.enabledResources = [];
      return null;
    }),
    tilt_subcommand: s.opts.subcommand,
    main_path: s.tiltfile,
    main_dir: dirname(s.tiltfile),
  });
}

/** Without config definitions, `tilt up a b` names the resources to enable. */
export function defaultEnabledResources(s: TiltfileState): string[] | undefined {
  if (s.enabledResources) return s.enabledResources;
  if (s.configParsed || s.opts.args.length === 0) return undefined;
  const names = s.opts.args.filter((a) => !a.startsWith('-'));
  if (names.length !== s.opts.args.length) {
    s.warn(`CLI args ${s.opts.args.join(' ')} were given, but the Tiltfile never calls config.parse(); flags are ignored`);
  }
  return names.length ? names : undefined;
}


