// `innerloop up`: run the inner loop until Ctrl-C; logs prefixed by resource, a live status table on a TTY.
// Ctrl-C stops the engine and leaves everything running (use `innerloop down` to delete it). While it runs, the
// engine answers `innerloop get/logs/trigger/...` on its control socket.
import { ControlServer, EngineAlreadyRunningError } from '../../control/server';
import { socketPathFor } from '../../control/socketPath';
import { sessionTarget } from '../../control/target';
import { kubeconfigExists } from '../../engine/k8s/client';
import { useColor } from '../render/color';
import { TerminalView } from '../render/terminal';
import { VERSION } from '../version';
import { CliError, EXIT_CODES_HELP, EXIT_OK, EXIT_USAGE, type Command, type CommandIO } from './types';
import { parseSessionFlags, sessionFrom, SESSION_FLAGS_HELP } from './sessionFlags';
import { interruptSignal } from './logs';

/** Resolves on the first SIGINT/SIGTERM (tests pass their own). */
export type StopSignal = Promise<string>;

export async function runUp(argv: string[], io: CommandIO, stop?: StopSignal, tty = io.tty ?? process.stdout.isTTY === true): Promise<number> {
  const f = parseSessionFlags(argv);
  if (typeof f === 'string') { io.stderr(`innerloop up: ${f}\n\n${upCommand.usage}\n`); return EXIT_USAGE; }
  const session = sessionFrom(f, io, 'up');
  const signal = stop ?? io.interrupted ?? interruptSignal();
  let control: ControlServer;
  try {
    control = await ControlServer.start(socketPathFor(session.tiltfile, io.env), sessionTarget(session, { host: 'cli', version: VERSION }));
  } catch (e) {
    await session.stop();
    if (e instanceof EngineAlreadyRunningError) throw new CliError(`${e.message}; stop it first (Ctrl-C in its terminal, or Innerloop: Stop in VS Code)`);
    throw e;
  }
  await session.start();
  // No kubeconfig at all cannot fix itself while we wait (Tilt's "no context" is fatal too): one sentence, exit 1.
  // Checked before the view prints anything, so the sentence is printed once.
  const k8sError = session.store.snapshot().session.k8s.error;
  if (k8sError && !f.kubeconfig && !kubeconfigExists()) {
    await control.close();
    await session.stop();
    throw new CliError(k8sError);
  }
  // The view prints the log from its start, so creating it after the load loses nothing.
  const view = new TerminalView(session, { write: io.stdout, tty, color: useColor(tty, io.env), columns: io.columns ?? process.stdout.columns });
  view.render();
  const plan = session.currentPlan;
  if (plan) {
    const urls = plan.resources.flatMap((r) => ('portForwards' in r ? r.portForwards.map((p) => `  ${r.name}: http://localhost:${p.localPort}/${p.name ? ` (${p.name})` : ''}`) : []));
    if (urls.length > 0) io.stdout(`Port forwards:\n${urls.join('\n')}\n`);
  }
  const sig = await signal;
  io.stderr(`\ninnerloop: ${sig}: stopping (resources keep running; \`innerloop down\` deletes them)\n`);
  await control.close();
  view.dispose();
  await session.stop();
  return EXIT_OK;
}

export const upCommand: Command = {
  name: 'up',
  summary: 'Start the inner loop for a Tiltfile (Ctrl-C stops, leaving resources running)',
  usage: `innerloop up [flags] [RESOURCE...] [-- ARGS...]

  Loads the Tiltfile, builds and deploys every resource, then live-updates or rebuilds on each change.
  Logs are prefixed with the resource name; on a terminal a status table stays under them.
  While it runs, \`innerloop get\`, \`logs\`, \`trigger\`, \`wait\`, \`args\`... talk to it (from any terminal).

${SESSION_FLAGS_HELP}

${EXIT_CODES_HELP}`,
  run: (argv, io) => runUp(argv, io),
};
