// A typed table of the Tiltfile API: every builtin a Tiltfile can call, with parameters, defaults and a
// one-line summary. Drives hover, completion and signature help in the editor (src/vscode/language/),
// and is usable from the CLI. No 'vscode' import. Summaries are our own wording of Tilt's documented behaviour.

export type ApiCategory =
  | 'image'
  | 'kubernetes'
  | 'compose'
  | 'local'
  | 'live_update'
  | 'files'
  | 'data'
  | 'settings'
  | 'config'
  | 'os'
  | 'language';

export interface ApiParam {
  name: string;
  /** Python-style type as Tilt documents it, e.g. `str | list[str]`. */
  type: string;
  /** Default as source text; absent = required. */
  default?: string;
  /** Keyword-only (after `*` in the signature). */
  kwOnly?: boolean;
  /** Variadic (`*args` / `**kwargs`). */
  variadic?: '*' | '**';
  doc: string;
}

export interface ApiFunction {
  /** Name as called, dotted for namespaced ones (`config.parse`, `os.path.join`). */
  name: string;
  category: ApiCategory;
  params: ApiParam[];
  returns: string;
  doc: string;
}

/** Module-level values (not callable). */
export interface ApiValue {
  name: string;
  type: string;
  doc: string;
}

const p = (name: string, type: string, doc: string, dflt?: string, extra: Partial<ApiParam> = {}): ApiParam => ({
  name,
  type,
  doc,
  ...(dflt === undefined ? {} : { default: dflt }),
  ...extra,
});
const fn = (name: string, category: ApiCategory, doc: string, params: ApiParam[], returns = 'None'): ApiFunction => ({
  name,
  category,
  params,
  returns,
  doc,
});

// Shared parameter docs.
const triggerMode = p('trigger_mode', 'TriggerMode', 'TRIGGER_MODE_AUTO rebuilds on file changes; TRIGGER_MODE_MANUAL waits for a trigger (the first update still runs).', 'TRIGGER_MODE_AUTO');
const resourceDeps = p('resource_deps', 'list[str]', 'Resources that must be ready before this one starts.', '[]');
const labels = p('labels', 'str | list[str]', 'Group names for this resource in the UI (alphanumeric, `_-.`, at most 63 chars).', '[]');
const links = p('links', 'str | link | list[str | link]', 'URLs to show with this resource.', '[]');
const autoInit = p('auto_init', 'bool', 'Whether the resource starts on `up` (False: only when triggered).', 'True');
const liveUpdate = p('live_update', 'list[LiveUpdateStep]', 'Steps that update a running container in place instead of rebuilding (sync, run, ...).', '[]');
const matchInEnv = p('match_in_env_vars', 'bool', 'Also replace this image ref where it appears in container env vars.', 'False');
const entrypoint = p('entrypoint', 'str | list[str]', 'Overrides the container command (string: run with `sh -c`).', '[]');
const pathArg = (name: string, what: string): ApiParam => p(name, 'str', `${what} (absolute, or relative to the Tiltfile).`);
const dflt = p('default', 'str', 'Returned when the file does not exist (otherwise a missing file is a load error).', 'None');
const commandDoc = 'A string runs with `sh -c`; a list is program and arguments.';

