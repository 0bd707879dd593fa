// Which port-forwards are debugger ports, and the attach configuration for each. No 'vscode' import
// (unit-tested); commands.ts starts the session and debugProvider.ts offers them in the Run view.
import type { EngineSnapshot } from '../shared/state';

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

export interface DebugTarget {
  resource: string;
  runtime: DebugRuntime;
  host: string;
  /** Local (forwarded) port to attach to. */
  port: number;
  containerPort: number;
}

/** Debugger ports among the resources' active port-forwards, in resource order. */
export function debugTargets(state: EngineSnapshot, only?: string): DebugTarget[] {
  const out: DebugTarget[] = [];
  for (const name of state.order) {
    if (only !== undefined && name !== only) continue;
    for (const pf of state.resources[name]?.portForwards ?? []) {
      const runtime = DEBUG_PORTS[pf.containerPort];
      if (runtime && pf.state !== 'error') out.push({ resource: name, runtime, host: pf.host ?? 'localhost', port: pf.localPort, containerPort: pf.containerPort });
    }
  }
  return out;
}

/** A launch.json-style attach configuration (the shape vscode.DebugConfiguration accepts). */
export interface AttachConfiguration {
  type: string;
  request: 'attach';
  name: string;
  [key: string]: unknown;
}

export function attachConfiguration(t: DebugTarget): AttachConfiguration {
  const name = `Innerloop: attach to ${t.resource} (${t.runtime} :${t.port})`;
  switch (t.runtime) {
    case 'node':
      return { type: 'node', request: 'attach', name, address: t.host, port: t.port, restart: true, skipFiles: ['<node_internals>/**'] };
    case 'go':
      return { type: 'go', request: 'attach', name, mode: 'remote', host: t.host, port: t.port };
    case 'python':
      return { type: 'debugpy', request: 'attach', name, connect: { host: t.host, port: t.port } };
    case 'java':
      return { type: 'java', request: 'attach', name, hostName: t.host, port: t.port };
  }
}

/** The hint shown when a resource has no debugger port forwarded. */
export function noDebugTargetHint(resource?: string): string {
  const r = resource ?? 'my-app';
  return `Innerloop: no debugger port is forwarded${resource ? ` for ${resource}` : ''}. Forward one in the Tiltfile, e.g. k8s_resource('${r}', port_forwards=['9229:9229']) for Node (2345 Go/dlv, 5678 Python/debugpy, 5005 Java).`;
}
