import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NativeWatcher } from '../../../src/engine/watch/nativeWatcher';
import type { FileEvent } from '../../../src/engine/watch/coalesce';

/** Resolve once `pred` holds over the events seen so far (polling; fails after a generous deadline). */
async function waitFor(events: FileEvent[], pred: (evs: FileEvent[]) => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (pred(events)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`timed out waiting for ${what}; saw ${JSON.stringify(events)}`);
}

const has = (root: string, rel: string, type: FileEvent['type']) => (evs: FileEvent[]) =>
  evs.some((e) => e.path === path.join(root, rel) && e.type === type);

test('native watcher: add, change, unlink, new nested dirs, skipped dirs', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'il-native-'));
  fs.mkdirSync(path.join(root, 'src'));
  fs.mkdirSync(path.join(root, 'skipme'));
  fs.writeFileSync(path.join(root, 'src', 'a.ts'), '1');
  const events: FileEvent[] = [];
  const w = await NativeWatcher.start([root], {
    perDirectory: true,
    canSkip: (p) => path.basename(p) === 'skipme',
    onEvent: (e) => events.push(e),
    onError: (e) => assert.fail(e),
  });
  try {
    assert.equal(w.watchCount, 2, 'root and src; skipme not watched');
    fs.writeFileSync(path.join(root, 'src', 'a.ts'), '2');
    await waitFor(events, has(root, 'src/a.ts', 'change'), 'change');
    fs.writeFileSync(path.join(root, 'src', 'b.ts'), '1');
    await waitFor(events, has(root, 'src/b.ts', 'add'), 'add');
    fs.mkdirSync(path.join(root, 'src', 'x', 'y'), { recursive: true });
    fs.writeFileSync(path.join(root, 'src', 'x', 'y', 'c.ts'), '1');
    await waitFor(events, has(root, 'src/x/y/c.ts', 'add'), 'file in a new nested dir');
    fs.writeFileSync(path.join(root, 'skipme', 'z.ts'), '1');
    fs.rmSync(path.join(root, 'src', 'b.ts'));
    await waitFor(events, has(root, 'src/b.ts', 'unlink'), 'unlink');
    fs.rmSync(path.join(root, 'src', 'x'), { recursive: true });
    await waitFor(events, has(root, 'src/x', 'unlinkDir'), 'unlinkDir');
    assert.ok(!events.some((e) => e.path.includes('skipme')), 'skipped dir is silent');
  } finally {
    w.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a file root survives rename-over-save and ignores its siblings', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'il-native-file-'));
  const file = path.join(root, 'Tiltfile');
  fs.writeFileSync(file, 'v1');
  const events: FileEvent[] = [];
  const w = await NativeWatcher.start([file], { canSkip: () => false, onEvent: (e) => events.push(e), onError: (e) => assert.fail(e) });
  try {
    fs.writeFileSync(path.join(root, 'other.txt'), 'x');
    fs.writeFileSync(path.join(root, '.Tiltfile.tmp'), 'v2');
    fs.renameSync(path.join(root, '.Tiltfile.tmp'), file);
    await waitFor(events, (evs) => evs.some((e) => e.path === file && e.type === 'change'), 'Tiltfile change');
    fs.writeFileSync(file, 'v3');
    await waitFor(events, (evs) => evs.filter((e) => e.path === file).length >= 2, 'second change');
    assert.ok(events.every((e) => e.path === file), JSON.stringify(events));
  } finally {
    w.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  }
});
