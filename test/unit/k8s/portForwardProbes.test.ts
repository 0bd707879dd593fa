// When a port forward probes its pod: at start, on retarget, on recheck() (the pod or the cluster changed) and after
// failures; never while it is healthy and nothing changes (idle CPU, issue 14). A fake clock (node:test's mock
// timers, setTimeout only) and a fake forwarder count the probes.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import type { Writable } from 'node:stream';
import type { KubeClient } from '../../../src/engine/k8s/client';
import { PodPortForward, type PortForwardOptions, type PortForwardStateEvent } from '../../../src/engine/k8s/portForward';
import { forwardPodRevision } from '../../../src/engine/adapters/kube';
import type { PodInfo } from '../../../src/engine/k8s/discovery';

class FakeWs extends EventEmitter {
  ping(): void {
    setImmediate(() => this.emit('pong'));
  }
  terminate(): void {
    this.emit('close');
  }
}

/** Probes reach the "kubelet" at once unless `hang(n)` says probe n (1-based) never answers. */
function forwarder(hang: (n: number) => boolean = () => false): { fwd: NonNullable<PortForwardOptions['forwarder']>; probes: () => number } {
  let probes = 0;
  const fwd = {
    portForward: (_ns: string, _pod: string, _ports: number[], output: Writable) => {
      if (output instanceof net.Socket) return Promise.resolve(new FakeWs());
      if (hang(++probes)) return new Promise(() => undefined);
      setImmediate(() => output.write(Buffer.alloc(0)));
      return Promise.resolve(new FakeWs());
    },
  } as unknown as NonNullable<PortForwardOptions['forwarder']>;
  return { fwd, probes: () => probes };
}

const target = { namespace: 'ns', pod: 'web-1', port: 8080 };
const yieldIO = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Advance the fake clock by `ms` in steps, letting real I/O and promises run between steps. */
async function advance(ms: number, step = 100): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    await yieldIO(); // what ran before (promise continuations) runs first, as it would before a real timer
    mock.timers.tick(step);
    for (let i = 0; i < 3; i++) await yieldIO();
  }
}

async function until<T>(what: string, fn: () => T | undefined | false): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const v = fn();
    if (v) return v;
    await advance(10, 10);
  }
  throw new Error(`never: ${what}`);
}

test('port forward: a healthy forward is probed once and then not polled while nothing changes', async (t) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  const { fwd, probes } = forwarder();
  const pf = new PodPortForward({} as KubeClient, { localPort: 0, target, forwarder: fwd, probeSettleMs: 1 });
  try {
    await pf.start();
    await until('active', () => pf.state.phase === 'active');
    assert.equal(probes(), 1);
    await advance(10 * 60_000, 10_000); // ten idle minutes
    assert.equal(probes(), 1, 'no probe while healthy and unchanged');
    assert.equal(pf.state.phase, 'active');
  } finally {
    await pf.stop();
  }
});

test('port forward: probeIntervalMs still polls when asked (the fake clock sees periodic probes)', async (t) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  const { fwd, probes } = forwarder();
  const pf = new PodPortForward({} as KubeClient, { localPort: 0, target, forwarder: fwd, probeSettleMs: 1, probeIntervalMs: 10_000 });
  try {
    await pf.start();
    await until('active', () => pf.state.phase === 'active');
    await advance(60_000, 1_000);
    assert.ok(probes() >= 6, `expected periodic probes, saw ${probes()}`);
  } finally {
    await pf.stop();
  }
});

test('port forward: recheck() probes at once; one during a hanging probe replaces it without reporting a failure', async (t) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  const { fwd, probes } = forwarder((n) => n === 2); // the first recheck's probe never answers
  const states: PortForwardStateEvent[] = [];
  const pf = new PodPortForward({} as KubeClient, { localPort: 0, target, forwarder: fwd, probeSettleMs: 1, probeTimeoutMs: 600_000, onState: (s) => states.push(s) });
  try {
    await pf.start();
    await until('active', () => pf.state.phase === 'active');
    pf.recheck();
    await until('the recheck probe (hanging)', () => probes() === 2);
    pf.recheck();
    await until('a third probe, at once', () => probes() === 3);
    await advance(1_000);
    assert.equal(pf.state.phase, 'active');
    assert.deepEqual(states.map((s) => s.phase), ['active'], 'the cancelled probe is not reported as a failure');
  } finally {
    await pf.stop();
  }
});

test('port forward: after a failed connection it re-probes until the upstream answers, then stops probing', async (t) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  // Probes 2 and 3 find nothing listening (the kubelet's error channel), the 4th answers.
  let probes = 0;
  const fwd = {
    portForward: (_ns: string, _pod: string, _ports: number[], output: Writable, err: Writable) => {
      if (output instanceof net.Socket) return Promise.resolve(new FakeWs());
      const n = ++probes;
      setImmediate(() => (n === 2 || n === 3 ? err.write(Buffer.from('dial tcp: connect: connection refused')) : output.write(Buffer.alloc(0))));
      return Promise.resolve(new FakeWs());
    },
  } as unknown as NonNullable<PortForwardOptions['forwarder']>;
  const states: PortForwardStateEvent[] = [];
  const pf = new PodPortForward({} as KubeClient, { localPort: 0, target, forwarder: fwd, probeSettleMs: 1, backoff: { initialMs: 40, maxMs: 10_000, healthyAfterMs: 1e9 }, onState: (s) => states.push(s) });
  try {
    await pf.start();
    await until('active', () => pf.state.phase === 'active');
    pf.recheck(); // e.g. the pod watch saw its container restart
    await until('active again after two refusals', () => probes === 4 && pf.state.phase === 'active');
    assert.deepEqual(states.map((s) => s.phase), ['active', 'error', 'active']);
    assert.equal(states[1]!.message, 'nothing is listening on port 8080 in pod web-1 (connection refused)');
    await advance(10 * 60_000, 10_000);
    assert.equal(probes, 4, 'healthy again: no more probes');
  } finally {
    await pf.stop();
  }
});

function podInfo(over: Partial<PodInfo> = {}, container: Partial<PodInfo['containers'][number]> = {}): PodInfo {
  return {
    name: 'web-1', namespace: 'ns', uid: 'u', phase: 'Running', ready: true, deleting: false, createdAt: 0, ancestors: [], ports: {}, raw: {},
    containers: [
      { name: 'init', image: 'i', id: 'i1', ready: false, restartCount: 0, state: 'terminated', init: true },
      { name: 'app', image: 'a', id: 'c1', ready: true, restartCount: 0, state: 'running', init: false, ...container },
    ],
    ...over,
  };
}

test('forwardPodRevision: changes with what can change whether the port answers, not with anything else', () => {
  const base = forwardPodRevision(podInfo());
  assert.equal(forwardPodRevision(podInfo({ createdAt: 5, raw: { metadata: { resourceVersion: '9' } } })), base, 'a bookmark or unrelated field');
  assert.equal(forwardPodRevision(podInfo({ containers: podInfo().containers.map((c) => (c.init ? { ...c, id: 'i2' } : c)) })), base, 'init containers');
  for (const changed of [podInfo({}, { id: 'c2', restartCount: 1 }), podInfo({}, { ready: false }), podInfo({}, { state: 'waiting' }), podInfo({ ready: false }), podInfo({ phase: 'Failed' }), podInfo({ deleting: true })]) {
    assert.notEqual(forwardPodRevision(changed), base);
  }
});
