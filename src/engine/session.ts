// The composition root the CLI and the editor share: creates the engine with the real adapters and wires the
// adapters' observations into the store. The concerns live beside it: sessionLoad.ts (the Tiltfile in a worker),
// sessionConnect.ts (the kube context check BEFORE anything is built or deployed, then the cluster adapters),
// sessionDown.ts (delete what the Tiltfile deploys). A broken reload keeps the last good plan running (the error
// is in the session state); stop leaves everything running.

import type Dockerode from 'dockerode';
import { setMaxListeners } from 'node:events';
import * as fs from 'node:fs';
import type { Plan } from '../shared/plan';
import { Engine } from './engine';
import { createDockerClient } from './build/dockerClient';
import { realClock, type Clock } from './clock';
import { failureLogTail, waitCi, type CiReport, type CiVerdict, type CiWaitOptions } from './ciWait';
import type { ComposePort, ImageBuildPort, KubePort, LocalCmdPort, UpdateContext } from './ports';
import { ComposeAdapter } from './adapters/compose';
import type { DockerImageAdapter } from './adapters/images';
import type { KubeAdapter } from './adapters/kube';
import { LocalProcessAdapter } from './adapters/local';
import type { KubeClient } from './k8s/client';
import type { ContainerExecutor } from './liveupdate/containerUpdate';
import { connectCluster, connectKube, earlyKube } from './sessionConnect';
import { coalesceOptions } from './watch/coalesce';
import { resolveWatcherBackend, type WatcherBackend } from './watch/watcher';
import { downPlan } from './sessionDown';
import { loadErrorText, loadPlan, needsCluster, type LoadSettings, type TiltfileLoader } from './sessionLoad';

export type { TiltfileLoader };

export interface SessionOptions extends LoadSettings {
  /** Default namespace instead of the context's (tests use a throwaway one). */
  namespace?: string;
  clock?: Clock;
  debounceMs?: number;
  logBufferLines?: number;
  watch?: boolean;
  /** File watcher backend; default INNERLOOP_WATCHER_BACKEND, else native. */
  watcherBackend?: WatcherBackend;
  /** The owner's own diagnostics log. */
  log?: { info(msg: string): void; error(msg: string, err?: unknown): void };
  docker?: Dockerode;
  /** Fake adapters (tests, or an owner with its own): no cluster connection, no context check. */
  ports?: { images: ImageBuildPort; kube: KubePort; local: LocalCmdPort };
}

const noLog = { info: (): void => undefined, error: (): void => undefined };
/** In `ci`, a stopped cmd or serve_cmd gets this long between SIGTERM and SIGKILL: a CI job is not a dev loop. */
const CI_KILL_GRACE_MS = 300;

export class Session {
  readonly engine: Engine;
  readonly startTime: number;
  private readonly clock: Clock;
  private readonly log: NonNullable<SessionOptions['log']>;
  private client: KubeClient | undefined;
  private kube: KubeAdapter | undefined;
  private images: DockerImageAdapter | undefined;
  private readonly local: LocalProcessAdapter;
  private compose: ComposeAdapter | undefined;
  private docker: Dockerode | undefined;
  private loading: Promise<void> = Promise.resolve();
  private reloadQueued = false;
  private disposed = false;
  private abort: AbortController | undefined;
  private readonly stopping = new AbortController();
  private clusterChecked: Promise<string | undefined> | undefined;
  /** Watches the config files while no plan is installed (the engine's watcher only runs with a plan). */
  private bootstrapWatchers: fs.FSWatcher[] = [];

  constructor(private readonly opts: SessionOptions) {
    this.clock = opts.clock ?? realClock;
    this.startTime = this.clock.now();
    this.log = opts.log ?? noLog;
    this.docker = opts.docker;
    this.local = new LocalProcessAdapter({
      serveOutput: (name, line) => this.engine.logs.append(name, 'runtime', line),
      setRuntime: (name, runtime) => this.engine.store.dispatch({ type: 'runtime_observed', name, runtime }),
      ...(opts.subcommand === 'ci' ? { killGraceMs: CI_KILL_GRACE_MS } : {}),
    });
    // The engine exists from the start (UIs subscribe to its store); the cluster adapters arrive after the
    // context check, so the ports delegate.
    // Updates in flight (builds, applies, cmds) end with the session: `ci` must exit right after its verdict.
    setMaxListeners(0, this.stopping.signal);
    const stoppable = (ctx: UpdateContext): UpdateContext => ({ ...ctx, signal: ctx.signal ?? this.stopping.signal });
    const images: ImageBuildPort = { buildImage: (img, ctx) => this.requireImages().buildImage(img, stoppable(ctx)) };
    // The step options go through: `idempotent` is what lets a live update's copy use the container's reused exec.
    const exec: ContainerExecutor = { exec: (t, argv, stdin, o) => this.requireKube().exec.exec(t, argv, stdin, o) };
    const kube: KubePort = {
      apply: (r, objs, ctx) => this.requireKube().apply(r, objs, stoppable(ctx)),
      runningContainers: (r, m) => this.kube?.runningContainers(r, m) ?? [],
      customDeploy: (r, images, ctx) => this.requireKube().customDeploy(r, images, stoppable(ctx)),
      remove: async (r, ctx) => this.kube?.remove(r, ctx),
      exec,
    };
    const local: LocalCmdPort = { run: (r, ctx) => this.local.run(r, stoppable(ctx)), remove: (name) => this.local.remove(name) };
    const compose: ComposePort = { update: async (r, ctx) => (await this.requireCompose()).update(r, stoppable(ctx)) };
    const ports = opts.ports ?? { images, kube, local, compose };
    this.engine = new Engine({
      clock: this.clock,
      ...ports,
      maxLogLinesPerResource: opts.logBufferLines,
      watch: { enabled: opts.watch !== false, coalesce: coalesceOptions(opts.debounceMs), backend: resolveWatcherBackend(opts.watcherBackend) },
      onConfigChanged: (files) => {
        this.log.info(`Tiltfile inputs changed (${files.join(', ')}): reloading`);
        this.reload();
      },
      onInternalError: (err) => this.log.error('engine internal error', err),
    });
  }

