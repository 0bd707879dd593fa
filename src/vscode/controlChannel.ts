// The editor's engine answers `innerloop get/logs/trigger/...` like `innerloop up` does: a control server per
// engine session, and the socket path exported to the integrated terminals (INNERLOOP_CONTROL_SOCKET), so the
// CLI typed in VS Code's terminal talks to the editor's engine.
import * as vscode from 'vscode';
import { ControlServer, EngineAlreadyRunningError } from '../control/server';
import { CONTROL_SOCKET_ENV, socketPathFor } from '../control/socketPath';
import { sessionTarget } from '../control/target';
import type { Session } from '../engine/session';
import type { Ctx } from './ctx';
import { resolveTiltfile } from './tiltfilePath';
import { knownTiltfile } from './tiltfilePick';

/** Exports the control socket of the workspace's Tiltfile to every new integrated terminal. */
export function registerTerminalEnv(ctx: Ctx): () => void {
  const update = (): void => {
    const folder = ctx.folder;
    const env = ctx.extCtx.environmentVariableCollection;
    if (!folder) return env.clear();
    const socket = socketPathFor(knownTiltfile(ctx) ?? resolveTiltfile(folder.uri.fsPath, ctx.settings.tiltfilePath));
    env.description = 'Lets `innerloop get`, `logs`, `trigger`... in this terminal talk to the editor\'s Innerloop engine.';
    env.replace(CONTROL_SOCKET_ENV, socket);
  };
  update();
  ctx.push(vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('innerloop.tiltfilePath')) update(); }));
  ctx.push(vscode.workspace.onDidChangeWorkspaceFolders(update));
  return update;
}

/**
 * Starts the control server for an editor engine session. Returns undefined (after telling the user) when an
 * `innerloop up` in a terminal already runs this Tiltfile: two engines would fight over the same resources.
 */
export async function startEditorControl(ctx: Ctx, session: Session): Promise<vscode.Disposable | undefined> {
  const version = String(ctx.extCtx.extension.packageJSON.version);
  try {
    const server = await ControlServer.start(socketPathFor(session.tiltfile), sessionTarget(session, { host: 'editor', version }));
    ctx.log.info(`control socket: ${server.socketPath}`);
    // The Tiltfile may have just been picked: new terminals get this engine's socket.
    ctx.extCtx.environmentVariableCollection.replace(CONTROL_SOCKET_ENV, server.socketPath);
    return server;
  } catch (e) {
    if (e instanceof EngineAlreadyRunningError) {
      void vscode.window.showErrorMessage(`Innerloop: ${e.message}. Stop that engine (Ctrl-C where \`innerloop up\` runs) and try Up again.`);
      return undefined;
    }
    // The engine still works without the control channel; only the terminal commands are lost.
    ctx.log.error('control socket failed', e);
    void vscode.window.showWarningMessage(`Innerloop: the control socket could not start (${e instanceof Error ? e.message : String(e)}); \`innerloop\` commands in the terminal will not reach this engine.`);
    return { dispose: () => undefined };
  }
}
