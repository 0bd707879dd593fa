// The dashboard: a webview panel (src/webview/dashboard.ts, bundled to dist/webview/dashboard.js) showing the
// engine's resources and logs. One panel at a time; strict CSP with a nonce, no remote content. State is
// pushed, never pulled: model snapshots throttled, log lines in batches. A serializer revives the panel
// after a window reload; the webview keeps its filters in getState/setState.
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import type { Ctx, EngineSession } from '../ctx';
import { isWebviewMessage, packLogBatch, type HostMessage } from '../../shared/webviewProtocol';
import { dashboardModel } from '../resourceModel';
import { sessionTargets } from '../debug/attach';
import { dashboardHtml } from './html';

export const DASHBOARD_VIEW_TYPE = 'innerloop.dashboard';
/** Minimum gap between two state posts: a build storm becomes a few renders per second. */
const POST_INTERVAL_MS = 100;
/** Log flushes: at most one per interval, at most this many lines per message (keeps each clone small). */
const LOG_INTERVAL_MS = 50;
const LOG_BATCH_LINES = 20_000;

export class DashboardPanel implements vscode.Disposable {
  private static current: DashboardPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private sessionListeners: vscode.Disposable[] = [];
  private session: EngineSession | undefined;
  private ready = false;
  private timer: NodeJS.Timeout | undefined;
  private logTimer: NodeJS.Timeout | undefined;
  private lastPost = 0;
  /** Highest log seq sent to the webview. */
  private logSeq = 0;
  private logReset = true;

  static show(ctx: Ctx): DashboardPanel {
    if (DashboardPanel.current) {
      DashboardPanel.current.panel.reveal();
      return DashboardPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(DASHBOARD_VIEW_TYPE, 'Innerloop', vscode.ViewColumn.Active, webviewOptions(ctx));
    DashboardPanel.current = new DashboardPanel(ctx, panel);
    return DashboardPanel.current;
  }

  /** Takes over a panel VS Code restored after a reload (WebviewPanelSerializer). */
  static revive(ctx: Ctx, panel: vscode.WebviewPanel): void {
    DashboardPanel.current?.dispose();
    panel.webview.options = webviewOptions(ctx);
    DashboardPanel.current = new DashboardPanel(ctx, panel);
  }

  private constructor(
    private readonly ctx: Ctx,
    readonly panel: vscode.WebviewPanel,
  ) {
    const root = ctx.extCtx.extensionUri;
    panel.iconPath = vscode.Uri.joinPath(root, 'media', 'innerloop.svg');
    panel.webview.html = html(panel.webview, root);
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: unknown) => this.onMessage(m)),
      ctx.onDidChangeSession((s) => this.bind(s)),
    );
    ctx.push(this);
    this.bind(ctx.session);
  }

  private bind(session: EngineSession | undefined): void {
    for (const d of this.sessionListeners.splice(0)) d.dispose();
    this.session = session;
    this.logSeq = 0;
    this.logReset = true;
    if (session) {
      this.sessionListeners.push(session.store.onDidChange(() => this.schedulePost()), session.logs.onDidAppend(() => this.scheduleLogs()));
    }
    this.schedulePost();
    this.scheduleLogs();
  }

  private onMessage(m: unknown): void {
    if (!isWebviewMessage(m)) {
      this.ctx.log.warn('dashboard: ignored malformed message', m);
      return;
    }
    switch (m.type) {
      case 'ready':
        // A (re)loaded webview holds nothing: send the model and every line we have.
        this.ready = true;
        this.logSeq = 0;
        this.logReset = true;
        this.post();
        this.flushLogs();
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
      case 'attach':
        void vscode.commands.executeCommand('innerloop.attachDebugger', m.resource);
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
    const session = this.session;
    this.send({ type: 'state', model: dashboardModel(session?.store.snapshot(), (name) => sessionTargets(session, name).length > 0) });
  }

  private scheduleLogs(): void {
    if (!this.ready || this.logTimer) return;
    this.logTimer = setTimeout(() => {
      this.logTimer = undefined;
      this.flushLogs();
    }, LOG_INTERVAL_MS);
  }

  private flushLogs(): void {
    if (!this.ready) return;
    const lines = this.session?.logs.allSince(this.logSeq) ?? [];
    if (lines.length === 0 && !this.logReset) return;
    for (let i = 0; i === 0 || i < lines.length; i += LOG_BATCH_LINES) {
      const chunk = lines.slice(i, i + LOG_BATCH_LINES);
      this.send({ type: 'logs', reset: this.logReset, batch: packLogBatch(chunk) });
      this.logReset = false;
    }
    if (lines.length) this.logSeq = lines[lines.length - 1]!.seq;
  }

  private send(m: HostMessage): void {
    void this.panel.webview.postMessage(m);
  }

  dispose(): void {
    if (DashboardPanel.current === this) DashboardPanel.current = undefined;
    clearTimeout(this.timer);
    clearTimeout(this.logTimer);
    for (const d of this.sessionListeners.splice(0)) d.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

function webviewOptions(ctx: Ctx): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  const root = ctx.extCtx.extensionUri;
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(root, 'media'), vscode.Uri.joinPath(root, 'dist', 'webview')],
    // The webview restores itself from getState and the host's resend; no need to keep it alive hidden.
    retainContextWhenHidden: false,
  };
}

/** Registers the serializer that brings the dashboard back after a window reload. */
export function registerDashboard(ctx: Ctx): void {
  ctx.push(
    vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel) => DashboardPanel.revive(ctx, panel),
    }),
  );
}

function html(webview: vscode.Webview, root: vscode.Uri): string {
  return dashboardHtml({
    cspSource: webview.cspSource,
    nonce: randomBytes(16).toString('base64'),
    css: webview.asWebviewUri(vscode.Uri.joinPath(root, 'media', 'dashboard.css')).toString(),
    js: webview.asWebviewUri(vscode.Uri.joinPath(root, 'dist', 'webview', 'dashboard.js')).toString(),
  });
}
