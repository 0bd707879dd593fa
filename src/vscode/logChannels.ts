// One output channel per resource ("Innerloop: <name>"), fed from the engine's LogStore. Channels are
// created when a resource first logs and dropped when the session ends. Lines are appended in batches
// (LogStore notifies once per tick) so a log storm costs one append per channel per tick.
import * as vscode from 'vscode';
import type { Ctx, EngineSession } from './ctx';

export class ResourceLogChannels implements vscode.Disposable {
  private readonly channels = new Map<string, { channel: vscode.OutputChannel; seq: number }>();
  private listener: vscode.Disposable | undefined;
  private session: EngineSession | undefined;

  setSession(session: EngineSession | undefined): void {
    this.listener?.dispose();
    this.disposeChannels();
    this.session = session;
    this.listener = session?.logs.onDidAppend((e) => {
      for (const name of e.resources) this.drain(name);
    });
    // Lines logged before we subscribed (the engine may start logging before the UI binds).
    if (session) for (const name of session.store.snapshot().order) if (session.logs.linesSince(name, 0).length) this.drain(name);
  }

  /** The channel of a resource (created empty if it has not logged yet). */
  channel(name: string): vscode.OutputChannel {
    return this.entry(name).channel;
  }

  private entry(name: string): { channel: vscode.OutputChannel; seq: number } {
    let e = this.channels.get(name);
    if (!e) {
      e = { channel: vscode.window.createOutputChannel(`Innerloop: ${name}`, 'innerloop-log'), seq: 0 };
      this.channels.set(name, e);
    }
    return e;
  }

  private drain(name: string): void {
    if (!this.session) return;
    const e = this.entry(name);
    const lines = this.session.logs.linesSince(name, e.seq);
    if (!lines.length) return;
    e.seq = lines[lines.length - 1]!.seq;
    e.channel.append(lines.map((l) => `${l.text}\n`).join(''));
  }

  private disposeChannels(): void {
    for (const e of this.channels.values()) e.channel.dispose();
    this.channels.clear();
  }

  dispose(): void {
    this.listener?.dispose();
    this.disposeChannels();
  }
}

export function registerLogChannels(ctx: Ctx): ResourceLogChannels {
  const logs = ctx.push(new ResourceLogChannels());
  ctx.push(ctx.onDidChangeSession((s) => logs.setSession(s)));
  logs.setSession(ctx.session);
  return logs;
}
