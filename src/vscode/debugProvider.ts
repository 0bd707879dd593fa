// Offers "attach to <resource>" entries in the Run and Debug view's dynamic configurations, for every
// debugger port the running engine forwards (see debugTargets.ts for which ports count).
import * as vscode from 'vscode';
import type { Ctx } from './ctx';
import { attachConfiguration, debugTargets, type DebugRuntime } from './debugTargets';

const DEBUG_TYPE: Record<DebugRuntime, string> = { node: 'node', go: 'go', python: 'debugpy', java: 'java' };

export function registerDebugProvider(ctx: Ctx): void {
  for (const [runtime, type] of Object.entries(DEBUG_TYPE) as [DebugRuntime, string][]) {
    ctx.push(
      vscode.debug.registerDebugConfigurationProvider(
        type,
        {
          provideDebugConfigurations: () => {
            const s = ctx.session?.store.snapshot();
            if (!s) return [];
            return debugTargets(s)
              .filter((t) => t.runtime === runtime)
              .map((t) => attachConfiguration(t) as vscode.DebugConfiguration);
          },
        },
        vscode.DebugConfigurationProviderTriggerKind.Dynamic,
      ),
    );
  }
}
