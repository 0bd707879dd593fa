// Routes changed paths to the watch targets (images, resources, the Tiltfile's config files) whose deps
// contain them and whose ignores don't exclude them.

import * as path from 'node:path';
import type { FileEvent } from './coalesce';
import type { PathFilter } from './ignores';

export interface WatchTarget {
  /** "image:<ref>", "resource:<name>" or "config". */
  id: string;
  /** Absolute files or directories; a directory covers everything below it. */
  deps: string[];
  filter: PathFilter;
  /** Paths reported even when the filter ignores them (a Dockerfile excluded by .dockerignore). */
  always?: string[];
}

export function isUnder(p: string, dep: string): boolean {
  return p === dep || (p.startsWith(dep) && (dep.endsWith(path.sep) || p[dep.length] === path.sep));
}

export class PathRouter {
  readonly targets: readonly WatchTarget[];

  constructor(targets: readonly WatchTarget[]) {
    this.targets = targets.map((t) => ({ ...t, deps: t.deps.map((d) => path.resolve(d)) }));
  }

  /** Target ids interested in a change to this path. */
  route(absPath: string): string[] {
    const out: string[] = [];
    for (const t of this.targets) {
      if (t.always?.includes(absPath)) out.push(t.id);
      else if (t.deps.some((d) => isUnder(absPath, d)) && !t.filter.ignores(absPath)) out.push(t.id);
    }
    return out;
  }

  /** One entry per interested target, events in batch order. */
  routeBatch(events: readonly FileEvent[]): Map<string, FileEvent[]> {
    const out = new Map<string, FileEvent[]>();
    for (const e of events) {
      for (const id of this.route(e.path)) {
        let list = out.get(id);
        if (!list) out.set(id, (list = []));
        list.push(e);
      }
    }
    return out;
  }

  /** The minimal set of paths to watch: every dep, minus those inside another dep. */
  roots(): string[] {
    const all = [...new Set(this.targets.flatMap((t) => t.deps))].sort();
    return all.filter((d) => !all.some((o) => o !== d && isUnder(d, o)));
  }

  /**
   * Can the watcher skip this path? Only if no target could want it: outside all deps, or every covering
   * target ignores it (for a directory: can skip all of it). `isDir` undefined = not known yet.
   */
  canSkip(absPath: string, isDir: boolean | undefined): boolean {
    let covered = false;
    for (const t of this.targets) {
      if (t.always?.some((a) => isUnder(a, absPath))) return false;
      // A directory that is an ancestor of a dep must be traversed.
      if (t.deps.some((d) => isUnder(d, absPath))) return false;
      if (!t.deps.some((d) => isUnder(absPath, d))) continue;
      covered = true;
      const skip = isDir === false ? t.filter.ignores(absPath) : t.filter.canSkipDir(absPath);
      if (!skip) return false;
    }
    return covered;
  }
}
