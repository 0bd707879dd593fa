// Workspace Trust: a Tiltfile runs shell commands, builds images and talks to clusters, so nothing of it
// executes in an untrusted workspace. There the Tiltfile is only parsed for diagnostics, and we say why.
import * as vscode from 'vscode';
import type { Ctx } from './ctx';

export const UNTRUSTED_MESSAGE =
  'Innerloop: this workspace is not trusted, so the Tiltfile is only parsed for errors. ' +
  'Running it (local(), docker builds, kubectl) needs Workspace Trust.';

const NOTICE_KEY = 'innerloop.restrictedModeNoticeShown';

/**
 * Tells the user why Innerloop is limited, once per workspace (the Resources view keeps saying it);
 * offers the trust editor.
 */
export async function explainRestrictedMode(ctx: Ctx): Promise<void> {
  ctx.log.warn('workspace not trusted: Tiltfile diagnostics only, engine disabled');
  const state = ctx.extCtx.workspaceState;
  if (state.get<boolean>(NOTICE_KEY)) return;
  await state.update(NOTICE_KEY, true);
  const pick = await vscode.window.showWarningMessage(UNTRUSTED_MESSAGE, 'Manage Workspace Trust');
  if (pick) await vscode.commands.executeCommand('workbench.trust.manage');
}

/** Runs `onTrusted` now if trusted, else when trust is granted (registration owned by ctx). */
export function whenTrusted(ctx: Ctx, onTrusted: () => void): void {
  if (vscode.workspace.isTrusted) {
    onTrusted();
    return;
  }
  ctx.push(
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      ctx.log.info('workspace trust granted');
      onTrusted();
    }),
  );
}
