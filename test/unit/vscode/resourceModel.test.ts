import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { groupByLabel, portForwardLines, resourceStatus, resourceView, summarize, worst } from '../../../src/vscode/resourceModel';
import { initialResourceState, initialSessionState, type EngineState, type ResourceState } from '../../../src/shared/state';

function res(name: string, patch: Partial<ResourceState> = {}): ResourceState {
  return { ...initialResourceState({ name, type: 'k8s', labels: [], triggerMode: 'auto', autoInit: true }), ...patch };
}

function state(...rs: ResourceState[]): EngineState {
  return { session: initialSessionState(), order: rs.map((r) => r.name), resources: Object.fromEntries(rs.map((r) => [r.name, r])) };
}

describe('resourceStatus', () => {
  it('ranks building over error, and error over pending', () => {
    assert.equal(resourceStatus(res('a', { currentBuild: { startTime: 1, kind: 'full' }, runtimeStatus: 'error' })), 'building');
    assert.equal(resourceStatus(res('a', { buildHistory: [{ startTime: 0, finishTime: 1, kind: 'full' }], runtimeStatus: 'error' })), 'error');
    assert.equal(resourceStatus(res('a', { triggered: true })), 'pending');
    assert.equal(resourceStatus(res('a', { buildHistory: [{ startTime: 0, finishTime: 1, kind: 'full' }], runtimeStatus: 'ok' })), 'ok');
    assert.equal(resourceStatus(res('a', { buildHistory: [{ startTime: 0, finishTime: 1, kind: 'full' }], runtimeStatus: 'not_applicable' })), 'ok');
    assert.equal(resourceStatus(res('a', { disabled: true, buildHistory: [{ startTime: 0, finishTime: 1, kind: 'full', error: 'boom' }] })), 'disabled');
    assert.equal(resourceStatus(res('a', { runtimeStatus: 'unknown', autoInit: false })), 'idle');
  });

  it('shows warnings of the last build', () => {
    const r = res('a', { runtimeStatus: 'ok', buildHistory: [{ startTime: 1, finishTime: 2, kind: 'full', warnings: ['unused image'] }] });
    assert.equal(resourceStatus(r), 'warning');
    assert.ok(resourceView(r).tooltip.includes('warning: unused image'));
  });
});

describe('resourceView', () => {
  it('describes waiting, pending manual changes and restarts', () => {
    const v = resourceView(res('api', { hold: { kind: 'dependency', resources: ['db'], words: 'waiting on db' } }));
    assert.equal(v.description, 'waiting on db');
    const m = resourceView(res('api', { triggerMode: 'manual', buildHistory: [{ startTime: 0, finishTime: 1, kind: 'full' }], runtimeStatus: 'ok', pendingChanges: [{ path: '/a', images: [] }, { path: '/b', images: [] }] }));
    assert.equal(m.description, '2 changes (manual)');
    assert.equal(m.needsTrigger, true);
    const crash = resourceView(
      res('api', {
        buildHistory: [{ startTime: 0, finishTime: 1, kind: 'full' }],
        runtimeStatus: 'error',
        pods: [{ name: 'p', status: 'Running', ready: false, restarts: 3, containers: [{ name: 'c', ready: false, restarts: 3, state: 'waiting', reason: 'CrashLoopBackOff' }] }],
      }),
    );
    assert.equal(crash.description, 'CrashLoopBackOff · 3 restarts');
  });

  it('says live updating for a live-update build', () => {
    const v = resourceView(res('api', { currentBuild: { startTime: 1, kind: 'live_update' } }));
    assert.equal(v.description, 'live updating');
  });
});

describe('groupByLabel', () => {
  it('is flat when nothing is labelled', () => {
    assert.equal(groupByLabel(state(res('a'), res('b'))), undefined);
  });

  it('sorts labels, puts unlabeled last, and lists multi-label resources in each group', () => {
    const s = state(res('a', { labels: ['z'] }), res('b'), res('c', { labels: ['m', 'z'], buildHistory: [{ startTime: 0, finishTime: 1, kind: 'full', error: 'boom' }] }));
    const g = groupByLabel(s)!;
    assert.deepEqual(g.map((x) => [x.label, x.names]), [['m', ['c']], ['z', ['a', 'c']], ['unlabeled', ['b']]]);
    assert.equal(g[1]!.status, 'error');
  });
});

describe('summarize', () => {
  it('counts worst-first and shows ok out of enabled', () => {
    const s = summarize(state(res('a', { buildHistory: [{ startTime: 0, finishTime: 1, kind: 'full', error: 'boom' }] }), res('b', { buildHistory: [{ startTime: 0, finishTime: 1, kind: 'full' }], runtimeStatus: 'ok' }), res('c', { disabled: true })));
    assert.equal(s.counts.error, 1);
    assert.equal(s.text, '$(error) 1 $(check) 1/2');
  });

  it('flags a failed Tiltfile load', () => {
    const st = state(res('a'));
    st.session.tiltfile = { status: 'error', error: 'Tiltfile:3: boom', diagnostics: [] };
    const s = summarize(st);
    assert.match(s.text, /^\$\(error\) Tiltfile/);
    assert.match(s.tooltip, /Tiltfile: Tiltfile:3: boom/);
  });

  it('shows the port forwards: active count in the text, each forward in the tooltip', () => {
    const s = summarize(
      state(
        res('api', {
          buildHistory: [{ startTime: 0, finishTime: 1, kind: 'full' }],
          runtimeStatus: 'ok',
          portForwards: [
            { localPort: 5734, containerPort: 5000, state: 'active' },
            { localPort: 5678, containerPort: 5678, state: 'connecting' },
          ],
        }),
      ),
    );
    assert.equal(s.text, '$(check) 1/1 $(plug) 1/2');
    assert.match(s.tooltip, /localhost:5734 → api:5000 \(active\)/);
    assert.match(s.tooltip, /localhost:5678 → api:5678 \(connecting\)/);
  });

  it('worst picks the most urgent status', () => {
    assert.equal(worst(['ok', 'pending', 'idle']), 'pending');
    assert.equal(worst([]), 'disabled');
  });
});

describe('portForwardLines (one status-bar item per forward)', () => {
  it('labels each forward "resource port", with its state as icon and the endpoint to open', () => {
    const s = state(
      res('todo-api', { portForwards: [{ localPort: 5734, containerPort: 5000, state: 'active' }, { localPort: 5678, containerPort: 5678, state: 'reconnecting', error: 'pod gone\nmore' }] }),
      res('todo-frontend', { portForwards: [{ localPort: 3734, containerPort: 3000, state: 'error', error: 'refused' }] }),
    );
    const lines = portForwardLines(s);
    assert.deepEqual(lines.map((l) => l.label), ['$(plug) todo-api 5734', '$(sync~spin) todo-api 5678', '$(debug-disconnect) todo-frontend 3734']);
    assert.deepEqual(lines.map((l) => l.active), [true, false, false]);
    assert.equal(lines[0]!.url, 'http://localhost:5734/');
    assert.equal(lines[1]!.text, 'localhost:5678 → todo-api:5678 (reconnecting: pod gone)');
  });
});
