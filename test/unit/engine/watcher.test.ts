import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { realClock } from '../../../src/engine/clock';
import { PathRouter } from '../../../src/engine/watch/router';
import { FileWatcher } from '../../../src/engine/watch/watcher';
import { patternFilter, anyOf, EPHEMERAL_FILTER } from '../../../src/engine/watch/ignores';
import type { FileEvent } from '../../../src/engine/watch/coalesce';

for (const backend of ['native', 'chokidar'] as const) {
  test(`real watcher (${backend}): changes are coalesced, routed, and ignored paths stay silent`, async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'il-chokidar-'));
    fs.mkdirSync(path.join(root, 'src'));
    fs.mkdirSync(path.join(root, 'node_modules'));
    const router = new PathRouter([
      { id: 'image:app', deps: [root], filter: anyOf([EPHEMERAL_FILTER, patternFilter(root, ['node_modules'])]) },
    ]);
    const batches: Map<string, FileEvent[]>[] = [];
    let wake: (() => void) | undefined;
    const w = await FileWatcher.start(router, {
      clock: realClock,
      backend,
      coalesce: { quietMs: 50, maxWaitMs: 2000 },
      onChanges: (m) => {
        batches.push(m);
        const seen = batches.flatMap((b) => b.get('image:app') ?? []).map((e) => path.basename(e.path));
        if (seen.includes('a.ts') && seen.includes('b.ts')) wake?.();
      },
      onError: (e) => assert.fail(e),
    });
    try {
      const got = new Promise<void>((resolve) => (wake = resolve));
      fs.writeFileSync(path.join(root, 'node_modules', 'x.js'), 'ignored');
      fs.writeFileSync(path.join(root, 'src', '.a.ts.swp'), 'ignored');
      fs.writeFileSync(path.join(root, 'src', 'a.ts'), '1');
      fs.writeFileSync(path.join(root, 'src', 'b.ts'), '2');
      await got;
      const all = batches.flatMap((b) => b.get('image:app') ?? []).map((e) => path.relative(root, e.path)).sort();
      assert.ok(all.includes(path.join('src', 'a.ts')) && all.includes(path.join('src', 'b.ts')));
      assert.ok(!all.some((p) => p.includes('node_modules') || p.endsWith('.swp')), all.join(','));
    } finally {
      w.dispose();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
}
