// Status bar item naming the kube context and namespace the engine deploys to, in the warning colour when the
// context is not local (allowed by the Tiltfile's allow_k8s_contexts); clicking opens the context settings.
import * as vscode from 'vscode';
import type { Ctx, EngineSession } from './ctx';
import { contextLabel, kubeTarget } from './kubeTarget';

export function registerContextStatus(ctx: Ctx): vscode.StatusBarItem {
  const item = ctx.push(vscode.window.createStatusBarItem('innerloop.context', vscode.StatusBarAlignment.Left, 9.5));
  item.name = 'Innerloop kube context';
  item.command = { title: 'Kube context settings', command: 'workbench.action.openSettings', arguments: ['innerloop.context'] };
  let listener: vscode.Disposable | undefined;
  let last = '';
  const render = (session: EngineSession | undefined): void => {
    const t = kubeTarget(ctx.settings, session?.store.snapshot().session);
    const key = JSON.stringify(t);
    if (key === last) return;
    last = key;
    if ('none' in t) {
      item.text = '$(server-environment) no kube context';
      item.tooltip = t.none;
      item.backgroundColor = undefined;
    } else {
      const l = contextLabel(t);
      item.text = l.text;
      item.tooltip = l.tooltip;
      item.backgroundColor = l.warn ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    }
    item.show();
  };
  const bind = (session: EngineSession | undefined): void => {
    listener?.dispose();
    listener = session?.store.onDidChange((c) => { if (c.session) render(session); });
    last = '';
    render(session);
  };
  ctx.push({ dispose: () => listener?.dispose() });
  ctx.push(ctx.onDidChangeSession(bind));
  ctx.push(vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('innerloop')) { last = ''; render(ctx.session); } }));
  bind(ctx.session);
  return item;
}
