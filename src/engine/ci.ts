// `innerloop ci` semantics, after Tilt's session status: fail on the first resource error (build failure or
// runtime error once past the grace period), succeed when every started resource is updated and ready.
// Resources with auto_init=False that were never triggered, and disabled ones, are not waited for.

import type { EngineSnapshot, ResourceSnapshot } from '../shared/state';

export type CiStatus = { state: 'running'; waitingOn: string[] } | { state: 'succeeded' } | { state: 'failed'; error: string };

export interface CiOptions {
  /** Epoch ms now, and when the session started (for the runtime-error grace period). */
  now: number;
  startTime: number;
  /** Runtime errors (crash loops) are tolerated this long, as with ci_settings(k8s_grace_period). */
  k8sGracePeriodMs: number;
}

function counts(r: ResourceSnapshot): boolean {
  if (r.disabled) return false;
  return r.autoInit || r.lastBuild !== undefined || r.currentBuild !== undefined || r.triggered;
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
    if (r.lastBuild?.error && !r.currentBuild && r.pendingChanges.length === 0) {
      return { state: 'failed', error: `${name}: ${r.lastBuild.error}` };
    }
    if (r.runtimeStatus === 'error' && opts.now - opts.startTime >= opts.k8sGracePeriodMs) {
      const pod = r.pods.find((p) => p.status !== 'Running') ?? r.pods[0];
      return { state: 'failed', error: `${name}: runtime error${pod ? ` (pod ${pod.name}: ${pod.status})` : ''}` };
    }
    const updated = r.lastBuild !== undefined && !r.lastBuild.error && !r.currentBuild && r.pendingChanges.length === 0;
    const ready = r.runtimeStatus === 'ok' || r.runtimeStatus === 'not_applicable';
    if (!updated || !ready) waitingOn.push(name);
  }
  return waitingOn.length === 0 ? { state: 'succeeded' } : { state: 'running', waitingOn };
}
