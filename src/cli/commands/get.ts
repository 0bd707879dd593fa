// `innerloop get [RESOURCE...] [-o json|wide]`: the running engine's resources, as Tilt's `tilt get`.
import { useColor } from '../render/color';
import { getTable } from '../render/resources';
import { EXIT_CODES_HELP, EXIT_OK, type Command } from './types';
import { oneOf, parseFlags } from './flags';
import { REMOTE_FLAGS_HELP, REMOTE_OPTIONS, withEngine } from './remote';
import { checkNames } from './names';

export const getCommand: Command = {
  name: 'get',
  summary: 'List the running engine\'s resources and their status',
  usage: `innerloop get [RESOURCE...] [-o json|wide] [--file PATH]

  One row per resource (all when none are named): name, status and detail.
  -o wide adds type, last update and restarts; -o json prints the resources' full state.

  -o, --output FORMAT   json or wide
${REMOTE_FLAGS_HELP}

${EXIT_CODES_HELP}`,
  async run(argv, io) {
    const p = parseFlags(argv, { ...REMOTE_OPTIONS, output: { type: 'string', short: 'o' } });
    const output = oneOf(p, 'output', ['json', 'wide'] as const);
    // `tilt get uiresource` habit: accept the kind word and ignore it.
    const wanted = p.positionals.filter((n, i) => !(i === 0 && /^(uiresources?|resources?)$/.test(n)));
    const s = await withEngine(io, p, (c) => c.call('state', {}));
    const names = wanted.length ? checkNames(s, wanted) : s.order;
    if (output === 'json') {
      io.stdout(JSON.stringify(names.map((n) => s.resources[n]), null, 2) + '\n');
      return EXIT_OK;
    }
    const lines = getTable(s, names, { wide: output === 'wide', color: useColor(io.tty ?? false, io.env), width: io.columns ?? 100, now: Date.now() });
    io.stdout(lines.join('\n') + '\n');
    return EXIT_OK;
  },
};
