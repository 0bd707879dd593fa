// Fuzz child process: runs Starlark programs it receives over IPC and reports how each ended. Tilt's builtins
// are stubs (any name a Tiltfile calls converts its arguments with toJS and returns None): the fuzzer exercises
// the interpreter and the host boundary, never the file system, processes or the cluster.
import { Builtin, StarlarkError, execFile, structBuiltin, toJS, type Value } from '../../src/starlark/index';

export type Outcome = 'ok' | 'error' | 'crash';
export interface Result {
  id: number;
  outcome: Outcome;
  detail?: string;
}

const STUB_NAMES = [
  'docker_build', 'custom_build', 'k8s_yaml', 'k8s_resource', 'local_resource', 'local', 'read_file', 'read_json',
  'read_yaml', 'encode_json', 'decode_json', 'encode_yaml', 'decode_yaml', 'helm', 'kustomize', 'watch_file',
  'allow_k8s_contexts', 'default_registry', 'port_forward', 'link', 'sync', 'run', 'fall_back_on', 'restart_container',
  'include', 'load_dynamic', 'dc_resource', 'docker_compose', 'k8s_kind', 'update_settings', 'set_team', 'ci_settings',
  'secret_settings', 'analytics_settings', 'version_settings', 'trigger_mode', 'disable_snapshots', 'enable_feature',
  'filter_yaml', 'listdir', 'blob', 'warn', 'test', 'v1alpha1', 'os', 'config', 'shlex', 'k8s_custom_deploy',
];

const stub = (name: string): Builtin =>
  new Builtin(name, (c) => {
    for (const a of c.args) JSON.stringify(toJS(a));
    for (const [, v] of c.kwargs) JSON.stringify(toJS(v));
    return null;
  });

const predeclared: Record<string, Value> = { struct: structBuiltin };
for (const n of STUB_NAMES) predeclared[n] = stub(n);

export const MAX_STEPS = 1_000_000;

export function runOne(source: string): { outcome: Outcome; detail?: string } {
  try {
    execFile({ filename: 'Tiltfile', source, predeclared, maxSteps: MAX_STEPS, print: () => {}, load: () => ({}) });
    return { outcome: 'ok' };
  } catch (e) {
    if (e instanceof StarlarkError) return { outcome: 'error' };
    return { outcome: 'crash', detail: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e) };
  }
}

if (process.send) {
  process.send({ ready: true });
  process.on('message', (m: { id: number; source: string }) => {
    const r = runOne(m.source);
    process.send!({ id: m.id, ...r } satisfies Result);
  });
}
