// Entry point: activate() only wires things up. Everything registered lands in the one Ctx, which is
// itself in context.subscriptions. Activation is cheap: no Tiltfile runs until the user asks (or autoStart).
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { Ctx, type EngineSession } from './ctx';
import { registerDashboard } from './dashboard/panel';
import { registerDebugProvider } from './debugProvider';
import { registerDiagnostics } from './diagnostics';
import { registerLanguageFeatures } from './language';
import { registerLogChannels } from './logChannels';
import { registerResourceTree } from './resourceTree';
import { registerStatusBar } from './statusBar';
import { explainRestrictedMode, whenTrusted } from './trust';
import { registerTerminalEnv } from './controlChannel';
import { registerContextStatus } from './contextStatus';
import { autoStart } from './autoStart';
import { registerTiltfileContext } from './tiltfilePick';

/** What activate() returns to other extensions (and the in-host test harness). */
export interface InnerloopApi {
  readonly version: string;
  /** Drives the editor UI from an engine session created elsewhere (embedding, tests); undefined detaches. */
  useEngineSession(session: EngineSession | undefined): void;
  /** The session the editor UI is bound to now (undefined while stopped). */
  session(): EngineSession | undefined;
}

/** Set by the bundle's first line (scripts/build.mjs banner): when evaluating dist/extension.js began. */
const bundleStart = (globalThis as { __innerloopBundleStart?: number }).__innerloopBundleStart;

export function activate(extCtx: vscode.ExtensionContext): InnerloopApi {
  const t0 = performance.now();
  let ctx: Ctx | undefined;
  try {
    ctx = new Ctx(extCtx);
    const c = ctx;
    const version = String(extCtx.extension.packageJSON.version);
    c.log.info(`Innerloop ${version} activating (trusted=${vscode.workspace.isTrusted})`);
    const diagnostics = registerDiagnostics(c);
    const logs = registerLogChannels(c);
    registerResourceTree(c);
    registerStatusBar(c);
    // The engine's real Docker/Kubernetes/process adapters (created by the session after the kube-context check).
    registerCommands(c, { diagnostics, logs });
    registerLanguageFeatures(c);
    registerDebugProvider(c);
    registerDashboard(c);
    registerTerminalEnv(c);
    registerContextStatus(c);
    registerTiltfileContext(c);
    if (!vscode.workspace.isTrusted) void explainRestrictedMode(c);
    // Notes like "local() is not run while checking" only apply in Restricted Mode: re-check once trusted.
    c.push(vscode.workspace.onDidGrantWorkspaceTrust(() => void diagnostics.recheckAll()));
    whenTrusted(c, () => {
      void autoStart(c);
    });
    void vscode.commands.executeCommand('setContext', 'innerloop.active', true);
    // Read by bench/vscode-startup.bench.ts from the log file of a real VS Code.
    const evalMs = bundleStart === undefined ? '?' : (t0 - bundleStart).toFixed(1);
    c.log.info(`Innerloop activated (bundle evaluation ${evalMs} ms, activate() ${(performance.now() - t0).toFixed(1)} ms)`);
    return { version, useEngineSession: (s) => c.setSession(s), session: () => c.session };
  } catch (e) {
    // VS Code shows nothing for a failed activation; make it visible, then rethrow.
    void vscode.window.showErrorMessage(`Innerloop failed to activate: ${e instanceof Error ? e.message : String(e)}`);
    ctx?.log.error('activation failed', e);
    throw e;
  }
}

export function deactivate(): void {
  // Ctx is disposed through context.subscriptions.
}
