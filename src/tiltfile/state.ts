// The mutable state of one Tiltfile load: what builtins registered, before assembly turns it into a Plan.
import { statSync, type Stats } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Call, StarlarkFunction, Thread } from '../starlark';
import { readTextFileSafely, SafeReadError, type SafeReadOptions } from './safeRead';
import type {
  Diagnostic, ImageLocator, ImageTarget, K8sCustomDeployResource, K8sObject, Link,
  LocalResource, Plan, PortForward, SourcePos, TriggerMode, UIButton,
} from './plan';

export interface LoadOptions {
  /** Arguments after `--` (config.parse / set_enabled_resources). */
  args?: string[];
  /** `up`, `ci`, `down`, ... as seen by config.tilt_subcommand. */
  subcommand?: string;
  /** false = refuse local(), helm(), kustomize() and other commands (untrusted workspace). Default true. */
  trusted?: boolean;
  /** Same as `trusted: false`. */
  untrusted?: boolean;
  /** Environment seen by os.getenv and local(); defaults to process.env. */
  env?: Record<string, string | undefined>;
  /** Interpreter step budget; an endless loop becomes a clean error. */
  maxSteps?: number;
  /** Shared cancel flag (non-zero cancels), e.g. from the worker's parent. */
  cancel?: Int32Array;
  /** Current kube context, when known: checked against allow_k8s_contexts like Tilt does. */
  kubeContext?: string;
  /** Kill a single local()/helm/kustomize command after this many ms. */
  commandTimeoutMs?: number;
  /**
   * Text of the main Tiltfile, used instead of reading it from disk (an editor's unsaved buffer).
   * Files it loads, includes or reads still come from disk.
   */
  source?: string;
  /**
   * Whether `kubeContext` is a local cluster (kind, minikube, docker-desktop, ...). Tilt allows local clusters
   * without allow_k8s_contexts(); with a remote, non-allowed context, local() refuses to run.
   * Default: guessed from the context name (isLocalContext in state.ts).
   */
  kubeContextIsLocal?: boolean;
  /** Where fetched extension repos are cached (default: the user's cache dir, innerloop/extensions). */
  extensionCacheDir?: string;
  /**
   * May `load('ext://…')` fetch an extension repo that is not cached yet? Default: `trusted`. The editor's check
   * loads untrusted (no commands on every keystroke) but fetches in a trusted workspace, as `up` would.
   */
  fetchExtensions?: boolean;
}

export interface K8sEntity {
  obj: K8sObject;
  pos?: SourcePos;
}

export interface K8sResourceOptions {
  workload: string;
  newName: string;
  portForwards?: PortForward[];
  extraPodSelectors?: Array<Record<string, string>>;
  triggerMode?: TriggerMode;
  resourceDeps?: string[];
  objects: string[];
  autoInit?: boolean;
  podReadiness?: 'wait' | 'ignore';
  links?: Link[];
  labels?: string[];
  discoveryStrategy?: 'default' | 'selectors-only';
  manuallyGrouped: boolean;
  pos?: SourcePos;
}

export interface ComposeProject {
  name: string;
  configPaths: string[];
  yaml?: string;
  envFile?: string;
  profiles: string[];
  wait: boolean;
  services: Array<{ name: string; config: Record<string, unknown> }>;
  pos?: SourcePos;
}

export interface DcResourceOptions {
  name: string;
  newName?: string;
  triggerMode?: TriggerMode;
  resourceDeps?: string[];
  links?: Link[];
  labels?: string[];
  autoInit?: boolean;
  projectName?: string;
  inferLinks?: boolean;
  pos?: SourcePos;
}

export interface ConfigSetting {
  type: 'string' | 'string_list' | 'bool' | 'object';
  args: boolean;
  usage: string;
  pos?: SourcePos;
}

