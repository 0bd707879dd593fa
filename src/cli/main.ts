// The `innerloop` CLI: a small dispatcher over src/cli/commands/*.
import { runTiltfileWorkerIfRequested } from '../tiltfile/worker';
import { commands } from './commands';
import { isCliError, EXIT_CODES_HELP, EXIT_FAILURE, EXIT_USAGE, type CommandIO } from './commands/types';

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: innerloop <command> [flags]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `innerloop <command> --help` for a command\'s flags. `innerloop` alone prints this help.',
    'Colour: on a terminal; NO_COLOR=1 turns it off, FORCE_COLOR=1 forces it.',
    EXIT_CODES_HELP,
  ].join('\n') + '\n';
}

export async function main(argv: string[], io: CommandIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(help());
    return 0;
  }
  const entry = commands.find((c) => c.name === (name === '--version' || name === '-v' ? 'version' : name));
  if (!entry) {
    io.stderr(`innerloop: unknown command ${JSON.stringify(name)}\n\n${help()}`);
    return EXIT_USAGE;
  }
  const cmd = await entry.load();
  if (entry.name !== name) return cmd.run([], io);
  const dd = rest.indexOf('--');
  const h = rest.findIndex((a) => a === '--help' || a === '-h');
  if (h >= 0 && (dd < 0 || h < dd)) {
    io.stdout(cmd.usage + (cmd.usage.includes(EXIT_CODES_HELP) ? '' : `\n\n${EXIT_CODES_HELP}`) + '\n');
    return 0;
  }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    // Every expected failure is a CliError: one line, printed once, here.
    if (!isCliError(e)) throw e;
    io.stderr(`innerloop ${name}: ${e.message}\n${e.code === EXIT_USAGE ? `\n${cmd.usage}\n` : ''}`);
    return e.code || EXIT_FAILURE;
  }
}

// The bundle doubles as the Tiltfile worker script (see src/tiltfile/worker.ts).
if (!runTiltfileWorkerIfRequested() && require.main === module) {
  const io: CommandIO = {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    cwd: process.cwd(),
    env: process.env,
    tty: process.stdout.isTTY === true,
    columns: process.stdout.columns,
  };
  main(process.argv.slice(2), io).then(
    (code) => { process.exitCode = code; },
    (e: unknown) => { process.stderr.write(`innerloop: internal error: ${(e as Error).stack ?? String(e)}\n`); process.exitCode = 1; },
  );
}
