// One resource update, the way Tilt decides it: for a k8s resource whose changed files are all covered by its
// images' live_update, copy them into the running containers; otherwise build the images (unchanged content
// reuses its tag), inject the refs into the manifests and apply. Every fallback carries a reason for the user.

import * as path from 'node:path';
import type { ImageTarget, K8sResource, Plan } from '../shared/plan';
import type { PendingChange } from '../shared/state';
import type { UpdateRequest, UpdateResult } from './buildController';
import { wrappedCommand } from './build/restartWrapper';
import { injectObjects, type InjectImage } from './deploy/inject';
import { applyToContainers, type ContainerRef } from './liveupdate/containerUpdate';
import { ContainerSyncTracker } from './liveupdate/highWaterMark';
import { planLiveUpdate, type LiveUpdatePlan } from './liveupdate/plan';
import type { ComposePort, ImageBuildPort, KubePort, LocalCmdPort, UpdateContext } from './ports';

export interface UpdaterDeps {
  plan(): Plan;
  images: ImageBuildPort;
  kube: KubePort;
  local: LocalCmdPort;
  /** docker_compose resources; absent = not supported by this owner. */
  compose?: ComposePort;
  /** Whether a path exists now (deleted files are removed in containers). */
  exists(p: string): boolean;
  output(resource: string, line: string): void;
  /** Epoch ms. */
  now(): number;
}

/** The images a resource needs, base images first. */
export function imagesInBuildOrder(plan: Plan, refs: readonly string[]): ImageTarget[] {
  const byRef = new Map(plan.images.map((i) => [i.ref, i]));
  const out: ImageTarget[] = [];
  const seen = new Set<string>();
  const visit = (ref: string): void => {
    if (seen.has(ref)) return;
    seen.add(ref);
    const img = byRef.get(ref);
    if (!img) return;
    for (const d of img.imageDeps) visit(d);
    out.push(img);
  };
  for (const r of refs) visit(r);
  return out;
}

type LivePlan = Extract<LiveUpdatePlan, { kind: 'live_update' }>;

function sameFiles(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(b);
  return a.every((f) => set.has(f));
}

/** Tilt's live-update-only image (custom_build command ':'): never built or injected, only live-updated. */
function isLiveUpdateOnly(img: ImageTarget): boolean {
  return img.kind === 'custom_build' && img.liveUpdateOnly === true;
}

const isUnder = (p: string, dir: string): boolean => p === dir || p.startsWith(dir.endsWith('/') ? dir : dir + '/');

export class ResourceUpdater {
  /** Per image ref: what each running container has received since the image was built. */
  private readonly trackers = new Map<string, ContainerSyncTracker>();

  constructor(private readonly deps: UpdaterDeps) {}

  update = async (req: UpdateRequest): Promise<UpdateResult> => {
    const plan = this.deps.plan();
    const resource = plan.resources.find((r) => r.name === req.name);
    if (!resource) return { kind: 'full', error: `resource ${req.name} is no longer in the Tiltfile` };
    const ctx: UpdateContext = { onOutput: (l) => this.deps.output(req.name, l) };
    if (resource.type === 'local') {
      if (resource.cmd.command.length === 0 && resource.serveCmd.command.length === 0) return { kind: 'full' };
      const { exitCode } = await this.deps.local.run(resource, ctx);
      return exitCode === 0 ? { kind: 'full' } : { kind: 'full', error: `cmd exited with code ${exitCode}` };
    }
    if (resource.type === 'docker_compose' && this.deps.compose) {
      try {
        await this.deps.compose.update(resource, ctx);
        return { kind: 'full' };
      } catch (err) {
        return { kind: 'full', error: err instanceof Error ? err.message : String(err) };
      }
    }
    if (resource.type === 'k8s_custom_deploy' && this.deps.kube.customDeploy) {
      // Every change is a full update here (live update for custom deploys is not wired yet).
      try {
        const refs: string[] = [];
        for (const img of imagesInBuildOrder(plan, resource.imageRefs)) if (!isLiveUpdateOnly(img)) refs.push((await this.deps.images.buildImage(img, ctx)).clusterRef);
        await this.deps.kube.customDeploy(resource, refs, ctx);
        return { kind: 'full' };
      } catch (err) {
        return { kind: 'full', error: `deploy failed: ${err instanceof Error ? err.message : String(err)}` };
      }
    }
    if (resource.type !== 'k8s') return { kind: 'full', error: `updating ${resource.type} resources is not supported yet` };

    let fallback: string | undefined;
    if (req.reason !== 'initial' && req.edits.length > 0) {
      const live = await this.tryLiveUpdate(plan, resource, req.edits, ctx);
      if (live.kind === 'done') return live.result;
      fallback = live.reason;
      ctx.onOutput(`Falling back to a full rebuild: ${live.reason}`);
    }
    return this.fullUpdate(plan, resource, ctx, fallback);
  };

