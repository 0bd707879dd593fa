// The engine facade: one store, one log store, the build controller and the file watcher, wired together.
// Owners (the CLI, the VS Code extension) load the Tiltfile, hand the plan over with setPlan(), and read state
// through `store` / `logs`. Docker, Kubernetes and processes come in through ports (ports.ts).

import * as fs from 'node:fs';
import type { Disposable } from '../shared/events';
import { initialResourceState, type TiltfileLoadStatus } from '../shared/state';
import { lastBuild } from '../shared/status';
import type { Diagnostic, Plan, Resource } from '../shared/plan';
import { BuildController } from './buildController';
import type { Clock } from './clock';
import { LogStore } from './logs';
import type { ComposePort, ImageBuildPort, KubePort, LocalCmdPort } from './ports';
import { Store } from './store';
import { ResourceUpdater, imagesInBuildOrder } from './update';
import type { CoalesceOptions } from './watch/coalesce';
import { PathRouter } from './watch/router';
import { changesByResource, watchTargetsFromPlan } from './watch/targets';
import { FileWatcher, type WatcherBackend } from './watch/watcher';

export interface EngineOptions {
  clock: Clock;
  images: ImageBuildPort;
  kube: KubePort;
  local: LocalCmdPort;
  compose?: ComposePort;
  /** A file the Tiltfile read changed: the owner should reload it and call setPlan again. */
  onConfigChanged(files: string[]): void;
  /** Internal errors (bugs), for the owner's own log. */
  onInternalError?(err: unknown): void;
  watch?: { enabled: boolean; coalesce?: CoalesceOptions; backend?: WatcherBackend };
  maxLogLinesPerResource?: number;
}

/**
 * Everything that defines what runs for a resource, as a comparable string (undefined if absent). What only
 * changes how it is shown (labels, links, its place in the Tiltfile) or when it is scheduled (resource_deps) is
 * left out, so editing it does not redeploy.
 */
export function resourceFingerprint(plan: Plan, name: string): string | undefined {
  const r = plan.resources.find((x) => x.name === name);
  if (!r) return undefined;
  const images = 'imageRefs' in r ? imagesInBuildOrder(plan, r.imageRefs) : [];
  const strip = (o: object): object => ({ ...o, pos: undefined });
  const runs = { ...r, pos: undefined, labels: undefined, links: undefined, resourceDeps: undefined };
  return JSON.stringify({ r: runs, images: images.map(strip), locators: plan.k8s.imageLocators });
}

/** Enabled resources (`up a b` / config.set_enabled_resources) plus what they depend on, as in Tilt; undefined = all. */
export function enabledWithDeps(plan: Plan): Set<string> | undefined {
  if (plan.enabledResources === undefined) return undefined;
  const byName = new Map(plan.resources.map((r) => [r.name, r]));
  const out = new Set<string>();
  const visit = (name: string): void => {
    if (out.has(name)) return;
    out.add(name);
    for (const d of byName.get(name)?.resourceDeps ?? []) visit(d);
  };
  for (const n of plan.enabledResources) visit(n);
  return out;
}

export class Engine implements Disposable {
  readonly store = new Store();
  readonly logs: LogStore;
  private plan: Plan | undefined;
  private watcher: FileWatcher | undefined;
  private watchGeneration = 0;
  private readonly controller: BuildController;
  private readonly updater: ResourceUpdater;
  /** Running container IDs last seen per resource, to notice new or restarted containers. */
  private readonly seenContainers = new Map<string, Set<string>>();
  /** The session's cluster banner said unreachable at the last session change. */
  private clusterDown = false;
  /** Updates still running when the cluster came back: they met the outage, so a failure is retried once. */
  private readonly retryIfFailed = new Set<string>();
  private readonly storeSub: Disposable;
  private readonly removals: Promise<void>[] = [];
  /** `innerloop enable/disable`: per-resource choices that outlive Tiltfile reloads (as Tilt's disable state). */
  private readonly enabledOverrides = new Map<string, boolean>();

