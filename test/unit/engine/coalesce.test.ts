import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/engine/clock';
import { Coalescer, coalesceOptions, DEFAULT_COALESCE, type FileEvent } from '../../../src/engine/watch/coalesce';
import { DEFAULT_DEBOUNCE_MS, DEFAULT_MAX_COALESCE_WAIT_MS, FIRST_EVENT_QUIET_MS } from '../../../src/shared/defaults';

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
  assert.deepEqual(DEFAULT_COALESCE, { quietMs: DEFAULT_DEBOUNCE_MS, firstQuietMs: FIRST_EVENT_QUIET_MS, maxWaitMs: DEFAULT_MAX_COALESCE_WAIT_MS });
  assert.equal(DEFAULT_MAX_COALESCE_WAIT_MS, 10_000);
  assert.deepEqual(coalesceOptions(200), { quietMs: 200, firstQuietMs: FIRST_EVENT_QUIET_MS, maxWaitMs: 10_000 });
  assert.deepEqual(coalesceOptions(1000), { quietMs: 1000, firstQuietMs: FIRST_EVENT_QUIET_MS, maxWaitMs: 20_000 });
});

// The adaptive window (issue 14), with the defaults the CLI and the editor share.
function adaptive() {
  const clock = new FakeClock();
  const batches: string[][] = [];
  const c = new Coalescer(clock, (b) => batches.push(b.map((e) => e.path)), coalesceOptions());
  return { clock, batches, c };
}

test('adaptive: a lone save (its write, rename and chmod events) is delivered after the short first window, as one batch', () => {
  const { clock, batches, c } = adaptive();
  c.push({ path: '/a.tmp', type: 'add' });
  clock.advance(1);
  c.push({ path: '/a.tmp', type: 'unlink' });
  c.push({ path: '/a', type: 'change' });
  clock.advance(FIRST_EVENT_QUIET_MS - 1);
  assert.equal(batches.length, 0, 'still within the first window after the last event');
  clock.advance(1);
  assert.deepEqual(batches, [['/a.tmp', '/a']]);
});

test('adaptive: events that keep coming past the first window are one burst, delivered after the full quiet window', () => {
  const { clock, batches, c } = adaptive();
  for (let i = 0; i < 40; i++) {
    c.push({ path: `/f${i}`, type: 'change' });
    clock.advance(5); // closer together than the first window, for 200 ms
  }
  assert.equal(batches.length, 0);
  clock.advance(DEFAULT_DEBOUNCE_MS - 5 - 1);
  assert.equal(batches.length, 0, 'a burst waits the full quiet window after its last event');
  clock.advance(1);
  assert.equal(batches.length, 1);
  assert.equal(batches[0].length, 40);
});

test('adaptive: changes that follow a delivered batch closely continue the burst; after a quiet spell the next save is fast again', () => {
  const { clock, batches, c } = adaptive();
  c.push({ path: '/a', type: 'change' });
  clock.advance(FIRST_EVENT_QUIET_MS);
  assert.deepEqual(batches, [['/a']]);
  clock.advance(10);
  c.push({ path: '/b', type: 'change' }); // 10 ms after the last event: the burst goes on
  clock.advance(FIRST_EVENT_QUIET_MS);
  c.push({ path: '/c', type: 'change' });
  clock.advance(DEFAULT_DEBOUNCE_MS - 1);
  assert.equal(batches.length, 1, '/b and /c wait the full window together');
  clock.advance(1);
  assert.deepEqual(batches, [['/a'], ['/b', '/c']]);
  clock.advance(DEFAULT_DEBOUNCE_MS);
  c.push({ path: '/d', type: 'change' });
  clock.advance(FIRST_EVENT_QUIET_MS);
  assert.deepEqual(batches.at(-1), ['/d']);
});

test('adaptive: a burst that never pauses is still bounded by the cap', () => {
  const clock = new FakeClock();
  const batches: FileEvent[][] = [];
  const c = new Coalescer(clock, (b) => batches.push(b), { ...coalesceOptions(), maxWaitMs: 1000 });
  for (let i = 0; i < 2500; i++) {
    c.push({ path: `/f${i}`, type: 'change' });
    clock.advance(1);
  }
  assert.equal(batches.length, 2);
});

test('adaptive: the first window is never longer than the configured debounce (0 acts at once)', () => {
  assert.equal(coalesceOptions(3).firstQuietMs, 3);
  assert.equal(coalesceOptions(0).firstQuietMs, 0);
  assert.equal(coalesceOptions().firstQuietMs, FIRST_EVENT_QUIET_MS);
  assert.ok(FIRST_EVENT_QUIET_MS < DEFAULT_DEBOUNCE_MS);
  const clock = new FakeClock();
  const batches: FileEvent[][] = [];
  const c = new Coalescer(clock, (b) => batches.push(b), coalesceOptions(0));
  c.push({ path: '/a', type: 'change' });
  clock.advance(0);
  assert.equal(batches.length, 1);
});