export class TiltfileState {
  readonly opts: Required<Pick<LoadOptions, 'args' | 'subcommand' | 'trusted'>> & LoadOptions;
  readonly env: Record<string, string | undefined>;
  /** Files whose top level is executing (Tiltfile, loaded or included files): relative paths resolve against the top. */
  readonly execStack: string[] = [];
  readonly configFiles = new Set<string>();
  readonly diagnostics: Diagnostic[] = [];
  readonly output: string[] = [];

  readonly images: ImageTarget[] = [];
  readonly imageRefs = new Set<string>();
  readonly k8sEntities: K8sEntity[] = [];
  /** First entity registered under each object id (name:kind:namespace), for duplicate detection. */
  readonly k8sEntityIds = new Map<string, K8sEntity>();
  readonly k8sResourceOpts = new Map<string, K8sResourceOptions>();
  readonly localResources: LocalResource[] = [];
  readonly customDeploys: K8sCustomDeployResource[] = [];
  readonly composeProjects: ComposeProject[] = [];
  readonly dcResourceOpts = new Map<string, DcResourceOptions>();
  readonly buttons: UIButton[] = [];
  readonly imageLocators: Array<ImageLocator & { podReadiness?: 'wait' | 'ignore' }> = [];
  readonly allowedContexts: string[] = [];
  readonly secrets = new Set<string>();
  /** Resources registered by extensions (helm_resource, ...) that are k8s_custom_deploy underneath. */
  readonly resourceNames = new Set<string>();

  k8sContext?: string;
  k8sNamespace?: string;
  /** workload_to_resource_function(fn): names workload resources at assembly. */
  workloadToResource?: { fn: StarlarkFunction; pos?: SourcePos; thread: Thread };
  defaultRegistry?: Plan['k8s']['defaultRegistry'];
  settings: Plan['settings'] = {
    triggerMode: 'auto',
    maxParallelUpdates: 3,
    k8sUpsertTimeoutSecs: 30,
    suppressUnusedImageWarnings: [],
    secretScrub: true,
    watchIgnore: [],
    ci: { k8sGracePeriodSecs: 0, timeoutSecs: 30 * 60, readinessTimeoutSecs: 5 * 60 },
  };
  triggerModeCalled = false;
  /** Set by exit(). */
  exitCode?: number;
  enabledResources?: string[];
  config: Record<string, unknown> = {};
  configDefs = new Map<string, ConfigSetting>();
  configParsed = false;

  constructor(readonly tiltfile: string, opts: LoadOptions) {
    this.opts = { args: [], subcommand: 'up', ...opts, trusted: opts.untrusted ? false : opts.trusted ?? true };
    this.env = opts.env ?? process.env;
  }

  /** Directory of the file whose top level is executing. */
  dir(): string {
    return dirname(this.execStack.at(-1) ?? this.tiltfile);
  }

  resolve(p: string): string {
    return isAbsolute(p) ? resolve(p) : resolve(this.dir(), p);
  }

  resolveExists(p: string): boolean {
    return this.exists(this.resolve(p));
  }

  private stats = new Map<string, Stats | null>();
  /** stat() memoized for the duration of the load (a 1,000-image Tiltfile stats the same context 1,000 times). */
  stat(p: string): Stats | null {
    let st = this.stats.get(p);
    if (st === undefined) {
      try { st = statSync(p); } catch { st = null; }
      this.stats.set(p, st);
    }
    return st;
  }

  exists(p: string): boolean {
    return this.stat(p) !== null;
  }

  isDir(p: string): boolean {
    return this.stat(p)?.isDirectory() ?? false;
  }

  /** Position of the Starlark call to the current builtin. */
  pos(call: Call): SourcePos | undefined {
    const f = call.thread.frames().at(-1);
    return f ? { file: f.file, line: f.line, col: f.col } : undefined;
  }

  warn(message: string, pos?: SourcePos): void {
    this.diagnostics.push({ severity: 'warning', message, pos });
  }