  constructor(private readonly opts: EngineOptions) {
    this.logs = new LogStore({ maxLinesPerResource: opts.maxLogLinesPerResource, now: () => opts.clock.now() });
    const updater = (this.updater = new ResourceUpdater({
      plan: () => this.plan as Plan,
      images: opts.images,
      kube: opts.kube,
      local: opts.local,
      compose: opts.compose,
      exists: (p) => fs.existsSync(p),
      output: (name, line) => this.logs.append(name, 'build', line),
      now: () => opts.clock.now(),
    }));
    this.controller = new BuildController({
      store: this.store,
      clock: opts.clock,
      plan: () => this.plan,
      // The store's Tiltfile status is the one record of a reload in progress.
      tiltfileLoading: () => this.store.sessionState().tiltfile.status === 'loading',
      update: updater.update,
      onInternalError: (name, err) => {
        this.logs.append(name, 'system', `internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}`, 'error');
        opts.onInternalError?.(err);
      },
    });
    // Pod discovery writes pods into the store; a container ID we have not seen means a new or restarted
    // container, which needs the files live-updated since its image was built.
    this.storeSub = this.store.onDidChange((change) => {
      for (const name of change.resources) {
        this.noticeContainers(name);
        this.noticeFinished(name);
      }
      for (const name of change.removed) this.seenContainers.delete(name);
      if (change.session) this.noticeCluster();
    });
  }

  /** The cluster came back after an outage: retry the Kubernetes resources whose update failed meanwhile. */
  private noticeCluster(): void {
    const c = this.store.sessionState().cluster;
    const down = c !== undefined && !c.reachable;
    const back = this.clusterDown && !down;
    this.clusterDown = down;
    if (!back) return;
    for (const name of this.store.snapshot().order) {
      const r = this.store.resource(name);
      if (!r || (r.type !== 'k8s' && r.type !== 'k8s_custom_deploy') || r.disabled) continue;
      // One still running (an apply waiting on its deadline) may fail after this: retried then.
      if (r.currentBuild) this.retryIfFailed.add(name);
      else if (lastBuild(r)?.error) this.trigger(name);
    }
  }

  private noticeFinished(name: string): void {
    if (!this.retryIfFailed.has(name)) return;
    const r = this.store.resource(name);
    if (r?.currentBuild) return;
    this.retryIfFailed.delete(name);
    if (r && !r.disabled && lastBuild(r)?.error) this.trigger(name);
  }

  private noticeContainers(name: string): void {
    const r = this.store.resource(name);
    if (!r || r.type !== 'k8s') return;
    const running = new Set(r.pods.flatMap((p) => p.containers.filter((c) => c.state === 'running' && c.id).map((c) => c.id as string)));
    const seen = this.seenContainers.get(name) ?? new Set<string>();
    const fresh = [...running].some((id) => !seen.has(id));
    this.seenContainers.set(name, running);
    if (fresh && lastBuild(r)) {
      // Serialised with updates of this resource by the build controller: a replay and a live update never
      // write the same container at once, and no update starts while the replay runs.
      this.controller.exclusive(name, () => this.containersChanged(name)).catch((err: unknown) => this.opts.onInternalError?.(err));
    }
  }

  /** The plan installed last (the one home of it: the session reads it from here). */
  get currentPlan(): Plan | undefined {
    return this.plan;
  }

  /** The Tiltfile is being (re)loaded: hold all updates until setPlan or tiltfileFailed. */
  tiltfileLoading(path: string): void {
    this.setTiltfileStatus(path, 'loading', undefined, undefined);
  }

  /** A load failed: keep running the previous plan (as Tilt does) and show the error. */
  tiltfileFailed(path: string, error: string, diagnostics: Diagnostic[] = []): void {
    this.setTiltfileStatus(path, 'error', error, diagnostics);
    this.controller.reconcile();
  }

  /** Install a freshly loaded plan: resources keep their state by name, new ones start fresh. */
  async setPlan(plan: Plan): Promise<void> {
    const before = this.plan;
    this.plan = plan;
    this.logs.scrubber.setSecrets(plan.secrets);
    const enabled = enabledWithDeps(plan);
    const disabled = (name: string): boolean => {
      const o = this.enabledOverrides.get(name);
      return o !== undefined ? !o : enabled !== undefined && !enabled.has(name);
    };
    this.store.dispatch({ type: 'resources_declared', resources: plan.resources.map((r) => ({ ...initialResourceState(r), disabled: disabled(r.name) })) });
    // Resources the Tiltfile no longer declares are garbage-collected from the cluster, as Tilt's apply reconciler does.
    if (before) this.removeResources(before.resources.filter((r) => !plan.resources.some((n) => n.name === r.name)));
    // Resources whose definition changed (YAML, build args, live_update...) update again, as in Tilt.
    if (before) {
      for (const r of plan.resources) {
        const old = resourceFingerprint(before, r.name);
        if (old !== undefined && old !== resourceFingerprint(plan, r.name) && (this.store.resource(r.name)?.buildHistory.length ?? 0) > 0) this.trigger(r.name);
      }
    }
    this.setTiltfileStatus(plan.tiltfile, 'ok', undefined, plan.warnings);
    // The one routing of a path (watcher -> images -> resources); the updater uses what it recorded.
    if (this.opts.watch?.enabled !== false) await this.restartWatcher(new PathRouter(watchTargetsFromPlan(plan)));
    this.controller.reconcile();
  }

