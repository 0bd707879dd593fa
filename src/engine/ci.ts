// `innerloop ci` semantics, after Tilt's session status: fail on the first resource error (build failure or
// runtime error once past the grace period), succeed when every started resource is updated and ready.
// Resources with auto_init=False that were never triggered, and disabled ones, are not waited for. A resource
// that is updated but not ready within ci_settings(readiness_timeout) of its deploy fails (not Jobs, as in Tilt).

import type { EngineSnapshot, ResourceSnapshot } from '../shared/state';
import { lastBuild } from '../shared/status';

export type CiStatus = { state: 'running'; waitingOn: string[] } | { state: 'succeeded' } | { state: 'failed'; error: string };

export interface CiOptions {
  /** Epoch ms now, and when the session started (for the runtime-error grace period). */
  now: number;
  startTime: number;
  /** Runtime errors (crash loops) are tolerated this long, as with ci_settings(k8s_grace_period). */
  k8sGracePeriodMs: number;
  /** ci_settings(readiness_timeout): how long after its deploy a resource may stay not ready. */
  readinessTimeoutMs?: number;
  /** Resources that run to completion (Jobs): no readiness timeout, they may legitimately run long. */
  runToCompletion?: ReadonlySet<string>;
}

/** "5m", "90s", "1m30s" for messages. */
export function formatDuration(ms: number): string {
  const secs = Math.round(ms / 1000);
  const m = Math.floor(secs / 60);
  const s = secs % 60;
  return m === 0 ? `${s}s` : s === 0 ? `${m}m` : `${m}m${s}s`;
}

function counts(r: ResourceSnapshot): boolean {
  if (r.disabled) return false;
  return r.autoInit || lastBuild(r) !== undefined || r.currentBuild !== undefined || r.triggered;
}

export function ciStatus(state: EngineSnapshot, opts: CiOptions): CiStatus {
  const tf = state.session.tiltfile;
  // A cluster problem (refused context, unreachable API) also stops the load: name the real cause.
  if (state.session.k8s.error) return { state: 'failed', error: state.session.k8s.error };
  if (tf.status === 'error') return { state: 'failed', error: `Tiltfile failed to load: ${tf.error ?? 'unknown error'}` };
  if (tf.status !== 'ok') return { state: 'running', waitingOn: ['Tiltfile'] };
  const waitingOn: string[] = [];
  for (const name of state.order) {
    const r = state.resources[name];
    if (!r || !counts(r)) continue;
    const last = lastBuild(r);
    if (last?.error && !r.currentBuild && r.pendingChanges.length === 0) {
      return { state: 'failed', error: `${name}: ${last.error}` };
    }
    if (r.runtimeStatus === 'error' && opts.now - opts.startTime >= opts.k8sGracePeriodMs) {
      const pod = r.pods.find((p) => p.status !== 'Running') ?? r.pods[0];
      return { state: 'failed', error: `${name}: runtime error${pod ? ` (pod ${pod.name}: ${pod.status})` : ''}` };
    }
    const updated = last !== undefined && !last.error && !r.currentBuild && r.pendingChanges.length === 0;
    const ready = r.runtimeStatus === 'ok' || r.runtimeStatus === 'not_applicable';
    const deployedAt = last?.finishTime;
    if (updated && !ready && opts.readinessTimeoutMs !== undefined && deployedAt !== undefined && !opts.runToCompletion?.has(name)
      && opts.now - deployedAt >= opts.readinessTimeoutMs) {
      const pod = r.pods.find((p) => !p.ready) ?? r.pods[0];
      const detail = pod ? ` (pod ${pod.name}: ${pod.status})` : r.pods.length === 0 && r.type === 'k8s' ? ' (no pods found)' : '';
      return { state: 'failed', error: `${name}: not ready within ${formatDuration(opts.readinessTimeoutMs)} of its deploy${detail}; ci_settings(readiness_timeout) sets this limit` };
    }
    if (!updated || !ready) waitingOn.push(name);
  }
  return waitingOn.length === 0 ? { state: 'succeeded' } : { state: 'running', waitingOn };
}
