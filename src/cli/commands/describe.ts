// `innerloop describe RESOURCE...`: everything the engine knows about a resource, as `tilt describe`.
import { describe } from '../render/resources';
import { CliError, EXIT_CODES_HELP, EXIT_OK, EXIT_USAGE, type Command } from './types';
import { parseFlags } from './flags';
import { REMOTE_FLAGS_HELP, REMOTE_OPTIONS, withEngine } from './remote';
import { checkNames } from './names';

export const describeCommand: Command = {
  name: 'describe',
  summary: 'Show one resource in detail (status, pods, port forwards, recent updates)',
  usage: `innerloop describe RESOURCE... [--file PATH]

${REMOTE_FLAGS_HELP}

${EXIT_CODES_HELP}`,
  async run(argv, io) {
    const p = parseFlags(argv, REMOTE_OPTIONS);
    const wanted = p.positionals.filter((n, i) => !(i === 0 && /^(uiresources?|resources?)$/.test(n)));
    if (wanted.length === 0) throw new CliError('name the resource to describe', EXIT_USAGE);
    const s = await withEngine(io, p, (c) => c.call('state', {}));
    io.stdout(checkNames(s, wanted).map((n) => describe(s, n, Date.now())).join('\n'));
    return EXIT_OK;
  },
};
