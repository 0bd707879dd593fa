// ext://secret: Secret YAML built natively (Tilt's version shells out to `kubectl create secret --dry-run`).
// Values are recorded in plan.secrets so logs can be scrubbed.
import { basename } from 'node:path';
import { Builtin, Dict, type Call, type Value } from '../../starlark';
import { bytesToString, str, strDict, strList, unpack, wrongType } from '../args';
import { parseEnvFile } from '../compose';
import type { TiltfileState } from '../state';
import { Blob } from '../values';
import { serializeYaml } from '../yaml';
import { invoke } from './call';
import type { Builtins } from './types';

function secretYaml(s: TiltfileState, name: string, namespace: string, type: string, data: Record<string, string>): Blob {
  if (!name) throw new Error('secret name must not be empty');
  const obj: Record<string, unknown> = {
    apiVersion: 'v1', kind: 'Secret', metadata: { name, ...(namespace ? { namespace } : {}) }, type,
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')])),
  };
  for (const v of Object.values(data)) if (v) s.secrets.add(v);
  return new Blob(serializeYaml([obj]), `secret ${name}`);
}

function generic(s: TiltfileState, call: Call): Blob {
  const a = unpack(call, ['name', 'namespace?', 'from_file?', 'secret_type?', 'from_env_file?']);
  const data: Record<string, string> = {};
  for (const f of strList(a.from_file, 'from_file')) {
    const eq = f.indexOf('=');
    const key = eq > 0 ? f.slice(0, eq) : basename(f);
    data[key] = s.readFile(s.resolve(eq > 0 ? f.slice(eq + 1) : f));
  }
  for (const f of strList(a.from_env_file, 'from_env_file')) Object.assign(data, parseEnvFile(s.readFile(s.resolve(f))));
  return secretYaml(s, str(a.name, 'name'), str(a.namespace, 'namespace'), str(a.secret_type, 'secret_type') || 'Opaque', data);
}

function fromDict(s: TiltfileState, call: Call): Blob {
  const a = unpack(call, ['name', 'namespace?', 'inputs?']);
  const data: Record<string, string> = {};
  if (a.inputs instanceof Dict) {
    for (const [k, v] of a.inputs.entries()) {
      const t = bytesToString(v);
      if (typeof k !== 'string' || t === undefined) throw new Error('secret_from_dict: inputs must map strings to strings');
      data[k] = t;
    }
  } else if (a.inputs !== undefined && a.inputs !== null) throw wrongType('inputs', a.inputs, 'dict');
  return secretYaml(s, str(a.name, 'name'), str(a.namespace, 'namespace'), 'Opaque', data);
}

function tls(s: TiltfileState, call: Call): Blob {
  const a = unpack(call, ['name', 'cert', 'key', 'namespace?']);
  const data = { 'tls.crt': s.readFile(s.resolve(str(a.cert, 'cert'))), 'tls.key': s.readFile(s.resolve(str(a.key, 'key'))) };
  return secretYaml(s, str(a.name, 'name'), str(a.namespace, 'namespace'), 'kubernetes.io/tls', data);
}

function registry(s: TiltfileState, call: Call): Blob {
  const a = unpack(call, ['name', 'namespace?', 'flags_dict?']);
  const f = strDict(a.flags_dict, 'flags_dict');
  const server = f['docker-server'] ?? 'https://index.docker.io/v1/';
  const user = f['docker-username'] ?? '';
  const pass = f['docker-password'] ?? '';
  const auth = { auths: { [server]: { username: user, password: pass, ...(f['docker-email'] ? { email: f['docker-email'] } : {}), auth: Buffer.from(`${user}:${pass}`).toString('base64') } } };
  if (pass) s.secrets.add(pass);
  return secretYaml(s, str(a.name, 'name'), str(a.namespace, 'namespace'), 'kubernetes.io/dockerconfigjson', { '.dockerconfigjson': JSON.stringify(auth) });
}

export function secretExtension(s: TiltfileState, b: Builtins): Record<string, Value> {
  const pair = (kind: string, make: (s: TiltfileState, c: Call) => Blob): Record<string, Value> => ({
    [`secret_yaml_${kind}`]: new Builtin(`secret_yaml_${kind}`, (call) => make(s, call)),
    [`secret_create_${kind}`]: new Builtin(`secret_create_${kind}`, (call) => invoke(b, 'k8s_yaml', call, [make(s, call)], [])),
  });
  return {
    ...pair('generic', generic),
    ...pair('tls', tls),
    ...pair('registry', registry),
    secret_from_dict: new Builtin('secret_from_dict', (call) => fromDict(s, call)),
  };
}
