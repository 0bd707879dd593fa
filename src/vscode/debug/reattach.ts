// Survives the loop: a live update that restarts the process, or a rebuild that replaces the pod, ends a debugpy or
// Delve session (their DAP connection closes with the process). When that happens (and the user did not stop the
// session), wait until the debugger answers again through the forward, which follows the new pod, and attach again;
// after a bounded wait, say so and offer Re-attach instead of hanging. Node needs none of this: js-debug's
// `restart: true` reconnects by itself.
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import type { AttachConfiguration } from '../debugTargets';
import { currentTargets } from './attach';
import { dapAnswers } from './dapProbe';

/** How long to wait for the debugger to come back before offering Re-attach (a rebuild can take a while). */
const REATTACH_LIMIT_MS = 180_000;
const POLL_MS = 500;
/**
 * How long a re-attach attempt may take to attach. Right after a restart the probe can reach the previous process's
 * debugpy adapter on its way out: it answers `initialize` but never `attach`, and while the attempt holds it, it keeps
 * the port the new process waits for (30 s at most in the todo app). So an attempt that hangs is stopped and retried.
 */
const ATTACH_OUTCOME_MS = 10_000;

type Marked = AttachConfiguration & { innerloop: NonNullable<AttachConfiguration['innerloop']> };

function marked(c: vscode.DebugConfiguration): Marked | undefined {
  const m = (c as Partial<AttachConfiguration>).innerloop;
  return m && m.runtime !== 'node' ? (c as Marked) : undefined;
}

export function registerReattach(ctx: Ctx): void {
  /**
   * Sessions whose end the client (the user) asked for before the adapter said the program ended, and the adapter
   * answered. The answer is what tells a stop from a crash: when the process (or debugpy's adapter) dies, the
   * connection closes with no `terminated` event, and VS Code still sends `disconnect` to the dead connection, which
   * never answers (seen in the e2e: a live-update restart looked like "stopped from the editor").
   */
  const disconnecting = new Set<string>();
  const userStopped = new Set<string>();
  const programEnded = new Set<string>();
  /** Sessions whose attach request succeeded. */
  const attached = new Set<string>();
  /** Re-attach attempts (config token) that attached, or ended before attaching (their loop tries again). */
  const attachedTokens = new Set<string>();
  const failedAttempts = new Set<string>();
  /** Resources being re-attached: one loop per resource; a new manual attach cancels it. */
  const pending = new Map<string, { cancelled: boolean }>();
  /** Re-attach attempts' sessions by token, so one that hangs can be stopped. */
  const attempts = new Map<string, vscode.DebugSession>();

  ctx.push(
    vscode.debug.registerDebugAdapterTrackerFactory('*', {
      createDebugAdapterTracker: (session) => {
        if (!marked(session.configuration)) return undefined;
        return {
          onWillReceiveMessage: (m: { type?: string; command?: string }) => {
            if (m.type === 'request' && m.command === 'disconnect' && !programEnded.has(session.id)) disconnecting.add(session.id);
          },
          onDidSendMessage: (m: { type?: string; event?: string; command?: string; success?: boolean }) => {
            if (m.type === 'event' && (m.event === 'terminated' || m.event === 'exited')) programEnded.add(session.id);
            if (m.type === 'response' && m.command === 'disconnect' && disconnecting.has(session.id)) userStopped.add(session.id);
            if (m.type === 'response' && m.command === 'attach' && m.success) {
              attached.add(session.id);
              const token = session.configuration.__innerloopReattach as string | undefined;
              if (token) attachedTokens.add(token);
            }
          },
        };
      },
    }),
  );

  ctx.push(
    vscode.debug.onDidStartDebugSession((s) => {
      const t = s.configuration.__innerloopReattach as string | undefined;
      if (t) attempts.set(t, s);
      const c = marked(s.configuration);
      const p = c && pending.get(c.innerloop.resource);
      if (p && !s.configuration.__innerloopReattach) p.cancelled = true;
    }),
  );

  ctx.push(
    vscode.debug.onDidTerminateDebugSession((s) => {
      const c = marked(s.configuration);
      const byUser = userStopped.delete(s.id);
      disconnecting.delete(s.id);
      const wasAttached = attached.delete(s.id);
      programEnded.delete(s.id);
      const token = s.configuration.__innerloopReattach as string | undefined;
      if (token) attempts.delete(token);
      // An attempt that never attached (e.g. it reached the previous process's debug adapter on its way out): the
      // re-attach loop that started it tries again. A first attach that failed is the user's to retry.
      if (!c) return;
      if (!wasAttached) {
        ctx.log.info(`debug session for ${c.innerloop.resource} ended before attaching`);
        if (token) failedAttempts.add(token);
        return;
      }
      if (byUser || !ctx.session) {
        ctx.log.info(`debug session for ${c.innerloop.resource} ended (${byUser ? 'stopped from the editor' : 'engine stopped'}): not re-attaching`);
        return;
      }
      void reattach(ctx, c, pending, attachedTokens, failedAttempts, attempts);
    }),
  );
}

