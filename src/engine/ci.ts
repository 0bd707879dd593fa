// `innerloop ci` semantics, after Tilt's session status: fail on the first resource error, succeed when every
// started resource is updated and ready. Resources with auto_init=False that were never triggered, and disabled
// ones, are not waited for.
//
// Kubernetes waiting reasons are classified the way Tilt's session controller does (a container waiting reason
// is an error only when Tilt lists it as one), plus two limits of our own so a CI job cannot hang or flap:
// - transient (reported, never fatal by itself): ContainerCreating, PodInitializing, CreateContainerConfigError
//   (e.g. a ConfigMap cache not synced yet, or created a moment after the Deployment), CreateContainerError,
//   Pending (unscheduled), Running but not ready. A resource updated but not ready within
//   ci_settings(readiness_timeout) of its deploy fails (not Jobs: they may run long, as in Tilt).
// - image pull errors (ErrImagePull, ImagePullBackOff): fatal once they outlast the image-pull grace period
//   (counted from the deploy; the registry may still be receiving the push).
// - fatal (after ci_settings(k8s_grace_period), counted from the session start): CrashLoopBackOff,
//   RunContainerError, StartError, a container that exited with an error, a failed pod (a failed Job),
//   InvalidImageName, ErrImageNeverPull. Build errors are fatal at once.

import type { DeepReadonly, EngineSnapshot, PodStatus, ResourceSnapshot } from '../shared/state';
import { lastBuild } from '../shared/status';

type Pod = DeepReadonly<PodStatus>;

/** Why a resource is not done yet (what ci prints while waiting, and records in its timeline). */
export interface WaitingOn {
  name: string;
  /** Short, stable text: no elapsed times, so it changes only when the situation does. */
  reason: string;
  /** The pod that holds it up, when there is one (ci looks up its events and logs). */
  pod?: { name: string; namespace?: string; status: string; ready: boolean };
}

export type CiStatus =
  | { state: 'running'; waitingOn: string[]; waiting: WaitingOn[] }
  | { state: 'succeeded' }
  | { state: 'failed'; error: string; resource?: string; pod?: { name: string; namespace?: string; container?: string } };

export interface CiOptions {
  /** Epoch ms now, and when the session started (for the runtime-error grace period). */
  now: number;
  startTime: number;
  /** Runtime errors (crash loops) are tolerated this long, as with ci_settings(k8s_grace_period). */
  k8sGracePeriodMs: number;
  /** ci_settings(readiness_timeout): how long after its deploy a resource may stay not ready. */
  readinessTimeoutMs?: number;
  /** How long after its deploy an image pull error may last before it fails the run. Default 30 s. */
  imagePullGraceMs?: number;
  /** Resources that run to completion (Jobs): no readiness timeout, they may legitimately run long. */
  runToCompletion?: ReadonlySet<string>;
}

export const DEFAULT_IMAGE_PULL_GRACE_MS = 30_000;

/** Container waiting/terminated reasons Tilt's session status treats as a runtime error (plus permanent ones). */
const FATAL_REASONS = new Set(['CrashLoopBackOff', 'RunContainerError', 'StartError', 'Error', 'InvalidImageName', 'ErrImageNeverPull', 'OOMKilled']);
/** Pull failures: often transient (a push still landing, a registry blip), fatal once they last. */
const PULL_REASONS = new Set(['ErrImagePull', 'ImagePullBackOff']);

/** "5m", "90s", "1m30s" for messages. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const secs = Math.round(ms / 1000);
  const h = Math.floor(secs / 3600);
  const m = Math.floor((secs % 3600) / 60);
  const s = secs % 60;
  if (h > 0) return `${h}h${m > 0 ? `${m}m` : ''}${s > 0 ? `${s}s` : ''}`;
  return m === 0 ? `${s}s` : s === 0 ? `${m}m` : `${m}m${s}s`;
}

function counts(r: ResourceSnapshot): boolean {
  if (r.disabled) return false;
  return r.autoInit || lastBuild(r) !== undefined || r.currentBuild !== undefined || r.triggered;
}

/** The pod that speaks for the resource: newest not terminating (as the UI shows it). */
export function focusPod(pods: readonly Pod[]): Pod | undefined {
  const live = pods.filter((p) => p.status !== 'Terminating');
  const pool = live.length > 0 ? live : pods;
  return [...pool].sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0))[0];
}

/** What a pod says about itself, in the classification above. */
export function podCondition(pod: Pod): { kind: 'fatal' | 'pull' | 'waiting' | 'ready'; reason: string; container?: string } {
  if (pod.status === 'Failed') return { kind: 'fatal', reason: 'pod failed' };
  if (pod.status === 'Succeeded' || pod.status === 'Completed') return { kind: 'ready', reason: 'completed' };
  const detail = (c: { reason?: string; message?: string }): string => `${c.reason}${c.message ? `: ${oneLine(c.message)}` : ''}`;
  for (const c of pod.containers) {
    if (!c.reason) continue;
    if (c.state === 'terminated' && c.reason === 'Completed') continue;
    if (FATAL_REASONS.has(c.reason)) return { kind: 'fatal', reason: `container ${c.name}: ${detail(c)}`, container: c.name };
    if (PULL_REASONS.has(c.reason)) return { kind: 'pull', reason: `container ${c.name}: ${detail(c)}`, container: c.name };
  }
  // The pod's own status carries init container failures (PodStatus lists app containers only).
  if (FATAL_REASONS.has(pod.status)) return { kind: 'fatal', reason: pod.status };
  if (PULL_REASONS.has(pod.status)) return { kind: 'pull', reason: pod.status };
  const waiting = pod.containers.find((c) => c.state === 'waiting' && c.reason);
  if (waiting) return { kind: 'waiting', reason: `container ${waiting.name}: ${detail(waiting)}`, container: waiting.name };
  if (pod.ready) return { kind: 'ready', reason: 'ready' };
  if (pod.status === 'Running') {
    const unready = pod.containers.filter((c) => !c.ready).map((c) => c.name);
    return { kind: 'waiting', reason: `Running, not ready${unready.length > 0 ? ` (${unready.join(', ')})` : ''}` };
  }
  return { kind: 'waiting', reason: pod.status };
}

