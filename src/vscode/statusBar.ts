// Status bar: a summary item (worst-first counts while running, a play button while stopped) and one item per
// port forward ("todo-api 5734"), showing connecting/reconnecting/error; clicking one opens its endpoint.
import * as vscode from 'vscode';
import type { Ctx, EngineSession } from './ctx';
import { portForwardLines, summarize, type ForwardLine } from './resourceModel';

export function registerStatusBar(ctx: Ctx): vscode.StatusBarItem {
  const item = ctx.push(vscode.window.createStatusBarItem('innerloop.status', vscode.StatusBarAlignment.Left, 10));
  item.name = 'Innerloop';
  let listener: vscode.Disposable | undefined;
  const forwards = new Map<string, vscode.StatusBarItem>();
  ctx.push({ dispose: () => { listener?.dispose(); for (const f of forwards.values()) f.dispose(); } });

  // Items are keyed by resource and local port, updated in place, and disposed when their forward goes away.
  const renderForwards = (lines: ForwardLine[]): void => {
    const keep = new Set<string>();
    lines.forEach((f, i) => {
      const key = `${f.resource}:${f.localPort}`;
      keep.add(key);
      let it = forwards.get(key);
      if (!it) {
        it = vscode.window.createStatusBarItem(`innerloop.forward.${key}`, vscode.StatusBarAlignment.Left, 9 - i / 1000);
        it.name = `Innerloop port forward ${key}`;
        forwards.set(key, it);
        it.show();
      }
      it.text = f.label;
      it.tooltip = `${f.text}\nClick to open ${f.url}`;
      it.command = { title: 'Open Endpoint', command: 'innerloop.openEndpoint', arguments: [{ kind: 'endpoint', url: f.url }] };
      it.backgroundColor = f.active ? undefined : new vscode.ThemeColor('statusBarItem.warningBackground');
    });
    for (const [key, it] of forwards) {
      if (!keep.has(key)) { it.dispose(); forwards.delete(key); }
    }
  };

  const render = (session: EngineSession | undefined): void => {
    if (!session) {
      item.text = '$(play) Innerloop';
      item.tooltip = ctx.isTrusted ? 'Innerloop: Up' : 'Innerloop needs Workspace Trust to run the Tiltfile';
      item.command = 'innerloop.up';
      item.backgroundColor = undefined;
      renderForwards([]);
      return;
    }
    const snap = session.store.snapshot();
    renderForwards(portForwardLines(snap));
    const s = summarize(snap);
    item.text = `Innerloop ${s.text}`;
    item.tooltip = s.tooltip;
    item.command = 'workbench.view.extension.innerloop';
    item.backgroundColor = s.counts.error || s.clusterUnreachable ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
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