  get tiltfile(): string {
    return this.opts.tiltfile;
  }
  /** The Tiltfile args (config.parse) of the current run. */
  get args(): readonly string[] {
    return this.opts.args ?? [];
  }
  /** `innerloop args`: re-run the Tiltfile with new args (see settled()). */
  setArgs(args: string[]): void {
    this.opts.args = [...args];
    this.reload();
  }
  get store(): Engine['store'] {
    return this.engine.store;
  }
  get logs(): Engine['logs'] {
    return this.engine.logs;
  }
  /** The last plan that loaded (the engine's: the session keeps no copy). */
  get currentPlan(): Plan | undefined {
    return this.engine.currentPlan;
  }
  private get plan(): Plan | undefined {
    return this.engine.currentPlan;
  }

  trigger(resource: string): void {
    this.engine.trigger(resource);
  }

  /** Loads the Tiltfile and starts updating; resolves when the first plan is installed (or the failure recorded). */
  start(): Promise<void> {
    this.loading = this.load();
    return this.loading;
  }

  /** Re-runs the Tiltfile; several requests during one load become one more load. */
  reload(): void {
    if (this.disposed || this.reloadQueued) return;
    this.reloadQueued = true;
    this.loading = this.loading.then(() => {
      this.reloadQueued = false;
      return this.load();
    });
  }

  /** Resolves when the current load (and any queued reload) is done. */
  settled(): Promise<void> {
    return this.loading;
  }

  /** `ci` semantics (see ciWait.ts): the verdict. */
  async waitCi(opts: CiWaitOptions = {}): Promise<CiVerdict> {
    return (await this.waitCiReport(opts)).verdict;
  }

  /** `ci` with what it waited for: progress, per-resource timeline, the failing container's last lines. */
  waitCiReport(opts: CiWaitOptions = {}): Promise<CiReport> {
    return waitCi({ store: this.store, logs: this.logs, clock: this.clock, startTime: this.startTime, settled: () => this.settled(), plan: () => this.plan, kube: () => this.client }, opts);
  }

  /** A failed ci run's last log lines (the failing container's, or the resource's), read within a short cap. */
  ciLogTail(report: CiReport): Promise<string[]> {
    return failureLogTail({ logs: this.logs, kube: () => this.client }, report);
  }

  /**
   * Stop watching, building, forwarding and streaming; everything deployed keeps running. cmd and serve_cmd
   * processes get SIGTERM, then SIGKILL after 3 s (in `ci`, which exits within a second of its verdict, 300 ms).
   */
  async stop(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.stopping.abort();
    this.abort?.abort();
    this.stopBootstrapWatch();
    await this.kube?.stop();
    await this.local.stopAll();
    this.compose?.stop();
    this.engine.dispose();
  }

  dispose(): void {
    void this.stop();
  }

  /**
   * Delete what the Tiltfile deploys, last resource first (Namespaces kept unless asked), and run
   * k8s_custom_deploy delete commands. Loads the Tiltfile when no plan is installed yet.
   */
  async down(opts: { deleteNamespaces?: boolean; wait?: boolean; onOutput?: (line: string) => void } = {}): Promise<{ errors: string[] }> {
    const onOutput = opts.onOutput ?? ((l: string): void => this.log.info(l));
    const loading = this.plan ? undefined : this.loadPlan();
    // The connection opens while the Tiltfile loads (only to a context allowed whatever the Tiltfile says).
    const early = loading && !this.client && !this.opts.ports ? earlyKube(this.opts) : undefined;
    try {
      let plan = this.plan;
      if (!plan) {
        const r = await (loading ?? this.loadPlan());
        if (!r.ok) return { errors: [`Tiltfile failed to load: ${r.diagnostics.find((d) => d.severity === 'error')?.message ?? 'unknown error'}`] };
        plan = r.plan;
      }
      // Deleting needs only the Kubernetes client and the context check: no Docker, no registry discovery.
      let client = this.client;
      if (needsCluster(plan) && !client) {
        const k = await connectKube(plan, { ...this.opts, dispatch: (a) => this.store.dispatch(a) }, early);
        if (typeof k === 'string') return { errors: [k] };
        client = k.client;
      }
      return await downPlan(plan, {
        client,
        namespace: this.opts.namespace || plan.k8s.namespace || undefined,
        deleteNamespaces: opts.deleteNamespaces,
        wait: opts.wait,
        composeDown: async (p, out) => (await this.requireCompose()).down(p, out),
        onOutput,
      });
    } finally {
      early?.cancel();
    }
  }