  private removeResources(removed: readonly Resource[], why = 'was removed from the Tiltfile'): void {
    // The resource's own log is gone with it: report the clean-up in the Tiltfile's log.
    const ctx = { onOutput: (line: string): void => this.logs.append('(Tiltfile)', 'system', line) };
    for (const r of removed) {
      const kube = r.type === 'k8s' || r.type === 'k8s_custom_deploy';
      const remove = kube ? this.opts.kube.remove?.bind(this.opts.kube) : r.type === 'local' ? this.opts.local.remove?.bind(this.opts.local) : undefined;
      if (!remove) continue;
      if (kube) ctx.onOutput(`${r.name} ${why}: deleting its objects`);
      // Wait for an in-flight update of it, so its apply cannot re-create what is deleted here.
      this.removals.push(this.controller.waitFor(r.name).then(() => remove(r.name, ctx)).catch((err: unknown) => {
        this.logs.append('(Tiltfile)', 'system', `removing ${r.name} failed: ${err instanceof Error ? err.message : String(err)}`, 'error');
      }));
    }
  }

  /** Resolves when every clean-up of removed resources has finished. */
  async waitRemovals(): Promise<void> {
    while (this.removals.length > 0) await Promise.all(this.removals.splice(0));
  }

  /**
   * Enable or disable resources. Disabling deletes what they deployed (Tilt does the same); enabling updates them.
   */
  setEnabled(names: readonly string[], enabled: boolean): void {
    const changed: string[] = [];
    for (const n of names) {
      this.enabledOverrides.set(n, enabled);
      const r = this.store.resource(n);
      if (!r || r.disabled === !enabled) continue;
      this.store.dispatch({ type: 'enabled_set', name: n, enabled });
      changed.push(n);
    }
    if (enabled) for (const n of changed) this.trigger(n);
    else if (this.plan) this.removeResources(this.plan.resources.filter((r) => changed.includes(r.name)), 'was disabled');
    this.controller.reconcile();
  }

  /** Manual trigger (or force an update of an auto resource). */
  trigger(name: string): void {
    this.controller.trigger(name);
  }

  /**
   * Pod discovery saw a new or restarted container for a resource: replay the files live-updated since its
   * image was built (a restarted container lost them). If that fails, fall back to a full update.
   * Runs inside the build controller's lane for the resource (see noticeContainers).
   */
  private async containersChanged(name: string): Promise<void> {
    const error = await this.updater.syncNewContainers(name);
    if (error) {
      this.logs.append(name, 'system', `Could not replay live-updated files onto a new container (${error}); rebuilding`, 'warn');
      this.trigger(name);
    }
  }

  /** Resolves when no update is in flight. */
  waitIdle(): Promise<void> {
    return this.controller.waitIdle();
  }

  dispose(): void {
    this.watchGeneration++;
    this.watcher?.dispose();
    this.storeSub.dispose();
    this.controller.dispose();
    this.logs.dispose();
    this.store.dispose();
  }

  private setTiltfileStatus(path: string, status: TiltfileLoadStatus, error: string | undefined, diagnostics: Diagnostic[] | undefined): void {
    this.store.dispatch({ type: 'tiltfile_changed', path, status, error, diagnostics, now: this.opts.clock.now() });
  }

  private async restartWatcher(router: PathRouter): Promise<void> {
    const generation = ++this.watchGeneration;
    // The old watcher keeps running until the new one is ready, so no change falls into the gap
    // (a change seen by both is recorded once: pending changes are a set).
    const old = this.watcher;
    const w = await FileWatcher.start(router, {
      clock: this.opts.clock,
      coalesce: this.opts.watch?.coalesce,
      backend: this.opts.watch?.backend,
      onChanges: (routed) => {
        if (!this.plan) return;
        const changes = changesByResource(this.plan, routed);
        if (changes.configChanged.length > 0) this.opts.onConfigChanged(changes.configChanged.map((e) => e.path));
        if (changes.resources.size > 0) this.controller.fileChanges(changes.resources);
      },
      onError: (err) => this.opts.onInternalError?.(err),
    });
    // A newer setPlan (or dispose) won the race: drop this watcher.
    if (generation !== this.watchGeneration) {
      w.dispose();
      return;
    }
    this.watcher = w;
    // Deliver what the old watcher still holds (routed by its targets, applied to the new plan).
    void old?.handOver().catch((err: unknown) => this.opts.onInternalError?.(err));
  }
}
