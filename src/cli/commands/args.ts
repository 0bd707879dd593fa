// `innerloop args -- ARGS...`: re-run the running engine's Tiltfile with new config.parse() args, as `tilt args`.
import { CliError, EXIT_CODES_HELP, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, type Command } from './types';
import { bool, parseFlags } from './flags';
import { REMOTE_FLAGS_HELP, REMOTE_OPTIONS, withEngine } from './remote';

export const argsCommand: Command = {
  name: 'args',
  summary: 'Re-run the Tiltfile with new arguments (innerloop args -- ARGS)',
  usage: `innerloop args [--clear] [--file PATH] -- ARGS...

  Replaces the Tiltfile args of the running engine and reloads it. With no args, prints the current ones.

  --clear               reload with no args
${REMOTE_FLAGS_HELP}

${EXIT_CODES_HELP}`,
  async run(argv, io) {
    const p = parseFlags(argv, { ...REMOTE_OPTIONS, clear: { type: 'boolean' } });
    // `tilt args a b` works without `--` too.
    const args = [...p.positionals, ...p.rest];
    const clear = bool(p, 'clear');
    if (clear && args.length) throw new CliError('--clear takes no args', EXIT_USAGE);
    return withEngine(io, p, async (c) => {
      if (!clear && args.length === 0 && !argv.includes('--')) {
        const info = await c.call('info', {});
        io.stdout(info.args.map((a) => JSON.stringify(a)).join(' ') + '\n');
        return EXIT_OK;
      }
      await c.call('args', { args });
      const s = await c.call('state', {});
      if (s.session.tiltfile.status === 'error') {
        io.stderr(`innerloop args: the Tiltfile failed with the new args: ${s.session.tiltfile.error?.split('\n')[0] ?? ''}\n`);
        return EXIT_FAILURE;
      }
      io.stdout(`reloaded with args: ${args.map((a) => JSON.stringify(a)).join(' ') || '(none)'}\n`);
      return EXIT_OK;
    });
  },
};
