// `innerloop dump engine`: the engine's whole state as JSON, as `tilt dump engine`.
import { CliError, EXIT_CODES_HELP, EXIT_OK, EXIT_USAGE, type Command } from './types';
import { parseFlags } from './flags';
import { REMOTE_FLAGS_HELP, REMOTE_OPTIONS, withEngine } from './remote';

export const dumpCommand: Command = {
  name: 'dump',
  summary: 'Print the engine\'s state as JSON (innerloop dump engine)',
  usage: `innerloop dump engine [--file PATH]

  Prints the engine's store (session, Tiltfile status, every resource) and engine info as JSON.

${REMOTE_FLAGS_HELP}

${EXIT_CODES_HELP}`,
  async run(argv, io) {
    const p = parseFlags(argv, REMOTE_OPTIONS);
    if (p.positionals.length !== 1 || p.positionals[0] !== 'engine') throw new CliError('what to dump: `innerloop dump engine`', EXIT_USAGE);
    const out = await withEngine(io, p, async (c) => ({ engine: await c.call('info', {}), state: await c.call('state', {}) }));
    io.stdout(JSON.stringify(out, null, 2) + '\n');
    return EXIT_OK;
  },
};
