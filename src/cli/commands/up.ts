// `innerloop up`: run the inner loop until Ctrl-C; logs prefixed by resource, a live status table on a TTY.
// Ctrl-C stops the engine and leaves everything running (use `innerloop down` to delete it).
import { TerminalView } from '../render/terminal';
import { EXIT_OK, EXIT_USAGE, type Command, type CommandIO } from './types';
import { parseSessionFlags, sessionFrom, SESSION_FLAGS_HELP } from './sessionFlags';

/** Resolves on the first SIGINT/SIGTERM (tests pass their own). */
export type StopSignal = Promise<string>;

function processSignal(): StopSignal {
  return new Promise((resolve) => {
    const on = (sig: string): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(sig);
    };
    process.once('SIGINT', on);
    process.once('SIGTERM', on);
  });
}

export async function runUp(argv: string[], io: CommandIO, stop: StopSignal = processSignal(), tty = process.stdout.isTTY === true): Promise<number> {
  const f = parseSessionFlags(argv);
  if (typeof f === 'string') { io.stderr(`innerloop up: ${f}\n\n${upCommand.usage}\n`); return EXIT_USAGE; }
  const session = sessionFrom(f, io, 'up');
  const view = new TerminalView(session, { write: io.stdout, tty, columns: process.stdout.columns });
  await session.start();
  const plan = session.currentPlan;
  if (plan) {
    const urls = plan.resources.flatMap((r) => ('portForwards' in r ? r.portForwards.map((p) => `  ${r.name}: http://localhost:${p.localPort}/${p.name ? ` (${p.name})` : ''}`) : []));
    if (urls.length > 0) io.stdout(`Port forwards:\n${urls.join('\n')}\n`);
  }
  const sig = await stop;
  io.stderr(`\ninnerloop: ${sig}: stopping (resources keep running; \`innerloop down\` deletes them)\n`);
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

${SESSION_FLAGS_HELP}`,
  run: (argv, io) => runUp(argv, io),
};
