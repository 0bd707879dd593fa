// The engine's ImageBuildPort on a real Docker daemon: docker_build through build/docker.ts (content tags, so an
// unchanged context is not rebuilt), custom_build by running the user's command with $EXPECTED_REF, and then
// making the image reachable for the cluster (restart_process needs no image of its own): push to the
// discovered (KEP-1755) or default registry, or nothing when the cluster's runtime is this very Docker daemon.

import type Dockerode from 'dockerode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { daemonAddress, withDaemonRetry } from '../build/daemonRetry';
import { DockerImageBuilder } from '../build/docker';
import { builtRefReplacer, rewriteDockerfileRefs } from '../build/dockerfileRefs';
import { pushWithRetry } from '../build/pushRetry';
import { clusterRefFor, type TargetRegistry } from '../k8s/registry';
import type { BuiltImage, ImageBuildPort, UpdateContext } from '../ports';
import { dockerBuildPatternSets } from '../watch/ignores';
import type { CustomBuildTarget, DockerBuildTarget, ImageTarget } from '../../tiltfile/plan';
import { runCommand } from './process';

export interface ImageAdapterOptions {
  docker: Dockerode;
  /** Where the cluster pulls from (discovered or default_registry); undefined = no registry. */
  registry(): TargetRegistry | undefined;
  /** The cluster's container runtime uses this Docker daemon: built images need no push. */
  clusterUsesLocalDocker: boolean;
  now(): number;
  /** The main Tiltfile, never sent in a build context (as in Tilt). */
  tiltfile?(): string | undefined;
}

/** Image ref without tag/digest: "localhost:5000/api:dev" -> "localhost:5000/api". */
export function repoOf(ref: string): string {
  const at = ref.indexOf('@');
  const noDigest = at >= 0 ? ref.slice(0, at) : ref;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

export class DockerImageAdapter implements ImageBuildPort {
  private readonly builder: DockerImageBuilder;
  /** Last built cluster ref per image ref: images that depend on a base image build FROM that. */
  private readonly built = new Map<string, string>();

  constructor(private readonly opts: ImageAdapterOptions) {
    this.builder = new DockerImageBuilder(opts.docker);
  }

  /** A daemon that is down or restarting is waited for (build/daemonRetry.ts); the whole build is retried. */
  async buildImage(img: ImageTarget, ctx: UpdateContext): Promise<BuiltImage> {
    const buildStartTime = this.opts.now();
    return await withDaemonRetry(daemonAddress(this.opts.docker), () => this.buildOnce(img, ctx, buildStartTime), { onOutput: ctx.onOutput, signal: ctx.signal });
  }

  private async buildOnce(img: ImageTarget, ctx: UpdateContext, buildStartTime: number): Promise<BuiltImage> {
    const registry = this.opts.registry();
    const { pushRef: pushRepo, clusterRef: clusterRepo } = clusterRefFor(repoOf(img.ref), registry);
    if (!registry && !this.opts.clusterUsesLocalDocker) {
      throw new Error(
        `no registry to push ${img.ref} to: the cluster advertises no local registry (KEP-1755 ConfigMap local-registry-hosting in kube-public) ` +
          `and its nodes do not use this Docker daemon. Set default_registry('host:port') in the Tiltfile.`,
      );
    }
    let ref: string;
    let reused: boolean;
    if (img.kind === 'docker_build') ({ ref, reused } = await this.dockerBuild(img, pushRepo, ctx));
    else ({ ref, reused } = await this.customBuild(img, pushRepo, ctx));
    // Push only what the cluster cannot already see.
    if (registry && !this.opts.clusterUsesLocalDocker && !(img.kind === 'custom_build' && img.disablePush)) {
      ctx.onOutput(`Pushing ${ref}`);
      const pushed = ref;
      await pushWithRetry(pushed, () => this.builder.push(pushed, ctx.onOutput, ctx.signal), { onOutput: ctx.onOutput, signal: ctx.signal });
    }
    const tag = ref.slice(repoOf(ref).length);
    const clusterRef = pushRepo === clusterRepo ? ref : `${clusterRepo}${tag}`;
    this.built.set(img.ref, ref);
    return { clusterRef, buildStartTime, reused };
  }

  private async dockerBuild(img: DockerBuildTarget, repo: string, ctx: UpdateContext): Promise<{ ref: string; reused: boolean }> {
    const buildArgs = { ...img.buildArgs };
    // FROM / COPY --from naming an image we built: build from exactly the ref just built, as Tilt does.
    let dockerfileContents = img.dockerfileContents;
    if (img.imageDeps.length > 0) {
      const text = dockerfileContents ?? fs.readFileSync(img.dockerfile ?? path.join(img.context, 'Dockerfile'), 'utf8');
      const rewritten = rewriteDockerfileRefs(text, buildArgs, builtRefReplacer(img.imageDeps.map((d) => ({ ref: d, built: this.built.get(d) }))));
      if (rewritten !== text) dockerfileContents = rewritten;
    }
    ctx.onOutput(`Building ${img.ref} from ${img.context}`);
    const tiltfile = this.opts.tiltfile?.();
    const r = await this.builder.build({
      spec: {
        context: img.context,
        dockerfile: img.dockerfile,
        dockerfileContents,
        ignoreSets: dockerBuildPatternSets(img.context, img.dockerfile, img.ignore, img.only, { tiltfile }),
        buildArgs,
        target: img.target,
        platform: img.platform,
      },
      repo,
      extraTags: img.extraTags,
      network: img.network,
      pull: img.pull,
      cacheFrom: img.cacheFrom,
      extraHosts: img.extraHosts,
      secrets: img.secret,
      ssh: img.ssh,
      baseDir: tiltfile ? path.dirname(tiltfile) : undefined,
      onOutput: ctx.onOutput,
      signal: ctx.signal,
    });
    return { ref: r.ref, reused: r.skipped };
  }

  private async customBuild(img: CustomBuildTarget, repo: string, ctx: UpdateContext): Promise<{ ref: string; reused: boolean }> {
    const tag = img.tag || `innerloop-${this.opts.now().toString(16)}`;
    const expected = `${repo}:${tag}`;
    ctx.onOutput(`Running custom build for ${img.ref}: ${img.command.join(' ')}`);
    const { exitCode } = await runCommand(
      { command: img.command, shell: img.shell, dir: img.dir, env: { ...img.env, EXPECTED_REF: expected, EXPECTED_REGISTRY: repo.split('/')[0] ?? '', EXPECTED_IMAGE: repo } },
      { onOutput: ctx.onOutput, signal: ctx.signal },
    );
    if (exitCode !== 0) throw new Error(`custom_build command exited with code ${exitCode}`);
    let ref = expected;
    if (img.outputsImageRefTo) ref = fs.readFileSync(img.outputsImageRefTo, 'utf8').trim();
    // skips_local_docker: the command pushed the image itself; we cannot check it here.
    if (!img.skipsLocalDocker && !(await this.builder.imageExists(ref))) {
      throw new Error(`custom_build command succeeded but image ${ref} does not exist: the command must build and tag $EXPECTED_REF`);
    }
    return { ref, reused: false };
  }
}
