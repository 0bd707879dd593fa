import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Store } from '../../../src/engine/store';
import { initialResourceState, type StateChange } from '../../../src/shared/state';
import { Emitter, DisposableStore } from '../../../src/shared/events';
import { updateStatus } from '../../../src/shared/status';

function res(name: string) {
  return initialResourceState({ name, type: 'k8s', labels: [], triggerMode: 'auto', autoInit: true });
}

function collect(store: Store): StateChange[] {
  const out: StateChange[] = [];
  store.onDidChange((c) => out.push(c));
  return out;
}

test('setResources reports added, removed and order changes', () => {
  const s = new Store();
  const ev = collect(s);
  s.setResources([res('a'), res('b')]);
  assert.deepEqual(ev[0].added, ['a', 'b']);
  assert.equal(ev[0].order, true);
  s.setResources([res('b')], (old) => old as ReturnType<typeof res>);
  assert.deepEqual(ev[1].removed, ['a']);
  assert.deepEqual(ev[1].resources, []);
  assert.deepEqual(s.snapshot().order, ['b']);
});

test('updateResource emits only the changed resource and keeps others identical', () => {
  const s = new Store();
  s.setResources([res('a'), res('b')]);
  const before = s.snapshot();
  const ev = collect(s);
  s.updateResource('a', { runtimeStatus: 'ok' });
  assert.deepEqual(ev, [{ resources: ['a'], added: [], removed: [], session: false, order: false }]);
  const after = s.snapshot();
  assert.equal(after.resources.b, before.resources.b);
  assert.notEqual(after.resources.a, before.resources.a);
  assert.equal(before.resources.a.runtimeStatus, 'unknown', 'old snapshot unchanged');
});

test('a no-op update emits nothing', () => {
  const s = new Store();
  s.setResources([res('a')]);
  const ev = collect(s);
  assert.equal(s.updateResource('a', { runtimeStatus: 'unknown' }), false);
  assert.equal(s.updateResource('missing', { runtimeStatus: 'ok' }), false);
  assert.equal(ev.length, 0);
});

test('snapshots are deep-frozen', () => {
  const s = new Store();
  s.setResources([res('a')]);
  const snap = s.snapshot();
  assert.throws(() => {
    (snap.resources.a as { runtimeStatus: string }).runtimeStatus = 'ok';
  });
  assert.throws(() => (snap.resources.a.pendingChanges as unknown as string[]).push('x'));
});

test('batch coalesces into one event', () => {
  const s = new Store();
  s.setResources([res('a'), res('b')]);
  const ev = collect(s);
  s.batch(() => {
    s.updateResource('a', { runtimeStatus: 'ok' });
    s.updateResource('b', { runtimeStatus: 'ok' });
    s.updateResource('a', { triggered: true });
    s.updateSession((x) => ({ ...x, k8s: { ...x.k8s, context: 'kind-kind' } }));
  });
  assert.equal(ev.length, 1);
  assert.deepEqual(ev[0].resources, ['a', 'b']);
  assert.equal(ev[0].session, true);
});

test('updates made inside a listener arrive as a follow-up event, not re-entrantly', () => {
  const s = new Store();
  s.setResources([res('a'), res('b')]);
  const seen: string[][] = [];
  let depth = 0;
  s.onDidChange((c) => {
    depth++;
    assert.equal(depth, 1, 'listener re-entered');
    seen.push(c.resources);
    if (c.resources.includes('a')) s.updateResource('b', { runtimeStatus: 'ok' });
    depth--;
  });
  s.updateResource('a', { runtimeStatus: 'ok' });
  assert.deepEqual(seen, [['a'], ['b']]);
});