  error(message: string, pos?: SourcePos): void {
    this.diagnostics.push({ severity: 'error', message, pos });
  }

  /** Reads a file the load depends on (so a change reloads), with Tilt's wording on failure. */
  readFile(abs: string): string {
    this.configFiles.add(abs);
    try {
      return readTextFileSafely(abs, this.readGuard());
    } catch (e) {
      throw new Error(fsMessage(e, abs));
    }
  }

  /** Guards for files the load reads (safeRead.ts): untrusted loads may not follow symlinks out of the repo. */
  readGuard(): SafeReadOptions {
    return this.opts.trusted ? {} : { confineTo: dirname(this.tiltfile) };
  }

  /** Refuses command execution in untrusted workspaces: records a diagnostic and tells the caller to skip. */
  refuseUntrusted(what: string, call: Call): boolean {
    if (this.opts.trusted) return false;
    this.error(`${what} is disabled in an untrusted workspace`, this.pos(call));
    return true;
  }

  /** Tilt's k8sContextState.IsAllowed(): no context, a local cluster, or one named in allow_k8s_contexts(). */
  kubeContextAllowed(): boolean {
    const ctx = this.opts.kubeContext;
    if (!ctx) return true;
    if (this.opts.kubeContextIsLocal ?? isLocalContext(ctx)) return true;
    return this.allowedContexts.includes(ctx);
  }

  /** Tilt's potentiallyK8sUnsafeBuiltin: local() refuses to run against a context that might be production. */
  checkK8sSafe(name: string): void {
    if (this.kubeContextAllowed()) return;
    const ctx = this.opts.kubeContext!;
    throw new Error(`Refusing to run '${name}' because ${ctx} might be a production kube context.\nIf you're sure you want to continue add:\nallow_k8s_contexts('${ctx}')\nbefore this function call in your Tiltfile. Otherwise, switch k8s contexts and restart Tilt.`);
  }

  claimResourceName(name: string, what: string): void {
    if (this.resourceNames.has(name)) throw new Error(`${what} named "${name}" already exists`);
    this.resourceNames.add(name);
  }
}

/** Context names of local clusters that Tilt allows without allow_k8s_contexts(). */
export function isLocalContext(ctx: string): boolean {
  return /^(minikube|docker-desktop|docker-for-desktop|microk8s|crc-admin|crc-developer|krucible|orbstack|rancher-desktop|colima)/.test(ctx)
    || ctx.startsWith('kind-') || ctx.startsWith('k3d-');
}

export function fsMessage(e: unknown, path: string): string {
  if (e instanceof SafeReadError) return e.message;
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `file not found: ${path}`;
  if (code === 'EISDIR') return `${path} is a directory, not a file`;
  if (code === 'EACCES') return `permission denied reading ${path}`;
  return `error reading ${path}: ${(e as Error).message}`;
}

/** Go's os.ReadFile error text (`open P: no such file or directory`), which Tilt's messages embed. */
export function goReadError(e: unknown, path: string): string {
  // The safe reader's refusals (size cap, FIFO, symlink out of an untrusted repo) say it their own way.
  if (e instanceof SafeReadError) return e.message;
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `open ${path}: no such file or directory`;
  if (code === 'EACCES') return `open ${path}: permission denied`;
  if (code === 'EISDIR') return `read ${path}: is a directory`;
  return `open ${path}: ${(e as Error).message}`;
}

/** Reads a YAML file the load depends on; failures read as Tilt's `error reading yaml file: open ...`. */
export function readYamlFile(s: TiltfileState, path: string): string {
  s.configFiles.add(path);
  try {
    return readTextFileSafely(path, s.readGuard());
  } catch (e) {
    throw new Error(`error reading yaml file: ${goReadError(e, path)}`);
  }
}

export function isDir(p: string): boolean {
  try { return statSync(p).isDirectory(); } catch { return false; }
}

export function exists(p: string): boolean {
  try { statSync(p); return true; } catch { return false; }
}