/** Waits until the session started with `token` attached, ended without attaching, or hangs (neither in time). */
async function attachOutcome(token: string, attachedTokens: Set<string>, failedAttempts: Set<string>): Promise<'attached' | 'failed' | 'hung'> {
  const until = Date.now() + ATTACH_OUTCOME_MS;
  while (Date.now() < until) {
    if (failedAttempts.delete(token)) return 'failed';
    if (attachedTokens.delete(token)) return 'attached';
    await new Promise((r) => setTimeout(r, 100));
  }
  return 'hung';
}

async function reattach(
  ctx: Ctx,
  config: Marked,
  pending: Map<string, { cancelled: boolean }>,
  attachedTokens: Set<string>,
  failedAttempts: Set<string>,
  attempts: Map<string, vscode.DebugSession>,
): Promise<void> {
  const { resource, containerPort } = config.innerloop;
  const previous = pending.get(resource);
  if (previous) previous.cancelled = true;
  const me = { cancelled: false };
  pending.set(resource, me);
  ctx.log.info(`debugger of ${resource} went away (process restarted or pod replaced): re-attaching when it answers`);
  const status = vscode.window.setStatusBarMessage(`$(sync~spin) Innerloop: re-attaching the debugger to ${resource}…`);
  const session = ctx.session;
  const deadline = Date.now() + REATTACH_LIMIT_MS;
  try {
    while (!me.cancelled && ctx.session === session && Date.now() < deadline) {
      const t = currentTargets(ctx, resource).find((x) => x.containerPort === containerPort);
      if (t && (await dapAnswers(t.host, t.port))) {
        if (me.cancelled) return;
        const token = `${resource}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
        const next = { ...config, connect: config.connect ? { host: t.host, port: t.port } : undefined, host: config.host === undefined ? undefined : t.host, port: config.port === undefined ? undefined : t.port, __innerloopReattach: token };
        ctx.log.info(`re-attaching the debugger to ${resource} on ${t.host}:${t.port}`);
        const starting = vscode.debug.startDebugging(ctx.folder, next as vscode.DebugConfiguration);
        // Attached, or ended before attaching (then try again)? Judged by what the session does, not by
        // startDebugging, which itself can hang on an adapter that accepts the connection and never answers (the old
        // process on its way out): then the attempt counts as hung.
        const notStarted = starting.then((ok) => (ok ? new Promise<never>(() => undefined) : ('not started' as const)), () => 'not started' as const);
        const outcome = await Promise.race([attachOutcome(token, attachedTokens, failedAttempts), notStarted]);
        if (outcome !== 'not started') {
          if (outcome === 'attached') return;
          if (outcome === 'hung') {
            // Let go of what it reached (an adapter on its way out), so the new process can open its port.
            const stuck = attempts.get(token);
            attempts.delete(token);
            // Bounded: stopping a session whose adapter never answers can hang too.
            if (stuck) await Promise.race([vscode.debug.stopDebugging(stuck), new Promise((r) => setTimeout(r, 5_000))]);
            ctx.log.info(`re-attach to ${resource} did not attach within ${ATTACH_OUTCOME_MS / 1000} s; stopped it, trying again`);
          } else ctx.log.info(`re-attach to ${resource} ended before attaching; trying again`);
        }
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    if (me.cancelled || ctx.session !== session || !ctx.session) return;
    const pick = await vscode.window.showWarningMessage(`Innerloop: the debugger of ${resource} did not come back within ${REATTACH_LIMIT_MS / 1000} s.`, 'Re-attach');
    if (pick === 'Re-attach') await vscode.commands.executeCommand('innerloop.attachDebugger', resource);
  } finally {
    status.dispose();
    if (pending.get(resource) === me) pending.delete(resource);
  }
}
