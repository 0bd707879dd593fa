// `innerloop logs [RESOURCE...] [-f] [--since D] [--source build|runtime] [--level warn|error]`, as `tilt logs`.
import type { LogLine } from '../../engine/logs';
import { useColor } from '../render/color';
import { formatLogLines } from '../render/terminal';
import { EXIT_CODES_HELP, EXIT_OK, type Command, type CommandIO } from './types';
import { bool, durationFlag, oneOf, parseFlags } from './flags';
import { REMOTE_FLAGS_HELP, REMOTE_OPTIONS, withEngine } from './remote';

export function interruptSignal(): Promise<string> {
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

function printer(io: CommandIO): (lines: readonly LogLine[]) => void {
  const color = useColor(io.tty ?? false, io.env);
  return (lines) => {
    if (lines.length === 0) return;
    const w = Math.min(24, Math.max(...lines.map((l) => l.resource.length)));
    io.stdout(formatLogLines(lines, color, w));
  };
}

export const logsCommand: Command = {
  name: 'logs',
  summary: 'Print the running engine\'s logs (-f to follow)',
  usage: `innerloop logs [RESOURCE...] [-f] [--since DURATION] [--source build|runtime] [--level warn|error] [--file PATH]

  -f, --follow          keep printing new lines until Ctrl-C (or the engine stops)
  --since DURATION      only lines from the last DURATION (30s, 5m, 1h)
  --source SOURCE       only build or runtime lines
  --level LEVEL         warn: warnings and errors; error: errors only
${REMOTE_FLAGS_HELP}

${EXIT_CODES_HELP}`,
  async run(argv, io) {
    const p = parseFlags(argv, {
      ...REMOTE_OPTIONS,
      follow: { type: 'boolean', short: 'f' },
      since: { type: 'string' },
      source: { type: 'string' },
      level: { type: 'string' },
    });
    const sinceMs = durationFlag(p, 'since');
    const query = {
      resources: p.positionals,
      sinceTime: sinceMs === undefined ? undefined : Date.now() - sinceMs,
      source: oneOf(p, 'source', ['build', 'runtime'] as const),
      level: oneOf(p, 'level', ['warn', 'error'] as const),
    };
    const print = printer(io);
    return withEngine(io, p, async (c) => {
      if (!bool(p, 'follow')) {
        print((await c.call('logs', query)).lines);
        return EXIT_OK;
      }
      const stream = c.stream('logs', { ...query, follow: true }, (e) => print((e as { lines: LogLine[] }).lines));
      // Ends on Ctrl-C (exit 0, as tilt logs -f), or with an error when the engine goes away.
      const stopped = await Promise.race([stream.then(() => undefined), (io.interrupted ?? interruptSignal()).then(() => 'interrupted')]);
      void stream.catch(() => undefined);
      if (stopped !== 'interrupted') await stream;
      return EXIT_OK;
    });
  },
};
