import { test } from 'node:test';
import assert from 'node:assert/strict';
import { packetCodec, selectEntries, type SyncedEntry } from '../../../src/engine/build/buildkitFilesync';

const f = (rel: string): SyncedEntry => ({ rel, type: 'file', mode: 0o644, size: 1 });
const d = (rel: string): SyncedEntry => ({ rel, type: 'directory', mode: 0o755, size: 0 });

test('file sync sends what the daemon asks for, parents first, in walk order', () => {
  const all = [f('.dockerignore'), f('Dockerfile'), d('a'), f('a.txt'), f('a/b.txt'), d('a/c'), f('a/c/d.log'), d('empty')];
  const rels = (include: string[], exclude: string[]): string[] => selectEntries(all, include, exclude).map((e) => e.rel);
  // The frontend first reads .dockerignore alone, then the context without what it excludes.
  assert.deepEqual(rels(['.dockerignore'], []), ['.dockerignore']);
  assert.deepEqual(rels([], ['Dockerfile', '**/*.log']), ['.dockerignore', 'a', 'a/b.txt', 'a/c', 'a.txt', 'empty']);
  // A file kept inside an excluded directory still has its directory sent before it.
  assert.deepEqual(rels([], ['a', '!a/c/d.log']), ['.dockerignore', 'Dockerfile', 'a', 'a/c', 'a/c/d.log', 'a.txt', 'empty']);
});

test('file sync packets: Go file modes and ns mtimes on the wire', () => {
  const p = packetCodec.de(packetCodec.ser({ type: 0, stat: { path: 'a', mode: 2 ** 31 + 0o755, size: 0, modTime: (1_700_000_000_123_456_789n).toString() } }));
  assert.equal(p.stat?.path, 'a');
  assert.equal(p.stat?.mode, 2 ** 31 + 0o755);
  assert.equal(String(p.stat?.modTime), '1700000000123456789');
});