  private async tryLiveUpdate(plan: Plan, resource: K8sResource, edits: readonly PendingChange[], ctx: UpdateContext): Promise<{ kind: 'done'; result: UpdateResult } | { kind: 'fallback'; reason: string }> {
    const images = imagesInBuildOrder(plan, resource.imageRefs);
    const mine = new Set(images.map((i) => i.ref));
    // The watcher routed each edit to images already (watch/targets.ts changesByResource); only keep the images
    // this plan still gives the resource.
    const byImage = new Map<string, string[]>();
    for (const e of edits) {
      const refs = e.images.filter((ref) => mine.has(ref));
      if (refs.length === 0) return { kind: 'fallback', reason: `${path.relative(path.dirname(plan.tiltfile), e.path)} is not part of any image of ${resource.name}` };
      for (const ref of refs) byImage.set(ref, [...(byImage.get(ref) ?? []), e.path]);
    }
    // Tilt: a base image's file that a child image syncs is live-updated into the child's containers.
    for (const [ref, files] of [...byImage]) {
      const base = images.find((i) => i.ref === ref);
      const child = base && images.find((c) => c.imageDeps.includes(base.ref) && files.every((f) => c.liveUpdate.some((st) => st.kind === 'sync' && isUnder(f, st.localPath))));
      if (!child) continue;
      byImage.delete(ref);
      byImage.set(child.ref, [...(byImage.get(child.ref) ?? []), ...files]);
    }
    // Plan first for every image, so one image's fallback is known before anything is copied anywhere.
    const work: { img: ImageTarget; plan: LivePlan }[] = [];
    for (const img of images) {
      const files = byImage.get(img.ref);
      if (!files) continue;
      // A base image changed: its children must be rebuilt, live update can't patch a FROM.
      if (images.some((child) => child.imageDeps.includes(img.ref))) return { kind: 'fallback', reason: `base image ${img.ref} changed` };
      const p = this.planFiles(plan, img, files);
      if (p.kind === 'full_rebuild') return { kind: 'fallback', reason: p.reason };
      if (p.kind === 'live_update') work.push({ img, plan: p });
    }
    for (const w of work) {
      const tracker = this.tracker(w.img.ref);
      const now = this.deps.now();
      for (const f of byImage.get(w.img.ref) ?? []) tracker.recordChange(f, now);
      const containers = this.deps.kube.runningContainers(resource.name, w.img.matchName);
      if (containers.length === 0) return { kind: 'fallback', reason: `no running container for ${w.img.ref} yet` };
      const result = await this.syncEach(plan, w.img, containers, ctx, { files: byImage.get(w.img.ref) ?? [], plan: w.plan });
      if (result) return result;
    }
    return { kind: 'done', result: { kind: 'live_update', reason: `live update (${edits.length} file${edits.length === 1 ? '' : 's'})` } };
  }

