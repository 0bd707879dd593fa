import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextTargetToBuild, scheduleBuilds, scheduleInputFrom, type ScheduleTarget } from '../../../src/engine/schedule';
import { Store } from '../../../src/engine/store';
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
  assert.deepEqual(d.holds.api, { kind: 'dependency', resources: ['db', 'cache'], words: 'waiting on db, cache' }, 'typed: a surface can reveal db and cache');
  const later = nextTargetToBuild({ targets: [built('api', { resourceDeps: ['db'], pendingChanges: 1, pendingSince: 5 }), built('db', { ready: false })], maxParallelUpdates: 3 });
  assert.equal(later.next?.name, 'api', 'after the first build, deps no longer gate');
});

test('manual trigger mode keeps changes pending until triggered', () => {
  const d = nextTargetToBuild({ targets: [built('api', { triggerMode: 'manual', pendingChanges: 2 })], maxParallelUpdates: 3 });
  assert.equal(d.next, undefined);
  assert.deepEqual(d.holds.api, { kind: 'manual_trigger', resources: [], words: '2 files changed; waiting for a manual trigger' });
  const go = nextTargetToBuild({ targets: [built('api', { triggerMode: 'manual', pendingChanges: 2, triggered: true })], maxParallelUpdates: 3 });
  assert.deepEqual(go.next, { name: 'api', reason: 'triggered' });
  const first = nextTargetToBuild({ targets: [t('api', { triggerMode: 'manual' })], maxParallelUpdates: 3 });
  assert.equal(first.next?.name, 'api', 'manual resources still get their initial build');
});

test('auto_init=False waits for a trigger', () => {
  const d = nextTargetToBuild({ targets: [t('seed', { autoInit: false })], maxParallelUpdates: 3 });
  assert.equal(d.next, undefined);
  assert.match(d.holds.seed?.words ?? '', /auto_init=False/);
  assert.equal(nextTargetToBuild({ targets: [t('seed', { autoInit: false, triggered: true })], maxParallelUpdates: 3 }).next?.name, 'seed');
});

test('max_parallel_updates: waiting for build slot', () => {
  const d = nextTargetToBuild({ targets: [t('a', { building: true }), t('b', { building: true }), t('c')], maxParallelUpdates: 2 });
  assert.equal(d.next, undefined);
  assert.equal(d.holds.c?.kind, 'build_slot');
  assert.equal(d.holds.c?.words, 'waiting for build slot');
  const s = scheduleBuilds({ targets: [t('a'), t('b'), t('c'), t('d')], maxParallelUpdates: 3 });
  assert.deepEqual(s.start.map((x) => x.name), ['a', 'b', 'c']);
  assert.equal(s.holds.d?.words, 'waiting for build slot');
});

test('local resources run one at a time unless allow_parallel', () => {
  const serial = { type: 'local' as const, allowParallel: false };
  const d = nextTargetToBuild({ targets: [t('lint', { ...serial, building: true }), t('api')], maxParallelUpdates: 3 });
  assert.equal(d.next, undefined);
  assert.match(d.holds.api?.words ?? '', /waiting for lint to finish/);
  const d2 = nextTargetToBuild({ targets: [t('api', { building: true }), t('lint', serial), t('web')], maxParallelUpdates: 3 });
  assert.equal(d2.next?.name, 'web');
  assert.match(d2.holds.lint?.words ?? '', /waiting for api to finish/);
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
  assert.match(d.holds.api?.words ?? '', /waiting on uncategorized/);
  const r = nextTargetToBuild({ targets: [t('api')], maxParallelUpdates: 3, tiltfileLoading: true });
  assert.deepEqual(r.holds.api, { kind: 'tiltfile_loading', resources: [], words: 'waiting for the Tiltfile to reload' });
});

test('end to end with the store: a change during a build is not lost, holds become typed hold reasons', () => {
  const p = plan('/r/Tiltfile', [k8sResource('db'), k8sResource('api', { resourceDeps: ['db'] }), localResource('lint')]);
  const store = new Store();
  store.setResources(p.resources.map((r) => initialResourceState(r)));
  let s = scheduleBuilds(scheduleInputFrom(p, store.snapshot().resources));
  assert.deepEqual(s.start.map((x) => x.name), ['db']);
  store.dispatch({ type: 'holds_computed', holds: s.holds });
  assert.equal(store.resource('api')?.hold?.words, 'waiting on db');
  assert.equal(store.resource('lint')?.hold?.words, 'waiting for db to finish');
  store.dispatch({ type: 'build_started', name: 'db', kind: 'full', reason: 'initial', now: 1 });
  store.dispatch({ type: 'files_changed', changes: new Map([['db', [{ path: '/r/db/x.sql', images: [] }]]]), now: 2 });
  store.dispatch({ type: 'build_finished', name: 'db', result: {}, now: 3 });
  store.updateResource('db', { runtimeStatus: 'ok' });
  s = scheduleBuilds(scheduleInputFrom(p, store.snapshot().resources));
  assert.deepEqual(s.start.map((x) => x.name), ['api', 'db'], 'db rebuilds for the change made during its build');
  assert.deepEqual(s.holds.lint, { kind: 'serial_local', resources: ['db', 'api'], words: 'waiting for db, api to finish' });
});
