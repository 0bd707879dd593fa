// The top layer the CLI and the editor share: load the Tiltfile (in a worker), check the kube context BEFORE
// anything is built or deployed, create the engine with the real adapters, reload when a file the Tiltfile read
// changes (a broken Tiltfile keeps the last good plan running; the error is in the session state), stop (leave
// everything running) and down (delete what the Tiltfile deploys).

import type Dockerode from 'dockerode';
import { setMaxListeners } from 'node:events';
import * as fs from 'node:fs';
import { Engine } from './engine';
import { realClock, type Clock } from './clock';
import { checkKubeContext, isLocalContextName, isLoopbackServer } from './safety';
import { waitCi, type CiReport, type CiVerdict, type CiWaitOptions } from './ciWait';
import type { ComposePort, ImageBuildPort, KubePort, LocalCmdPort, UpdateContext } from './ports';
import { ComposeAdapter } from './adapters/compose';
import { DockerImageAdapter } from './adapters/images';
import { KubeAdapter } from './adapters/kube';
import { LocalProcessAdapter } from './adapters/local';
import { runCommand } from './adapters/process';
import { checkReachable, loadKubeClient, type KubeClient } from './k8s/client';
import { deleteObjects } from './k8s/apply';
import { discoverLocalRegistry, targetRegistry, type TargetRegistry } from './k8s/registry';
import type { ContainerExecutor } from './liveupdate/containerUpdate';
import type { LoadResult, LoadOptions } from '../tiltfile/loader';
import type { Plan } from '../tiltfile/plan';
import { loadTiltfileInWorker } from '../tiltfile/worker';

export type TiltfileLoader = (path: string, opts: Omit<LoadOptions, 'cancel'>, signal: AbortSignal) => Promise<LoadResult>;

export interface SessionOptions {
  tiltfile: string;
  /** Arguments after `--` and resource names (config.parse / enabled resources). */
  args?: string[];
  subcommand?: 'up' | 'ci' | 'down';
  kubeconfigPath?: string;
  /** Kube context to use (k8s_context() in the Tiltfile wins). */
  context?: string;
  /** Default namespace instead of the context's (tests use a throwaway one). */
  namespace?: string;
  clock?: Clock;
  /** How to load the Tiltfile; default: a worker thread running dist/cli.js (see workerScript). */
  load?: TiltfileLoader;
  workerScript?: string;
  execArgv?: string[];
  loadTimeoutMs?: number;
  trusted?: boolean;
  debounceMs?: number;
  logBufferLines?: number;
  watch?: boolean;
  /** The owner's own diagnostics log. */
  log?: { info(msg: string): void; error(msg: string, err?: unknown): void };
  docker?: Dockerode;
  /** Fake adapters (tests, or an owner with its own): no cluster connection, no context check. */
  ports?: { images: ImageBuildPort; kube: KubePort; local: LocalCmdPort };
}

const noLog = { info: (): void => undefined, error: (): void => undefined };

