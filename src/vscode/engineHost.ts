// Up and Down: the one place that creates and drops the engine session. The engine runs in-process with the
// real Docker/Kubernetes/process adapters (src/engine/session.ts is the composition root).
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Ctx } from './ctx';
import { createEditorSession } from './engineSession';
import { UNTRUSTED_MESSAGE } from './trust';
import { resolveTiltfile } from './tiltfilePath';
import { startEditorControl } from './controlChannel';
import { chooseTiltfile } from './tiltfilePick';

export async function up(ctx: Ctx): Promise<void> {
  if (!ctx.isTrusted) {
    ctx.log.warn('up refused: workspace not trusted');
    // Not awaited: the command finishes now; the choice is handled whenever the user makes it.
    void vscode.window
      .showWarningMessage(UNTRUSTED_MESSAGE, 'Manage Workspace Trust')
      .then((pick) => (pick ? vscode.commands.executeCommand('workbench.trust.manage') : undefined));
    return;
  }
  const folder = ctx.folder;
  if (!folder) {
    void vscode.window.showErrorMessage('Innerloop: open a folder that contains a Tiltfile first.');
    return;
  }
  const tiltfile = (await chooseTiltfile(ctx)) ?? resolveTiltfile(folder.uri.fsPath, ctx.settings.tiltfilePath);
  if (!existsSync(tiltfile)) {
    void vscode.window.showErrorMessage(`Innerloop: no Tiltfile at ${tiltfile} (see the innerloop.tiltfilePath setting).`);
    return;
  }
  ctx.log.info(`up: ${tiltfile} args=${JSON.stringify(ctx.settings.tiltArgs)}`);
  const session = createEditorSession({
    tiltfile,
    args: ctx.settings.tiltArgs,
    workerScript: join(ctx.extCtx.extensionPath, 'dist', 'tiltfile-loader.js'),
    debounceMs: ctx.settings.debounceMs,
    logBufferLines: ctx.settings.logBufferLines,
    log: ctx.log,
    kubeconfigPath: ctx.settings.kubeconfig || undefined,
    context: ctx.settings.context || undefined,
    namespace: ctx.settings.namespace || undefined,
  });
  // Replaces (and so stops) a running session: Up while up restarts with the current settings.
  ctx.setSession(undefined);
  const control = await startEditorControl(ctx, session);
  if (!control) return session.dispose();
  ctx.setSession({ tiltfile, store: session.store, logs: session.logs, trigger: (n) => session.trigger(n), reload: () => session.reload(), plan: () => session.currentPlan, dispose: () => { control.dispose(); session.dispose(); } });
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Innerloop: loading Tiltfile' }, () => session.start());
}

