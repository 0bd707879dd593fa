// The `ci` wait loop: re-evaluates ciStatus() on every store change and on a clock tick (grace periods and the
// readiness timeout pass without store changes), and gives up at the timeout. Kept out of Session so the
// session layer only wires it up.

import type { Clock, TimerHandle } from './clock';
import { ciStatus, type CiStatus } from './ci';
import type { Store } from './store';
import type { Plan } from '../tiltfile/plan';

export type CiVerdict = Exclude<CiStatus, { state: 'running' }>;

export interface CiWaitDeps {
  store: Store;
  clock: Clock;
  /** Epoch ms the session started (the k8s grace period counts from here). */
  startTime: number;
  /** Resolves when the first Tiltfile load (and any queued reload) is done. */
  settled(): Promise<void>;
  /** The last plan that loaded. */
  plan(): Plan | undefined;
}

/** Resources that deploy a Job: they run to completion, so ci's readiness timeout does not apply (as in Tilt). */
function runsToCompletion(plan: Plan): Set<string> {
  return new Set(plan.resources.filter((r) => r.type === 'k8s' && r.objects.some((o) => o.kind === 'Job')).map((r) => r.name));
}

/**
 * `ci` semantics: resolves succeeded once every started resource is updated and ready, failed on the first
 * error, or failed with a timeout (ci_settings timeout, or `timeoutMs` when given).
 */
export async function waitCi(deps: CiWaitDeps, opts: { timeoutMs?: number } = {}): Promise<CiVerdict> {
  await deps.settled();
  const ci = deps.plan()?.settings.ci;
  const timeoutMs = opts.timeoutMs ?? (ci?.timeoutSecs ?? 1800) * 1000;
  const grace = (ci?.k8sGracePeriodSecs ?? 0) * 1000;
  const readinessTimeoutMs = (ci?.readinessTimeoutSecs ?? 300) * 1000;
  return new Promise((resolve) => {
    let last: CiStatus = { state: 'running', waitingOn: [] };
    const check = (): boolean => {
      if (finished) return true;
      const plan = deps.plan();
      last = ciStatus(deps.store.snapshot(), {
        now: deps.clock.now(), startTime: deps.startTime, k8sGracePeriodMs: grace, readinessTimeoutMs,
        runToCompletion: plan ? runsToCompletion(plan) : undefined,
      });
      if (last.state === 'running') return false;
      done(last);
      return true;
    };
    const sub = deps.store.onDidChange(() => void check());
    let tick: TimerHandle | undefined;
    const schedule = (): void => {
      tick = deps.clock.setTimer(500, () => {
        if (!check()) schedule();
      });
    };
    const timer = setTimeout(() => {
      const waiting = last.state === 'running' ? last.waitingOn.join(', ') : '';
      done({ state: 'failed', error: `timed out after ${Math.round(timeoutMs / 1000)} s${waiting ? ` waiting on ${waiting}` : ''}` });
    }, timeoutMs);
    let finished = false;
    const done = (s: CiVerdict): void => {
      if (finished) return;
      finished = true;
      sub.dispose();
      tick?.cancel();
      clearTimeout(timer);
      resolve(s);
    };
    if (!check()) schedule();
  });
}
