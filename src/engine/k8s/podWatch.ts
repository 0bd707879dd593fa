// A self-healing watch of the pods in one namespace: list, then watch from the list's resourceVersion; a watch that
// ends (server timeout, network blip, apiserver restart) is re-established from the last seen resourceVersion, and
// "410 Gone" (too old) relists. A client-side watchdog replaces a watch that went silent (dead TCP connection).

/**
 * A watch that asked for bookmarks gets one from the API server about every minute even when nothing changes
 * (measured: every 60 s on the v1.32 test cluster), so 90 s without an event or a bookmark means the connection is
 * dead (blackholed, half-open) and it is replaced. On a server that sends no periodic bookmarks a quiet watch is
 * just re-established every 90 s from its resourceVersion, which is cheap.
 */
export const WATCH_SILENT_MS = 90_000;

import { Watch, type V1Pod } from '@kubernetes/client-node';
import { Backoff } from '../backoff';
import { connectWithin } from './deadline';
import type { KubeClient } from './client';
import { describeError } from './errors';

export interface PodWatchHandlers {
  /** Full state after a (re)list: the pods present now. */
  onSync(pods: V1Pod[]): void;
  onUpsert(pod: V1Pod): void;
  onDelete(pod: V1Pod): void;
  /** The watch failed and is retrying (message for the user), or recovered (undefined). */
  onHealth?(problem: string | undefined): void;
}

export interface PodWatchOptions {
  labelSelector?: string;
  /** Server-side watch timeout; the watch is renewed after it. */
  timeoutSeconds?: number;
}

export class NamespacePodWatch {
  private resourceVersion: string | undefined;
  private controller: AbortController | undefined;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private readonly backoff = new Backoff();
  private startedAt = 0;
  private problem: string | undefined;
  /** Set while a retry waits for its timer: runs it at once. */
  private retryNow: (() => void) | undefined;
  /** Number of times a watch was (re)established; for tests and diagnostics. */
  watchCount = 0;

  constructor(
    private readonly client: KubeClient,
    readonly namespace: string,
    private readonly handlers: PodWatchHandlers,
    private readonly opts: PodWatchOptions = {},
  ) {}

  /** Resolves after the first list (so callers see existing pods before acting). */
  async start(): Promise<void> {
    if (this.stopped) return;
    await this.relist();
    this.watch();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.watchdog);
    this.controller?.abort();
  }

  /** Abort the current watch as if the connection dropped (tests: proves re-establishment). */
  interrupt(): void {
    this.controller?.abort();
  }

  /**
   * The API server answers again after an outage: re-establish now, rather than after the backoff the outage
   * built up, and replace a connected watch (its connection may have been blackholed and gone silent).
   */
  resume(): void {
    if (this.stopped) return;
    this.backoff.reset();
    if (this.retryNow) this.retryNow();
    else this.controller?.abort();
  }

  private async relist(): Promise<void> {
    const list = await this.client.core.listNamespacedPod({ namespace: this.namespace, labelSelector: this.opts.labelSelector });
    this.resourceVersion = list.metadata?.resourceVersion;
    this.handlers.onSync(list.items);
  }

  private armWatchdog(): void {
    clearTimeout(this.watchdog);
    const silentMs = Math.min(WATCH_SILENT_MS, ((this.opts.timeoutSeconds ?? 240) + 30) * 1000);
    this.watchdog = setTimeout(() => {
      this.health(`no event or bookmark from the pod watch in ${this.namespace} for ${silentMs / 1000} s; reconnecting`);
      this.controller?.abort();
    }, silentMs);
    this.watchdog.unref();
  }

  private watch(): void {
    if (this.stopped) return;
    this.startedAt = Date.now();
    this.watchCount++;
    let gone = false;
    const params = {
      resourceVersion: this.resourceVersion,
      allowWatchBookmarks: true,
      timeoutSeconds: this.opts.timeoutSeconds ?? 240,
      labelSelector: this.opts.labelSelector,
    };
    const path = `/api/v1/namespaces/${encodeURIComponent(this.namespace)}/pods`;
    this.armWatchdog();
    // A connect the API server never answers (blackholed) fails at the request deadline and is retried.
    const connect = new Watch(this.client.kc)
      .watch(
        path,
        params,
        (phase: string, obj: unknown) => {
          this.armWatchdog();
          if (phase === 'ERROR') {
            const code = (obj as { code?: number } | undefined)?.code;
            if (code === 410) gone = true;
            return;
          }
          const pod = obj as V1Pod;
          const rv = pod.metadata?.resourceVersion;
          if (rv) this.resourceVersion = rv;
          if (phase === 'ADDED' || phase === 'MODIFIED') this.handlers.onUpsert(pod);
          else if (phase === 'DELETED') this.handlers.onDelete(pod);
          this.health(undefined);
        },
        (err: unknown) => this.ended(err, gone),
      );
    connectWithin(connect, this.client.requestTimeoutMs, `watching pods in ${this.namespace}`, (late) => late.abort())
      .then((c) => {
        this.controller = c;
        if (this.stopped) c.abort();
      })
      .catch((err: unknown) => this.ended(err, false));
  }

  /** Report only changes, not every event. */
  private health(problem: string | undefined): void {
    if (problem === this.problem) return;
    this.problem = problem;
    this.handlers.onHealth?.(problem);
  }

  private ended(err: unknown, gone: boolean): void {
    clearTimeout(this.watchdog);
    if (this.stopped) return;
    const statusCode = (err as { statusCode?: number } | null)?.statusCode;
    const needsRelist = gone || statusCode === 410;
    const failed = err !== null && err !== undefined && !(err instanceof Error && err.name === 'AbortError');
    const delay = failed ? this.backoff.failed(Date.now() - this.startedAt) : 0;
    if (failed) this.health(`watching pods in ${this.namespace} failed: ${describeError(err)}; retrying`);
    const retry = (): void => {
      clearTimeout(this.retryTimer);
      this.retryNow = undefined;
      void (async () => {
        if (this.stopped) return;
        try {
          if (needsRelist || !this.resourceVersion) await this.relist();
          this.watch();
        } catch (e) {
          this.health(`listing pods in ${this.namespace} failed: ${describeError(e)}; retrying`);
          this.ended(e, true);
        }
      })();
    };
    this.retryNow = retry;
    this.retryTimer = setTimeout(retry, delay);
  }
}
