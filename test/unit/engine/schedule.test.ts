import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextTargetToBuild, scheduleBuilds, scheduleInputFrom, type ScheduleTarget } from '../../../src/engine/schedule';
import { Store } from '../../../src/engine/store';
import { applyHolds, finishBuild, recordFileChanges, startBuild } from '../../../src/engine/actions';
import { initialResourceState } from '../../../src/shared/state';
import { k8sResource, localResource, plan } from './planFixtures';

function t(name: string, extra: Partial<ScheduleTarget> = {}): ScheduleTarget {
  return {
    name, type: 'k8s', triggerMode: 'auto', autoInit: true, resourceDeps: [], allowParallel: true, disabled: false,
    building: false, built: false, ready: false, pendingChanges: 0, triggered: false, ...extra,
  };
}
const built = (name: string, extra: Partial<ScheduleTarget> = {}) => t(name, { built: true, ready: true, ...extra });

test('resource_deps gate the first build only', () => {
  const d = nextTargetToBuild({ targets: [t('api', { resourceDeps: ['db', 'cache'] }), t('db'), built('cache', { ready: false })], maxParallelUpdates: 3 });
  assert.deepEqual(d.next, { name: 'db', reason: 'initial' });
  assert.equal(d.holds.api, 'waiting on db, cache');
  const later = nextTargetToBuild({ targets: [built('api', { resourceDeps: ['db'], pendingChanges: 1, pendingSince: 5 }), built('db', { ready: false })], maxParallelUpdates: 3 });
  assert.equal(later.next?.name, 'api', 'after the first build, deps no longer gate');
});

test('manual trigger mode keeps changes pending until triggered', () => {
  const d = nextTargetToBuild({ targets: [built('api', { triggerMode: 'manual', pendingChanges: 2 })], maxParallelUpdates: 3 });
  assert.equal(d.next, undefined);
  assert.equal(d.holds.api, '2 files changed; waiting for a manual trigger');
  const go = nextTargetToBuild({ targets: [built('api', { triggerMode: 'manual', pendingChanges: 2, triggered: true })], maxParallelUpdates: 3 });
  assert.deepEqual(go.next, { name: 'api', reason: 'triggered' });
  const first = nextTargetToBuild({ targets: [t('api', { triggerMode: 'manual' })], maxParallelUpdates: 3 });
  assert.equal(first.next?.name, 'api', 'manual resources still get their initial build');
});

test('auto_init=False waits for a trigger', () => {
  const d = nextTargetToBuild({ targets: [t('seed', { autoInit: false })], maxParallelUpdates: 3 });
  assert.equal(d.next, undefined);
  assert.match(d.holds.seed, /auto_init=False/);
  assert.equal(nextTargetToBuild({ targets: [t('seed', { autoInit: false, triggered: true })], maxParallelUpdates: 3 }).next?.name, 'seed');
});

test('max_parallel_updates: waiting for build slot', () => {
  const d = nextTargetToBuild({ targets: [t('a', { building: true }), t('b', { building: true }), t('c')], maxParallelUpdates: 2 });
  assert.equal(d.next, undefined);
  assert.equal(d.holds.c, 'waiting for build slot');
  const s = scheduleBuilds({ targets: [t('a'), t('b'), t('c'), t('d')], maxParallelUpdates: 3 });
  assert.deepEqual(s.start.map((x) => x.name), ['a', 'b', 'c']);
  assert.equal(s.holds.d, 'waiting for build slot');
});

test('local resources run one at a time unless allow_parallel', () => {
  const serial = { type: 'local' as const, allowParallel: false };
  const d = nextTargetToBuild({ targets: [t('lint', { ...serial, building: true }), t('api')], maxParallelUpdates: 3 });
  assert.equal(d.next, undefined);
  assert.match(d.holds.api, /waiting for lint to finish/);
  const d2 = nextTargetToBuild({ targets: [t('api', { building: true }), t('lint', serial), t('web')], maxParallelUpdates: 3 });
  assert.equal(d2.next?.name, 'web');
  assert.match(d2.holds.lint, /waiting for api to finish/);
  const d3 = nextTargetToBuild({ targets: [t('api', { building: true }), t('gen', { type: 'local', allowParallel: true })], maxParallelUpdates: 3 });
  assert.equal(d3.next?.name, 'gen');
});

test('order: unbuilt, then triggered, then oldest pending; Tiltfile order breaks ties', () => {
  const s = scheduleBuilds({
    targets: [built('old', { pendingChanges: 1, pendingSince: 100 }), built('new', { pendingChanges: 1, pendingSince: 50 }), built('trig', { triggered: true }), t('fresh')],
    maxParallelUpdates: 10,
  });
  assert.deepEqual(s.start.map((x) => x.name), ['fresh', 'trig', 'new', 'old']);
});

test('uncategorized objects are applied before k8s workloads; Tiltfile reload holds everything', () => {
  const d = nextTargetToBuild({ targets: [t('api'), t('uncategorized', { uncategorized: true }), t('tool', { type: 'local' })], maxParallelUpdates: 3 });
  assert.equal(d.next?.name, 'uncategorized');
  assert.match(d.holds.api, /waiting on uncategorized/);
  const r = nextTargetToBuild({ targets: [t('api')], maxParallelUpdates: 3, tiltfileLoading: true });
  assert.equal(r.holds.api, 'waiting for the Tiltfile to reload');
});

test('end to end with the store: a change during a build is not lost, holds become waitingReason', () => {
  const p = plan('/r/Tiltfile', [k8sResource('db'), k8sResource('api', { resourceDeps: ['db'] }), localResource('lint')]);
  const store = new Store();
  store.setResources(p.resources.map((r) => initialResourceState(r)));
  let s = scheduleBuilds(scheduleInputFrom(p, store.snapshot().resources));
  assert.deepEqual(s.start.map((x) => x.name), ['db']);
  applyHolds(store, s.holds);
  assert.equal(store.resource('api')?.waitingReason, 'waiting on db');
  assert.equal(store.resource('lint')?.waitingReason, 'waiting for db to finish');
  startBuild(store, 'db', 'full', 'initial', 1);
  recordFileChanges(store, 'db', ['/r/db/x.sql'], 2);
  finishBuild(store, 'db', {}, 3);
  store.updateResource('db', { runtimeStatus: 'ok' });
  s = scheduleBuilds(scheduleInputFrom(p, store.snapshot().resources));
  assert.deepEqual(s.start.map((x) => x.name), ['api', 'db'], 'db rebuilds for the change made during its build');
  assert.equal(s.holds.lint, 'waiting for db, api to finish');
});
