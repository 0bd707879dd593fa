// The typed plan: everything a Tiltfile load produces, as plain JSON-serialisable data. It lives in shared/ because
// both sides read it: the loader (src/tiltfile) writes it, the engine and the editor only read it.
// Paths are absolute. No imports: this module is the bottom of every layer.

export type TriggerMode = 'auto' | 'manual';

/** A source position inside a Tiltfile (or a file it loaded). 1-based line and column. */
export interface SourcePos {
  file: string;
  line: number;
  col: number;
}

export interface Diagnostic {
  severity: 'error' | 'warning';
  message: string;
  pos?: SourcePos;
  /**
   * Start of the range to underline when it is not `pos`: for an error raised by a call, `pos` is the '(' (as Tilt
   * reports it) and `start` the callee name, or the `name=` of the keyword argument the message names.
   * The range is `(start ?? pos)` .. `end`.
   */
  start?: SourcePos;
  /** Optional end of the range (exclusive), for editors: the call's ')' + 1, or the end of the offending token. */
  end?: SourcePos;
}

// ---------- live update ----------

export type LiveUpdateStep =
  | { kind: 'initial_sync' }
  | { kind: 'fall_back_on'; files: string[] }
  | { kind: 'sync'; localPath: string; remotePath: string }
  | { kind: 'run'; command: string[]; /** true when `cmd` was a string: run through `sh -c` */ shell: boolean; triggers: string[]; echoOff: boolean }
  | { kind: 'restart_container' };

// ---------- images ----------

interface ImageTargetBase {
  /** The ref as written in the Tiltfile (`ref`), e.g. `localhost:5000/todo-api`. */
  ref: string;
  /**
   * Name part used for matching against manifests (ref without tag or digest, docker.io/library/ folded).
   * As in Tilt, when `ref` has a tag only manifests with that same tag match; resources list their matches in imageRefs.
   */
  matchName: string;
  /** Ref pushed to / pulled by the cluster after default_registry/registry discovery; filled by the engine when empty. */
  clusterRef?: string;
  liveUpdate: LiveUpdateStep[];
  matchInEnvVars: boolean;
  /** Overrides the container command (argv). Empty when not set. */
  entrypoint: string[];
  /** Files that must not trigger rebuilds (dockerignore-style patterns, relative to context/dir). */
  ignore: string[];
  /** Image refs this image's build depends on (custom_build image_deps, or base images built by Tilt). */
  imageDeps: string[];
  /** Extra container args (`container_args`), or undefined when unset. */
  containerArgs?: string[];
  pos?: SourcePos;
  /**
   * Set by ext://restart_process: restart the main process (`entrypoint`) after each live update. Tilt does it by
   * wrapping the image; the engine may do it any way it likes. `restartFile` is the extension's restart_file.
   */
  /**
   * ext://restart_process. `triggered`: trigger= was given, so only a change to those files restarts the process (a
   * run step writes the restart file, as in Tilt); otherwise every live update ends with a restart.
   */
  restartProcess?: { entrypoint: string[]; restartFile: string; triggered?: boolean };
}

export interface DockerBuildTarget extends ImageTargetBase {
  kind: 'docker_build';
  context: string;
  /** Absolute path of the Dockerfile, or undefined when dockerfileContents is used. */
  dockerfile?: string;
  dockerfileContents?: string;
  buildArgs: Record<string, string>;
  target?: string;
  network?: string;
  platform?: string;
  extraTags: string[];
  /** `only` patterns, relative to context. Empty = the whole context. */
  only: string[];
  ssh: string[];
  secret: string[];
  cacheFrom: string[];
  pull: boolean;
  extraHosts: string[];
}

export interface CustomBuildTarget extends ImageTargetBase {
  kind: 'custom_build';
  command: string[];
  shell: boolean;
  /** Absolute paths watched for changes. */
  deps: string[];
  tag: string;
  disablePush: boolean;
  skipsLocalDocker: boolean;
  outputsImageRefTo?: string;
  env: Record<string, string>;
  dir: string;
  /**
   * Tilt's live-update-only image (`command=':'` with live_update): never built or injected into manifests; the
   * engine only live-updates containers already running an image of this name.
   */
  liveUpdateOnly?: boolean;
}

export type ImageTarget = DockerBuildTarget | CustomBuildTarget;

// ---------- kubernetes ----------

/** One parsed Kubernetes object, as read from YAML (kept raw for apply). */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
}

export interface PortForward {
  localPort: number;
  /**
   * 0 = not given (`port_forwards=8000` or `'8000'`): as in Tilt, the container port equal to localPort when the pod
   * declares it, else the first container port the pod declares.
   */
  containerPort: number;
  /** Local interface to listen on; '' = localhost. */
  host: string;
  name?: string;
  linkPath?: string;
}

