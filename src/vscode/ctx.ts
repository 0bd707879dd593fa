// The one context object: owns every disposable for the extension's lifetime and the (optional) engine
// session, whose resources are dropped on each stop. activate() builds it; deactivate() disposes it.
import * as vscode from 'vscode';
import { Log } from './log';
import { readSettings, onSettingsChanged, SETTINGS, type Settings, type SettingKey } from './config';
import type { Event } from '../shared/events';
import type { EngineSnapshot, StateChange } from '../shared/state';
import type { LogLine } from '../engine/logs';
import type { Plan } from '../tiltfile/plan';

/** The engine's read side as the UI sees it (structurally src/engine/store.ts Store). */
export interface EngineStoreView {
  snapshot(): EngineSnapshot;
  readonly onDidChange: Event<StateChange>;
}

/** The engine's logs as the UI sees them (structurally src/engine/logs.ts LogStore). */
export interface EngineLogView {
  readonly onDidAppend: Event<{ resources: string[] }>;
  linesSince(resource: string, afterSeq?: number): LogLine[];
  /** Every resource's lines after a seq, in arrival order (the dashboard's "all" pane). */
  allSince(afterSeq?: number): LogLine[];
}

/** What the UI needs from a running engine. engineHost.ts creates it on Up; disposing it stops the engine. */
export interface EngineSession extends vscode.Disposable {
  readonly tiltfile: string;
  readonly store: EngineStoreView;
  readonly logs: EngineLogView;
  /** Ask for an update of one resource now (manual trigger, or forcing an auto one). */
  trigger(resource: string): void;
  /** Re-run the Tiltfile. */
  reload(): void;
  /** The last Tiltfile plan that loaded (debugger source mapping reads its sync steps). */
  readonly plan?: () => Plan | undefined;
}

export class Ctx implements vscode.Disposable {
  readonly log: Log;
  private settingsCache: Settings;
  private readonly extCleanup: vscode.Disposable[] = [];
  private sessionCleanup: vscode.Disposable[] = [];
  private currentSession: EngineSession | undefined;
  private readonly sessionChanged = new vscode.EventEmitter<EngineSession | undefined>();
  /** Fires when the engine starts or stops. */
  readonly onDidChangeSession = this.sessionChanged.event;

  constructor(readonly extCtx: vscode.ExtensionContext) {
    extCtx.subscriptions.push(this);
    this.log = this.push(new Log('Innerloop'));
    this.push(this.sessionChanged);
    this.settingsCache = readSettings();
    this.push(
      onSettingsChanged((changed) => {
        this.settingsCache = readSettings();
        this.log.info('settings changed:', changed.join(', '), this.settingsCache);
        if (this.currentSession && changed.some((k: SettingKey) => SETTINGS[k].impact === 'engineRestart')) {
          void vscode.window
            .showInformationMessage('Innerloop: restart the engine to apply the changed settings.', 'Restart')
            .then((pick) => (pick === 'Restart' ? vscode.commands.executeCommand('innerloop.up') : undefined));
        }
      }),
    );
  }

  get settings(): Settings {
    return this.settingsCache;
  }

  get session(): EngineSession | undefined {
    return this.currentSession;
  }

  get isTrusted(): boolean {
    return vscode.workspace.isTrusted;
  }

  /** The workspace folder Innerloop works in (multi-root workspaces: the first folder). */
  get folder(): vscode.WorkspaceFolder | undefined {
    return vscode.workspace.workspaceFolders?.[0];
  }

  /** Registers something that lives as long as the extension. */
  push<T extends vscode.Disposable>(d: T): T {
    this.extCleanup.push(d);
    return d;
  }

  /** Registers something that lives as long as the current engine session. */
  pushSession<T extends vscode.Disposable>(d: T): T {
    if (!this.currentSession) {
      d.dispose();
      return d;
    }
    this.sessionCleanup.push(d);
    return d;
  }

  /** Replaces the engine session (undefined = stopped); session-scoped UI is rebuilt by onDidChangeSession listeners. */
  setSession(session: EngineSession | undefined): void {
    this.disposeSession();
    this.currentSession = session;
    void vscode.commands.executeCommand('setContext', 'innerloop.engineRunning', session !== undefined);
    this.sessionChanged.fire(session);
  }

  private disposeSession(): void {
    const items = this.sessionCleanup.reverse();
    this.sessionCleanup = [];
    for (const d of items) safeDispose(d, this.log);
    if (this.currentSession) safeDispose(this.currentSession, this.log);
    this.currentSession = undefined;
  }

  dispose(): void {
    this.disposeSession();
    const items = this.extCleanup.reverse();
    this.extCleanup.length = 0;
    // The log goes last: others may log while disposing.
    for (const d of items) if (d !== this.log) safeDispose(d, this.log);
    this.log.dispose();
  }
}

function safeDispose(d: vscode.Disposable, log: Log): void {
  try {
    d.dispose();
  } catch (e) {
    log.error('dispose failed', e);
  }
}
