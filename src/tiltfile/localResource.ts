// local_resource and the readiness probe helpers (probe, exec_action, http_get_action, tcp_socket_action).
import { Builtin, type Call, type Value } from '../starlark';
import { absent, bool, command, int, str, strDict, strList, unpack, wrongType } from './args';
import { labelsArg, linksArg, triggerModeArg } from './k8s';
import type { LocalResource, Probe } from './plan';
import type { TiltfileState } from './state';
import { ProbeAction, ProbeValue } from './values';

const localResourceParams = [
  'name', 'cmd?', 'deps?', 'trigger_mode?', 'resource_deps?', 'ignore?', 'auto_init?', 'serve_cmd?', 'cmd_bat?',
  'serve_cmd_bat?', 'allow_parallel?', 'links?', 'tags?', 'env?', 'serve_env?', 'readiness_probe?', 'dir?',
  'serve_dir?', 'labels?',
];

// Tilt's deprecated test(): still registered (the tests/* extensions call it) and a local_resource underneath;
// `timeout` is accepted and, as in Tilt today, not enforced.
const testParams = ['name', 'cmd', 'deps?', 'tags?', 'timeout?', 'trigger_mode?', 'resource_deps?', 'ignore?', 'auto_init?',
  'env?', 'allow_parallel?', 'links?', 'labels?', 'dir?', 'serve_cmd?', 'serve_env?', 'serve_dir?', 'readiness_probe?'];

function localResource(s: TiltfileState, call: Call, params = localResourceParams): void {
  const a = unpack(call, params);
  const name = str(a.name, 'name');
  if (!name) throw new Error('local_resource: name must not be empty');
  const cmd = command(absent(a.cmd) || a.cmd === '' ? a.cmd_bat : a.cmd, 'cmd');
  const serve = command(absent(a.serve_cmd) || a.serve_cmd === '' ? a.serve_cmd_bat : a.serve_cmd, 'serve_cmd');
  if (cmd.command.length === 0 && serve.command.length === 0) {
    throw new Error('local_resource must have a cmd and/or a serve_cmd, but both were empty');
  }
  let readinessProbe: Probe | undefined;
  if (!absent(a.readiness_probe)) {
    if (!(a.readiness_probe instanceof ProbeValue)) throw wrongType('readiness_probe', a.readiness_probe, 'probe');
    readinessProbe = a.readiness_probe.probe;
    if (serve.command.length === 0) s.warn(`local_resource ${JSON.stringify(name)}: readiness_probe is only used with serve_cmd`, s.pos(call));
  }
  s.claimResourceName(name, 'local_resource');
  const labels = [...(labelsArg(a.labels) ?? []), ...(labelsArg(a.tags) ?? [])];
  const r: LocalResource = {
    type: 'local',
    name,
    labels,
    resourceDeps: strList(a.resource_deps, 'resource_deps'),
    triggerMode: triggerModeArg(a.trigger_mode) ?? s.settings.triggerMode,
    autoInit: bool(a.auto_init, 'auto_init', true),
    links: linksArg(a.links) ?? [],
    pos: s.pos(call),
    cmd: { ...cmd, dir: absent(a.dir) || a.dir === '' ? s.dir() : s.resolve(str(a.dir, 'dir')), env: strDict(a.env, 'env') },
    serveCmd: { ...serve, dir: absent(a.serve_dir) || a.serve_dir === '' ? s.dir() : s.resolve(str(a.serve_dir, 'serve_dir')), env: strDict(a.serve_env, 'serve_env') },
    deps: strList(a.deps, 'deps').map((d) => s.resolve(d)),
    ignore: strList(a.ignore, 'ignore'),
    // With no update command there is nothing to serialise: serve_cmd-only resources run in parallel (Tilt).
    allowParallel: bool(a.allow_parallel, 'allow_parallel', cmd.command.length === 0),
    readinessProbe,
  };
  // Remember whether trigger_mode was explicit: a later trigger_mode() call changes only the defaults.
  if (absent(a.trigger_mode)) defaultTriggerMode.add(r);
  s.localResources.push(r);
}

/** Local resources that took the global trigger mode (re-read at assembly, since trigger_mode() may come later). */
export const defaultTriggerMode = new WeakSet<object>();

function portArg(v: Value | undefined): number {
  const p = int(v, 'port');
  // A probe needs a real port (Kubernetes' rule), so 0 is out too.
  if (p <= 0 || p > 65535) throw new Error(`port ${p} is not in the valid range [1-65535]`);
  return p;
}

export function localResourceBuiltins(s: TiltfileState): Record<string, Value> {
  return {
    local_resource: new Builtin('local_resource', (call) => { localResource(s, call); return null; }),
    test: new Builtin('test', (call) => { localResource(s, call, testParams); return null; }),
    probe: new Builtin('probe', (call) => {
      const a = unpack(call, ['initial_delay_secs?', 'timeout_secs?', 'period_secs?', 'success_threshold?', 'failure_threshold?', 'exec?', 'http_get?', 'tcp_socket?']);
      const actions = [a.exec, a.http_get, a.tcp_socket].filter((x) => !absent(x));
      if (actions.length !== 1) throw new Error('exactly one of exec, http_get, or tcp_socket must be specified');
      const act = actions[0];
      if (!(act instanceof ProbeAction)) throw wrongType('exec/http_get/tcp_socket', act ?? null, 'exec_action, http_get_action or tcp_socket_action');
      return new ProbeValue({
        initialDelaySecs: int(a.initial_delay_secs, 'initial_delay_secs', 0),
        timeoutSecs: int(a.timeout_secs, 'timeout_secs', 1),
        periodSecs: int(a.period_secs, 'period_secs', 10),
        successThreshold: int(a.success_threshold, 'success_threshold', 1),
        failureThreshold: int(a.failure_threshold, 'failure_threshold', 3),
        action: act.action,
      });
    }),
    exec_action: new Builtin('exec_action', (call) => {
      const a = unpack(call, ['command']);
      const c = strList(a.command, 'command');
      if (c.length === 0) throw new Error('exec_action: command must not be empty');
      return new ProbeAction('exec_action', { kind: 'exec', command: c });
    }),
    http_get_action: new Builtin('http_get_action', (call) => {
      const a = unpack(call, ['port', 'host?', 'scheme?', 'path?']);
      const scheme = str(a.scheme, 'scheme', 'http').toLowerCase();
      if (scheme !== 'http' && scheme !== 'https') throw new Error(`scheme must be http or https; got ${JSON.stringify(scheme)}`);
      const path = str(a.path, 'path');
      return new ProbeAction('http_get_action', {
        kind: 'http_get', port: portArg(a.port), host: str(a.host, 'host') || 'localhost',
        path: path === '' ? '/' : path.startsWith('/') ? path : `/${path}`, scheme,
      });
    }),
    tcp_socket_action: new Builtin('tcp_socket_action', (call) => {
      const a = unpack(call, ['port', 'host?']);
      return new ProbeAction('tcp_socket_action', { kind: 'tcp_socket', port: portArg(a.port), host: str(a.host, 'host') || 'localhost' });
    }),
  };
}
