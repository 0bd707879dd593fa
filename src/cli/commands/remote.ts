// Finding and talking to a running engine's control socket, for every command that works on a running engine.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ControlClient, NoEngineError } from '../../control/client';
import { CONTROL_SOCKET_ENV, socketPathFor } from '../../control/socketPath';
import { tiltfilePath } from './sessionFlags';
import { CliError, type CommandIO } from './types';
import type { OptionSpec, Parsed } from './flags';
import { str } from './flags';

export const REMOTE_OPTIONS: OptionSpec = { file: { type: 'string' } };

export const REMOTE_FLAGS_HELP = `  --file PATH           the Tiltfile whose engine to use (default: the editor's engine in a VS Code terminal,
                        else the nearest Tiltfile in this directory or above)`;

/** The socket to use: --file's engine, else $INNERLOOP_CONTROL_SOCKET, else the nearest Tiltfile upwards. */
export function findSocket(io: CommandIO, file: string | undefined): { socket: string; what: string } {
  const env = io.env ?? process.env;
  if (file) {
    const tf = tiltfilePath(io, file);
    return { socket: socketPathFor(tf, env), what: tf };
  }
  const fromEnv = env[CONTROL_SOCKET_ENV];
  if (fromEnv) return { socket: fromEnv, what: `the editor's engine (${CONTROL_SOCKET_ENV})` };
  let first: string | undefined;
  for (let dir = io.cwd; ; dir = dirname(dir)) {
    const tf = join(dir, 'Tiltfile');
    if (existsSync(tf)) {
      first ??= tf;
      const socket = socketPathFor(tf, env);
      if (existsSync(socket)) return { socket, what: tf };
    }
    if (dirname(dir) === dir) break;
  }
  const tf = first ?? join(io.cwd, 'Tiltfile');
  return { socket: socketPathFor(tf, env), what: tf };
}

/** Connects to the engine; a missing engine is one clear sentence with the fix. */
export async function connect(io: CommandIO, p: Parsed): Promise<ControlClient> {
  const { socket, what } = findSocket(io, str(p, 'file'));
  try {
    return await ControlClient.connect(socket);
  } catch (e) {
    if (e instanceof NoEngineError) throw new CliError(`no running engine for ${what}: start one with \`innerloop up\` (or Innerloop: Up in VS Code) [${e.message}]`);
    throw e;
  }
}

/** Runs fn with a connected client, closing it afterwards; engine-side errors become CliError. */
export async function withEngine<T>(io: CommandIO, p: Parsed, fn: (c: ControlClient) => Promise<T>): Promise<T> {
  const c = await connect(io, p);
  try {
    return await fn(c);
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(e instanceof Error ? e.message : String(e));
  } finally {
    c.close();
  }
}
