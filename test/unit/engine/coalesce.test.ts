import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/engine/clock';
import { Coalescer, coalesceOptions, DEFAULT_COALESCE, type FileEvent } from '../../../src/engine/watch/coalesce';
import { DEFAULT_DEBOUNCE_MS, DEFAULT_MAX_COALESCE_WAIT_MS } from '../../../src/shared/defaults';

function setup(quietMs = 50, maxWaitMs = 2000) {
  const clock = new FakeClock();
  const batches: FileEvent[][] = [];
  const c = new Coalescer(clock, (b) => batches.push(b), { quietMs, maxWaitMs });
  return { clock, batches, c };
}

test('waits for the quiet window, then delivers one batch', () => {
  const { clock, batches, c } = setup();
  c.push({ path: '/a', type: 'change' });
  clock.advance(30);
  c.push({ path: '/b', type: 'add' });
  clock.advance(30);
  assert.equal(batches.length, 0, 'quiet window restarted by /b');
  clock.advance(20);
  assert.deepEqual(batches, [[{ path: '/a', type: 'change' }, { path: '/b', type: 'add' }]]);
});

test('dedupes by path, last event wins', () => {
  const { clock, batches, c } = setup();
  c.push({ path: '/a', type: 'add' });
  c.push({ path: '/a', type: 'change' });
  c.push({ path: '/a', type: 'unlink' });
  clock.advance(50);
  assert.deepEqual(batches, [[{ path: '/a', type: 'unlink' }]]);
});

test('a storm of thousands of events flushes at the cap, not never', () => {
  const { clock, batches, c } = setup(50, 2000);
  for (let i = 0; i < 5000; i++) {
    c.push({ path: `/src/f${i % 1000}.ts`, type: 'change' });
    clock.advance(1); // never quiet for 50 ms
  }
  // 5000 ms of storm -> flushed by the 2 s cap twice, rest still buffered
  assert.equal(batches.length, 2);
  assert.equal(batches[0].length, 1000);
  clock.advance(50);
  assert.equal(batches.length, 3);
});

test('dispose drops buffered events and cancels timers', () => {
  const { clock, batches, c } = setup();
  c.push({ path: '/a', type: 'change' });
  c.dispose();
  clock.advance(5000);
  assert.equal(batches.length, 0);
  assert.equal(clock.pendingTimers, 0);
});

test('one default cap: 10 s, or 20 quiet periods for a long debounce; the session and the watcher use the same', () => {
  assert.deepEqual(DEFAULT_COALESCE, { quietMs: DEFAULT_DEBOUNCE_MS, maxWaitMs: DEFAULT_MAX_COALESCE_WAIT_MS });
  assert.equal(DEFAULT_MAX_COALESCE_WAIT_MS, 10_000);
  assert.deepEqual(coalesceOptions(200), { quietMs: 200, maxWaitMs: 10_000 });
  assert.deepEqual(coalesceOptions(1000), { quietMs: 1000, maxWaitMs: 20_000 });
});
