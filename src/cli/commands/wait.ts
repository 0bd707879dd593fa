// `innerloop wait --for=condition=Ready RESOURCE... [--timeout D]`, as `tilt wait`.
import { CliError, EXIT_CODES_HELP, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, type Command } from './types';
import { durationFlag, parseFlags, str } from './flags';
import { REMOTE_FLAGS_HELP, REMOTE_OPTIONS, withEngine } from './remote';
import { statusView } from '../../shared/status';

export const waitCommand: Command = {
  name: 'wait',
  summary: 'Wait until resources are Ready (--for=condition=Ready)',
  usage: `innerloop wait --for=condition=Ready RESOURCE... [--timeout DURATION] [--file PATH]

  Returns once every named resource has updated successfully and its runtime is up (or it has none).

  --for CONDITION       condition=Ready (the only condition)
  --timeout DURATION    give up after this long (default 30s; 30s, 5m, 1h)
${REMOTE_FLAGS_HELP}

${EXIT_CODES_HELP}`,
  async run(argv, io) {
    const p = parseFlags(argv, { ...REMOTE_OPTIONS, for: { type: 'string' }, timeout: { type: 'string' } });
    const cond = str(p, 'for');
    if (cond === undefined) throw new CliError('missing --for=condition=Ready', EXIT_USAGE);
    if (cond.toLowerCase() !== 'condition=ready') throw new CliError(`unsupported condition ${JSON.stringify(cond)}: only --for=condition=Ready`, EXIT_USAGE);
    const names = p.positionals.map((n) => n.replace(/^uiresources?\//, ''));
    if (names.length === 0) throw new CliError('name the resource(s) to wait for', EXIT_USAGE);
    const timeoutMs = durationFlag(p, 'timeout') ?? 30_000;
    return withEngine(io, p, async (c) => {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), timeoutMs); });
      const waiting = c.call('wait', { resources: names });
      const r = await Promise.race([waiting, timedOut]);
      clearTimeout(timer);
      if (r !== 'timeout') {
        io.stdout(names.map((n) => `${n} condition met\n`).join(''));
        return EXIT_OK;
      }
      void waiting.catch(() => undefined);
      // Requests share the connection (matched by id): ask for the state while the wait is still pending.
      const s = await c.call('state', {});
      const why = names.map((n) => { const res = s.resources[n]; return res ? `${n}: ${statusView(res).word}` : n; }).join(', ');
      io.stderr(`innerloop wait: timed out after ${Math.round(timeoutMs / 1000)}s waiting for condition=Ready (${why})\n`);
      return EXIT_FAILURE;
    });
  },
};
