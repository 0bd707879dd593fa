// The Run and Debug view's side of debugging: "Innerloop: attach to <resource>" entries among the dynamic
// configurations for every debugger port the running engine forwards (Innerloop's own types, plus the Python
// Debugger's and Go extension's when installed), Innerloop's own debug adapters, and re-attach after restarts.
import * as vscode from 'vscode';
import type { Ctx } from './ctx';
import { INNERLOOP_GO, INNERLOOP_PYTHON } from './debugTargets';
import { registerDebugAdapters } from './debug/adapters';
import { allConfigurations } from './debug/attach';
import { registerReattach } from './debug/reattach';

/** Every debug type an Innerloop attach configuration can have. */
const TYPES = ['node', INNERLOOP_PYTHON, INNERLOOP_GO, 'debugpy', 'go', 'java'];

export function registerDebugProvider(ctx: Ctx): void {
  registerDebugAdapters(ctx);
  registerReattach(ctx);
  for (const type of TYPES) {
    ctx.push(
      vscode.debug.registerDebugConfigurationProvider(
        type,
        { provideDebugConfigurations: () => allConfigurations(ctx).filter((c) => c.type === type) as vscode.DebugConfiguration[] },
        vscode.DebugConfigurationProviderTriggerKind.Dynamic,
      ),
    );
  }
}