  /**
   * Bring each container up to date with every change it has not received (Tilt's high-water marks): the new
   * edits for containers already in sync, everything since the image build for new or restarted containers.
   * Returns undefined when all containers succeeded.
   */
  private async syncEach(
    plan: Plan,
    img: ImageTarget,
    containers: readonly ContainerRef[],
    ctx: UpdateContext,
    planned?: { files: readonly string[]; plan: LivePlan },
  ): Promise<{ kind: 'done'; result: UpdateResult } | { kind: 'fallback'; reason: string } | undefined> {
    const tracker = this.tracker(img.ref);
    let updated = 0;
    for (const c of containers) {
      const pending = tracker.pending(c.containerId);
      if (pending.files.length === 0) {
        tracker.markSynced(c.containerId, pending.upTo);
        continue;
      }
      // A container in sync needs exactly the edits already planned: plan again only for the rest (new containers).
      const p = planned && sameFiles(pending.files, planned.files) ? planned.plan : this.planFiles(plan, img, pending.files);
      if (p.kind === 'full_rebuild') return { kind: 'fallback', reason: p.reason };
      if (p.kind !== 'live_update') continue;
      const outcome = await applyToContainers(this.deps.kube.exec, [c], p, { onOutput: ctx.onOutput, restartFile: img.restartProcess?.restartFile });
      if (outcome.kind === 'run_failed') {
        // The files are in place; only the user's command failed. Don't resend them.
        tracker.markSynced(c.containerId, pending.upTo);
        return { kind: 'done', result: { kind: 'live_update', error: `live update step failed in ${outcome.container.pod} (exit ${outcome.exitCode}): ${outcome.command}` } };
      }
      if (outcome.kind === 'container_gone') {
        // Not a reason to rebuild: the new container has no high-water mark, so the engine replays every change
        // since the image build onto it once it runs (engine.ts noticeContainers), this one included.
        ctx.onOutput(`${outcome.reason}; the changed files will be replayed onto the new container when it runs`);
        continue;
      }
      if (outcome.kind === 'needs_rebuild') {
        if (outcome.hint) ctx.onOutput(`Hint: ${outcome.hint}`);
        const inconsistent = updated > 0 ? `; ${updated} other container(s) were already updated, so the pods are inconsistent` : '';
        return { kind: 'fallback', reason: outcome.reason + inconsistent };
      }
      tracker.markSynced(c.containerId, pending.upTo);
      updated++;
    }
    tracker.retainContainers(containers.map((c) => c.containerId));
    return undefined;
  }

  /**
   * For the pod-discovery reconciler: a container of this resource started or restarted. Replays every file
   * changed since its image was built onto containers without a high-water mark. Returns an error text when
   * that fails (the caller should then trigger a full update), undefined otherwise.
   */
  async syncNewContainers(resourceName: string): Promise<string | undefined> {
    const plan = this.deps.plan();
    const resource = plan.resources.find((r) => r.name === resourceName);
    if (!resource || resource.type !== 'k8s') return undefined;
    const ctx: UpdateContext = { onOutput: (l) => this.deps.output(resourceName, l) };
    for (const img of imagesInBuildOrder(plan, resource.imageRefs)) {
      if (!img.liveUpdate.some((s) => s.kind === 'sync')) continue;
      const r = await this.syncEach(plan, img, this.deps.kube.runningContainers(resourceName, img.matchName), ctx);
      if (r?.kind === 'fallback') return r.reason;
      if (r?.kind === 'done' && r.result.error) return r.result.error;
    }
    return undefined;
  }

  /** The live-update plan for these files of an image (the one place planning happens). */
  private planFiles(plan: Plan, img: ImageTarget, files: readonly string[]): LiveUpdatePlan {
    return planLiveUpdate(img.liveUpdate, files.map((f) => ({ path: f, deleted: !this.deps.exists(f) })), {
      displayBase: path.dirname(plan.tiltfile),
      restartProcess: img.restartProcess !== undefined && !img.restartProcess.triggered,
    });
  }

  private tracker(ref: string): ContainerSyncTracker {
    let t = this.trackers.get(ref);
    if (!t) this.trackers.set(ref, (t = new ContainerSyncTracker()));
    return t;
  }

  private async fullUpdate(plan: Plan, resource: K8sResource, ctx: UpdateContext, fallback: string | undefined): Promise<UpdateResult> {
    const injectImages: InjectImage[] = [];
    try {
      for (const img of imagesInBuildOrder(plan, resource.imageRefs)) {
        if (isLiveUpdateOnly(img)) continue;
        const built = await this.deps.images.buildImage(img, ctx);
        this.tracker(img.ref).imageBuilt(built.buildStartTime);
        // restart_process images run under the restart wrapper, carried in the container command.
        const entrypoint = img.restartProcess ? wrappedCommand(img.restartProcess.entrypoint, img.restartProcess.restartFile) : img.entrypoint;
        injectImages.push({ matchName: img.matchName, ref: built.clusterRef, matchInEnvVars: img.matchInEnvVars, entrypoint, containerArgs: img.containerArgs });
      }
    } catch (err) {
      return { kind: 'full', reason: fallback, error: `image build failed: ${err instanceof Error ? err.message : String(err)}` };
    }
    const { objects } = injectObjects(resource.objects, { images: injectImages, locators: plan.k8s.imageLocators });
    try {
      await this.deps.kube.apply(resource, objects, ctx);
    } catch (err) {
      return { kind: 'full', reason: fallback, error: `apply failed: ${err instanceof Error ? err.message : String(err)}` };
    }
    return { kind: 'full', reason: fallback };
  }
}
