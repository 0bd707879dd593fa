// The `innerloop` CLI: a small dispatcher over src/cli/commands/*.
import { runTiltfileWorkerIfRequested } from '../tiltfile/worker';
import { commands } from './commands';
import { EXIT_USAGE, type CommandIO } from './commands/types';

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: innerloop <command> [flags]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `innerloop <command> --help` for a command\'s flags.',
  ].join('\n') + '\n';
}

export async function main(argv: string[], io: CommandIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(help());
    return name ? 0 : EXIT_USAGE;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    io.stderr(`innerloop: unknown command ${JSON.stringify(name)}\n\n${help()}`);
    return EXIT_USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    const dd = rest.indexOf('--');
    const h = rest.findIndex((a) => a === '--help' || a === '-h');
    if (dd < 0 || h < dd) { io.stdout(cmd.usage + '\n'); return 0; }
  }
  return cmd.run(rest, io);
}

// The bundle doubles as the Tiltfile worker script (see src/tiltfile/worker.ts).
if (!runTiltfileWorkerIfRequested() && require.main === module) {
  const io: CommandIO = {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    cwd: process.cwd(),
  };
  main(process.argv.slice(2), io).then(
    (code) => { process.exitCode = code; },
    (e: unknown) => { process.stderr.write(`innerloop: internal error: ${(e as Error).stack ?? String(e)}\n`); process.exitCode = 1; },
  );
}
