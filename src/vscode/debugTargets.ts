// Which port-forwards are debugger ports, and the attach configuration for each, with the source mapping that makes
// a breakpoint in the local file bind in the container. No 'vscode' import (unit-tested); debug/attach.ts starts
// the session and debugProvider.ts offers the configurations in the Run view.
import type { EngineSnapshot } from '../shared/state';
import type { Plan, PortForward } from '../tiltfile/plan';
import { nodeRoots, type SourceMapping } from './debug/sourceMapping';

export type DebugRuntime = 'node' | 'go' | 'python' | 'java';

/** Well-known debugger ports inside containers. */
export const DEBUG_PORTS: Readonly<Record<number, DebugRuntime>> = {
  9229: 'node', // node --inspect
  9230: 'node',
  2345: 'go', // dlv --listen=:2345
  40000: 'go',
  5678: 'python', // debugpy
  5005: 'java', // JDWP
};

/** The port each runtime's debugger listens on by convention. */
export const DEFAULT_DEBUG_PORT: Readonly<Record<DebugRuntime, number>> = { node: 9229, go: 2345, python: 5678, java: 5005 };

/** Debug types Innerloop contributes (package.json `debuggers`): a DAP client straight to the forwarded port. */
export const INNERLOOP_PYTHON = 'innerloop-python';
export const INNERLOOP_GO = 'innerloop-go';

export interface DebugTarget {
  resource: string;
  runtime: DebugRuntime;
  host: string;
  /** Local (forwarded) port to attach to. */
  port: number;
  containerPort: number;
}

/** The runtime a command line or Dockerfile runs under, from its debugger flags first, then the interpreter. */
export function guessRuntime(text: string): DebugRuntime | undefined {
  if (/debugpy/.test(text)) return 'python';
  if (/--inspect(-brk)?\b/.test(text)) return 'node';
  if (/\bdlv\b/.test(text)) return 'go';
  if (/jdwp/.test(text)) return 'java';
  if (/\bnode(js)?\b/.test(text)) return 'node';
  if (/\bpython[0-9.]*\b/.test(text)) return 'python';
  if (/\bjava\b/.test(text)) return 'java';
  if (/\bgo (build|run)\b|golang/.test(text)) return 'go';
  return undefined;
}

function planForwards(plan: Plan | undefined, resource: string): readonly PortForward[] {
  const r = plan?.resources.find((x) => x.name === resource);
  return r && 'portForwards' in r ? r.portForwards : [];
}

/**
 * Debugger ports among the resources' port-forwards (not failed), in resource order: a well-known container port, or
 * a forward named `debug` in the Tiltfile (runtime from `runtimeOf`, e.g. the image's Dockerfile).
 */
export function debugTargets(state: EngineSnapshot, only?: string, opts: { plan?: Plan; runtimeOf?: (resource: string) => DebugRuntime | undefined } = {}): DebugTarget[] {
  const out: DebugTarget[] = [];
  for (const name of state.order) {
    if (only !== undefined && name !== only) continue;
    for (const pf of state.resources[name]?.portForwards ?? []) {
      if (pf.state === 'error') continue;
      // A forward given only a local port (`port_forwards=9229`) usually reaches the same port in the pod.
      let runtime: DebugRuntime | undefined = DEBUG_PORTS[pf.containerPort || pf.localPort];
      if (!runtime && planForwards(opts.plan, name).some((f) => f.name === 'debug' && f.localPort === pf.localPort)) runtime = opts.runtimeOf?.(name);
      // 127.0.0.1, not "localhost": the forward listens on IPv4 loopback and localhost may resolve to ::1 first.
      if (runtime) out.push({ resource: name, runtime, host: pf.host || '127.0.0.1', port: pf.localPort, containerPort: pf.containerPort });
    }
  }
  return out;
}

/** A launch.json-style attach configuration (the shape vscode.DebugConfiguration accepts). */
export interface AttachConfiguration {
  type: string;
  request: 'attach';
  name: string;
  /** Which resource and port this attaches to, so a session that ends with its process can re-attach. */
  innerloop?: { resource: string; runtime: DebugRuntime; containerPort: number };
  [key: string]: unknown;
}

export interface AttachOptions {
  /** Source mappings for the resource, most specific first (debug/sourceMapping.ts). */
  mappings?: readonly SourceMapping[];
  /** The Node project compiles (tsconfig.json): point the debugger at the local output and its source maps. */
  builds?: boolean;
  /** Use the installed Python Debugger / Go extension's type instead of Innerloop's own. */
  pythonType?: 'innerloop-python' | 'debugpy';
  goType?: 'innerloop-go' | 'go';
}

export function attachConfigurationName(t: DebugTarget, type?: string): string {
  const via = type === 'debugpy' ? ', Python Debugger' : type === 'go' ? ', Go extension' : '';
  return `Innerloop: attach to ${t.resource} (${t.runtime} :${t.port}${via})`;
}

