// `innerloop trigger RESOURCE...`: update now (manual resources, or forcing an auto one), as `tilt trigger`.
import { CliError, EXIT_CODES_HELP, EXIT_OK, EXIT_USAGE, type Command } from './types';
import { parseFlags } from './flags';
import { REMOTE_FLAGS_HELP, REMOTE_OPTIONS, withEngine } from './remote';

export const triggerCommand: Command = {
  name: 'trigger',
  summary: 'Update resources now (as the trigger button does)',
  usage: `innerloop trigger RESOURCE... [--file PATH]

${REMOTE_FLAGS_HELP}

${EXIT_CODES_HELP}`,
  async run(argv, io) {
    const p = parseFlags(argv, REMOTE_OPTIONS);
    if (p.positionals.length === 0) throw new CliError('name the resource(s) to trigger', EXIT_USAGE);
    const r = await withEngine(io, p, (c) => c.call('trigger', { resources: p.positionals }));
    io.stdout(`triggered ${r.triggered.join(', ')}\n`);
    return EXIT_OK;
  },
};
