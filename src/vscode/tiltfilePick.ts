// Which Tiltfile the editor runs: the innerloop.tiltfilePath setting when set; else the only Tiltfile in the
// workspace (any folder of a multi-root workspace, nested ones too); else the user picks one, remembered per
// workspace. Also the "Create a Tiltfile" starter for a workspace without one.
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import type { Ctx } from './ctx';
import { resolveTiltfile } from './tiltfilePath';

const KEY = 'innerloop.pickedTiltfile';
const EXCLUDE = '{**/node_modules/**,**/.git/**}';

export const TILTFILE_TEMPLATE = `# Tiltfile: what Innerloop (and Tilt) builds, deploys and watches. Docs: https://docs.tilt.dev/api.html
# Only local clusters are used unless you allow another one:
# allow_k8s_contexts('my-dev-cluster')

# Build an image from ./Dockerfile; Kubernetes YAML that uses the image gets the fresh build.
# docker_build('my-app', '.')
# k8s_yaml('k8s/deployment.yaml')
# k8s_resource('my-app', port_forwards=8080)

# A command on this machine, re-run when its deps change:
local_resource('hello', cmd='echo hello from Innerloop', deps=['Tiltfile'])
`;

async function allTiltfiles(): Promise<string[]> {
  const found = await vscode.workspace.findFiles('**/Tiltfile', EXCLUDE, 100);
  return found.map((u) => u.fsPath).sort((a, b) => a.split(/[\\/]/).length - b.split(/[\\/]/).length || a.localeCompare(b));
}

/** The remembered or only Tiltfile, without asking (terminal env, status); undefined when a choice is needed. */
export function knownTiltfile(ctx: Ctx): string | undefined {
  if (ctx.settings.tiltfilePath.trim() && ctx.folder) return resolveTiltfile(ctx.folder.uri.fsPath, ctx.settings.tiltfilePath);
  const picked = ctx.extCtx.workspaceState.get<string>(KEY);
  if (picked && existsSync(picked)) return picked;
  return ctx.folder ? resolveTiltfile(ctx.folder.uri.fsPath, '') : undefined;
}

/** The Tiltfile to run, asking when there are several and none was chosen; `again` asks even then. */
export async function chooseTiltfile(ctx: Ctx, again = false): Promise<string | undefined> {
  if (ctx.settings.tiltfilePath.trim() && ctx.folder) return resolveTiltfile(ctx.folder.uri.fsPath, ctx.settings.tiltfilePath);
  const picked = ctx.extCtx.workspaceState.get<string>(KEY);
  if (!again && picked && existsSync(picked)) return picked;
  const all = await allTiltfiles();
  if (all.length <= 1 && !again) return all[0];
  if (all.length === 0) return undefined;
  const items = all.map((p) => ({ label: vscode.workspace.asRelativePath(p, true), description: p === picked ? 'current' : undefined, path: p }));
  const choice = await vscode.window.showQuickPick(items, { placeHolder: 'Which Tiltfile should Innerloop run? (remembered for this workspace)' });
  if (!choice) return undefined;
  await ctx.extCtx.workspaceState.update(KEY, choice.path);
  return choice.path;
}

/** Keeps the innerloop.hasTiltfile context key (the welcome view's "Create a Tiltfile") current. */
export function registerTiltfileContext(ctx: Ctx): void {
  const update = async (): Promise<void> => {
    const has = (await vscode.workspace.findFiles('**/Tiltfile', EXCLUDE, 1)).length > 0;
    await vscode.commands.executeCommand('setContext', 'innerloop.hasTiltfile', has);
  };
  void update();
  const w = ctx.push(vscode.workspace.createFileSystemWatcher('**/Tiltfile', false, true, false));
  ctx.push(w.onDidCreate(() => void update()));
  ctx.push(w.onDidDelete(() => void update()));
}

export async function createTiltfile(ctx: Ctx): Promise<void> {
  const folder = ctx.folder ?? (await vscode.window.showWorkspaceFolderPick());
  if (!folder) {
    void vscode.window.showErrorMessage('Innerloop: open a folder first.');
    return;
  }
  const uri = vscode.Uri.joinPath(folder.uri, 'Tiltfile');
  if (existsSync(uri.fsPath)) {
    await vscode.window.showTextDocument(uri);
    return;
  }
  await vscode.workspace.fs.writeFile(uri, Buffer.from(TILTFILE_TEMPLATE));
  await vscode.window.showTextDocument(uri);
}