export function attachConfiguration(t: DebugTarget, opts: AttachOptions = {}): AttachConfiguration {
  const mappings = opts.mappings ?? [];
  const innerloop = { resource: t.resource, runtime: t.runtime, containerPort: t.containerPort };
  switch (t.runtime) {
    case 'node': {
      const roots = nodeRoots(mappings);
      const name = attachConfigurationName(t);
      // restart: js-debug reconnects by itself when a live update restarts the process or the pod is replaced
      // (the forward follows the new pod).
      const c: AttachConfiguration = { type: 'node', request: 'attach', name, address: t.host, port: t.port, restart: true, skipFiles: ['<node_internals>/**'], innerloop };
      if (roots) Object.assign(c, roots);
      if (roots && opts.builds) Object.assign(c, { sourceMaps: true, outFiles: [`${roots.localRoot}/**/*.js`, '!**/node_modules/**'] });
      return c;
    }
    case 'python': {
      const type = opts.pythonType ?? INNERLOOP_PYTHON;
      const pathMappings = mappings.map((m) => ({ localRoot: m.local, remoteRoot: m.remote }));
      return { type, request: 'attach', name: attachConfigurationName(t, type), connect: { host: t.host, port: t.port }, pathMappings, justMyCode: true, innerloop };
    }
    case 'go': {
      const type = opts.goType ?? INNERLOOP_GO;
      // dlv's DAP server rewrites paths itself: `from` is the editor's path, `to` the path in the binary.
      const substitutePath = mappings.map((m) => ({ from: m.local, to: m.remote }));
      const c: AttachConfiguration = { type, request: 'attach', name: attachConfigurationName(t, type), mode: 'remote', host: t.host, port: t.port, substitutePath, innerloop };
      if (type === 'go') c.debugAdapter = 'dlv-dap';
      return c;
    }
    case 'java': {
      // Java resolves classes to sources by package under each source path.
      const sourcePaths = [...new Set(mappings.map((m) => m.local))];
      return { type: 'java', request: 'attach', name: attachConfigurationName(t), hostName: t.host, port: t.port, sourcePaths, innerloop };
    }
  }
}

/** The command line that opens each runtime's debugger on its port, bound to the pod's loopback (the forward reaches it). */
export function debuggerCommandLine(runtime: DebugRuntime): string {
  switch (runtime) {
    case 'node':
      return 'node --inspect=127.0.0.1:9229 server.js';
    case 'python':
      return 'python -m debugpy --listen 127.0.0.1:5678 app.py';
    case 'go':
      // --only-same-user=false: a port forward's connection reaches Delve as another user (the node's runtime).
      return 'dlv exec --headless --continue --accept-multiclient --api-version=2 --only-same-user=false --listen=127.0.0.1:2345 ./app';
    case 'java':
      return 'java -agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=127.0.0.1:5005 -jar app.jar';
  }
}

function forwardLiteral(f: PortForward): string {
  if (f.name || f.host || f.linkPath) {
    const args = [String(f.localPort), ...(f.containerPort ? [String(f.containerPort)] : [])];
    if (f.name) args.push(`name='${f.name}'`);
    if (f.host) args.push(`host='${f.host}'`);
    if (f.linkPath) args.push(`link_path='${f.linkPath}'`);
    return `port_forward(${args.join(', ')})`;
  }
  return f.containerPort ? `'${f.localPort}:${f.containerPort}'` : `${f.localPort}`;
}

/**
 * The hint shown when a resource has no debugger port forwarded: the exact port_forwards= to put in the Tiltfile
 * (keeping the resource's current forwards) and the runtime's command line.
 */
export function noDebugTargetHint(resource?: string, opts: { plan?: Plan; runtime?: DebugRuntime } = {}): string {
  const named = resource ? planForwards(opts.plan, resource).find((f) => f.name === 'debug') : undefined;
  if (named && resource) {
    const port = `port ${named.localPort}${named.containerPort && named.containerPort !== named.localPort ? ` (container ${named.containerPort})` : ''}`;
    // The forward is there: what is missing is either the runtime or the forward being up.
    if (!opts.runtime) {
      const commands = (['node', 'python', 'go', 'java'] as const).map((x) => `${x}: ${debuggerCommandLine(x)}`).join('; ');
      return `Innerloop: ${resource} forwards ${port} named 'debug', but its runtime cannot be guessed: neither its image's entrypoint nor its Dockerfile names a debugger or interpreter (debugpy/python, node --inspect, dlv, jdwp/java). Start the process under its debugger in the image: ${commands}.`;
    }
    return `Innerloop: ${resource}'s debug forward (${port}, ${opts.runtime}) is not active yet; wait until the pod is running, then attach again.`;
  }
  const r = resource ?? 'my-app';
  const where = resource ? ` for ${resource}` : '';
  const runtimes: DebugRuntime[] = opts.runtime ? [opts.runtime] : ['node', 'python', 'go', 'java'];
  const rt = runtimes[0]!;
  const port = DEFAULT_DEBUG_PORT[rt];
  const existing = resource ? planForwards(opts.plan, resource) : [];
  const forwards = [...existing.map(forwardLiteral), `port_forward(${port}, ${port}, name='debug')`].join(', ');
  const line = `k8s_resource('${r}', port_forwards=[${forwards}])`;
  const commands = runtimes.map((x) => `${x}: ${debuggerCommandLine(x)}`).join('; ');
  const others = opts.runtime ? '' : ` (ports: Node 9229, Python/debugpy 5678, Go/dlv 2345, Java/JDWP 5005)`;
  return `Innerloop: no debugger port is forwarded${where}. Add to the Tiltfile: ${line}${others}, and start the process under its debugger: ${commands}.`;
}