function oneLine(s: string): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > 200 ? `${t.slice(0, 197)}...` : t;
}

const podRef = (p: Pod): WaitingOn['pod'] => ({ name: p.name, namespace: p.namespace, status: p.status, ready: p.ready });

/** One resource: done, still waiting (why), or failed (why). */
export function resourceCondition(r: ResourceSnapshot, opts: CiOptions):
  | { kind: 'done' }
  | { kind: 'waiting'; waiting: WaitingOn }
  | { kind: 'failed'; error: string; pod?: { name: string; namespace?: string; container?: string } } {
  const name = r.name;
  const wait = (reason: string, pod?: Pod): { kind: 'waiting'; waiting: WaitingOn } => ({ kind: 'waiting', waiting: { name, reason, ...(pod ? { pod: podRef(pod) } : {}) } });
  const last = lastBuild(r);
  if (last?.error && !r.currentBuild && r.pendingChanges.length === 0) return { kind: 'failed', error: `${name}: ${last.error}` };
  if (r.currentBuild) return wait(`updating (${r.currentBuild.reason ?? r.currentBuild.kind})`);
  if (!last) return wait(r.hold?.words ?? 'waiting for its first update');
  if (r.pendingChanges.length > 0 || r.triggered) return wait(r.hold?.words ?? 'update pending');

  const k8s = r.type === 'k8s' || r.type === 'k8s_custom_deploy';
  const deployedAt = last.finishTime ?? last.startTime;
  const pod = k8s ? focusPod(r.pods) : undefined;
  if (k8s && pod) {
    const c = podCondition(pod);
    const podError = { name: pod.name, namespace: pod.namespace, container: c.container };
    if (c.kind === 'fatal' && opts.now - opts.startTime >= opts.k8sGracePeriodMs) {
      return { kind: 'failed', error: `${name}: pod ${pod.name}: ${c.reason}`, pod: podError };
    }
    const pullGrace = Math.max(opts.imagePullGraceMs ?? DEFAULT_IMAGE_PULL_GRACE_MS, opts.k8sGracePeriodMs);
    if (c.kind === 'pull' && opts.now - deployedAt >= pullGrace) {
      return { kind: 'failed', error: `${name}: pod ${pod.name}: ${c.reason} (still failing ${formatDuration(pullGrace)} after the deploy)`, pod: podError };
    }
  } else if (r.runtimeStatus === 'error' && (k8s ? opts.now - opts.startTime >= opts.k8sGracePeriodMs : true)) {
    return { kind: 'failed', error: `${name}: runtime error${r.type === 'local' ? ' (serve_cmd failed or its readiness probe failed)' : ''}` };
  }
  if (r.runtimeStatus === 'ok' || r.runtimeStatus === 'not_applicable') return { kind: 'done' };

  const why = k8s ? (pod ? `pod ${pod.name}: ${podCondition(pod).reason}` : 'no pods yet') : r.type === 'local' ? 'serve_cmd not ready yet' : r.type === 'docker_compose' ? 'container not up yet' : 'not ready yet';
  if (opts.readinessTimeoutMs !== undefined && !opts.runToCompletion?.has(name) && opts.now - deployedAt >= opts.readinessTimeoutMs) {
    return { kind: 'failed', error: `${name}: not ready within ${formatDuration(opts.readinessTimeoutMs)} of its deploy (${why}); ci_settings(readiness_timeout) sets this limit`, ...(pod ? { pod: { name: pod.name, namespace: pod.namespace } } : {}) };
  }
  return wait(why, pod);
}

export function ciStatus(state: EngineSnapshot, opts: CiOptions): CiStatus {
  const tf = state.session.tiltfile;
  // A cluster problem (refused context, unreachable API) also stops the load: name the real cause.
  if (state.session.k8s.error) return { state: 'failed', error: state.session.k8s.error };
  if (tf.status === 'error') return { state: 'failed', error: `Tiltfile failed to load: ${tf.error ?? 'unknown error'}` };
  if (tf.status !== 'ok') return { state: 'running', waitingOn: ['Tiltfile'], waiting: [{ name: '(Tiltfile)', reason: 'loading' }] };
  const waiting: WaitingOn[] = [];
  for (const name of state.order) {
    const r = state.resources[name];
    if (!r || !counts(r)) continue;
    const c = resourceCondition(r, opts);
    if (c.kind === 'failed') return { state: 'failed', error: c.error, resource: name, ...(c.pod ? { pod: c.pod } : {}) };
    if (c.kind === 'waiting') waiting.push(c.waiting);
  }
  return waiting.length === 0 ? { state: 'succeeded' } : { state: 'running', waitingOn: waiting.map((w) => w.name), waiting };
}
