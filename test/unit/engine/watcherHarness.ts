// A real FileWatcher on a temp tree, collecting what it reports, for the filesystem-behaviour tests that run
// the same cases on every backend.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { realClock } from '../../../src/engine/clock';
import type { FileEvent } from '../../../src/engine/watch/coalesce';
import { EPHEMERAL_FILTER } from '../../../src/engine/watch/ignores';
import { PathRouter } from '../../../src/engine/watch/router';
import { FileWatcher, type WatcherBackend } from '../../../src/engine/watch/watcher';

export interface Harness {
  root: string;
  watcher: FileWatcher;
  /** Every batch delivered, in order (events for the one target). */
  batches: FileEvent[][];
  errors: string[];
  /** Resolve once some delivered event satisfies `pred`; fails (with what was seen) after a generous deadline. */
  waitFor(pred: (e: FileEvent) => boolean, what: string): Promise<void>;
  /** Resolve once every path in `abs` was delivered. */
  waitForAll(abs: readonly string[], what: string): Promise<void>;
  seen(): Set<string>;
  close(): void;
}

export async function startHarness(backend: WatcherBackend, opts: { root?: string; deps?: string[]; quietMs?: number; maxWaitMs?: number } = {}): Promise<Harness> {
  const root = opts.root ?? fs.mkdtempSync(path.join(os.tmpdir(), `il-watchfs-${backend}-`));
  const batches: FileEvent[][] = [];
  const errors: string[] = [];
  const router = new PathRouter([{ id: 'target', deps: opts.deps ?? [root], filter: EPHEMERAL_FILTER }]);
  const watcher = await FileWatcher.start(router, {
    clock: realClock,
    backend,
    coalesce: { quietMs: opts.quietMs ?? 30, maxWaitMs: opts.maxWaitMs ?? 2000 },
    onChanges: (m) => batches.push(m.get('target') ?? []),
    onError: (e) => errors.push(e.message),
    onWarning: (m) => errors.push(m),
  });
  const seen = (): Set<string> => new Set(batches.flat().map((e) => e.path));
  const poll = async (ok: () => boolean, what: string): Promise<void> => {
    // A deadline, not a timing assertion: events normally arrive in milliseconds.
    for (let i = 0; i < 1200; i++) {
      if (ok()) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.fail(`${backend}: timed out waiting for ${what}; saw ${JSON.stringify(batches.flat().slice(-20))} errors ${JSON.stringify(errors)}`);
  };
  return {
    root,
    watcher,
    batches,
    errors,
    seen,
    waitFor: (pred, what) => poll(() => batches.some((b) => b.some(pred)), what),
    waitForAll: (abs, what) => poll(() => {
      const s = seen();
      return abs.every((p) => s.has(p));
    }, what),
    close: () => {
      watcher.dispose();
      if (!opts.root) fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

export const BACKENDS: readonly WatcherBackend[] = ['native', 'chokidar'];
