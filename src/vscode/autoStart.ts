// innerloop.autoStart: before the first automatic Up in a workspace, ask once and remember the answer in the
// workspace's state (running a Tiltfile runs its local() commands and deploys; the user should choose that).
import * as vscode from 'vscode';
import type { Ctx } from './ctx';

const KEY = 'innerloop.autoStartConsent';

export async function autoStart(ctx: Ctx): Promise<void> {
  if (!ctx.settings.autoStart || !ctx.folder) return;
  const state = ctx.extCtx.workspaceState;
  let consent = state.get<'yes' | 'no'>(KEY);
  if (consent === undefined) {
    const pick = await vscode.window.showInformationMessage(
      `Innerloop: start this workspace's Tiltfile automatically (builds, deploys and runs its local() commands)?`,
      'Start now and on every open', 'Not in this workspace',
    );
    if (pick === undefined) return; // Dismissed: ask again next time.
    consent = pick === 'Not in this workspace' ? 'no' : 'yes';
    await state.update(KEY, consent);
  }
  if (consent === 'yes') await vscode.commands.executeCommand('innerloop.up');
  else ctx.log.info('autoStart: declined for this workspace');
}