export const TILT_API: readonly ApiFunction[] = [
  // ---------- images ----------
  fn('docker_build', 'image', 'Builds a container image with Docker from a build context (like `docker build CONTEXT -t REF`).', [
    p('ref', 'str', 'Image name; must match the `image:` used in the Kubernetes YAML or Compose file.'),
    p('context', 'str', 'Build context directory.'),
    p('build_args', 'dict[str, str]', 'Build-time variables (`--build-arg`).', '{}'),
    p('dockerfile', 'str', 'Path of the Dockerfile.', "'Dockerfile'"),
    p('dockerfile_contents', 'str | blob', 'Dockerfile text to use instead of a file (not with `dockerfile`).', "''"),
    liveUpdate,
    matchInEnv,
    p('ignore', 'str | list[str]', 'Dockerignore-style patterns (relative to the context) that neither trigger builds nor enter the image.', '[]'),
    p('only', 'str | list[str]', 'Paths (not globs) that alone are watched and sent to the build.', '[]'),
    entrypoint,
    p('target', 'str', 'Dockerfile stage to build (`--target`).', "''"),
    p('ssh', 'str | list[str]', 'SSH agent sockets or keys for the build (`--ssh`).', "''"),
    p('network', 'str', 'Networking mode for RUN steps (`--network`).', "''"),
    p('secret', 'str | list[str]', 'Build secrets (`--secret`).', "''"),
    p('extra_tag', 'str | list[str]', 'Additional tags applied after each build.', "''"),
    p('container_args', 'list[str]', 'Overrides the container args.', 'None'),
    p('cache_from', 'str | list[str]', 'Images to use as a cache source (`--cache-from`).', '[]'),
    p('pull', 'bool', 'Always pull newer base images (`--pull`).', 'False'),
    p('platform', 'str', 'Target platform, e.g. `linux/amd64` (`--platform`).', "''"),
    p('extra_hosts', 'str | list[str]', 'Extra host:ip entries (`--add-host`).', '[]'),
  ]),
  fn('custom_build', 'image', 'Builds an image with your own command, which must produce the image named `$EXPECTED_REF`.', [
    p('ref', 'str', 'Image name; must match the image used in the deploy YAML.'),
    p('command', 'str | list[str]', `Build command. ${commandDoc}`),
    p('deps', 'list[str]', 'Files or directories whose changes rebuild the image.'),
    p('tag', 'str', 'Fixed tag for tools that cannot choose one; Innerloop retags the result.', "''"),
    p('disable_push', 'bool', 'The command pushes the image itself.', 'False'),
    p('skips_local_docker', 'bool', 'The command does not leave the image in the local Docker daemon.', 'False'),
    liveUpdate,
    matchInEnv,
    p('ignore', 'str | list[str]', 'Dockerignore-style patterns, relative to each dep, that do not trigger builds.', '[]'),
    entrypoint,
    p('command_bat_val', 'str', 'Deprecated: use command_bat.', "''"),
    p('outputs_image_ref_to', 'str', 'File the command writes the built image ref to (content-based tags).', "''"),
    p('command_bat', 'str | list[str]', 'Windows-only replacement for `command`.', "''"),
    p('image_deps', 'list[str]', 'Images this build needs; exposed as $TILT_IMAGE_i / $TILT_IMAGE_MAP_i.', '[]'),
    p('env', 'dict[str, str]', 'Extra environment for the command.', '{}'),
    p('dir', 'str', 'Working directory of the command (default: the Tiltfile directory).', "''"),
  ]),
  fn('default_registry', 'image', 'Renames every built image into this registry (`/` and `@` become `_`).', [
    p('host', 'str', 'Registry to push built images to.'),
    p('host_from_cluster', 'str', 'Registry name as seen from inside the cluster, when different.', 'None'),
    p('single_name', 'str', 'Push every image to this one repository, with the image name in the tag.', "''"),
  ]),

  // ---------- kubernetes ----------
  fn('k8s_yaml', 'kubernetes', 'Registers Kubernetes YAML to deploy; workloads become resources matched to built images.', [
    p('yaml', 'str | list[str] | blob', 'YAML file path(s), or YAML text as a blob (e.g. from `local`, `helm`, `kustomize`).'),
    p('allow_duplicates', 'bool', 'Allow the same object to be registered twice.', 'False'),
  ]),
  fn('k8s_resource', 'kubernetes', 'Configures a Kubernetes resource (port forwards, deps, labels...) or groups objects into a new one.', [
    p('workload', 'str', 'Name of an automatically assembled resource to configure.', "''"),
    p('new_name', 'str', 'Rename the resource (with `objects`: name of the new resource).', "''"),
    p('port_forwards', 'int | str | port_forward | list', "Local ports to forward: `8000`, `'8000:80'`, `'host:8000:80'` or port_forward(...).", '[]'),
    p('extra_pod_selectors', 'dict | list[dict]', 'Label sets whose pods also belong to this resource.', '[]'),
    triggerMode,
    resourceDeps,
    p('objects', 'list[str]', "Object selectors (`name`, `name:kind`, `name:kind:namespace`) to add to this resource.", '[]'),
    autoInit,
    p('pod_readiness', 'str', "'wait' or 'ignore': whether the resource waits for its pods to be ready.", "''"),
    links,
    labels,
    p('discovery_strategy', 'str', "'default' (selectors and owner references) or 'selectors-only'.", "''"),
  ]),
  fn('k8s_custom_deploy', 'kubernetes', 'Deploys with your own apply/delete commands; the apply command prints the YAML it applied.', [
    p('name', 'str', 'Resource name.'),
    p('apply_cmd', 'str | list[str]', `Idempotent deploy command; prints applied objects as YAML. ${commandDoc}`),
    p('delete_cmd', 'str | list[str]', 'Idempotent command that removes what apply created (run on `down`).'),
    p('deps', 'str | list[str]', 'Paths whose changes re-run the apply command.'),
    p('image_selector', 'str', 'Image ref selecting containers for live update.', "''"),
    liveUpdate,
    p('apply_dir', 'str', 'Working directory for apply_cmd.', "''"),
    p('apply_env', 'dict[str, str]', 'Environment for apply_cmd.', '{}'),
    p('apply_cmd_bat', 'str | list[str]', 'Windows-only replacement for apply_cmd.', "''"),
    p('delete_dir', 'str', 'Working directory for delete_cmd.', "''"),
    p('delete_env', 'dict[str, str]', 'Environment for delete_cmd.', '{}'),
    p('delete_cmd_bat', 'str | list[str]', 'Windows-only replacement for delete_cmd.', "''"),
    p('container_selector', 'str', 'Container name selecting the live-update target.', "''"),
    p('image_deps', 'list[str]', 'Images the deploy needs; exposed as $TILT_IMAGE_i.', '[]'),
  ]),
  fn('k8s_kind', 'kubernetes', 'Declares a Kubernetes kind (e.g. a CRD) as a workload, optionally saying where its image lives.', [
    p('kind', 'str', 'Regexp matching the object kind.'),
    p('api_version', 'str', 'Regexp matching the apiVersion.', 'None'),
    p('image_json_path', 'str | list[str]', 'JSONPath(s) to image fields in the object.', '[]', { kwOnly: true }),
    p('image_object', 'dict', "Where repo and tag live separately: {'json_path', 'repo_field', 'tag_field'}.", 'None', { kwOnly: true }),
    p('pod_readiness', 'str', "'wait' or 'ignore' for pods of this kind.", "''", { kwOnly: true }),
  ]),
  fn('k8s_image_json_path', 'kubernetes', 'Deprecated form of k8s_kind(image_json_path=...).', [
    p('paths', 'str | list[str]', 'JSONPath(s) to image fields.'),
    p('api_version', 'str', 'Regexp matching the apiVersion.', "''"),
    p('kind', 'str', 'Regexp matching the kind.', "''"),
    p('name', 'str', 'Regexp matching the object name.', "''"),
    p('namespace', 'str', 'Regexp matching the namespace.', "''"),
  ]),
  fn('filter_yaml', 'kubernetes', 'Splits YAML into (matching, rest) blobs by labels, name, namespace, kind or apiVersion.', [
    p('yaml', 'str | list[str] | blob', 'YAML file path(s) or YAML text.'),
    p('labels', 'dict', 'Labels every match must carry.', 'None'),
    p('name', 'str', 'Case-insensitive regexp on metadata.name.', 'None'),
    p('namespace', 'str', 'Case-insensitive regexp on metadata.namespace.', 'None'),
    p('kind', 'str', 'Case-insensitive regexp on kind.', 'None'),
    p('api_version', 'str', 'Case-insensitive regexp on apiVersion.', 'None'),
  ], 'tuple[blob, blob]'),
  fn('helm', 'kubernetes', 'Renders a local Helm chart with `helm template` and returns the YAML (the chart is watched).', [
    pathArg('pathToChartDir', 'Chart directory'),
    p('name', 'str', 'Release name.', "''"),
    p('namespace', 'str', 'Namespace to render for (`--namespace`).', "''"),
    p('values', 'str | list[str]', 'Extra values files (`--values`).', '[]'),
    p('set', 'str | list[str]', 'Value overrides (`--set`).', '[]'),
    p('kube_version', 'str', 'Kubernetes version to render for (`--kube-version`).', "''"),
    p('skip_crds', 'bool', 'Leave out the chart CRDs.', 'False'),
  ], 'blob'),
  fn('kustomize', 'kubernetes', 'Runs `kustomize build` (or `kubectl kustomize`) on a directory and returns the YAML (the directory is watched).', [
    pathArg('pathToDir', 'Kustomization directory'),
    p('kustomize_bin', 'str', 'kustomize executable to use (default: found on $PATH).', 'None'),
    p('flags', 'list[str]', 'Extra flags for `kustomize build`.', '[]'),
  ], 'blob'),
  fn('k8s_context', 'kubernetes', 'Returns the name of the current Kubernetes context.', [], 'str'),
  fn('k8s_namespace', 'kubernetes', 'Returns the Kubernetes namespace in use.', [], 'str'),
  fn('allow_k8s_contexts', 'kubernetes', 'Allows deploying to these (non-local) contexts; local clusters are always allowed.', [
    p('contexts', 'str | list[str]', 'Context name(s) to allow.'),
  ]),
  fn('workload_to_resource_function', 'kubernetes', 'Supplies a function that names resources from a workload id (name, kind, namespace, group).', [
    p('fn', 'function(K8sObjectID) -> str', 'Called once per workload; names must be unique.'),
  ]),
  fn('port_forward', 'kubernetes', 'Describes a port forward for k8s_resource(port_forwards=...).', [
    p('local_port', 'int', 'Port on this machine.'),
    p('container_port', 'int', 'Port in the container (default: local_port if exposed, else the first container port).', 'None'),
    p('name', 'str', 'Text shown for the link.', 'None'),
    p('link_path', 'str', 'Path appended to the link URL.', 'None'),
    p('host', 'str', 'Host to bind (default localhost).', 'None'),
  ], 'PortForward'),
  fn('link', 'kubernetes', 'Describes a URL shown with a resource.', [
    p('url', 'str', 'URL to open.'),
    p('name', 'str', 'Text shown for the link.', 'None'),
  ], 'Link'),

  // ---------- docker compose ----------
  fn('docker_compose', 'compose', 'Runs services from Docker Compose file(s) or inline YAML; each service becomes a resource.', [
    p('configPaths', 'str | blob | list[str | blob]', 'Compose file path(s) and/or YAML blobs.'),
    p('env_file', 'str', 'Env file (default: .env next to the project).', 'None'),
    p('project_name', 'str', 'Compose project name (default: directory of the first file).', "''"),
    p('profiles', 'str | list[str]', 'Compose profiles to enable.', '[]'),
    p('wait', 'bool', 'Pass --wait to `docker compose up`.', 'False'),
  ]),
  fn('dc_resource', 'compose', 'Configures a Docker Compose service resource.', [
    p('name', 'str', 'Service name in the Compose file.'),
    triggerMode,
    resourceDeps,
    links,
    labels,
    autoInit,
    p('project_name', 'str', 'Compose project to match, when several are loaded.', "''"),
    p('new_name', 'str', 'Rename the resource.', "''"),
    p('infer_links', 'bool', 'Show links for published ports.', 'True'),
  ]),

  // ---------- local ----------
  fn('local_resource', 'local', 'A resource that runs a command on this machine (cmd per update, optional long-running serve_cmd).', [
    p('name', 'str', 'Resource name.'),
    p('cmd', 'str | list[str]', `Command run on each update. ${commandDoc}`),
    p('deps', 'str | list[str]', 'Files or directories whose changes re-run the command.', 'None'),
    triggerMode,
    resourceDeps,
    p('ignore', 'str | list[str]', 'Dockerignore-style patterns that do not trigger runs.', '[]'),
    autoInit,
    p('serve_cmd', 'str | list[str]', 'Long-running command, restarted after each successful cmd.', "''"),
    p('cmd_bat', 'str | list[str]', 'Windows-only replacement for cmd.', "''"),
    p('serve_cmd_bat', 'str | list[str]', 'Windows-only replacement for serve_cmd.', "''"),
    p('allow_parallel', 'bool', 'May run at the same time as other local resources (default: True when there is only a serve_cmd).', 'False'),
    links,
    labels,
    p('env', 'dict[str, str]', 'Environment for cmd.', '{}'),
    p('serve_env', 'dict[str, str]', 'Environment for serve_cmd.', '{}'),
    p('readiness_probe', 'Probe', 'Decides when serve_cmd counts as ready (see probe()).', 'None'),
    p('dir', 'str', 'Working directory for cmd (default: the Tiltfile directory).', "''"),
    p('serve_dir', 'str', 'Working directory for serve_cmd.', "''"),
  ]),
  fn('test', 'local', 'Deprecated (Tilt still accepts it): a local_resource that runs a test command.', [
    p('name', 'str', 'Resource name.'),
    p('cmd', 'str | list[str]', `Test command. ${commandDoc}`),
    p('deps', 'str | list[str]', 'Files or directories whose changes re-run the test.', 'None'),
    p('tags', 'list[str]', 'Labels for the resource.', '[]'),
    p('timeout', 'str', 'Accepted for compatibility; not enforced.', "''"),
    triggerMode,
    resourceDeps,
    p('ignore', 'str | list[str]', 'Dockerignore-style patterns that do not trigger runs.', '[]'),
    autoInit,
    p('env', 'dict[str, str]', 'Environment for cmd.', '{}'),
    p('allow_parallel', 'bool', 'May run at the same time as other local resources.', 'False'),
    links,
    labels,
  ]),
  fn('local_git_repo', 'files', 'A git repository on disk; `.paths(p)` joins p onto its root.', [pathArg('path', 'Repository root (must contain .git/)')], 'git.Repo'),
  fn('local', 'local', 'Runs a command now, while the Tiltfile loads, and returns its stdout.', [
    p('command', 'str | list[str]', `Command. ${commandDoc}`),
    p('quiet', 'bool', 'Do not log the output.', 'False'),
    p('command_bat', 'str | list[str]', 'Windows-only replacement for command.', "''"),
    p('echo_off', 'bool', 'Do not log the command line.', 'False'),
    p('env', 'dict[str, str]', 'Extra environment.', '{}'),
    p('dir', 'str', 'Working directory (default: the Tiltfile directory).', "''"),
    p('stdin', 'str | blob', 'Text written to the command stdin.', 'None'),
  ], 'blob'),
  fn('probe', 'local', 'A readiness check for local_resource(readiness_probe=...); give exactly one of exec, http_get, tcp_socket.', [
    p('initial_delay_secs', 'int', 'Wait before the first check.', '0'),
    p('timeout_secs', 'int', 'Time limit of one check.', '1'),
    p('period_secs', 'int', 'Time between checks.', '10'),
    p('success_threshold', 'int', 'Consecutive successes needed to become ready.', '1'),
    p('failure_threshold', 'int', 'Consecutive failures needed to become unready.', '3'),
    p('exec', 'ExecAction', 'Command check (exec_action).', 'None'),
    p('http_get', 'HTTPGetAction', 'HTTP check (http_get_action).', 'None'),
    p('tcp_socket', 'TCPSocketAction', 'TCP connect check (tcp_socket_action).', 'None'),
  ], 'Probe'),
  fn('exec_action', 'local', 'Probe action: ready when the command exits 0.', [p('command', 'list[str]', 'Program and arguments.')], 'ExecAction'),
  fn('http_get_action', 'local', 'Probe action: ready when a GET answers with status 200-399.', [
    p('port', 'int', 'Port.'),
    p('host', 'str', 'Host.', "'localhost'"),
    p('scheme', 'str', "'http' or 'https'.", "'http'"),
    p('path', 'str', 'Request path.', "''"),
  ], 'HTTPGetAction'),
  fn('tcp_socket_action', 'local', 'Probe action: ready when a TCP connection succeeds.', [
    p('port', 'int', 'Port.'),
    p('host', 'str', 'Host.', "'localhost'"),
  ], 'TCPSocketAction'),

  // ---------- live update ----------
  fn('sync', 'live_update', 'Live-update step: copies changed files under a local path into the container.', [
    p('local_path', 'str', 'File or directory, relative to the Tiltfile.'),
    p('remote_path', 'str', 'Absolute destination path in the container.'),
  ], 'LiveUpdateStep'),
  fn('run', 'live_update', 'Live-update step: runs a command in the container after syncing (optionally only for some files).', [
    p('cmd', 'str | list[str]', `Command. ${commandDoc}`),
    p('trigger', 'str | list[str]', 'Only run when one of these files changed.', '[]'),
    p('echo_off', 'bool', 'Do not log the command output.', 'False'),
  ], 'LiveUpdateStep'),
  fn('fall_back_on', 'live_update', 'Live-update step: changes to these files force a full rebuild instead. Must come first.', [
    p('files', 'str | list[str]', 'Files or directories, relative to the Tiltfile.'),
  ], 'LiveUpdateStep'),
  fn('initial_sync', 'live_update', 'Live-update step: sync every matching file when a container starts. Must be the very first step.', [], 'LiveUpdateStep'),
  fn('restart_container', 'live_update', 'Live-update step (Docker Compose only): restart the container after updating. Must be last.', [], 'LiveUpdateStep'),

  // ---------- files ----------
  fn('read_file', 'files', 'Reads a file (which is then watched) and returns its contents.', [pathArg('file_path', 'File'), dflt], 'blob'),
  fn('watch_file', 'files', 'Reloads the Tiltfile when this file (or anything under this directory) changes.', [pathArg('file_path', 'File or directory')]),
  fn('listdir', 'files', 'Lists the files (absolute paths) in a directory.', [
    pathArg('directory', 'Directory'),
    p('recursive', 'bool', 'Walk subdirectories too (and watch them).', 'False'),
  ], 'list[str]'),
  fn('load', 'language', 'Runs another Tiltfile (or an `ext://` extension) and imports the named symbols. The path must be a literal.', [
    p('path', 'str', 'Tiltfile path or `ext://name`.'),
    p('symbols', 'str', 'Names to import (`name` or `alias="name"`).', undefined, { variadic: '*' }),
  ]),
  fn('load_dynamic', 'language', 'Runs another Tiltfile at run time and returns its globals as a dict.', [p('path', 'str', 'Tiltfile path or `ext://name`.')], 'dict[str, any]'),
  fn('include', 'language', 'Runs another Tiltfile (discouraged: prefer load).', [p('path', 'str', 'Tiltfile path.')]),

  // ---------- data ----------
  fn('blob', 'data', 'Wraps a string as a blob (content, as opposed to a path).', [p('contents', 'str', 'Text.')], 'blob'),
  fn('decode_json', 'data', 'Parses JSON text into Starlark values.', [p('json', 'str | blob', 'JSON text.')], 'dict | list'),
  fn('encode_json', 'data', 'Serialises a value (dicts with string keys, lists, strings, ints, bools) to JSON.', [p('obj', 'dict | list', 'Value.')], 'blob'),
  fn('read_json', 'data', 'Reads and parses a JSON file (which is then watched).', [pathArg('path', 'File'), p('default', 'any', 'Returned when the file does not exist.', 'None')], 'dict | list'),
  fn('decode_yaml', 'data', 'Parses one YAML document.', [p('yaml', 'str | blob', 'YAML text.')], 'dict | list'),
  fn('decode_yaml_stream', 'data', 'Parses a stream of YAML documents separated by `---`.', [p('yaml', 'str | blob', 'YAML text.')], 'list'),
  fn('encode_yaml', 'data', 'Serialises a value to YAML.', [p('obj', 'dict | list', 'Value.')], 'blob'),
  fn('encode_yaml_stream', 'data', 'Serialises a list of values to a YAML stream separated by `---`.', [p('objs', 'list', 'Values.')], 'blob'),
  fn('read_yaml', 'data', 'Reads and parses a YAML file (which is then watched).', [pathArg('path', 'File'), p('default', 'any', 'Returned when the file does not exist.', 'None')], 'dict | list'),
  fn('read_yaml_stream', 'data', 'Reads a multi-document YAML file into a list.', [pathArg('path', 'File'), p('default', 'list', 'Returned when the file does not exist.', 'None')], 'list'),
  fn('struct', 'language', 'Creates an object whose fields are the keyword arguments.', [p('kwargs', 'any', 'Fields.', undefined, { variadic: '**' })], 'struct'),
  fn('warn', 'language', 'Logs a warning and shows it as an alert.', [p('msg', 'str', 'Message.')]),
  fn('fail', 'language', 'Stops loading the Tiltfile with an error.', [p('msg', 'str', 'Error message.')]),
  fn('exit', 'language', 'Stops loading the Tiltfile without an error, logging the message.', [p('code', 'any', 'Message or value to log.')]),

  // ---------- settings ----------
  fn('trigger_mode', 'settings', 'Sets the default trigger mode for every resource.', [p('trigger_mode', 'TriggerMode', 'TRIGGER_MODE_AUTO or TRIGGER_MODE_MANUAL.')]),
  fn('update_settings', 'settings', 'Tunes updates: parallelism, apply timeout, unused-image warnings.', [
    p('max_parallel_updates', 'int', 'How many updates may run at once.', '3'),
    p('k8s_upsert_timeout_secs', 'int', 'Timeout of one Kubernetes apply.', '30'),
    p('suppress_unused_image_warnings', 'str | list[str]', "Images (or '*') not to warn about when unused.", 'None'),
    p('k8s_server_side_apply', 'str', "'true', 'false' or 'auto'.", "'auto'"),
  ]),
  fn('watch_settings', 'settings', 'Adds global ignore patterns for file watching (like .tiltignore). May be called repeatedly.', [
    p('ignore', 'str | list[str]', 'Patterns that never trigger updates.'),
  ]),
  fn('ci_settings', 'settings', 'Configures `ci` mode timeouts.', [
    p('k8s_grace_period', 'str', 'How long a failing Kubernetes resource may recover (duration).', "''"),
    p('timeout', 'str', 'Limit for the whole run (duration).', "'30m'"),
    p('readiness_timeout', 'str', 'Limit for each resource to become ready (duration).', "'5m'"),
  ]),
  fn('secret_settings', 'settings', 'Controls scrubbing of Kubernetes Secret values from logs.', [p('disable_scrub', 'bool', 'Do not scrub secrets.', 'False')]),
  fn('docker_prune_settings', 'settings', 'Configures background pruning of old images and containers built here.', [
    p('disable', 'bool', 'Turn pruning off.', 'False'),
    p('max_age_mins', 'int', 'Keep anything younger than this.', '360'),
    p('num_builds', 'int', 'Prune after this many builds (0: by interval).', '0'),
    p('interval_hrs', 'int', 'Prune every this many hours.', '1'),
    p('keep_recent', 'int', 'Always keep this many recent images per name.', '2'),
  ]),
  fn('version_settings', 'settings', 'Update checks and a required version constraint.', [
    p('check_updates', 'bool', 'Check for newer versions.', 'True'),
    p('constraint', 'str', "Semver range the running version must satisfy, e.g. '>=0.30.0'.", "''"),
  ]),
  fn('analytics_settings', 'settings', 'Turns usage telemetry on or off (Innerloop sends none).', [p('enable', 'bool', 'Enable telemetry.')]),
  fn('enable_feature', 'settings', 'Turns on a named experimental feature.', [p('feature_name', 'str', 'Feature name.')]),
  fn('disable_snapshots', 'settings', 'Hides the snapshot feature.', []),
  fn('set_team', 'settings', 'Associates the Tiltfile with a Tilt Cloud team (no effect in Innerloop).', [p('team_id', 'str', 'Team id.')]),

  // ---------- config.* ----------
  fn('config.define_string', 'config', 'Declares a string setting, set as `--name value` after `--` (or positionally when args=True).', [
    p('name', 'str', 'Setting name.'),
    p('args', 'bool', 'Takes the positional arguments.', 'False'),
    p('usage', 'str', 'Help text.', "''"),
  ]),
  fn('config.define_string_list', 'config', 'Declares a setting that collects strings (repeatable flag, or the positional args).', [
    p('name', 'str', 'Setting name.'),
    p('args', 'bool', 'Takes the positional arguments.', 'False'),
    p('usage', 'str', 'Help text.', "''"),
  ]),
  fn('config.define_bool', 'config', 'Declares a boolean setting.', [
    p('name', 'str', 'Setting name.'),
    p('args', 'bool', 'Takes the positional arguments.', 'False'),
    p('usage', 'str', 'Help text.', "''"),
  ]),
  fn('config.define_object', 'config', 'Declares a setting holding a JSON object (from tilt_config.json only).', [
    p('name', 'str', 'Setting name.'),
    p('args', 'bool', 'Takes the positional arguments.', 'False'),
    p('usage', 'str', 'Help text.', "''"),
  ]),
  fn('config.parse', 'config', 'Parses the Tiltfile arguments and tilt_config.json; returns a dict of setting values.', [], 'dict[str, any]'),
  fn('config.set_enabled_resources', 'config', 'Limits which resources run (others stay disabled).', [p('resources', 'list[str]', 'Resource names.')]),
  fn('config.clear_enabled_resources', 'config', 'Disables every resource.', []),

  // ---------- os.* ----------
  fn('os.getcwd', 'os', 'Returns the current working directory.', [], 'str'),
  fn('os.getenv', 'os', 'Returns an environment variable, or the default when unset.', [p('key', 'str', 'Variable name.'), p('default', 'str', 'Value when unset.', 'None')], 'str'),
  fn('os.putenv', 'os', 'Sets an environment variable for commands started afterwards.', [p('key', 'str', 'Variable name.'), p('value', 'str', 'Value.')]),
  fn('os.unsetenv', 'os', 'Removes an environment variable.', [p('key', 'str', 'Variable name.')]),
  fn('os.path.abspath', 'os', 'Absolute version of a path (relative to the Tiltfile directory).', [p('path', 'str', 'Path.')], 'str'),
  fn('os.path.basename', 'os', 'Last element of a path.', [p('path', 'str', 'Path.')], 'str'),
  fn('os.path.dirname', 'os', 'Path without its last element.', [p('path', 'str', 'Path.')], 'str'),
  fn('os.path.exists', 'os', 'Whether the path exists (the answer is watched).', [p('path', 'str', 'Path.')], 'bool'),
  fn('os.path.isdir', 'os', 'Whether the path is a directory.', [p('path', 'str', 'Path.')], 'bool'),
  fn('os.path.isfile', 'os', 'Whether the path is a regular file.', [p('path', 'str', 'Path.')], 'bool'),
  fn('os.path.join', 'os', 'Joins path elements.', [p('path', 'str', 'First element.'), p('paths', 'str', 'More elements.', undefined, { variadic: '*' })], 'str'),
  fn('os.path.realpath', 'os', 'Path with symlinks resolved.', [p('path', 'str', 'Path.')], 'str'),
  fn('os.path.relpath', 'os', 'Path relative to another (default: the current directory).', [p('targpath', 'str', 'Path.'), p('basepath', 'str', 'Base directory.', 'os.getcwd()')], 'str'),
  fn('shlex.quote', 'os', 'Quotes a string for safe use as one shell word.', [p('s', 'str', 'Text.')], 'str'),
];

