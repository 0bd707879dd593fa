// The `ci` wait loop: re-evaluates ciStatus() on every store change and on a clock tick (grace periods and the
// readiness timeout pass without store changes), gives up at the timeout, and meanwhile
// - reports every `reportEveryMs` (10 s) each unready resource and why (pod phase, waiting reason, the pod's
//   last warning event such as a failing readiness probe, the resource's last log line), terminal or not, so a CI
//   log says what it waits for;
// - records per resource a timeline of states and reasons (for --session-json);
// - on a pod failure, names the failing container; failureLogTail() fetches its last log lines (a crash loop's
//   output says why) after the verdict is out, so the lookup never delays the decision.
// Kept out of Session so the session layer only wires it up.

import type { Clock, TimerHandle } from './clock';
import { ciStatus, formatDuration, resourceCondition, type CiOptions, type CiStatus, type WaitingOn } from './ci';
import type { KubeClient } from './k8s/client';
import type { LogStore } from './logs';
import type { Store } from './store';
import type { Plan } from '../tiltfile/plan';
import type { EngineSnapshot } from '../shared/state';
import { lastBuild } from '../shared/status';

/** The verdict alone: what Session.waitCi resolves to. */
export type CiVerdict = { state: 'succeeded' } | { state: 'failed'; error: string };

export type TimelineState = 'pending' | 'updating' | 'waiting' | 'ready' | 'failed';

export interface TimelineEntry {
  /** Epoch ms. */
  time: number;
  state: TimelineState;
  reason: string;
}

export interface CiReport {
  verdict: CiVerdict;
  /** The resource that failed, or that the run was still waiting on at the timeout. */
  resource?: string;
  /** At a timeout: every resource still waiting, and why. */
  waiting?: WaitingOn[];
  /** Per resource, the states it went through, oldest first. */
  timeline: Record<string, TimelineEntry[]>;
  /** Success: the resource that was ready last (what the run waited for longest), and when (ms after start). */
  lastReady?: { name: string; afterMs: number };
  /** Failure of a pod: the failing container (failureLogTail reads its last lines). */
  pod?: { name: string; namespace?: string; container?: string };
  /** The failing resource's last log lines, once failureLogTail has fetched them. */
  logTail?: string[];
}

export interface CiWaitDeps {
  store: Store;
  clock: Clock;
  /** Epoch ms the session started (the k8s grace period counts from here). */
  startTime: number;
  /** Resolves when the first Tiltfile load (and any queued reload) is done. */
  settled(): Promise<void>;
  /** The last plan that loaded. */
  plan(): Plan | undefined;
  /** Resource logs (the last line of an unready resource). */
  logs?: LogStore;
  /** The cluster, once connected: pod events and log tails. */
  kube?(): KubeClient | undefined;
}

export interface CiWaitOptions {
  /** Overrides ci_settings(timeout). */
  timeoutMs?: number;
  /** Progress text (one or more lines, newline-terminated) while waiting. */
  onProgress?(text: string): void;
  /** How often to report while waiting. Default 10 s. */
  reportEveryMs?: number;
}

/** Resources that deploy a Job: they run to completion, so ci's readiness timeout does not apply (as in Tilt). */
function runsToCompletion(plan: Plan): Set<string> {
  return new Set(plan.resources.filter((r) => r.type === 'k8s' && r.objects.some((o) => o.kind === 'Job')).map((r) => r.name));
}

/** Progress lookups against the cluster must never hold up a report: give up on them after this long. */
const LOOKUP_TIMEOUT_MS = 3_000;
/** The log tail is read after the verdict, while the session stops: ci must exit within a second of its verdict. */
export const LOG_TAIL_TIMEOUT_MS = 600;

function withTimeout<T>(p: Promise<T>, fallback: T, ms = LOOKUP_TIMEOUT_MS): Promise<T> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(fallback), ms);
    t.unref();
    p.then((v) => { clearTimeout(t); resolve(v); }, () => { clearTimeout(t); resolve(fallback); });
  });
}

