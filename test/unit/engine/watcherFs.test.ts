// The watcher never goes blind: directories replaced under their name, renames across the tree's edge,
// symlinked directories, and a Tiltfile reload handing over pending changes. The same cases on every backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BACKENDS, startHarness } from './watcherHarness';
import { realClock } from '../../../src/engine/clock';
import { EPHEMERAL_FILTER } from '../../../src/engine/watch/ignores';
import { PathRouter } from '../../../src/engine/watch/router';
import { FileWatcher, resolveWatcherBackend } from '../../../src/engine/watch/watcher';
import type { FileEvent } from '../../../src/engine/watch/coalesce';

const write = (p: string, s = 'x'): void => {
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, s);
};

for (const backend of BACKENDS) {
  test(`${backend}: a directory swapped in by rename (mv gen.tmp gen) is reported and watched again`, async () => {
    const h = await startHarness(backend);
    const { root } = h;
    try {
      write(path.join(root, 'gen/old.txt'));
      await h.waitFor((e) => e.path === path.join(root, 'gen/old.txt'), 'gen/old.txt');
      for (let i = 0; i < 3; i++) {
        // What code generators do: build the new tree beside the old one, then swap it in.
        write(path.join(root, 'gen.tmp/out.txt'), `v${i}`);
        fs.rmSync(path.join(root, 'gen'), { recursive: true });
        fs.renameSync(path.join(root, 'gen.tmp'), path.join(root, 'gen'));
        const later = path.join(root, `gen/later${i}.txt`);
        write(later, 'later');
        await h.waitFor((e) => e.path === later, `a write inside the swapped-in gen (round ${i})`);
        await h.waitFor((e) => e.path === path.join(root, 'gen/out.txt'), 'the swapped-in content');
      }
      assert.deepEqual(h.errors, []);
    } finally {
      h.close();
    }
  });

  test(`${backend}: rm -rf src && mkdir src, over and over, never loses a later write`, async () => {
    const h = await startHarness(backend);
    const { root } = h;
    try {
      write(path.join(root, 'src/a.txt'));
      await h.waitFor((e) => e.path === path.join(root, 'src/a.txt'), 'src/a.txt');
      for (let i = 0; i < 20; i++) {
        fs.rmSync(path.join(root, 'src'), { recursive: true });
        fs.mkdirSync(path.join(root, 'src'));
        const f = path.join(root, `src/f${i}.txt`);
        write(f, String(i));
        await h.waitFor((e) => e.path === f, `src/f${i}.txt after delete-and-recreate`);
        // And a write some time after the recreation (the watch itself must be alive, not just the rescan).
        await new Promise((r) => setTimeout(r, 40));
        fs.writeFileSync(f, `${i} again`);
        const n = h.batches.flat().filter((e) => e.path === f).length;
        await h.waitFor(() => h.batches.flat().filter((e) => e.path === f).length > n, `a second write to src/f${i}.txt`);
      }
    } finally {
      h.close();
    }
  });

  test(`${backend}: a directory renamed into the tree is reported with its contents; one renamed out goes quiet`, async () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'il-watchfs-out-'));
    const h = await startHarness(backend);
    const { root } = h;
    try {
      write(path.join(outside, 'incoming/x/deep.txt'));
      write(path.join(root, 'keep.txt'));
      await h.waitFor((e) => e.path === path.join(root, 'keep.txt'), 'keep.txt');
      fs.renameSync(path.join(outside, 'incoming'), path.join(root, 'incoming'));
      await h.waitForAll([path.join(root, 'incoming/x/deep.txt')], 'contents of a directory moved in');
      write(path.join(root, 'incoming/x/new.txt'));
      await h.waitFor((e) => e.path === path.join(root, 'incoming/x/new.txt'), 'a write inside the moved-in directory');

      fs.renameSync(path.join(root, 'incoming'), path.join(outside, 'gone'));
      await h.waitFor((e) => e.path === path.join(root, 'incoming') && (e.type === 'unlinkDir' || e.type === 'unlink'), 'the moved-out directory reported as removed');
      const before = h.batches.flat().length;
      write(path.join(outside, 'gone/x/after.txt'));
      write(path.join(root, 'sentinel.txt'));
      await h.waitFor((e) => e.path === path.join(root, 'sentinel.txt'), 'sentinel');
      const after = h.batches.flat().slice(before);
      assert.ok(!after.some((e) => e.path.includes('after.txt') || e.path.startsWith(outside)), JSON.stringify(after));
    } finally {
      h.close();
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  test(`${backend}: a root that is a symlink to a directory is watched through the link`, async () => {
    const real = fs.mkdtempSync(path.join(os.tmpdir(), 'il-watchfs-real-'));
    const linkParent = fs.mkdtempSync(path.join(os.tmpdir(), 'il-watchfs-link-'));
    const link = path.join(linkParent, 'app');
    fs.symlinkSync(real, link);
    const h = await startHarness(backend, { root: link });
    try {
      write(path.join(real, 'sub/a.txt'));
      await h.waitFor((e) => e.path === path.join(link, 'sub/a.txt'), 'a change inside the linked directory, under the link path');
    } finally {
      h.close();
      fs.rmSync(real, { recursive: true, force: true });
      fs.rmSync(linkParent, { recursive: true, force: true });
    }
  });
}

