// `innerloop down`: delete what the Tiltfile deploys, in parallel (CRDs, then Namespaces last). Namespaces are kept
// unless --delete-namespaces; objects annotated tilt.dev/down-policy: keep are kept. --wait waits out finalizers.
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, type Command, type CommandIO } from './types';
import { parseSessionFlags, sessionFrom, SESSION_FLAGS_HELP } from './sessionFlags';

export async function runDown(argv: string[], io: CommandIO): Promise<number> {
  const f = parseSessionFlags(argv, { deleteNamespaces: true, wait: true });
  if (typeof f === 'string') { io.stderr(`innerloop down: ${f}\n\n${downCommand.usage}\n`); return EXIT_USAGE; }
  const session = sessionFrom(f, io, 'down');
  const { errors } = await session.down({ deleteNamespaces: f.deleteNamespaces, wait: f.wait, onOutput: (l) => io.stdout(l + '\n') });
  await session.stop();
  for (const e of errors) io.stderr(`ERROR: ${e}\n`);
  return errors.length === 0 ? EXIT_OK : EXIT_FAILURE;
}

export const downCommand: Command = {
  name: 'down',
  summary: 'Delete everything the Tiltfile deploys',
  usage: `innerloop down [flags] [-- ARGS...]

${SESSION_FLAGS_HELP}
  --delete-namespaces   also delete Namespace objects the Tiltfile declares
  --wait                wait until deleted objects are gone (finalizers done); default: return once deletes are issued`,
  run: runDown,
};
