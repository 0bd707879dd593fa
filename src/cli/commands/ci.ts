// `innerloop ci`: Tilt's ci semantics: exit 0 once every started resource is updated and ready, 1 on the first
// failure or on timeout (ci_settings(timeout), or --timeout). Resources are left running. While waiting it says,
// every 10 s, what it waits for and why; the summary names the resource that failed or held the run up.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { EngineSnapshot } from '../../shared/state';
import { lastBuild, updateStatus } from '../../shared/status';
import type { CiReport } from '../../engine/ciWait';
import { formatDuration } from '../../engine/ci';
import { sanitizeTextForTerminal, TerminalView } from '../render/terminal';
import { statusTable } from '../render/status';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, type Command, type CommandIO } from './types';
import { parseSessionFlags, sessionFrom, SESSION_FLAGS_HELP } from './sessionFlags';

/** The per-resource summary --session-json writes: final state plus the timeline of states and reasons. */
export function sessionSummary(s: EngineSnapshot, report: CiReport, startTime: number): unknown {
  const iso = (ms: number): string => new Date(ms).toISOString();
  return {
    result: {
      ...report.verdict,
      ...(report.resource ? { resource: report.resource } : {}),
      ...(report.waiting ? { waiting: report.waiting.map((w) => ({ name: w.name, reason: w.reason })) } : {}),
      ...(report.lastReady ? { lastReady: report.lastReady } : {}),
      ...(report.logTail?.length ? { logTail: report.logTail } : {}),
    },
    startTime: iso(startTime),
    tiltfile: s.session.tiltfile,
    k8s: s.session.k8s,
    resources: s.order.map((n) => {
      const r = s.resources[n]!;
      return {
        name: n, type: r.type, updateStatus: updateStatus(r), runtimeStatus: r.runtimeStatus,
        lastBuild: lastBuild(r),
        pods: r.pods.map((p) => ({ name: p.name, status: p.status, ready: p.ready, restarts: p.restarts, containers: p.containers.map((c) => ({ name: c.name, state: c.state, ready: c.ready, restarts: c.restarts, reason: c.reason, message: c.message })) })),
        portForwards: r.portForwards, waitingReason: r.hold?.words,
        timeline: (report.timeline[n] ?? []).map((e) => ({ time: iso(e.time), afterMs: e.time - startTime, state: e.state, reason: e.reason })),
      };
    }),
  };
}

/** The verdict (stdout for success, stderr for failure): printed the moment it is decided. */
export function summaryText(report: CiReport): string {
  if (report.verdict.state === 'succeeded') {
    const last = report.lastReady ? ` The last to get ready was ${report.lastReady.name}, after ${formatDuration(report.lastReady.afterMs)}.` : '';
    return `SUCCESS. All workloads are healthy.${last}\n`;
  }
  let out = `ERROR: ${report.verdict.error}\n`;
  if (report.waiting?.length) out += `Still waiting on:\n${report.waiting.map((w) => `  ${w.name}: ${w.reason}\n`).join('')}`;
  return out;
}

/** After a failure's verdict: the failing resource's last log lines, when there are any. */
export function logTailText(report: CiReport): string {
  if (!report.resource || !report.logTail?.length) return '';
  return `Last log lines of ${report.resource}:\n${report.logTail.map((l) => `  ${l}\n`).join('')}`;
}

/** A second after the verdict nothing should keep the process up; if something does, say what (a bug to report). */
function reportLingeringHandles(io: CommandIO): void {
  // Only from the bundled CLI: in-process callers (tests, the editor) have handles of their own.
  if (!__filename.endsWith('.js')) return;
  const t = setTimeout(() => {
    const open = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap');
    if (open.length > 0) io.stderr(`innerloop ci: still running 1 s after the verdict; open handles: ${open.join(', ')}\n`);
  }, 1_000);
  t.unref();
}

export async function runCi(argv: string[], io: CommandIO): Promise<number> {
  const f = parseSessionFlags(argv, { timeout: true, sessionJson: true });
  if (typeof f === 'string') { io.stderr(`innerloop ci: ${f}\n\n${ciCommand.usage}\n`); return EXIT_USAGE; }
  const session = sessionFrom(f, io, 'ci');
  // What ci prints besides the view (progress, the table, the verdict, the log tail read from the cluster) carries
  // pod and build text: scrubbed of secrets and made safe for a terminal, like `up`'s logs.
  const scrub = (text: string): string => session.logs.scrubber.scrub(text);
  const safe = (text: string): string => sanitizeTextForTerminal(scrub(text));
  // A Tiltfile or cluster error (logged under "(Tiltfile)") ends ci: the verdict prints it, once.
  const view = new TerminalView(session, { write: io.stdout, tty: false, skip: (l) => l.resource === '(Tiltfile)' && l.level === 'error' });
  let report: CiReport;
  try {
    await session.start();
    report = await session.waitCiReport({
      ...(f.timeoutSecs ? { timeoutMs: f.timeoutSecs * 1000 } : {}),
      onProgress: (text) => { view.render(); io.stdout(safe(text)); },
    });
  } catch (err) {
    view.dispose();
    await session.stop();
    throw err;
  }
  view.dispose();
  // The verdict goes out the moment it is decided (the state it was decided on, then the verdict line); the log
  // tail lookup (capped) and the stop run after it, together, and must end within a second.
  const snap = session.store.snapshot();
  const table = statusTable(snap, false, 100, { sessionErrors: false });
  if (table.length > 0) io.stdout(safe(table.join('\n')) + '\n');
  const ok = report.verdict.state === 'succeeded';
  (ok ? io.stdout : io.stderr)(safe(summaryText(report)));
  reportLingeringHandles(io);
  const [logTail] = await Promise.all([session.ciLogTail(report), session.stop()]);
  if (logTail.length > 0) report = { ...report, logTail: logTail.map(scrub) };
  if (!ok) io.stderr(safe(logTailText(report)));
  if (f.sessionJson) writeFileSync(resolve(io.cwd, f.sessionJson), JSON.stringify(sessionSummary(snap, report, session.startTime), null, 2) + '\n');
  return ok ? EXIT_OK : EXIT_FAILURE;
}

export const ciCommand: Command = {
  name: 'ci',
  summary: 'Bring everything up once; exit 0 when all resources are ready, 1 on the first error or timeout',
  usage: `innerloop ci [flags] [RESOURCE...] [-- ARGS...]

${SESSION_FLAGS_HELP}
  --timeout DURATION    give up after DURATION: 30s, 5m, 1h30m; a bare number is seconds
                        (default: ci_settings(timeout), 30m)
  --session-json FILE   write the final per-resource state and each resource's timeline of states as JSON`,
  run: runCi,
};
