// One output channel per resource ("Innerloop: <name>"), fed from the engine's LogStore. Channels are
// created when a resource first logs and dropped when the session ends. Lines are appended in batches
// (LogStore notifies once per tick) so a log storm costs one append per channel per tick.
// An output channel keeps everything appended to it for as long as it lives: a chatty pod over a day would hold
// gigabytes in the extension host. Each channel has a line budget: past it, the channel is rewritten with the
// newest half of the budget (from the LogStore, which keeps its own bounded ring), so it stays bounded.
import * as vscode from 'vscode';
import { stripVTControlCharacters } from 'node:util';
import type { Ctx, EngineSession } from './ctx';

/** Lines an output channel holds at most before it is rewritten (innerloop.logBufferLines overrides). */
export const CHANNEL_LINE_BUDGET = 20_000;

interface Entry { channel: vscode.OutputChannel; seq: number; lines: number }

export class ResourceLogChannels implements vscode.Disposable {
  private readonly channels = new Map<string, Entry>();
  private listener: vscode.Disposable | undefined;
  private session: EngineSession | undefined;

  constructor(
    private readonly budget = CHANNEL_LINE_BUDGET,
    private readonly create: (title: string) => vscode.OutputChannel = (title) => vscode.window.createOutputChannel(title, 'innerloop-log'),
  ) {}

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

  /** Lines the channel of a resource holds now (tests, bench). */
  heldLines(name: string): number {
    return this.channels.get(name)?.lines ?? 0;
  }

  private entry(name: string): Entry {
    let e = this.channels.get(name);
    if (!e) {
      e = { channel: this.create(`Innerloop: ${name}`), seq: 0, lines: 0 };
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
    // Output channels cannot show colours: escape codes would appear as `[32m…`.
    if (e.lines + lines.length <= this.budget) {
      e.channel.append(lines.map((l) => `${stripVTControlCharacters(l.text)}\n`).join(''));
      e.lines += lines.length;
      return;
    }
    // Over budget: keep the newest half (a rewrite per half-budget of lines, not per batch).
    const keep = this.session.logs.linesSince(name, 0).slice(-Math.max(1, Math.floor(this.budget / 2)));
    e.channel.replace(keep.map((l) => `${stripVTControlCharacters(l.text)}\n`).join(''));
    e.lines = keep.length;
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
  const logs = ctx.push(new ResourceLogChannels(ctx.settings.logBufferLines));
  ctx.push(ctx.onDidChangeSession((s) => logs.setSession(s)));
  logs.setSession(ctx.session);
  return logs;
}
