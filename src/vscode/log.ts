// The extension's own leveled log ('Innerloop' LogOutputChannel). Accepts Error objects and renders stacks;
// only errors reveal the channel. Resource output goes to per-resource channels, never here.
import * as vscode from 'vscode';
import { inspect } from 'node:util';

export type LogArg = unknown;

export class Log implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;

  constructor(name = 'Innerloop') {
    this.channel = vscode.window.createOutputChannel(name, { log: true });
  }

  trace(...args: LogArg[]): void {
    this.channel.trace(render(args));
  }
  debug(...args: LogArg[]): void {
    this.channel.debug(render(args));
  }
  info(...args: LogArg[]): void {
    this.channel.info(render(args));
  }
  warn(...args: LogArg[]): void {
    this.channel.warn(render(args));
  }
  error(...args: LogArg[]): void {
    this.channel.error(render(args));
    this.channel.show(true);
  }

  show(): void {
    this.channel.show();
  }

  dispose(): void {
    this.channel.dispose();
  }
}

function render(args: LogArg[]): string {
  return args
    .map((a) => {
      if (typeof a === 'string') return a;
      if (a instanceof Error) return a.stack ?? `${a.name}: ${a.message}`;
      return inspect(a, { depth: 4, breakLength: 120 });
    })
    .join(' ');
}
