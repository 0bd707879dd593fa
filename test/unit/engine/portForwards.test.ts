import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/engine/clock';
import { PortForwardSupervisor, type ForwardHandle, type ForwardSpec, type Forwarder } from '../../../src/engine/portForwards';
import { Store } from '../../../src/engine/store';
import { initialResourceState } from '../../../src/shared/state';

class FakeForwarder implements Forwarder {
  started: ForwardSpec[] = [];
  stopped: ForwardSpec[] = [];
  failNext: Error[] = [];
  private closers = new Map<number, (e: Error | undefined) => void>();
  async start(spec: ForwardSpec): Promise<ForwardHandle> {
    this.started.push(spec);
    const fail = this.failNext.shift();
    if (fail) throw fail;
    let close!: (e: Error | undefined) => void;
    const closed = new Promise<Error | undefined>((r) => (close = r));
    this.closers.set(spec.localPort, close);
    return { closed, stop: () => { this.stopped.push(spec); close(undefined); } };
  }
  drop(localPort: number, err: Error): void {
    this.closers.get(localPort)?.(err);
  }
}

const flush = () => new Promise((r) => setImmediate(r));
const spec = (pod: string, localPort = 8080): ForwardSpec => ({ pod, localPort, containerPort: 80, host: '' });

function setup() {
  const store = new Store();
  store.setResources([initialResourceState({ name: 'api', type: 'k8s', labels: [], triggerMode: 'auto', autoInit: true })]);
  const clock = new FakeClock();
  const fwd = new FakeForwarder();
  const sup = new PortForwardSupervisor(store, fwd, clock, { initialMs: 50, maxMs: 400, healthyAfterMs: 1000 });
  const pf = () => store.resource('api')?.portForwards ?? [];
  return { store, clock, fwd, sup, pf };
}

test('starts desired forwards, is idempotent, and restarts when the pod changes', async () => {
  const { fwd, sup, pf } = setup();
  sup.reconcile('api', [spec('api-1')]);
  assert.equal(pf()[0].state, 'connecting');
  await flush();
  assert.equal(pf()[0].state, 'active');
  sup.reconcile('api', [spec('api-1')]);
  assert.equal(fwd.started.length, 1, 'same spec: no-op');
  sup.reconcile('api', [spec('api-2')]);
  await flush();
  assert.deepEqual(fwd.stopped.map((s) => s.pod), ['api-1']);
  assert.deepEqual(pf().map((p) => [p.podName, p.state]), [['api-2', 'active']]);
  sup.reconcile('api', []);
  assert.deepEqual(pf(), []);
  sup.dispose();
});

test('a dropped forward reconnects with backoff and shows why', async () => {
  const { clock, fwd, sup, pf } = setup();
  sup.reconcile('api', [spec('api-1')]);
  await flush();
  fwd.failNext.push(new Error('connection refused'), new Error('connection refused'));
  fwd.drop(8080, new Error('lost connection to pod'));
  await flush();
  assert.equal(pf()[0].state, 'reconnecting');
  assert.equal(pf()[0].error, 'lost connection to pod (retrying in 50 ms)');
  clock.advance(50);
  await flush();
  assert.equal(pf()[0].state, 'error');
  assert.equal(pf()[0].error, 'connection refused (retrying in 100 ms)');
  clock.advance(100);
  await flush();
  assert.equal(pf()[0].error, 'connection refused (retrying in 200 ms)');
  clock.advance(200);
  await flush();
  assert.equal(pf()[0].state, 'active');
  assert.equal(pf()[0].error, undefined);
  assert.equal(fwd.started.length, 4);
  // Healthy for a while, then a blip: reconnect quickly again.
  clock.advance(5000);
  fwd.drop(8080, new Error('blip'));
  await flush();
  assert.equal(pf()[0].error, 'blip (retrying in 50 ms)');
  sup.dispose();
  clock.advance(1000);
  await flush();
  assert.equal(fwd.started.length, 4, 'no reconnect after dispose');
});
