// watchLiveness (src/engine/k8s/liveness.ts): what counts as a sign of life for a connected exec stream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { watchLiveness } from '../../../src/engine/k8s/liveness';

class FakeSocket extends EventEmitter {
  pings = 0;
  bufferedAmount = 0;
  ping(): void {
    this.pings++;
  }
}

/** Runs until `dead` or `ticks` ping periods of 5 ms; the liveness timer is unref'd, so hold the loop open. */
async function run(ws: FakeSocket, ticks: number): Promise<{ dead: boolean; pings: number }> {
  let dead = false;
  const keepAlive = setInterval(() => undefined, 1000);
  try {
    const stop = watchLiveness(ws, 5, () => (dead = true));
    for (let i = 0; i < ticks && !dead; i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    stop();
  } finally {
    clearInterval(keepAlive);
  }
  return { dead, pings: ws.pings };
}

test('watchLiveness: a silent stream is cut after two ping periods (one ping sent), and its listeners are removed', async () => {
  const ws = new FakeSocket();
  const r = await run(ws, 200);
  assert.equal(r.dead, true);
  assert.equal(r.pings, 1);
  assert.equal(ws.listenerCount('pong') + ws.listenerCount('message'), 0);
});

test('watchLiveness: pongs keep a silent command alive', async () => {
  const ws = new FakeSocket();
  ws.ping = function (this: FakeSocket) {
    this.pings++;
    setImmediate(() => this.emit('pong'));
  };
  assert.equal((await run(ws, 30)).dead, false);
});

test('watchLiveness: output (messages) keeps it alive without pongs', async () => {
  const ws = new FakeSocket();
  ws.ping = function (this: FakeSocket) {
    this.pings++;
    setImmediate(() => this.emit('message', Buffer.from('x')));
  };
  assert.equal((await run(ws, 30)).dead, false);
});

test('watchLiveness: a send buffer that drains keeps it alive (the server is reading a large stdin); one that stays full does not', async () => {
  // Read once per ping period: lower at every read, as while the server consumes the stdin.
  let left = 1e9;
  const draining = new FakeSocket();
  Object.defineProperty(draining, 'bufferedAmount', { get: () => (left -= 1000) });
  assert.equal((await run(draining, 30)).dead, false);
  const stuck = new FakeSocket();
  stuck.bufferedAmount = 1e9;
  assert.equal((await run(stuck, 200)).dead, true);
});
