// Port-forward faults with a fake API-server websocket: half-open connections (missed pongs), failed connections
// going through the backoff, and a local port that is already taken. The real-cluster version of the last one is
// test/integration/k8s/portForwardTaken.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import { Writable } from 'node:stream';
import type { KubeClient } from '../../../src/engine/k8s/client';
import { watchLiveness } from '../../../src/engine/k8s/liveness';
import { PodPortForward, type PortForwardOptions, type PortForwardStateEvent } from '../../../src/engine/k8s/portForward';
import { untilValue as until } from '../../fakes/ports';

class FakeWs extends EventEmitter {
  pings = 0;
  terminated = false;
  constructor(private readonly pong: boolean) {
    super();
  }
  ping(): void {
    this.pings++;
    if (this.pong) setImmediate(() => this.emit('pong'));
  }
  terminate(): void {
    this.terminated = true;
    this.emit('close');
  }
}

/** A fake forwarder: probes reach the "kubelet" at once; connections get `onConnect`'s answer. */
function forwarder(onConnect: () => Promise<FakeWs>): { fwd: NonNullable<PortForwardOptions['forwarder']>; probes: () => number } {
  let probes = 0;
  const fwd = {
    portForward: (_ns: string, _pod: string, _ports: number[], output: Writable) => {
      if (output instanceof net.Socket) return onConnect();
      probes++;
      setImmediate(() => output.write(Buffer.alloc(0)));
      return Promise.resolve(new FakeWs(true));
    },
  } as unknown as NonNullable<PortForwardOptions['forwarder']>;
  return { fwd, probes: () => probes };
}

const target = { namespace: 'ns', pod: 'web-1', port: 8080 };
const noClient = {} as KubeClient;
// A large healthy-after so the delays double deterministically however slow the machine is.
const backoff = { initialMs: 40, maxMs: 10_000, healthyAfterMs: 1e9 };


function connectAndWaitClose(port: number): Promise<void> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => undefined);
    s.on('close', () => resolve());
  });
}

test('watchLiveness (pongs only, as a port forward uses it): two ping periods without a pong cut the connection (one ping sent, cut at the second tick)', async () => {
  const ws = new FakeWs(false);
  const events: string[] = [];
  const origPing = ws.ping.bind(ws);
  ws.ping = () => {
    events.push('ping');
    origPing();
  };
  // The timer is unref'd (it must not keep a process alive): hold the event loop open meanwhile.
  const keepAlive = setInterval(() => undefined, 1000);
  try {
    await new Promise<void>((resolve) => watchLiveness(ws, 5, () => {
      events.push('dead');
      resolve();
    }, 'pongs'));
  } finally {
    clearInterval(keepAlive);
  }
  assert.deepEqual(events, ['ping', 'dead']);
});

test('watchLiveness (pongs only): a websocket that answers is never cut', async () => {
  const ws = new FakeWs(true);
  let dead = false;
  const stop = watchLiveness(ws, 5, () => (dead = true), 'pongs');
  await until('six pings', () => ws.pings >= 6);
  stop();
  assert.equal(dead, false);
});

test('port forward: failed connections re-probe through the backoff, never at once', async () => {
  const { fwd, probes } = forwarder(() => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6443')));
  const states: PortForwardStateEvent[] = [];
  const pf = new PodPortForward(noClient, { localPort: 0, target, forwarder: fwd, backoff, probeSettleMs: 1, onState: (s) => states.push(s) });
  try {
    await pf.start();
    await until('active', () => pf.state.phase === 'active');
    for (let i = 0; i < 3; i++) {
      await connectAndWaitClose(pf.localPort);
      await until(`failure ${i + 1} reported`, () => states.filter((s) => s.phase === 'reconnecting').length === i + 1);
      await until('active again', () => pf.state.phase === 'active');
    }
    const retries = states.filter((s) => s.phase === 'reconnecting').map((s) => s.message);
    assert.deepEqual(retries, [40, 80, 160].map((ms) => `cannot reach the API server (connection refused); retrying in ${ms} ms`));
    // The first probe plus one per failure: no immediate extra probes.
    assert.equal(probes(), 4);
  } finally {
    await pf.stop();
  }
});

test('port forward: a connection that stops answering pings is cut and reconnects through the backoff', async () => {
  const sockets: FakeWs[] = [];
  const { fwd } = forwarder(() => {
    const ws = new FakeWs(false);
    sockets.push(ws);
    return Promise.resolve(ws);
  });
  const states: PortForwardStateEvent[] = [];
  const pf = new PodPortForward(noClient, { localPort: 0, target, forwarder: fwd, backoff, probeSettleMs: 1, pingIntervalMs: 5, onState: (s) => states.push(s) });
  try {
    await pf.start();
    await until('active', () => pf.state.phase === 'active');
    await connectAndWaitClose(pf.localPort); // the forward closes the client's socket when the pongs stop
    assert.equal(sockets.length, 1);
    assert.equal(sockets[0]!.terminated, true);
    assert.equal(sockets[0]!.pings, 1, 'cut at the second period, after one unanswered ping');
    await until('reported', () => states.find((s) => s.phase === 'reconnecting'));
    assert.equal(states.find((s) => s.phase === 'reconnecting')!.message, 'the connection to pod web-1 stopped answering pings; retrying in 40 ms');
  } finally {
    await pf.stop();
  }
});

test('port forward: a local port already taken is reported and retried with backoff until it frees', async () => {
  const occupier = net.createServer();
  await new Promise<void>((r) => occupier.listen(0, '127.0.0.1', () => r()));
  const port = (occupier.address() as net.AddressInfo).port;
  const { fwd } = forwarder(() => Promise.resolve(new FakeWs(true)));
  const states: PortForwardStateEvent[] = [];
  const pf = new PodPortForward(noClient, { localPort: port, target, forwarder: fwd, backoff, probeSettleMs: 1, onState: (s) => states.push(s) });
  try {
    await pf.start(); // does not reject: the forward waits for its port
    assert.equal(pf.state.phase, 'error');
    assert.equal(pf.state.message, `cannot listen on 127.0.0.1:${port}: the port is already in use (stop whatever uses it or change port_forwards); retrying in 40 ms`);
    // Retried: the delay in the message grows with each failed bind.
    await until('a second retry', () => states.some((s) => /retrying in 80 ms$/.test(s.message ?? '')));
    await new Promise<void>((r) => occupier.close(() => r()));
    await until('active once the port is free', () => pf.state.phase === 'active');
    assert.equal(pf.localPort, port);
    await new Promise<void>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve();
      });
      s.on('error', reject);
    });
  } finally {
    occupier.close();
    await pf.stop();
  }
});

test('port forward: stop() while waiting for a taken port ends the retries', async () => {
  const occupier = net.createServer();
  await new Promise<void>((r) => occupier.listen(0, '127.0.0.1', () => r()));
  const port = (occupier.address() as net.AddressInfo).port;
  const { fwd } = forwarder(() => Promise.resolve(new FakeWs(true)));
  const pf = new PodPortForward(noClient, { localPort: port, target, forwarder: fwd, backoff });
  await pf.start();
  await pf.stop();
  await new Promise<void>((r) => occupier.close(() => r()));
  await new Promise((r) => setTimeout(r, 200));
  assert.notEqual(pf.state.phase, 'active');
  // The port stays free: nothing re-bound it after stop().
  const again = net.createServer();
  await new Promise<void>((resolve, reject) => {
    again.once('error', reject);
    again.listen(port, '127.0.0.1', () => resolve());
  });
  again.close();
});
