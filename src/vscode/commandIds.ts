// Every command the extension contributes. No 'vscode' import: a unit test checks this table against
// package.json (contributes.commands), and the harness checks each id is registered at run time.

export interface CommandSpec {
  title: string;
  /** True when the command only makes sense while the engine runs; otherwise it explains how to start it. */
  needsEngine: boolean;
}

export const COMMANDS = {
  'innerloop.up': { title: 'Up', needsEngine: false },
  'innerloop.stop': { title: 'Stop', needsEngine: true },
  'innerloop.down': { title: 'Down', needsEngine: false },
  'innerloop.triggerUpdate': { title: 'Trigger Update', needsEngine: true },
  'innerloop.openDashboard': { title: 'Open Dashboard', needsEngine: true },
  'innerloop.showLogs': { title: 'Show Logs', needsEngine: false },
  'innerloop.attachDebugger': { title: 'Attach Debugger', needsEngine: true },
  'innerloop.openEndpoint': { title: 'Open Endpoint', needsEngine: true },
  'innerloop.reloadTiltfile': { title: 'Reload Tiltfile', needsEngine: false },
  'innerloop.copyPodId': { title: 'Copy Pod ID', needsEngine: true },
  'innerloop.createTiltfile': { title: 'Create a Tiltfile', needsEngine: false },
  'innerloop.selectTiltfile': { title: 'Select Tiltfile', needsEngine: false },
} as const satisfies Record<string, CommandSpec>;

export type CommandId = keyof typeof COMMANDS;
export const COMMAND_CATEGORY = 'Innerloop';

export const ENGINE_NOT_RUNNING = 'Innerloop: the engine is not running. Run "Innerloop: Up" first.';

/** What a command that needs the engine resolves to while it is stopped: the explanation it showed. */
export interface Explained {
  explained: string;
}
