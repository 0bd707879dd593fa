// The engine's edges: everything that talks to Docker, Kubernetes or processes is behind these interfaces,
// so the core (scheduling, planning, state) is tested with fakes and the real adapters plug in from outside.

import type { DockerComposeResource, ImageTarget, K8sCustomDeployResource, K8sObject, K8sResource, LocalResource } from '../shared/plan';
import type { ContainerExecutor, ContainerRef } from './liveupdate/containerUpdate';

export interface UpdateContext {
  /** One line of build/deploy output for the resource's log. */
  onOutput(line: string): void;
  signal?: AbortSignal;
}

export interface BuiltImage {
  /** Ref to inject into manifests (what the cluster pulls). */
  clusterRef: string;
  /** Epoch ms when the build started (live-update high-water marks start here). */
  buildStartTime: number;
  /** The content tag already existed: nothing was built. */
  reused: boolean;
}

/**
 * Builds an image (docker_build / custom_build) and makes it available to the cluster (push / kind load).
 * Images with `restartProcess` need nothing more: the restart wrapper travels in the container command
 * (build/restartWrapper.ts).
 */
export interface ImageBuildPort {
  buildImage(img: ImageTarget, ctx: UpdateContext): Promise<BuiltImage>;
}

/** Applies objects and knows the running containers of a resource. */
export interface KubePort {
  apply(resource: K8sResource, objects: K8sObject[], ctx: UpdateContext): Promise<void>;
  /** Running containers of the resource whose image matches `matchName`. */
  runningContainers(resource: string, matchName: string): ContainerRef[];
  exec: ContainerExecutor;
  /**
   * k8s_custom_deploy: run apply_cmd with the built images as $TILT_IMAGE_<i> and follow the objects it prints.
   * Absent = not supported by this owner.
   */
  customDeploy?(resource: K8sCustomDeployResource, images: readonly string[], ctx: UpdateContext): Promise<void>;
  /**
   * The resource left the Tiltfile: stop following it (discovery, port forwards, log streams) and delete what
   * it applied (except objects annotated tilt.dev/down-policy: keep). Absent = nothing to clean up.
   */
  remove?(resource: string, ctx: UpdateContext): Promise<void>;
}

/** Runs a local_resource `cmd` to completion. */
export interface LocalCmdPort {
  run(resource: LocalResource, ctx: UpdateContext): Promise<{ exitCode: number }>;
  /** The resource left the Tiltfile: stop its serve_cmd. */
  remove?(resource: string): Promise<void>;
}

/** Brings a docker_compose service up to date (its images built into the local daemon, then the container). */
export interface ComposePort {
  update(resource: DockerComposeResource, ctx: UpdateContext): Promise<void>;
}
