// Innerloop's own debug types. debugpy (`--listen`) and Delve (`dlv --headless`/`dlv dap`) speak the Debug Adapter
// Protocol on their port, so the adapter is just a DebugAdapterServer on the forwarded port: attaching needs no
// Python or Go extension. A launch.json entry may name only the resource; the engine's forward fills in the rest.
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { INNERLOOP_GO, INNERLOOP_PYTHON, type DebugRuntime } from '../debugTargets';
import { configurationFor, currentTargets } from './attach';

const RUNTIME: Record<string, DebugRuntime> = { [INNERLOOP_PYTHON]: 'python', [INNERLOOP_GO]: 'go' };

function endpoint(c: vscode.DebugConfiguration): { host: string; port: number } | undefined {
  const connect = c.connect as { host?: string; port?: number } | undefined;
  const port = Number(connect?.port ?? c.port);
  if (!Number.isInteger(port) || port <= 0) return undefined;
  return { host: String(connect?.host ?? c.host ?? '127.0.0.1'), port };
}

export function registerDebugAdapters(ctx: Ctx): void {
  for (const type of [INNERLOOP_PYTHON, INNERLOOP_GO]) {
    ctx.push(
      vscode.debug.registerDebugAdapterDescriptorFactory(type, {
        createDebugAdapterDescriptor: (session) => {
          const e = endpoint(session.configuration);
          if (!e) throw new Error(`${type}: the configuration needs a port (or "resource" with a forwarded debug port)`);
          return new vscode.DebugAdapterServer(e.port, e.host);
        },
      }),
    );
    ctx.push(
      vscode.debug.registerDebugConfigurationProvider(type, {
        // { "type": "innerloop-python", "request": "attach", "resource": "todo-api" } → the forward and the mapping.
        resolveDebugConfiguration: (_folder, config) => {
          if (endpoint(config)) return config;
          const resource = typeof config.resource === 'string' ? config.resource : undefined;
          const target = currentTargets(ctx, resource).find((t) => t.runtime === RUNTIME[type]);
          if (!target) {
            void vscode.window.showErrorMessage(
              `Innerloop: ${resource ? `${resource} has no forwarded ${RUNTIME[type]} debugger port` : `"${type}" needs "resource" or a port`}${ctx.session ? '' : ' (the engine is not running: Innerloop: Up)'}.`,
            );
            return undefined;
          }
          // The user's fields win, except where to connect (the forward) when they gave none.
          const filled = configurationFor(ctx, target);
          return { ...filled, ...config, connect: filled.connect, host: filled.host, port: filled.port } as vscode.DebugConfiguration;
        },
      }),
    );
  }
}
