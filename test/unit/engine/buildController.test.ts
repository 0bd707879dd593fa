import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BuildController, type UpdateRequest, type UpdateResult } from '../../../src/engine/buildController';
import { FakeClock } from '../../../src/engine/clock';
import { Store } from '../../../src/engine/store';
import { initialResourceState } from '../../../src/shared/state';
import type { Plan } from '../../../src/tiltfile/plan';
import { k8sResource, localResource, plan as makePlan } from './planFixtures';
import { updateStatus } from '../../../src/shared/status';

/** Updates that finish only when the test says so. */
class FakeUpdater {
  readonly requests: UpdateRequest[] = [];
  private pending = new Map<string, (r: UpdateResult) => void>();
  update = (req: UpdateRequest): Promise<UpdateResult> => {
    this.requests.push(req);
    return new Promise((resolve) => this.pending.set(req.name, resolve));
  };
  inFlight(): string[] {
    return [...this.pending.keys()];
  }
  async finish(name: string, result: UpdateResult = { kind: 'full' }): Promise<void> {
    const r = this.pending.get(name);
    assert.ok(r, `${name} is not updating`);
    this.pending.delete(name);
    r(result);
    await new Promise((res) => setImmediate(res));
  }
}

function setup(p: Plan) {
  const store = new Store();
  store.setResources(p.resources.map((r) => initialResourceState(r)));
  const clock = new FakeClock();
  const fake = new FakeUpdater();
  let loading = false;
  const ctl = new BuildController({ store, clock, plan: () => p, tiltfileLoading: () => loading, update: fake.update });
  return { store, clock, fake, ctl, setLoading: (v: boolean) => (loading = v) };
}

const tick = () => new Promise((r) => setImmediate(r));

test('initial updates respect resource_deps, then dependents start when the dep is ready', async () => {
  const { store, fake, ctl } = setup(makePlan('/r/Tiltfile', [k8sResource('db'), k8sResource('api', { resourceDeps: ['db'] })]));
  ctl.reconcile();
  await tick();
  assert.deepEqual(fake.inFlight(), ['db']);
  assert.equal(store.resource('api')?.hold?.words, 'waiting on db');
  assert.equal(updateStatus(store.resource('db')!), 'in_progress');
  await fake.finish('db');
  assert.equal(updateStatus(store.resource('db')!), 'ok');
  assert.deepEqual(fake.inFlight(), [], 'db built but not ready yet');
  store.updateResource('db', { runtimeStatus: 'ok' }); // discovery saw the pod become ready
  await tick();
  assert.deepEqual(fake.inFlight(), ['api']);
  assert.equal(store.resource('api')?.hold?.words, undefined);
  await fake.finish('api');
  await ctl.waitIdle();
});

test('a change during an update is queued, not lost, and rebuilt after', async () => {
  const { store, fake, ctl, clock } = setup(makePlan('/r/Tiltfile', [k8sResource('api')]));
  ctl.reconcile();
  await tick();
  ctl.fileChanges(new Map([['api', [{ path: '/r/api/a.go', images: ['api'] }]]]));
  await tick();
  assert.equal(fake.requests.length, 1, 'no second update while the first runs');
  clock.advance(1000);
  await fake.finish('api', { kind: 'full' });
  await tick();
  assert.equal(fake.requests.length, 2);
  assert.deepEqual(fake.requests[1], { name: 'api', reason: 'changes', edits: [{ path: '/r/api/a.go', images: ['api'] }] });
  assert.equal(store.resource('api')?.currentBuild?.reason, '1 file changed');
  await fake.finish('api', { kind: 'live_update' });
  const r = store.resource('api');
  assert.equal(updateStatus(r!), 'ok');
  assert.deepEqual(r?.buildHistory.map((b) => b.kind), ['live_update', 'full']);
});

test('manual resources wait for a trigger; failures are recorded and not retried without changes', async () => {
  const { store, fake, ctl } = setup(makePlan('/r/Tiltfile', [k8sResource('api', { triggerMode: 'manual' })]));
  ctl.reconcile();
  await tick();
  await fake.finish('api', { kind: 'full', error: 'build failed: exit 1' });
  assert.equal(updateStatus(store.resource('api')!), 'error');
  assert.equal(store.resource('api')?.buildHistory[0]?.error, 'build failed: exit 1');
  ctl.fileChanges(new Map([['api', [{ path: '/r/a', images: [] }]]]));
  await tick();
  assert.equal(fake.requests.length, 1);
  assert.equal(store.resource('api')?.hold?.words, '1 file changed; waiting for a manual trigger');
  ctl.trigger('api');
  await tick();
  assert.equal(fake.requests.length, 2);
  assert.deepEqual(fake.requests[1], { name: 'api', reason: 'triggered', edits: [{ path: '/r/a', images: [] }] });
  await fake.finish('api');
});

test('Tiltfile reload holds everything; local resources run one at a time', async () => {
  const { store, fake, ctl, setLoading } = setup(makePlan('/r/Tiltfile', [localResource('gen'), localResource('lint')]));
  setLoading(true);
  ctl.reconcile();
  await tick();
  assert.deepEqual(fake.inFlight(), []);
  assert.equal(store.resource('gen')?.hold?.words, 'waiting for the Tiltfile to reload');
  setLoading(false);
  ctl.reconcile();
  await tick();
  assert.deepEqual(fake.inFlight(), ['gen']);
  assert.equal(store.resource('lint')?.hold?.words, 'waiting for gen to finish (local resources run one at a time)');
  await fake.finish('gen');
  assert.deepEqual(fake.inFlight(), ['lint']);
  await fake.finish('lint');
});

test('an update that throws is recorded as an internal error', async () => {
  const store = new Store();
  const p = makePlan('/r/Tiltfile', [k8sResource('api')]);
  store.setResources(p.resources.map((r) => initialResourceState(r)));
  const errors: unknown[] = [];
  const ctl = new BuildController({
    store, clock: new FakeClock(), plan: () => p, tiltfileLoading: () => false,
    update: async () => { throw new Error('boom'); },
    onInternalError: (_n, e) => errors.push(e),
  });
  ctl.reconcile();
  await ctl.waitIdle();
  assert.equal(store.resource('api')?.buildHistory[0]?.error, 'internal error: boom');
  assert.equal(errors.length, 1);
});
