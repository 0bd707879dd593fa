// Builds watch targets from the plan and maps routed changes back to resources.

import * as path from 'node:path';
import type { ImageTarget, Plan } from '../../tiltfile/plan';
import type { PendingChange } from '../../shared/state';
import type { FileEvent } from './coalesce';
import { EPHEMERAL_FILTER, anyOf, dockerBuildPatternSets, patternFilter, sessionFilter } from './ignores';
import type { WatchTarget } from './router';

export const CONFIG_TARGET = 'config';
export const imageTargetId = (ref: string): string => `image:${ref}`;
export const resourceTargetId = (name: string): string => `resource:${name}`;

export function imageWatchTarget(img: ImageTarget, session: WatchTarget['filter'], tiltfile?: string): WatchTarget {
  if (img.kind === 'docker_build') {
    // The same sets as the build context (so a change the build would not see triggers nothing), but lenient:
    // an invalid .dockerignore fails the build with a clear error; the watcher keeps going.
    const sets = dockerBuildPatternSets(img.context, img.dockerfile, img.ignore, img.only, { tiltfile, lenient: true });
    return {
      id: imageTargetId(img.ref),
      deps: img.dockerfile ? [img.context, img.dockerfile] : [img.context],
      filter: anyOf([session, ...sets.map((s) => patternFilter(img.context, s))]),
      always: img.dockerfile ? [img.dockerfile] : undefined,
    };
  }
  return {
    id: imageTargetId(img.ref),
    deps: img.deps,
    filter: anyOf([session, ...img.deps.map((d) => patternFilter(d, img.ignore))]),
  };
}

export function watchTargetsFromPlan(plan: Plan): WatchTarget[] {
  const dir = path.dirname(plan.tiltfile);
  const session = sessionFilter(dir, plan.settings.watchIgnore);
  const out: WatchTarget[] = [{ id: CONFIG_TARGET, deps: plan.configFiles, filter: EPHEMERAL_FILTER }];
  for (const img of plan.images) out.push(imageWatchTarget(img, session, plan.tiltfile));
  for (const r of plan.resources) {
    if (r.type === 'local' && r.deps.length > 0) {
      out.push({ id: resourceTargetId(r.name), deps: r.deps, filter: anyOf([session, patternFilter(dir, r.ignore)]) });
    } else if (r.type === 'k8s_custom_deploy' && r.deps.length > 0) {
      out.push({ id: resourceTargetId(r.name), deps: r.deps, filter: session });
    }
  }
  return out;
}

/** Image refs that must rebuild when `ref` changes: itself and every image built FROM it, transitively. */
export function dependentImages(plan: Plan, ref: string): Set<string> {
  const out = new Set([ref]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const img of plan.images) {
      if (!out.has(img.ref) && img.imageDeps.some((d) => out.has(d))) {
        out.add(img.ref);
        grew = true;
      }
    }
  }
  return out;
}

export interface RoutedChanges {
  /** Config files changed: the Tiltfile must be re-executed. */
  configChanged: FileEvent[];
  /** Per resource, the changed paths (one entry each) with the resource's images that saw them. */
  resources: Map<string, PendingChange[]>;
}

/**
 * Turn per-target events into per-resource changes. This is the only routing of a path: the updater live-updates
 * each change into the images recorded here instead of routing it again.
 */
export function changesByResource(plan: Plan, routed: ReadonlyMap<string, FileEvent[]>): RoutedChanges {
  const resources = new Map<string, Map<string, PendingChange>>();
  const add = (name: string, events: FileEvent[], image?: string): void => {
    let byPath = resources.get(name);
    if (!byPath) resources.set(name, (byPath = new Map()));
    for (const e of events) {
      let c = byPath.get(e.path);
      if (!c) byPath.set(e.path, (c = { path: e.path, images: [] }));
      if (image !== undefined && !c.images.includes(image)) c.images.push(image);
    }
  };
  for (const [id, events] of routed) {
    if (id.startsWith('resource:')) add(id.slice('resource:'.length), events);
    else if (id.startsWith('image:')) {
      const ref = id.slice('image:'.length);
      const refs = dependentImages(plan, ref);
      for (const r of plan.resources) {
        if ('imageRefs' in r && r.imageRefs.some((x) => refs.has(x))) add(r.name, events, ref);
      }
    }
  }
  return {
    configChanged: routed.get(CONFIG_TARGET) ?? [],
    resources: new Map([...resources].map(([k, v]) => [k, [...v.values()]])),
  };
}
