// docker_build, custom_build, default_registry.
import { relative, resolve } from 'node:path';
import { Builtin, type Call, type Value } from '../starlark';
import { absent, bool, command, optStr, str, strDict, strList, unpack } from './args';
import { isValidRef, matchName } from './imageRef';
import { isUnder, liveUpdateFromValue } from './liveUpdate';
import type { CustomBuildTarget, DockerBuildTarget, ImageTarget, LiveUpdateStep } from './plan';
import type { TiltfileState } from './state';
import { Blob } from './values';

export const dockerBuildParams = [
  'ref', 'context', 'build_args?', 'dockerfile?', 'dockerfile_contents?', 'live_update?', 'match_in_env_vars?',
  'ignore?', 'only?', 'entrypoint?', 'target?', 'ssh?', 'network?', 'secret?', 'extra_tag?', 'container_args?',
  'cache_from?', 'pull?', 'platform?', 'extra_hosts?',
];

export function parseRef(v: Value | undefined, param = 'ref'): string {
  const ref = str(v, param);
  if (!ref) throw new Error(`Argument 1 (${param}): empty but is required`);
  if (!isValidRef(ref)) throw new Error(`Argument 1 (${param}): can't parse ${JSON.stringify(ref)}: invalid reference format`);
  return ref;
}

/** A string entrypoint is shell form (`sh -c`), a list is exec form — as Tilt's model.ToShellCmd. */
export function entrypointArg(v: Value | undefined): string[] {
  const c = command(v, 'entrypoint');
  return c.shell ? ['sh', '-c', c.command[0]!] : c.command;
}

export function addImage(s: TiltfileState, img: ImageTarget): void {
  if (s.imageRefs.has(img.ref)) throw new Error(`Image for ref ${JSON.stringify(img.ref)} has already been defined`);
  s.images.push(img);
  s.imageRefs.add(img.ref);
}

export function dockerBuild(s: TiltfileState, call: Call): DockerBuildTarget {
  const a = unpack(call, dockerBuildParams);
  const ref = parseRef(a.ref);
  if (absent(a.context)) throw new Error('Argument 2 (context): empty but is required');
  const context = s.resolve(str(a.context, 'context'));
  if (!s.exists(context)) throw new Error(`Argument 2 (context): directory not found: ${context}`);
  if (!s.isDir(context)) throw new Error(`Argument 2 (context): ${context} is a file; the build context must be a directory`);

  let dockerfile: string | undefined;
  let dockerfileContents: string | undefined;
  if (!absent(a.dockerfile) && !absent(a.dockerfile_contents)) {
    throw new Error('Cannot specify both dockerfile and dockerfile_contents keyword arguments');
  }
  if (!absent(a.dockerfile_contents)) {
    const c = a.dockerfile_contents;
    if (typeof c === 'string') dockerfileContents = c;
    else if (c instanceof Blob) dockerfileContents = c.text;
    else throw new Error('Argument (dockerfile_contents): must be string or blob.');
  } else {
    dockerfile = absent(a.dockerfile) ? `${context}/Dockerfile` : s.resolve(str(a.dockerfile, 'dockerfile'));
    if (!s.exists(dockerfile)) throw new Error(`error reading dockerfile: file not found: ${dockerfile}`);
    s.configFiles.add(dockerfile);
  }

  // `only` is relative to the context, as in Tilt.
  const only = strList(a.only, 'only').map((p) => {
    const abs = resolve(context, p);
    if (!isUnder(abs, context)) throw new Error(`only: path ${JSON.stringify(p)} is outside the build context ${context}`);
    return relative(context, abs) || '.';
  });
  // Sync sources are checked at assembly, once image dependencies (FROM another image) are known.
  const liveUpdate = liveUpdateFromValue(a.live_update, []);
  // The build reads these ignore files; a change to them changes the build, so the load depends on them.
  for (const f of [`${context}/.dockerignore`, dockerfile ? `${dockerfile}.dockerignore` : '']) if (f && s.exists(f)) s.configFiles.add(f);

  let containerArgs: string[] | undefined;
  if (!absent(a.container_args)) containerArgs = strList(a.container_args, 'container_args');
  const img: DockerBuildTarget = {
    kind: 'docker_build',
    ref,
    matchName: matchName(ref),
    liveUpdate,
    matchInEnvVars: bool(a.match_in_env_vars, 'match_in_env_vars'),
    entrypoint: entrypointArg(a.entrypoint),
    ignore: strList(a.ignore, 'ignore'),
    imageDeps: [],
    containerArgs,
    pos: s.pos(call),
    context,
    dockerfile,
    dockerfileContents,
    buildArgs: strDict(a.build_args, 'build_args'),
    target: optStr(a.target, 'target') || undefined,
    network: optStr(a.network, 'network') || undefined,
    platform: optStr(a.platform, 'platform') || undefined,
    extraTags: strList(a.extra_tag, 'extra_tag'),
    only,
    ssh: strList(a.ssh, 'ssh'),
    secret: strList(a.secret, 'secret'),
    cacheFrom: strList(a.cache_from, 'cache_from'),
    pull: bool(a.pull, 'pull'),
    extraHosts: strList(a.extra_hosts, 'extra_hosts'),
  };
  for (const t of img.extraTags) {
    if (!isValidRef(t)) throw new Error(`Argument extra_tag: can't parse ${JSON.stringify(t)}: invalid reference format`);
  }
  addImage(s, img);
  return img;
}

