import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResumeFilter, TimestampedLineSplitter, normalizeTimestamp } from '../../../src/engine/k8s/podLogs';

test('timestamps normalise to fixed width', () => {
  assert.equal(normalizeTimestamp('2026-01-02T03:04:05.12Z'), '2026-01-02T03:04:05.120000000Z');
  assert.equal(normalizeTimestamp('2026-01-02T03:04:05Z'), '2026-01-02T03:04:05.000000000Z');
  assert.ok(normalizeTimestamp('2026-01-02T03:04:05.9Z') > normalizeTimestamp('2026-01-02T03:04:05.123456789Z'));
});

test('splitter keeps partial lines across chunks', () => {
  const s = new TimestampedLineSplitter();
  assert.deepEqual(s.push('2026-01-02T03:04:05.1Z hel'), []);
  assert.deepEqual(s.push('lo\n2026-01-02T03:04:06Z world\r\n2026-01-02T03:04:07Z par'), [
    { time: '2026-01-02T03:04:05.1Z', text: 'hello' },
    { time: '2026-01-02T03:04:06Z', text: 'world' },
  ]);
  assert.deepEqual(s.flush(), [{ time: '2026-01-02T03:04:07Z', text: 'par' }]);
});

test('resume filter drops lines replayed after a reconnect', () => {
  const f = new ResumeFilter();
  assert.equal(f.resumeFrom(), undefined);
  assert.ok(f.accept('2026-01-02T03:04:05.1Z', 'a'));
  assert.ok(f.accept('2026-01-02T03:04:05.2Z', 'b'));
  assert.ok(f.accept('2026-01-02T03:04:05.2Z', 'c')); // same timestamp, new text
  assert.equal(f.resumeFrom(), '2026-01-02T03:04:05Z');
  // reconnect from second precision replays a, b, c
  assert.equal(f.accept('2026-01-02T03:04:05.1Z', 'a'), false);
  assert.equal(f.accept('2026-01-02T03:04:05.2Z', 'b'), false);
  assert.equal(f.accept('2026-01-02T03:04:05.2Z', 'c'), false);
  assert.ok(f.accept('2026-01-02T03:04:05.3Z', 'd'));
});
