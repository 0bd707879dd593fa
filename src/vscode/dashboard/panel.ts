// The dashboard: a webview panel rendering engine snapshots as a table (media/dashboard.js).
// One panel at a time; CSP built in one place (nonce scripts, no inline styles); state pushed, never pulled.
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import type { Ctx, EngineSession } from '../ctx';
import { isWebviewMessage, type HostMessage } from './protocol';
import { dashboardModel } from '../resourceModel';

/** Minimum gap between two state posts: a build storm becomes a few renders per second. */
const POST_INTERVAL_MS = 100;

export class DashboardPanel implements vscode.Disposable {
  private static current: DashboardPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private sessionListener: vscode.Disposable | undefined;
  private ready = false;
  private timer: NodeJS.Timeout | undefined;
  private lastPost = 0;

  static show(ctx: Ctx): DashboardPanel {
    if (DashboardPanel.current) {
      DashboardPanel.current.panel.reveal();
      return DashboardPanel.current;
    }
    const media = vscode.Uri.joinPath(ctx.extCtx.extensionUri, 'media');
    const panel = vscode.window.createWebviewPanel('innerloop.dashboard', 'Innerloop', vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [media],
      retainContextWhenHidden: false,
    });
    DashboardPanel.current = new DashboardPanel(ctx, panel, media);
    return DashboardPanel.current;
  }

  private constructor(
    private readonly ctx: Ctx,
    readonly panel: vscode.WebviewPanel,
    media: vscode.Uri,
  ) {
    panel.iconPath = vscode.Uri.joinPath(media, 'innerloop.svg');
    panel.webview.html = html(panel.webview, media);
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: unknown) => this.onMessage(m)),
      ctx.onDidChangeSession((s) => this.bind(s)),
    );
    ctx.push(this);
    this.bind(ctx.session);
  }

  private bind(session: EngineSession | undefined): void {
    this.sessionListener?.dispose();
    this.sessionListener = session?.store.onDidChange(() => this.schedulePost());
    this.schedulePost();
  }

  private onMessage(m: unknown): void {
    if (!isWebviewMessage(m)) {
      this.ctx.log.warn('dashboard: ignored malformed message', m);
      return;
    }
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.post();
        return;
      case 'trigger':
        void vscode.commands.executeCommand('innerloop.triggerUpdate', m.resource);
        return;
      case 'showLogs':
        void vscode.commands.executeCommand('innerloop.showLogs', m.resource);
        return;
      case 'openEndpoint':
        void vscode.env.openExternal(vscode.Uri.parse(m.url));
        return;
    }
  }

  private schedulePost(): void {
    if (!this.ready || this.timer) return;
    const wait = Math.max(0, this.lastPost + POST_INTERVAL_MS - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.post();
    }, wait);
  }

  private post(): void {
    if (!this.ready) return;
    this.lastPost = Date.now();
    const msg: HostMessage = { type: 'state', model: dashboardModel(this.ctx.session?.store.snapshot()) };
    void this.panel.webview.postMessage(msg);
  }

  dispose(): void {
    if (DashboardPanel.current === this) DashboardPanel.current = undefined;
    clearTimeout(this.timer);
    this.sessionListener?.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

function html(webview: vscode.Webview, media: vscode.Uri): string {
  const nonce = randomBytes(16).toString('base64');
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource}`,
    `img-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  const css = webview.asWebviewUri(vscode.Uri.joinPath(media, 'dashboard.css'));
  const js = webview.asWebviewUri(vscode.Uri.joinPath(media, 'dashboard.js'));
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${css}">
<title>Innerloop</title>
</head>
<body>
<header><h1>Innerloop</h1><span id="summary" class="summary"></span></header>
<main id="root"><p class="empty">Waiting for the engine…</p></main>
<script nonce="${nonce}" src="${js}"></script>
</body>
</html>`;
}
