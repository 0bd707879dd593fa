import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration } from '../../../src/cli/duration';

test('parseDuration reads Go-style durations and bare seconds', () => {
  assert.equal(parseDuration('30s'), 30_000);
  assert.equal(parseDuration('5m'), 300_000);
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('1.5h'), 5_400_000);
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('2m30s'), 150_000);
  assert.equal(parseDuration('90'), 90_000, 'a bare number is seconds');
  assert.equal(parseDuration('0.5'), 500);
  assert.equal(parseDuration(' 10s '), 10_000);
});

test('parseDuration rejects bad input with the position', () => {
  assert.throws(() => parseDuration('5x'), /unknown unit "x" \(ms, s, m or h\) at position 2/);
  assert.throws(() => parseDuration('1h30'), /missing unit after the number .* at position 5/);
  assert.throws(() => parseDuration('abc'), /expected a number, found "a" at position 1/);
  assert.throws(() => parseDuration('5m-1s'), /expected a number, found "-" at position 3/);
  assert.throws(() => parseDuration(''), /empty/);
  assert.throws(() => parseDuration('0s'), /more than zero/);
  assert.throws(() => parseDuration('0'), /more than zero/);
});