/**
 * The pod's newest readiness-probe failure ("Unhealthy: Readiness probe failed: ...") and its newest other Warning
 * event, newest probe failure first: while a pod is not ready the probe says why, other warnings (BackOff,
 * FailedMount) add to it.
 */
export async function lastPodWarnings(client: KubeClient, namespace: string, pod: string): Promise<string[]> {
  const list = await client.core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.kind=Pod,involvedObject.name=${pod}` });
  const when = (e: (typeof list.items)[number]): number => new Date(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? 0).getTime();
  const warnings = list.items.filter((e) => e.type === 'Warning').sort((a, b) => when(b) - when(a));
  const text = (e: (typeof list.items)[number]): string => `${e.reason ?? 'Warning'}: ${(e.message ?? '').replace(/\s+/g, ' ').trim()}`;
  const probe = warnings.find((e) => e.reason === 'Unhealthy');
  const other = warnings.find((e) => e.reason !== 'Unhealthy');
  return [probe, other].filter((e) => e !== undefined).map(text);
}

/** The last lines a container wrote; of the previous instance when this one has not started (a crash loop). */
export async function containerLogTail(client: KubeClient, namespace: string, pod: string, container: string | undefined, lines = 10): Promise<string[]> {
  const read = async (previous: boolean): Promise<string[]> => {
    const text = await client.core.readNamespacedPodLog({ name: pod, namespace, container, tailLines: lines, previous });
    return String(text).split('\n').filter((l) => l.length > 0);
  };
  const current = await read(false).catch(() => []);
  if (current.length > 0) return current;
  return read(true).catch(() => []);
}

function timelineState(snap: EngineSnapshot, name: string, opts: CiOptions): { state: TimelineState; reason: string } | undefined {
  const r = snap.resources[name];
  if (!r || r.disabled) return undefined;
  if (!r.autoInit && !lastBuild(r) && !r.currentBuild && !r.triggered) return undefined;
  const c = resourceCondition(r, opts);
  if (c.kind === 'done') return { state: 'ready', reason: r.runtimeStatus === 'not_applicable' ? 'updated' : 'ready' };
  if (c.kind === 'failed') return { state: 'failed', reason: c.error };
  const reason = c.waiting.reason;
  if (r.currentBuild) return { state: 'updating', reason };
  if (!lastBuild(r)) return { state: 'pending', reason };
  return { state: 'waiting', reason };
}

/**
 * `ci` semantics: resolves succeeded once every started resource is updated and ready, failed on the first
 * error, or failed with a timeout (ci_settings timeout, or `timeoutMs` when given).
 */
export async function waitCi(deps: CiWaitDeps, opts: CiWaitOptions = {}): Promise<CiReport> {
  await deps.settled();
  const ci = deps.plan()?.settings.ci;
  const timeoutMs = opts.timeoutMs ?? (ci?.timeoutSecs ?? 1800) * 1000;
  const grace = (ci?.k8sGracePeriodSecs ?? 0) * 1000;
  const readinessTimeoutMs = (ci?.readinessTimeoutSecs ?? 300) * 1000;
  const timeline: Record<string, TimelineEntry[]> = {};
  const readyAt = new Map<string, number>();
  const ciOptions = (): CiOptions => {
    const plan = deps.plan();
    return { now: deps.clock.now(), startTime: deps.startTime, k8sGracePeriodMs: grace, readinessTimeoutMs, runToCompletion: plan ? runsToCompletion(plan) : undefined };
  };
  const record = (snap: EngineSnapshot, o: CiOptions): void => {
    for (const name of snap.order) {
      const s = timelineState(snap, name, o);
      if (!s) continue;
      const list = (timeline[name] ??= []);
      const last = list[list.length - 1];
      if (last && last.state === s.state && last.reason === s.reason) continue;
      list.push({ time: o.now, ...s });
      if (s.state === 'ready') readyAt.set(name, o.now);
      else readyAt.delete(name);
    }
  };

  type Ended = Exclude<CiStatus, { state: 'running' }> & { waiting?: WaitingOn[] };
  const ended = await new Promise<Ended>((resolve) => {
    let last: CiStatus = { state: 'running', waitingOn: [], waiting: [] };
    let finished = false;
    const check = (): boolean => {
      if (finished) return true;
      const o = ciOptions();
      const snap = deps.store.snapshot();
      last = ciStatus(snap, o);
      record(snap, o);
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
    let report: TimerHandle | undefined;
    const every = opts.reportEveryMs ?? 10_000;
    const scheduleReport = (): void => {
      if (!opts.onProgress) return;
      report = deps.clock.setTimer(every, () => {
        if (finished) return;
        const waiting = last.state === 'running' ? last.waiting : [];
        void describeWaiting(deps, waiting).then((text) => {
          if (finished || waiting.length === 0) return;
          opts.onProgress?.(`Waiting on ${waiting.length} resource${waiting.length === 1 ? '' : 's'} (${formatDuration(deps.clock.now() - deps.startTime)} so far):\n${text}`);
        });
        scheduleReport();
      });
    };
    // The verdict timer is the one handle that must keep the process alive while nothing else does.
    const timer = setTimeout(() => {
      const w = last.state === 'running' ? last.waiting : [];
      const names = w.map((x) => x.name).join(', ');
      done({ state: 'failed', error: `timed out after ${formatDuration(timeoutMs)}${names ? ` waiting on ${names}` : ''}`, waiting: w, ...(w[0] ? { resource: w[0].name } : {}) });
    }, timeoutMs);
    const done = (s: Ended): void => {
      if (finished) return;
      finished = true;
      sub.dispose();
      tick?.cancel();
      report?.cancel();
      clearTimeout(timer);
      resolve(s);
    };
    if (!check()) {
      schedule();
      scheduleReport();
    }
  });

  if (ended.state === 'succeeded') {
    const report: CiReport = { verdict: { state: 'succeeded' }, timeline };
    const [name, at] = [...readyAt.entries()].sort((a, b) => b[1] - a[1])[0] ?? [];
    if (name !== undefined && at !== undefined) report.lastReady = { name, afterMs: Math.max(0, at - deps.startTime) };
    return report;
  }
  return { verdict: { state: 'failed', error: ended.error }, timeline, ...(ended.resource ? { resource: ended.resource } : {}), ...(ended.waiting ? { waiting: ended.waiting } : {}), ...(ended.pod ? { pod: ended.pod } : {}) };
}

/**
 * A failed run's last log lines: the failing container's, read from the cluster (of its previous instance in a
 * crash loop) within `capMs`, else the resource's runtime lines the engine streamed.
 */
export async function failureLogTail(deps: Pick<CiWaitDeps, 'logs' | 'kube'>, report: CiReport, capMs = LOG_TAIL_TIMEOUT_MS): Promise<string[]> {
  if (report.verdict.state !== 'failed') return [];
  const client = deps.kube?.();
  const pod = report.pod;
  const fromCluster = pod?.namespace && client ? await withTimeout(containerLogTail(client, pod.namespace, pod.name, pod.container), [], capMs) : [];
  if (fromCluster.length > 0 || !report.resource || !deps.logs) return fromCluster;
  return deps.logs.linesSince(report.resource).filter((l) => l.source === 'runtime').slice(-10).map((l) => l.text);
}

/** One line per waiting resource: its reason, the pod's last warning event, its last log line. */
async function describeWaiting(deps: CiWaitDeps, waiting: readonly WaitingOn[]): Promise<string> {
  const client = deps.kube?.();
  const lines = await Promise.all(waiting.map(async (w) => {
    const parts = [w.reason];
    if (client && w.pod?.namespace && !w.pod.ready) {
      const warnings = await withTimeout(lastPodWarnings(client, w.pod.namespace, w.pod.name), []);
      if (warnings.length > 0) parts.push(`last event: ${warnings.join(' | ')}`);
    }
    const log = deps.logs?.linesSince(w.name).filter((l) => l.source === 'runtime').pop();
    if (log) parts.push(`last log: ${log.text.length > 200 ? `${log.text.slice(0, 197)}...` : log.text}`);
    return `  ${w.name}: ${parts.join('; ')}\n`;
  }));
  return lines.join('');
}