  private async dockerClient(): Promise<Dockerode> {
    return (this.docker ??= await createDockerClient());
  }

  private async requireCompose(): Promise<ComposeAdapter> {
    this.compose ??= new ComposeAdapter(await this.dockerClient(), () => this.plan, {
      observe: (o) => this.engine.store.dispatch(o),
      log: (name, line) => this.engine.logs.append(name, 'runtime', line),
    }, this.startTime, () => this.clock.now());
    return this.compose;
  }

  private requireKube(): KubeAdapter {
    if (!this.kube) throw new Error(this.store.snapshot().session.k8s.error ?? 'not connected to a Kubernetes cluster');
    return this.kube;
  }

  private requireImages(): DockerImageAdapter {
    if (!this.images) throw new Error(this.store.snapshot().session.k8s.error ?? 'no image builder: the cluster is not connected');
    return this.images;
  }

  private loadPlan(): ReturnType<typeof loadPlan> {
    this.abort = new AbortController();
    return loadPlan(this.opts, this.abort.signal);
  }

  private async load(): Promise<void> {
    if (this.disposed) return;
    const { tiltfile } = this.opts;
    this.engine.tiltfileLoading(tiltfile);
    const started = this.clock.now();
    const r = await this.loadPlan();
    if (this.disposed) return;
    // Secrets become known during the load (and on the first load nothing knew them before): scrub its output,
    // and any error it produced, with this load's secrets (plus the running plan's) before anything is shown.
    const scrubber = this.engine.logs.scrubber;
    scrubber.setSecrets(new Set([...(this.currentPlan?.secrets ?? []), ...r.plan.secrets]));
    for (const line of r.output) this.engine.logs.append('(Tiltfile)', 'system', line);
    if (!r.ok) {
      const message = scrubber.scrub(loadErrorText(r));
      this.log.error(`Tiltfile load failed: ${message}`);
      this.engine.logs.append('(Tiltfile)', 'system', message, 'error');
      this.engine.tiltfileFailed(tiltfile, message, r.diagnostics);
      this.watchUntilPlan(r.configFiles);
      return;
    }
    this.log.info(`Tiltfile loaded in ${this.clock.now() - started} ms: ${r.plan.resources.length} resources`);
    if (needsCluster(r.plan) && !this.opts.ports) {
      // The production guard runs before anything is built or applied.
      const refused = await this.checkCluster(r.plan);
      if (refused) {
        this.engine.logs.append('(Tiltfile)', 'system', refused, 'error');
        this.engine.tiltfileFailed(tiltfile, refused, r.diagnostics);
        this.watchUntilPlan(r.configFiles);
        return;
      }
    }
    this.stopBootstrapWatch();
    await this.engine.setPlan(r.plan);
  }

  /** Before the first good load there is no engine watcher: reload when a file the load read changes. */
  private watchUntilPlan(files: readonly string[]): void {
    if (this.plan || this.opts.watch === false || this.disposed) return;
    this.stopBootstrapWatch();
    for (const f of new Set([this.opts.tiltfile, ...files])) {
      try {
        this.bootstrapWatchers.push(fs.watch(f, () => this.reload()));
      } catch {
        // A file that does not exist (yet) cannot be watched; the Tiltfile itself is enough to recover.
      }
    }
  }

  private stopBootstrapWatch(): void {
    for (const w of this.bootstrapWatchers) w.close();
    this.bootstrapWatchers = [];
  }

  /** Connect to the cluster once; returns the refusal/error text, or undefined when good to go. */
  private checkCluster(plan: Plan): Promise<string | undefined> {
    const check = (this.clusterChecked ??= this.connect(plan));
    // Only success is remembered: after a failure, the next reload tries again (the cluster may be up by then).
    void check.then((refused) => {
      if (refused !== undefined && this.clusterChecked === check) this.clusterChecked = undefined;
    });
    return check;
  }

  private async connect(plan: Plan): Promise<string | undefined> {
    const c = await connectCluster(plan, {
      kubeconfigPath: this.opts.kubeconfigPath,
      context: this.opts.context,
      namespace: this.opts.namespace,
      since: new Date(this.startTime),
      now: () => this.clock.now(),
      docker: () => this.dockerClient(),
      dispatch: (a) => this.store.dispatch(a),
      sink: {
        observe: (o) => this.engine.store.dispatch(o),
        log: (name, line, level) => this.engine.logs.append(name, 'runtime', line, level),
      },
      log: this.log,
    });
    if (typeof c === 'string') return c;
    this.client = c.client;
    this.images = c.images;
    this.kube = c.kube;
    return undefined;
  }
}