test('native: a symlinked directory inside the tree is an entry (as Docker sends it): retargeting it is a change, its target is not followed', async () => {
  const target = fs.mkdtempSync(path.join(os.tmpdir(), 'il-watchfs-tgt-'));
  const other = fs.mkdtempSync(path.join(os.tmpdir(), 'il-watchfs-tgt2-'));
  const h = await startHarness('native');
  const { root } = h;
  try {
    fs.symlinkSync(target, path.join(root, 'lib'));
    await h.waitFor((e) => e.path === path.join(root, 'lib'), 'the new symlink');
    const n = h.batches.flat().length;
    write(path.join(target, 'inside.txt'));
    fs.rmSync(path.join(root, 'lib'));
    fs.symlinkSync(other, path.join(root, 'lib'));
    await h.waitFor(() => h.batches.flat().slice(n).some((e) => e.path === path.join(root, 'lib')), 'the retargeted symlink');
    assert.ok(!h.seen().has(path.join(root, 'lib/inside.txt')));
  } finally {
    h.close();
    fs.rmSync(target, { recursive: true, force: true });
    fs.rmSync(other, { recursive: true, force: true });
  }
});

for (const backend of BACKENDS) {
  test(`${backend}: a reload hands pending changes from the old watcher to the owner instead of dropping them`, async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), `il-watchfs-reload-${backend}-`));
    const router = new PathRouter([{ id: 't', deps: [root], filter: EPHEMERAL_FILTER }]);
    const delivered: FileEvent[] = [];
    const start = (): Promise<FileWatcher> => FileWatcher.start(router, {
      clock: realClock,
      backend,
      // A quiet period far longer than the test: only a hand-over can deliver the change.
      coalesce: { quietMs: 600_000, maxWaitMs: 600_000 },
      onChanges: (m) => delivered.push(...(m.get('t') ?? [])),
      onError: (e) => assert.fail(e),
    });
    const old = await start();
    try {
      write(path.join(root, 'edited.txt'));
      for (let i = 0; i < 1200 && old.pending === 0; i++) await new Promise((r) => setTimeout(r, 25));
      assert.equal(old.pending, 1, 'the old watcher holds the change');
      const next = await start();
      await old.handOver();
      next.dispose();
      assert.deepEqual(delivered.map((e) => path.basename(e.path)), ['edited.txt']);
    } finally {
      old.dispose();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
}

test('the backend is a setting: explicit choice, else INNERLOOP_WATCHER_BACKEND, else native; unknown names are an error', () => {
  assert.equal(resolveWatcherBackend(undefined, {}), 'native');
  assert.equal(resolveWatcherBackend(undefined, { INNERLOOP_WATCHER_BACKEND: 'chokidar' }), 'chokidar');
  assert.equal(resolveWatcherBackend('polling', { INNERLOOP_WATCHER_BACKEND: 'chokidar' }), 'polling');
  assert.throws(() => resolveWatcherBackend('fsevents', {}), /unknown file watcher backend "fsevents": use one of native, chokidar, polling/);
});
