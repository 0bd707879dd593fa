// `innerloop enable|disable RESOURCE...`: as `tilt enable/disable`. Disabling deletes what the resource deployed;
// enabling brings it back. The choice outlives Tiltfile reloads until the engine stops.
import { CliError, EXIT_CODES_HELP, EXIT_OK, EXIT_USAGE, type Command } from './types';
import { parseFlags } from './flags';
import { REMOTE_FLAGS_HELP, REMOTE_OPTIONS, withEngine } from './remote';

function enableCommand(enabled: boolean): Command {
  const name = enabled ? 'enable' : 'disable';
  return {
    name,
    summary: enabled ? 'Enable resources (they update again)' : 'Disable resources (what they deployed is deleted)',
    usage: `innerloop ${name} RESOURCE... [--file PATH]

${REMOTE_FLAGS_HELP}

${EXIT_CODES_HELP}`,
    async run(argv, io) {
      const p = parseFlags(argv, REMOTE_OPTIONS);
      if (p.positionals.length === 0) throw new CliError(`name the resource(s) to ${name}`, EXIT_USAGE);
      await withEngine(io, p, (c) => c.call('enable', { resources: p.positionals, enabled }));
      io.stdout(`${name}d ${p.positionals.join(', ')}\n`);
      return EXIT_OK;
    },
  };
}

export const enableCmd = enableCommand(true);
export const disableCmd = enableCommand(false);
