// `innerloop ci`: Tilt's ci semantics: exit 0 once every started resource is updated and ready, 1 on the first
// failure or on timeout (ci_settings(timeout), or --timeout). Resources are left running.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { EngineSnapshot } from '../../shared/state';
import { lastBuild, updateStatus } from '../../shared/status';
import { TerminalView } from '../render/terminal';
import { statusTable } from '../render/status';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, type Command, type CommandIO } from './types';
import { parseSessionFlags, sessionFrom, SESSION_FLAGS_HELP } from './sessionFlags';

/** The per-resource summary --session-json writes. */
export function sessionSummary(s: EngineSnapshot, result: { state: string; error?: string }): unknown {
  return {
    result,
    tiltfile: s.session.tiltfile,
    k8s: s.session.k8s,
    resources: s.order.map((n) => {
      const r = s.resources[n]!;
      return {
        name: n, type: r.type, updateStatus: updateStatus(r), runtimeStatus: r.runtimeStatus,
        lastBuild: lastBuild(r), pods: r.pods.map((p) => ({ name: p.name, status: p.status, ready: p.ready, restarts: p.restarts })),
        portForwards: r.portForwards, waitingReason: r.hold?.words,
      };
    }),
  };
}

export async function runCi(argv: string[], io: CommandIO): Promise<number> {
  const f = parseSessionFlags(argv, { timeout: true, sessionJson: true });
  if (typeof f === 'string') { io.stderr(`innerloop ci: ${f}\n\n${ciCommand.usage}\n`); return EXIT_USAGE; }
  const session = sessionFrom(f, io, 'ci');
  const view = new TerminalView(session, { write: io.stdout, tty: false });
  await session.start();
  const result = await session.waitCi(f.timeoutSecs ? { timeoutMs: f.timeoutSecs * 1000 } : {});
  view.dispose();
  const snap = session.store.snapshot();
  io.stdout(statusTable(snap, false).join('\n') + '\n');
  if (f.sessionJson) writeFileSync(resolve(io.cwd, f.sessionJson), JSON.stringify(sessionSummary(snap, result), null, 2) + '\n');
  await session.stop();
  if (result.state === 'succeeded') {
    io.stdout('SUCCESS. All workloads are healthy.\n');
    return EXIT_OK;
  }
  io.stderr(`ERROR: ${result.error}\n`);
  return EXIT_FAILURE;
}

export const ciCommand: Command = {
  name: 'ci',
  summary: 'Bring everything up once; exit 0 when all resources are ready, 1 on the first error or timeout',
  usage: `innerloop ci [flags] [RESOURCE...] [-- ARGS...]

${SESSION_FLAGS_HELP}
  --timeout SECS        give up after SECS (default: ci_settings(timeout), 30m)
  --session-json FILE   write the final per-resource state as JSON`,
  run: runCi,
};
