/** One `innerloop` subcommand. `run` resolves to the process exit code. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[], io: CommandIO): Promise<number>;
}

export interface CommandIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
  /** Environment (NO_COLOR, FORCE_COLOR, INNERLOOP_CONTROL_SOCKET); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Whether stdout is a terminal (colour, live tables); default false. */
  tty?: boolean;
  /** Terminal width for tables; default 100. */
  columns?: number;
  /** Resolves when the user interrupts (Ctrl-C); streaming commands stop then. Default: SIGINT/SIGTERM. */
  interrupted?: Promise<string>;
}

/** Exit codes shared by all commands. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

// A registered symbol, not `instanceof`: dist/cli.js and dist/cli-commands.js each bundle their own CliError class.
const CLI_ERROR = Symbol.for('innerloop.CliError');

/** A failure to report as one line on stderr (`innerloop CMD: message`), exiting with `code`. */
export class CliError extends Error {
  readonly [CLI_ERROR] = true;
  constructor(message: string, readonly code: number = EXIT_FAILURE) {
    super(message);
  }
}

/** Whether `e` is a CliError from either CLI bundle. */
export function isCliError(e: unknown): e is CliError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[CLI_ERROR] === true;
}

/** Printed at the end of every command's --help. */
export const EXIT_CODES_HELP = `Exit codes: 0 ok, 1 failure, 2 usage error.`;