test('changes during a build keep the resource dirty afterwards', () => {
  const s = new Store();
  s.setResources([res('a')]);
  s.dispatch({ type: 'files_changed', changes: new Map([['a', [{ path: '/src/x.py', images: ['a'] }]]]), now: 500 });
  s.dispatch({ type: 'build_started', name: 'a', kind: 'full', reason: '1 file changed', now: 1000 });
  assert.deepEqual(s.resource('a')?.pendingChanges, []);
  assert.deepEqual(s.resource('a')?.currentBuild?.edits, ['/src/x.py']);
  s.dispatch({ type: 'files_changed', changes: new Map([['a', [{ path: '/src/y.py', images: ['a'] }]]]), now: 1500 });
  assert.equal(updateStatus(s.resource('a')!), 'in_progress');
  s.dispatch({ type: 'build_finished', name: 'a', result: {}, now: 2000 });
  const r = s.resource('a');
  assert.equal(updateStatus(r!), 'pending');
  assert.deepEqual(r?.pendingChanges, [{ path: '/src/y.py', images: ['a'] }]);
  assert.equal(r?.pendingSince, 1500);
  assert.equal(r?.buildHistory[0]?.finishTime, 2000);
  assert.equal(r?.buildHistory.length, 1);
});

test('build_finished with error and trigger flags', () => {
  const s = new Store();
  s.setResources([res('a')]);
  s.dispatch({ type: 'update_triggered', name: 'a' });
  assert.equal(s.resource('a')?.triggered, true);
  s.dispatch({ type: 'build_started', name: 'a', kind: 'full', reason: 'triggered', now: 1 });
  assert.equal(s.resource('a')?.triggered, false);
  s.dispatch({ type: 'build_finished', name: 'a', result: { error: 'boom' }, now: 2 });
  assert.equal(updateStatus(s.resource('a')!), 'error');
  assert.equal(s.resource('a')?.buildHistory[0]?.error, 'boom');
});

test('Emitter isolates throwing listeners and DisposableStore disposes', () => {
  const errors: unknown[] = [];
  const e = new Emitter<number>((err) => errors.push(err));
  const got: number[] = [];
  const bag = new DisposableStore();
  bag.add(e.event(() => { throw new Error('x'); }));
  bag.add(e.event((n) => got.push(n)));
  e.fire(1);
  assert.deepEqual(got, [1]);
  assert.equal(errors.length, 1);
  bag.dispose();
  e.fire(2);
  assert.deepEqual(got, [1]);
  assert.equal(e.listenerCount, 0);
});

test('initial runtime status: local resources only have a runtime with a serve_cmd', () => {
  const base = { labels: [], triggerMode: 'auto' as const, autoInit: true };
  assert.equal(initialResourceState({ ...base, name: 'a', type: 'local' }).runtimeStatus, 'not_applicable');
  assert.equal(initialResourceState({ ...base, name: 'b', type: 'local', serveCmd: { command: ['npm', 'start'] } }).runtimeStatus, 'unknown');
  assert.equal(initialResourceState({ ...base, name: 'c', type: 'k8s' }).runtimeStatus, 'unknown');
  assert.equal(updateStatus(initialResourceState({ ...base, name: 'd', type: 'k8s', autoInit: false })), 'none');
});

test('port forwards: declared forwards keep their observed state; an observation merges into its forward', () => {
  const s = new Store();
  s.setResources([res('api')]);
  s.dispatch({ type: 'forwards_declared', name: 'api', forwards: [{ localPort: 15678, containerPort: 0, state: 'connecting' }] });
  s.dispatch({ type: 'forward_observed', name: 'api', forward: { localPort: 15678, containerPort: 5678, podName: 'api-1', state: 'active' } });
  // The pod went away: no target, so the container port resolved before stays.
  s.dispatch({ type: 'forward_observed', name: 'api', forward: { localPort: 15678, podName: undefined, state: 'reconnecting', error: 'pod gone' } });
  assert.deepEqual(s.resource('api')?.portForwards, [{ localPort: 15678, containerPort: 5678, podName: undefined, state: 'reconnecting', error: 'pod gone' }]);
  const before = s.resource('api')?.portForwards[0];
  s.dispatch({ type: 'forwards_declared', name: 'api', forwards: [{ localPort: 15678, containerPort: 0, state: 'connecting' }, { localPort: 8080, containerPort: 80, state: 'connecting' }] });
  assert.equal(s.resource('api')?.portForwards[0], before, 'a forward still declared keeps its state');
  assert.equal(s.resource('api')?.portForwards.length, 2);
  s.dispatch({ type: 'forward_observed', name: 'api', forward: { localPort: 9999, state: 'active' } });
  assert.equal(s.resource('api')?.portForwards.length, 2, 'a forward no longer declared is ignored');
});
