// The pod-log stall check (issue 14: idle CPU): a stream silent for stallMs is checked by asking for its container's
// last line; only a line the stream missed, or a failed check, reconnects it. A quiet container keeps its stream.
// Fake clock (node:test's mock timers and Date) and a fake log API.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import type { Writable } from 'node:stream';
import type { KubeClient } from '../../../src/engine/k8s/client';
import type { PodInfo } from '../../../src/engine/k8s/discovery';
import { PodLogStreams, ResumeFilter, missedLastLine, type LogLine, type PodLogApi } from '../../../src/engine/k8s/podLogs';

const T0 = Date.parse('2026-01-02T03:04:00Z');
const ts = (offsetMs: number): string => new Date(T0 + offsetMs).toISOString();

class FakeLogApi implements PodLogApi {
  follows: Array<{ sink: Writable; sinceTime: string; abort: AbortController }> = [];
  checks = 0;
  resets = 0;
  /** What lastLine answers (or throws); `during` runs while the check is in flight. */
  tail: () => string = () => '';
  during: (() => void) | undefined;
  follow(_ns: string, _pod: string, _c: string, sink: Writable, sinceTime: string): Promise<AbortController> {
    const abort = new AbortController();
    this.follows.push({ sink, sinceTime, abort });
    return Promise.resolve(abort);
  }
  async lastLine(): Promise<string> {
    this.checks++;
    await Promise.resolve();
    this.during?.();
    return this.tail();
  }
  resetChecks(): void {
    this.resets++;
  }
  dispose(): void {}
}

const pod: PodInfo = {
  name: 'web-1', namespace: 'ns', uid: 'u', phase: 'Running', ready: true, deleting: false, createdAt: 0, ancestors: [], ports: {}, raw: {},
  containers: [{ name: 'app', image: 'a', id: 'c1', ready: true, restartCount: 0, state: 'running', init: false }],
};
// stillCurrent's pod read fails: the streams trust the last known state (running).
const client = { core: { readNamespacedPod: () => Promise.reject(new Error('not in this test')) }, requestTimeoutMs: 5_000 } as unknown as KubeClient;

const yieldIO = (): Promise<void> => new Promise((r) => setImmediate(r));
async function advance(ms: number, step = 1_000): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    await yieldIO(); // what ran before (promise continuations) runs first, as it would before a real timer
    mock.timers.tick(step);
    for (let i = 0; i < 3; i++) await yieldIO();
  }
}

async function started(t: { after(fn: () => void): void }): Promise<{ api: FakeLogApi; logs: PodLogStreams; lines: LogLine[] }> {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: T0 });
  t.after(() => mock.timers.reset());
  const api = new FakeLogApi();
  const lines: LogLine[] = [];
  const logs = new PodLogStreams(client, { since: new Date(T0), onLine: (l) => lines.push(l), stallMs: 15_000, api });
  t.after(() => logs.stop());
  logs.update([pod]);
  await yieldIO();
  assert.equal(api.follows.length, 1);
  api.follows[0]!.sink.write(`${ts(1_000)} hello\n`);
  return { api, logs, lines };
}

test('pod logs: a quiet container is checked every stall period and keeps its stream', async (t) => {
  const { api, logs, lines } = await started(t);
  api.tail = () => `${ts(1_000)} hello\n`; // its last line is the one delivered
  await advance(5 * 60_000);
  assert.equal(api.follows.length, 1, 'never reconnected');
  assert.equal(logs.reconnects, 0);
  // One check per 15 s of silence (the check runs every 5 s), not more.
  assert.ok(api.checks >= 18 && api.checks <= 20, `checks: ${api.checks}`);
  assert.equal(logs.quietChecks, api.checks);
  assert.deepEqual(lines.map((l) => l.text), ['hello']);
});

test('pod logs: a silent stream whose container wrote a line it missed reconnects from its last line, without duplicates', async (t) => {
  const { api, logs, lines } = await started(t);
  api.tail = () => `${ts(3_000)} missed\n`;
  await advance(20_000);
  assert.equal(api.follows.length, 2, 'reconnected');
  assert.equal(logs.reconnects, 1);
  const second = api.follows[1]!;
  assert.equal(second.sinceTime, '2026-01-02T03:04:01Z', 'from the last line delivered');
  assert.ok(api.follows[0]!.abort.signal.aborted, 'the silent stream was dropped');
  second.sink.write(`${ts(1_000)} hello\n${ts(3_000)} missed\n`);
  assert.deepEqual(lines.map((l) => l.text), ['hello', 'missed']);
});

test('pod logs: a stall check that fails reconnects and drops the kept connection', async (t) => {
  const { api, logs } = await started(t);
  api.tail = () => {
    throw new Error('no answer within 5000 ms');
  };
  await advance(20_000);
  assert.equal(api.follows.length, 2);
  assert.equal(logs.reconnects, 1);
  assert.equal(api.resets, 1);
});

test('pod logs: data arriving while the check is in flight proves the stream alive (no reconnect)', async (t) => {
  const { api, logs, lines } = await started(t);
  api.tail = () => `${ts(16_000)} fresh\n`;
  // The line reaches the check first, then the stream: the stream is alive.
  api.during = () => api.follows[0]!.sink.write(`${ts(16_000)} fresh\n`);
  await advance(16_000);
  assert.equal(api.checks, 1);
  assert.equal(api.follows.length, 1);
  assert.equal(logs.reconnects, 0);
  assert.deepEqual(lines.map((l) => l.text), ['hello', 'fresh']);
});

test('missedLastLine: compares the container\'s last line with what the stream delivered', () => {
  const f = new ResumeFilter();
  const since = '2026-01-02T03:04:00Z';
  assert.equal(missedLastLine('', f, since), false, 'no line at all');
  assert.equal(missedLastLine('2026-01-02T03:03:59.5Z before the session\n', f, since), false);
  assert.equal(missedLastLine('2026-01-02T03:04:00.5Z first\n', f, since), true, 'nothing delivered yet');
  f.accept('2026-01-02T03:04:01.5Z', 'a');
  assert.equal(missedLastLine('2026-01-02T03:04:01.5Z a\n', f, since), false);
  assert.equal(missedLastLine('2026-01-02T03:04:01.5Z b\n', f, since), true, 'same time, other text');
  assert.equal(missedLastLine('2026-01-02T03:04:01.500000001Z a\n', f, since), true, 'later');
  assert.equal(missedLastLine('2026-01-02T03:04:01.4Z old\r\n', f, since), false);
  assert.equal(f.seen('2026-01-02T03:04:01.5Z', 'a'), true);
  assert.ok(f.accept('2026-01-02T03:04:01.5Z', 'b'), 'seen() changed nothing');
});