export const TILT_VALUES: readonly ApiValue[] = [
  { name: 'TRIGGER_MODE_AUTO', type: 'TriggerMode', doc: 'Resources update whenever their files change (the default).' },
  { name: 'TRIGGER_MODE_MANUAL', type: 'TriggerMode', doc: 'Resources with changes wait for a manual trigger (the first update still runs).' },
  { name: '__file__', type: 'str', doc: 'Path of the Tiltfile being loaded.' },
  { name: 'config.main_dir', type: 'str', doc: 'Directory of the main Tiltfile.' },
  { name: 'config.main_path', type: 'str', doc: 'Path of the main Tiltfile.' },
  { name: 'config.tilt_subcommand', type: 'str', doc: "The command being run: 'up', 'down', 'ci', ..." },
  { name: 'os.environ', type: 'dict[str, str]', doc: 'The environment variables (writes affect later commands).' },
  { name: 'os.name', type: 'str', doc: "'posix' or 'nt'." },
  { name: 'sys.argv', type: 'list[str]', doc: 'The command line of the running process.' },
  { name: 'sys.executable', type: 'str', doc: 'Path of the running executable.' },
];

const byName = new Map(TILT_API.map((f) => [f.name, f]));
const valuesByName = new Map(TILT_VALUES.map((v) => [v.name, v]));

