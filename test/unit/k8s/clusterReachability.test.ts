// The session-level "cluster unreachable" fact: the health check's debouncing, the reducer, the one projection
// (shown by the CLI and the editor), and the connect deadline for client-node's watch/log/websocket connects.
// The real-fault version is test/integration/k8s/apiServerFaults.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeClient } from '../../../src/engine/k8s/client';
import { ClusterHealth } from '../../../src/engine/k8s/clusterHealth';
import { ApiTimeoutError, connectWithin } from '../../../src/engine/k8s/deadline';
import { Store } from '../../../src/engine/store';
import { clockTime, clusterBanner } from '../../../src/shared/status';
import { statusTable } from '../../../src/cli/render/status';

test('reducer + projection: unreachable since, then back at; reachable from the start shows nothing', () => {
  const store = new Store();
  store.dispatch({ type: 'cluster_reachability', reachable: true, now: 1000 });
  assert.equal(store.sessionState().cluster, undefined);
  assert.equal(clusterBanner(store.sessionState()), undefined);
  const down = new Date(2026, 0, 1, 14, 3, 7).getTime();
  store.dispatch({ type: 'cluster_reachability', reachable: false, error: 'connection refused (is the cluster running?)', now: down });
  store.dispatch({ type: 'cluster_reachability', reachable: false, error: 'no answer within 5000 ms', now: down + 5000 });
  assert.deepEqual(store.sessionState().cluster, { reachable: false, since: down, error: 'no answer within 5000 ms' });
  assert.deepEqual(clusterBanner(store.sessionState()), { level: 'error', text: 'cluster unreachable since 14:03:07: no answer within 5000 ms' });
  assert.ok(statusTable(store.snapshot(), false).includes('Kubernetes: cluster unreachable since 14:03:07: no answer within 5000 ms'));
  store.dispatch({ type: 'cluster_reachability', reachable: true, now: down + 34_000 });
  assert.deepEqual(clusterBanner(store.sessionState()), { level: 'info', text: `cluster back at ${clockTime(down + 34_000)} (unreachable since 14:03:07)` });
  store.dispose();
});

test('health check: two failed checks in a row make it unreachable, one answer makes it back; changes (and the reason while unreachable) reported', async () => {
  const answers = [true, false, true, false, false, false, true, true];
  const seen: Array<[boolean, string | undefined]> = [];
  let i = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const h = new ClusterHealth({} as KubeClient, {
    intervalMs: 1,
    check: () => {
      const ok = answers[i++];
      if (i === answers.length) setImmediate(done);
      if (ok === undefined) return new Promise(() => undefined);
      return ok ? Promise.resolve() : Promise.reject(Object.assign(new Error('cannot reach'), { reason: 'connection refused' }));
    },
    onChange: (reachable, error) => seen.push([reachable, error]),
  });
  const keepAlive = setInterval(() => undefined, 1000); // the health timer is unref'd
  try {
    h.start();
    await finished;
  } finally {
    h.stop();
    clearInterval(keepAlive);
  }
  assert.deepEqual(seen, [[true, undefined], [false, 'connection refused'], [false, 'connection refused'], [true, undefined]]);
});

test('connectWithin: a connect that never answers fails at the deadline; a late one is released', async () => {
  let resolveLate!: (v: string) => void;
  const late = new Promise<string>((r) => (resolveLate = r));
  const released: string[] = [];
  await assert.rejects(connectWithin(late, 20, 'watching pods in ns', (v) => released.push(v)), (e: unknown) => e instanceof ApiTimeoutError && e.message === 'no answer from the API server within 0.02 s (watching pods in ns)');
  resolveLate('socket');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(released, ['socket']);
  // Errors pass through as thrown (a websocket ErrorEvent is not an Error).
  const event = { message: 'connect ECONNREFUSED 127.0.0.1:6443' };
  await assert.rejects(connectWithin(Promise.reject(event), 1000, 'x', () => undefined), (e: unknown) => e === event);
});
