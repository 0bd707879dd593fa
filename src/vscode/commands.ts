// Registers every contributed command. Commands that need a running engine are wrapped so that, while it
// is stopped, they explain how to start it instead of failing silently.
import * as vscode from 'vscode';
import { COMMANDS, ENGINE_NOT_RUNNING, type CommandId, type Explained } from './commandIds';
import type { Ctx, EngineSession } from './ctx';
import type { TiltfileDiagnostics } from './diagnostics';
import { up } from './engineHost';
import { down, stop } from './stopDown';
import { chooseTiltfile, createTiltfile } from './tiltfilePick';
import type { ResourceLogChannels } from './logChannels';
import type { TreeNode } from './resourceTree';
import { DashboardPanel } from './dashboard/panel';
import { displayOrder, resourceEndpoints } from '../shared/status';
import { attachDebugger } from './debug/attach';

/** Collaborators the handlers use; built by activate(). */
export interface CommandServices {
  diagnostics: TiltfileDiagnostics;
  logs: ResourceLogChannels;
}

type Handler = (ctx: Ctx, services: CommandServices, arg: unknown) => unknown;

/** A tree node, a resource name, or nothing (then the user picks). */
function resourceArg(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  const n = arg as TreeNode | undefined;
  if (n?.kind === 'resource') return n.name;
  if (n?.kind === 'endpoint' || n?.kind === 'pod') return n.resource;
  return undefined;
}

async function pickResource(session: EngineSession, placeHolder: string, filter: (name: string) => boolean = () => true): Promise<string | undefined> {
  const s = session.store.snapshot();
  const names = s.order.filter(filter);
  if (names.length === 0) {
    void vscode.window.showInformationMessage('Innerloop: no matching resources.');
    return undefined;
  }
  return vscode.window.showQuickPick(names, { placeHolder });
}

const HANDLERS: Record<CommandId, Handler> = {
  'innerloop.up': (ctx) => up(ctx),
  'innerloop.stop': (ctx) => stop(ctx),
  'innerloop.createTiltfile': (ctx) => createTiltfile(ctx),
  'innerloop.selectTiltfile': (ctx) => chooseTiltfile(ctx, true),
  'innerloop.down': (ctx) => down(ctx),
  'innerloop.triggerUpdate': async (ctx, _s, arg) => {
    const session = ctx.session!;
    const name = resourceArg(arg) ?? (await pickResource(session, 'Resource to update'));
    if (!name) return;
    ctx.log.info(`trigger update: ${name}`);
    session.trigger(name);
  },
  'innerloop.openEndpoint': async (ctx, _s, arg) => {
    const session = ctx.session!;
    const node = arg as Partial<TreeNode> | undefined;
    let url = node?.kind === 'endpoint' ? node.url : undefined;
    if (!url) {
      const only = resourceArg(arg);
      const s = session.store.snapshot();
      const items = displayOrder(s)
        .filter((n) => only === undefined || n === only)
        .flatMap((n) => { const r = s.resources[n]; return r ? resourceEndpoints(r).map((e) => ({ label: e.url, description: e.name ? `${n}: ${e.name}` : n })) : []; });
      if (items.length === 0) {
        void vscode.window.showInformationMessage('Innerloop: no endpoints yet (links and port forwards appear here).');
        return;
      }
      url = items.length === 1 ? items[0]!.label : (await vscode.window.showQuickPick(items, { placeHolder: 'Endpoint to open' }))?.label;
    }
    if (url) await vscode.env.openExternal(vscode.Uri.parse(url));
  },
  'innerloop.copyPodId': async (_ctx, _s, arg) => {
    const pod = (arg as Partial<TreeNode> | undefined)?.kind === 'pod' ? (arg as { pod: string }).pod : undefined;
    if (!pod) return;
    await vscode.env.clipboard.writeText(pod);
    vscode.window.setStatusBarMessage(`Copied ${pod}`, 2000);
  },
  'innerloop.showLogs': async (ctx, services, arg) => {
    const name = resourceArg(arg);
    if (name && ctx.session) return services.logs.channel(name).show(true);
    if (!ctx.session) return ctx.log.show();
    const own = '$(output) Innerloop (extension log)';
    const pick = await vscode.window.showQuickPick([own, ...ctx.session.store.snapshot().order], { placeHolder: 'Logs to show' });
    if (pick === own) ctx.log.show();
    else if (pick) services.logs.channel(pick).show(true);
  },
  'innerloop.reloadTiltfile': async (ctx, services) => {
    await services.diagnostics.recheckAll();
    ctx.session?.reload();
  },
  'innerloop.openDashboard': (ctx) => {
    DashboardPanel.show(ctx);
  },
  'innerloop.attachDebugger': (ctx, _s, arg) => attachDebugger(ctx, resourceArg(arg)),
};

export function registerCommands(ctx: Ctx, services: CommandServices): void {
  for (const id of Object.keys(COMMANDS) as CommandId[]) {
    const spec = COMMANDS[id];
    ctx.push(
      vscode.commands.registerCommand(id, async (arg?: unknown) => {
        if (spec.needsEngine && !ctx.session) {
          void vscode.window
            .showWarningMessage(ENGINE_NOT_RUNNING, 'Up')
            .then((pick) => (pick === 'Up' ? vscode.commands.executeCommand('innerloop.up') : undefined));
          // Resolves (never throws) to what it explained, so a caller can tell "explained" from "ran".
          const explained: Explained = { explained: ENGINE_NOT_RUNNING };
          return explained;
        }
        try {
          return await HANDLERS[id](ctx, services, arg);
        } catch (e) {
          ctx.log.error(`command ${id} failed:`, e);
          void vscode.window.showErrorMessage(`Innerloop: ${spec.title} failed: ${e instanceof Error ? e.message : String(e)}`);
          return undefined;
        }
      }),
    );
  }
}