export function lookupFunction(name: string): ApiFunction | undefined {
  return byName.get(name);
}

export function lookupValue(name: string): ApiValue | undefined {
  return valuesByName.get(name);
}

/** `name` / `*name` / `**name`, with `=default` when optional. */
export function paramLabel(param: ApiParam): string {
  const prefix = param.variadic ?? '';
  return param.default === undefined ? `${prefix}${param.name}` : `${prefix}${param.name}=${param.default}`;
}

/** The parameter labels in call order, with the bare `*` before keyword-only parameters. */
export function signatureParts(f: ApiFunction): string[] {
  const parts: string[] = [];
  let starred = false;
  for (const param of f.params) {
    if (param.kwOnly && !starred) {
      parts.push('*');
      starred = true;
    }
    parts.push(paramLabel(param));
  }
  return parts;
}

/** One-line signature, e.g. `local(command, quiet=False, ...) -> blob`. */
export function signatureLabel(f: ApiFunction): string {
  return `${f.name}(${signatureParts(f).join(', ')}) -> ${f.returns}`;
}

/** Names that complete after `prefix.` (e.g. `os.` -> getenv, path, environ...). */
export function membersOf(prefix: string): string[] {
  const out = new Set<string>();
  const dotted = `${prefix}.`;
  for (const n of [...byName.keys(), ...valuesByName.keys()]) {
    if (n.startsWith(dotted)) out.add(n.slice(dotted.length).split('.')[0]!);
  }
  return [...out].sort();
}

/** Top-level names (functions, values and namespaces like `config`, `os`). */
export function topLevelNames(): string[] {
  const out = new Set<string>();
  for (const n of [...byName.keys(), ...valuesByName.keys()]) out.add(n.split('.')[0]!);
  return [...out].sort();
}