/** A plan needs a cluster when it deploys to Kubernetes. */
function needsCluster(plan: Plan): boolean {
  return plan.resources.some((r) => r.type === 'k8s' || r.type === 'k8s_custom_deploy');
}

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
  private registry: TargetRegistry | undefined;
  private docker: Dockerode | undefined;
  private plan: Plan | undefined;
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
      setRuntime: (name, runtimeStatus) => this.engine.store.updateResource(name, { runtimeStatus }),
    });
    // The engine exists from the start (UIs subscribe to its store); the cluster adapters arrive after the
    // context check, so the ports delegate.
    // Updates in flight (builds, applies, cmds) end with the session: `ci` must exit right after its verdict.
    setMaxListeners(0, this.stopping.signal);
    const stoppable = (ctx: UpdateContext): UpdateContext => ({ ...ctx, signal: ctx.signal ?? this.stopping.signal });
    const images: ImageBuildPort = { buildImage: (img, ctx) => this.requireImages().buildImage(img, stoppable(ctx)) };
    const exec: ContainerExecutor = { exec: (t, argv, stdin) => this.requireKube().exec.exec(t, argv, stdin) };
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
    const debounceMs = opts.debounceMs ?? 200;
    this.engine = new Engine({
      clock: this.clock,
      ...ports,
      maxLogLinesPerResource: opts.logBufferLines,
      watch: { enabled: opts.watch !== false, coalesce: { quietMs: debounceMs, maxWaitMs: Math.max(10_000, debounceMs * 20) } },
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
  get store(): Engine['store'] {
    return this.engine.store;
  }
  get logs(): Engine['logs'] {
    return this.engine.logs;
  }
  /** The last plan that loaded. */
  get currentPlan(): Plan | undefined {
    return this.plan;
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

  /** Stop watching, building, forwarding and streaming; everything deployed keeps running. */
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
  async down(opts: { deleteNamespaces?: boolean; onOutput?: (line: string) => void } = {}): Promise<{ errors: string[] }> {
    const out = opts.onOutput ?? ((l: string): void => this.log.info(l));
    let plan = this.plan;
    if (!plan) {
      const r = await this.loadPlan();
      if (!r.ok) return { errors: [`Tiltfile failed to load: ${r.diagnostics.find((d) => d.severity === 'error')?.message ?? 'unknown error'}`] };
      plan = r.plan;
      this.plan ??= plan;
    }
    const errors: string[] = [];
    if (needsCluster(plan)) {
      const refused = await this.checkCluster(plan);
      if (refused) return { errors: [refused] };
    }
    for (const r of [...plan.resources].reverse()) {
      try {
        if (r.type === 'k8s' && this.client) {
          const res = await deleteObjects(this.client, r.objects, { namespace: this.namespace, deleteNamespaces: opts.deleteNamespaces, onOutput: out, wait: true, timeoutMs: 60_000 });
          for (const k of res.kept) out(`kept ${k.object}: ${k.reason}`);
        } else if (r.type === 'k8s_custom_deploy' && r.deleteCmd.command.length > 0) {
          const { exitCode } = await runCommand(r.deleteCmd, { onOutput: out });
          if (exitCode !== 0) errors.push(`${r.name}: delete_cmd exited with code ${exitCode}`);
        }
      } catch (err) {
        errors.push(`${r.name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    if (plan.resources.some((r) => r.type === 'docker_compose')) {
      try {
        await (await this.requireCompose()).down(plan, out);
      } catch (err) {
        errors.push(`docker compose down: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return { errors };
  }

  private get namespace(): string | undefined {
    return this.opts.namespace || this.plan?.k8s.namespace || undefined;
  }

  private async dockerClient(): Promise<Dockerode> {
    // Loaded on first use: the CLI bundle doubles as the Tiltfile worker, which must not load the Docker client.
    return (this.docker ??= new (await import('dockerode')).default());
  }

  private async requireCompose(): Promise<ComposeAdapter> {
    this.compose ??= new ComposeAdapter(await this.dockerClient(), () => this.plan, {
      runtime: (name, runtimeStatus, endpoints) => this.engine.store.updateResource(name, { runtimeStatus, endpoints }),
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

  private loadPlan(): Promise<LoadResult> {
    this.abort = new AbortController();
    const loadOpts: Omit<LoadOptions, 'cancel'> = {
      trusted: this.opts.trusted ?? true,
      args: this.opts.args ?? [],
      subcommand: this.opts.subcommand ?? 'up',
      // The context lets k8s_context() answer, and makes local() refuse to run against a context that is neither
      // local nor allowed, as Tilt does. connect() still runs the full guard before anything is deployed.
      ...this.kubeTarget(),
    };
    if (this.opts.load) return this.opts.load(this.opts.tiltfile, loadOpts, this.abort.signal);
    return loadTiltfileInWorker(this.opts.tiltfile, loadOpts, {
      workerScript: this.opts.workerScript,
      timeoutMs: this.opts.loadTimeoutMs ?? 120_000,
      signal: this.abort.signal,
      ...(this.opts.execArgv ? { execArgv: this.opts.execArgv } : {}),
    });
  }

  /** The kube context as the kubeconfig names it (a file read, no network); nothing when there is no kubeconfig. */
  private kubeTarget(): { kubeContext: string; kubeContextIsLocal: boolean } | Record<string, never> {
    try {
      const c = loadKubeClient({ kubeconfigPath: this.opts.kubeconfigPath, context: this.opts.context });
      return { kubeContext: c.context, kubeContextIsLocal: isLocalContextName(c.context) || isLoopbackServer(c.server) };
    } catch {
      return {};
    }
  }

  private async load(): Promise<void> {
    if (this.disposed) return;
    const { tiltfile } = this.opts;
    this.engine.tiltfileLoading(tiltfile);
    const started = this.clock.now();
    const r = await this.loadPlan();
    if (this.disposed) return;
    for (const line of r.output) this.engine.logs.append('(Tiltfile)', 'system', line);
    if (!r.ok) {
      const first = r.diagnostics.find((d) => d.severity === 'error');
      const where = first?.pos ? `${first.pos.file}:${first.pos.line}:${first.pos.col}: ` : '';
      const message = `${where}${first?.message ?? 'Tiltfile load failed'}`;
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
    this.plan = r.plan;
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
    const fail = (error: string): string => {
      this.store.updateSession((s) => ({ ...s, k8s: { ...s.k8s, error } }));
      return error;
    };
    let client: KubeClient;
    try {
      client = loadKubeClient({ kubeconfigPath: this.opts.kubeconfigPath, context: plan.k8s.context ?? this.opts.context });
    } catch (err) {
      return fail(err instanceof Error ? err.message : String(err));
    }
    const check = checkKubeContext(client.context, client.server, plan.k8s.allowedContexts);
    const namespace = this.opts.namespace || plan.k8s.namespace || client.namespace;
    this.store.updateSession((s) => ({ ...s, k8s: { context: client.context, namespace, allowed: check.allowed, error: check.allowed ? undefined : check.reason } }));
    if (!check.allowed) return check.reason;
    try {
      await checkReachable(client, 10_000);
    } catch (err) {
      return fail(err instanceof Error ? err.message : String(err));
    }
    this.client = client;
    const disc = await discoverLocalRegistry(client);
    const discovered = disc.kind === 'found' ? disc.registry : undefined;
    this.registry = targetRegistry(discovered, plan.k8s.defaultRegistry);
    const docker = await this.dockerClient();
    const clusterUsesLocalDocker = await this.nodesUseLocalDocker(client, docker);
    this.log.info(`cluster ${client.context} (${client.server}); registry ${this.registry?.host ?? 'none'}${clusterUsesLocalDocker ? '; nodes use this Docker daemon' : ''}`);
    this.images = new DockerImageAdapter({ docker, registry: () => this.registry, clusterUsesLocalDocker, now: () => this.clock.now() });
    this.kube = new KubeAdapter({
      client,
      namespace,
      registry: () => this.registry,
      since: new Date(this.startTime),
      sink: {
        pods: (name, pods, runtimeStatus) => this.engine.store.updateResource(name, { pods, runtimeStatus }),
        portForwards: (name, portForwards) =>
          this.engine.store.updateResource(name, {
            portForwards,
            endpoints: portForwards.map((p) => `http://localhost:${p.localPort}/`),
          }),
        log: (name, line, level) => this.engine.logs.append(name, 'runtime', line, level),
      },
    });
    return undefined;
  }

  /** Docker Desktop / minikube docker-env style clusters: the node's runtime is the daemon we build with. */
  private async nodesUseLocalDocker(client: KubeClient, docker: Dockerode): Promise<boolean> {
    try {
      const nodes = await client.core.listNode();
      const info = await docker.info() as { Name?: string };
      return nodes.items.length > 0 && nodes.items.every((n) => (n.status?.nodeInfo?.containerRuntimeVersion ?? '').startsWith('docker://') && n.metadata?.name === info.Name);
    } catch {
      return false;
    }
  }
}