/**
 * Tilt's live-update-only image: a custom_build whose command is `:` (or, with skips_local_docker, another no-op)
 * and which has live_update sync/run steps. Nothing is built or injected; running containers of the image named
 * in the YAML get the live updates.
 */
function isLiveUpdateOnly(cmd: { command: string[]; shell: boolean }, skipsLocalDocker: boolean, steps: LiveUpdateStep[]): boolean {
  if (!steps.some((st) => st.kind === 'sync' || st.kind === 'run')) return false;
  const argv = cmd.shell ? [cmd.command[0]!.trim()] : cmd.command[0] === 'sh' && cmd.command[1] === '-c' ? cmd.command.slice(2).map((c) => c.trim()) : cmd.command;
  if (argv.length !== 1) return false;
  return argv[0] === ':' || (skipsLocalDocker && (argv[0] === 'true' || argv[0] === 'exit 0'));
}

export function customBuild(s: TiltfileState, call: Call): CustomBuildTarget {
  const a = unpack(call, [
    'ref', 'command?', 'deps?', 'tag?', 'disable_push?', 'skips_local_docker?', 'live_update?', 'match_in_env_vars?',
    'ignore?', 'entrypoint?', 'command_bat_val?', 'outputs_image_ref_to?', 'command_bat?', 'image_deps?', 'env?', 'dir?',
  ]);
  const ref = parseRef(a.ref);
  const cmd = command(a.command, 'command');
  const bat = command(absent(a.command_bat) ? a.command_bat_val : a.command_bat, 'command_bat');
  if (cmd.command.length === 0 && bat.command.length === 0) throw new Error("Argument 2 (command) can't be empty");
  if (absent(a.deps)) throw new Error('custom_build: missing argument for deps');
  const deps = strList(a.deps, 'deps').map((d) => s.resolve(d));
  const tag = str(a.tag, 'tag');
  const outputsTo = optStr(a.outputs_image_ref_to, 'outputs_image_ref_to') || undefined;
  if (tag && outputsTo) throw new Error('Cannot specify both tag and outputs_image_ref_to');
  const imageDeps = strList(a.image_deps, 'image_deps');
  for (const d of imageDeps) {
    if (!isValidRef(d)) throw new Error(`image_deps: can't parse ${JSON.stringify(d)}: invalid reference format`);
  }
  const liveUpdate = liveUpdateFromValue(a.live_update, []);
  const skipsLocalDocker = bool(a.skips_local_docker, 'skips_local_docker');
  const img: CustomBuildTarget = {
    kind: 'custom_build',
    ref,
    matchName: matchName(ref),
    liveUpdate,
    matchInEnvVars: bool(a.match_in_env_vars, 'match_in_env_vars'),
    entrypoint: entrypointArg(a.entrypoint),
    ignore: strList(a.ignore, 'ignore'),
    imageDeps,
    pos: s.pos(call),
    command: cmd.command,
    shell: cmd.shell,
    deps,
    tag,
    disablePush: bool(a.disable_push, 'disable_push'),
    skipsLocalDocker,
    liveUpdateOnly: isLiveUpdateOnly(cmd, skipsLocalDocker, liveUpdate) || undefined,
    outputsImageRefTo: outputsTo ? s.resolve(outputsTo) : undefined,
    env: strDict(a.env, 'env'),
    dir: absent(a.dir) ? s.dir() : s.resolve(str(a.dir, 'dir')),
  };
  addImage(s, img);
  return img;
}

export function dockerBuiltins(s: TiltfileState): Record<string, Value> {
  return {
    docker_build: new Builtin('docker_build', (call) => { dockerBuild(s, call); return null; }),
    custom_build: new Builtin('custom_build', (call) => { customBuild(s, call); return null; }),
    default_registry: new Builtin('default_registry', (call) => {
      const a = unpack(call, ['host', 'host_from_cluster?', 'single_name?']);
      if (s.defaultRegistry) throw new Error('default registry already defined');
      const host = str(a.host, 'host');
      if (!host) throw new Error('default_registry: host must not be empty');
      s.defaultRegistry = {
        host,
        hostFromCluster: optStr(a.host_from_cluster, 'host_from_cluster') || undefined,
        singleName: optStr(a.single_name, 'single_name') || undefined,
      };
      return null;
    }),
  };
}
