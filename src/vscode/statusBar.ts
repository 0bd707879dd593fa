// Status-bar summary of the engine: worst-first counts while running, a play button while stopped.
import * as vscode from 'vscode';
import type { Ctx, EngineSession } from './ctx';
import { summarize } from './resourceModel';

export function registerStatusBar(ctx: Ctx): vscode.StatusBarItem {
  const item = ctx.push(vscode.window.createStatusBarItem('innerloop.status', vscode.StatusBarAlignment.Left, 10));
  item.name = 'Innerloop';
  let listener: vscode.Disposable | undefined;
  ctx.push({ dispose: () => listener?.dispose() });

  const render = (session: EngineSession | undefined): void => {
    if (!session) {
      item.text = '$(play) Innerloop';
      item.tooltip = ctx.isTrusted ? 'Innerloop: Up' : 'Innerloop needs Workspace Trust to run the Tiltfile';
      item.command = 'innerloop.up';
      item.backgroundColor = undefined;
      return;
    }
    const s = summarize(session.store.snapshot());
    item.text = `Innerloop ${s.text}`;
    item.tooltip = s.tooltip;
    item.command = 'workbench.view.extension.innerloop';
    item.backgroundColor = s.counts.error ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  };
  const bind = (session: EngineSession | undefined): void => {
    listener?.dispose();
    listener = session?.store.onDidChange(() => render(session));
    render(session);
  };
  ctx.push(ctx.onDidChangeSession(bind));
  bind(ctx.session);
  item.show();
  return item;
}
