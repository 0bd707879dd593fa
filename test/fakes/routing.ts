// Edits as the engine's watcher hands them to the updater: routed once by the plan's watch targets.
import type { Plan } from '../../src/shared/plan';
import type { PendingChange } from '../../src/shared/state';
import { PathRouter } from '../../src/engine/watch/router';
import { changesByResource, watchTargetsFromPlan } from '../../src/engine/watch/targets';

export function routedEdits(plan: Plan, resource: string, paths: readonly string[]): PendingChange[] {
  const routed = new PathRouter(watchTargetsFromPlan(plan)).routeBatch(paths.map((p) => ({ path: p, type: 'change' as const })));
  const mine = changesByResource(plan, routed).resources.get(resource) ?? [];
  // A path no target wanted still reaches the updater (it falls back with a reason), as a change of no image.
  return paths.map((p) => mine.find((c) => c.path === p) ?? { path: p, images: [] });
}