export interface Link {
  url: string;
  name?: string;
}

export interface ImageLocator {
  /** Which objects (kind, optional name) carry an image at this JSONPath-like path. From k8s_kind(). */
  kind: string;
  apiVersion?: string;
  imageJsonPath?: string;
  imageObjectJsonPath?: { repoField: string; tagField: string; path: string };
}

interface ResourceBase {
  name: string;
  labels: string[];
  resourceDeps: string[];
  triggerMode: TriggerMode;
  autoInit: boolean;
  links: Link[];
  pos?: SourcePos;
}

export interface K8sResource extends ResourceBase {
  type: 'k8s';
  /** All objects this resource applies, in apply order. */
  objects: K8sObject[];
  /** Refs (ImageTarget.ref) of the images this resource deploys, in dependency order. */
  imageRefs: string[];
  portForwards: PortForward[];
  podReadiness: 'wait' | 'ignore';
  /** Extra label selectors that find this resource's pods. */
  extraPodSelectors: Array<Record<string, string>>;
  discoveryStrategy: 'default' | 'selectors-only';
}

export interface K8sCustomDeployResource extends ResourceBase {
  type: 'k8s_custom_deploy';
  applyCmd: { command: string[]; shell: boolean; dir: string; env: Record<string, string> };
  deleteCmd: { command: string[]; shell: boolean; dir: string; env: Record<string, string> };
  deps: string[];
  imageRefs: string[];
  /** Image selector or container name used to find live-update targets. */
  imageSelector?: string;
  containerSelector?: string;
  liveUpdate: LiveUpdateStep[];
  portForwards: PortForward[];
}

export interface Probe {
  initialDelaySecs: number;
  timeoutSecs: number;
  periodSecs: number;
  successThreshold: number;
  failureThreshold: number;
  action:
    | { kind: 'exec'; command: string[] }
    | { kind: 'http_get'; host: string; port: number; path: string; scheme: 'http' | 'https' }
    | { kind: 'tcp_socket'; host: string; port: number };
}

export interface LocalResource extends ResourceBase {
  type: 'local';
  /** Empty command = no update command. */
  cmd: { command: string[]; shell: boolean; dir: string; env: Record<string, string> };
  serveCmd: { command: string[]; shell: boolean; dir: string; env: Record<string, string> };
  deps: string[];
  ignore: string[];
  allowParallel: boolean;
  readinessProbe?: Probe;
}

export interface DockerComposeResource extends ResourceBase {
  type: 'docker_compose';
  /** Service name in the compose project. */
  service: string;
  project: { name: string; configPaths: string[]; yaml?: string; envFile?: string; profiles: string[]; wait: boolean };
  imageRefs: string[];
  /** The service definition as parsed from the compose file(s). */
  serviceConfig: Record<string, unknown>;
  inferLinks: boolean;
}

export type Resource = K8sResource | K8sCustomDeployResource | LocalResource | DockerComposeResource;

export interface UIButton {
  name: string;
  resource?: string;
  location: 'resource' | 'nav';
  text: string;
  icon?: string;
  command: string[];
  shell: boolean;
  dir: string;
  env: Record<string, string>;
  requiresConfirmation: boolean;
  inputs: Array<{ name: string; label?: string; type: 'text' | 'bool' | 'hidden' | 'choice'; default?: string | boolean; choices?: string[] }>;
}

export interface Plan {
  /** Absolute path of the main Tiltfile. */
  tiltfile: string;
  resources: Resource[];
  images: ImageTarget[];
  /** Resources enabled by config.set_enabled_resources / CLI args; undefined = all. */
  enabledResources?: string[];
  k8s: {
    allowedContexts: string[];
    /** Context forced by k8s_context(), if any. */
    context?: string;
    namespace?: string;
    defaultRegistry?: { host: string; hostFromCluster?: string; singleName?: string };
    imageLocators: ImageLocator[];
  };
  settings: {
    triggerMode: TriggerMode;
    maxParallelUpdates: number;
    k8sUpsertTimeoutSecs: number;
    suppressUnusedImageWarnings: string[];
    secretScrub: boolean;
    watchIgnore: string[];
    ci: { k8sGracePeriodSecs: number; timeoutSecs: number; readinessTimeoutSecs: number };
  };
  buttons: UIButton[];
  /** Every file the load read (Tiltfile, loaded .star, YAML, read_file, watch_file...): a change reloads. */
  configFiles: string[];
  /** Values of config.define_* after parse(), for display. */
  config: Record<string, unknown>;
  /** Secret values found in k8s Secrets and ext://secret, for log scrubbing. */
  secrets: string[];
  warnings: Diagnostic[];
}
