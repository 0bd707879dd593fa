// Which files each container still needs (Tilt's "live update v2" model). We keep the latest change per path
// since the current image's build started, and per container ID a high-water mark of what it has received.
// A new or restarted container (new ID) has no mark, so it gets every file changed since the image build
// started: those changes may not be in the image, and whatever a previous container received is gone.
// Marks are change sequence numbers, not times, so two changes within one clock tick are never confused.

export interface PendingSync {
  /** Paths to replay, oldest change first. */
  files: string[];
  /** Pass to markSynced once the files are in the container. */
  upTo: number;
}

export class ContainerSyncTracker {
  private changes = new Map<string, { time: number; seq: number }>();
  private syncedUpTo = new Map<string, number>();
  private buildStart = Number.NEGATIVE_INFINITY;
  private seq = 0;

  /** A new image is in use; its build started at `startTime` (epoch ms), so older changes are baked in. */
  imageBuilt(startTime: number): void {
    this.buildStart = startTime;
    for (const [p, c] of this.changes) if (c.time < startTime) this.changes.delete(p);
  }

  /** A file changed at `time` (epoch ms). */
  recordChange(path: string, time: number): void {
    // Re-insert so iteration order stays oldest-first.
    this.changes.delete(path);
    this.changes.set(path, { time, seq: ++this.seq });
  }

  /** Files the container must receive. */
  pending(containerId: string): PendingSync {
    const mark = this.syncedUpTo.get(containerId);
    const files: string[] = [];
    for (const [p, c] of this.changes) {
      if (mark === undefined ? c.time >= this.buildStart : c.seq > mark) files.push(p);
    }
    return { files, upTo: this.seq };
  }

  markSynced(containerId: string, upTo: number): void {
    const prev = this.syncedUpTo.get(containerId);
    if (prev === undefined || upTo > prev) this.syncedUpTo.set(containerId, upTo);
  }

  /** Forget containers that no longer exist. */
  retainContainers(ids: Iterable<string>): void {
    const keep = new Set(ids);
    for (const id of [...this.syncedUpTo.keys()]) if (!keep.has(id)) this.syncedUpTo.delete(id);
  }

  hasMark(containerId: string): boolean {
    return this.syncedUpTo.has(containerId);
  }
}
