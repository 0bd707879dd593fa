// The one status projection (src/shared/status.ts) and the surfaces that render it: the editor's tree model and
// dashboard model, and the CLI's status table must agree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Store } from '../../../src/engine/store';
import { statusTable } from '../../../src/cli/render/status';
import { describe as describeResource, getTable } from '../../../src/cli/render/resources';
import { dashboardModel, groupByLabel, portForwardLines, resourceView, summarize } from '../../../src/vscode/resourceModel';
import { initialResourceState, initialSessionState, type EngineState, type ResourceState } from '../../../src/shared/state';
import { displayOrder, endpointUrl, resourceEndpoints, restartCount, statusCounts, statusView, updateStatus } from '../../../src/shared/status';

const res = (name: string, patch: Partial<ResourceState> = {}): ResourceState => ({
  ...initialResourceState({ name, type: 'k8s', labels: [], triggerMode: 'auto', autoInit: true }),
  ...patch,
});
const state = (...rs: ResourceState[]): EngineState => ({ session: initialSessionState(), order: rs.map((r) => r.name), resources: Object.fromEntries(rs.map((r) => [r.name, r])) });

test('a failed manual resource with a new edit reads "update failed" in the editor, the dashboard and the CLI', () => {
  const s = new Store();
  s.setResources([res('api', { triggerMode: 'manual' })]);
  s.dispatch({ type: 'build_started', name: 'api', kind: 'full', reason: 'initial', now: 1 });
  s.dispatch({ type: 'build_finished', name: 'api', result: { error: 'image build failed: exit 1' }, now: 2 });
  s.dispatch({ type: 'files_changed', changes: new Map([['api', [{ path: '/src/a.go', images: [] }]]]), now: 3 });
  const r = s.resource('api')!;
  assert.equal(updateStatus(r), 'error');
  assert.deepEqual(statusView(r), { status: 'error', word: 'update failed', detail: 'image build failed: exit 1' });
  assert.equal(resourceView(r).status, 'error');
  assert.match(resourceView(r).description, /^update failed · 1 change \(manual\)$/);
  assert.equal(dashboardModel(s.snapshot()).rows[0]?.updateStatus, 'error');
  assert.match(statusTable(s.snapshot(), false)[0] ?? '', /^api\s+update failed\s+image build failed: exit 1$/);
  s.dispose();
});

test('uncategorized is listed last by every surface, while the store keeps Tiltfile (deploy) order', () => {
  const st = state(res('uncategorized'), res('db', { labels: ['be'] }), res('api', { labels: ['be'] }));
  assert.deepEqual(st.order, ['uncategorized', 'db', 'api']);
  assert.deepEqual(displayOrder(st), ['db', 'api', 'uncategorized']);
  assert.deepEqual(dashboardModel(st).rows.map((r) => r.name), ['db', 'api', 'uncategorized']);
  assert.deepEqual(statusTable(st, false).map((l) => l.split(/\s+/)[0]), ['db', 'api', 'uncategorized']);
  assert.deepEqual(groupByLabel(st)?.map((g) => [g.label, g.names]), [['be', ['db', 'api']], ['unlabeled', ['uncategorized']]]);
});

test('one endpoint function: links, then forwards (host, link_path), then published Compose ports, no duplicates', () => {
  assert.equal(endpointUrl(undefined, 8080), 'http://localhost:8080/');
  assert.equal(endpointUrl('0.0.0.0', 8080), 'http://localhost:8080/');
  assert.equal(endpointUrl('127.0.0.2', 9000, 'api/health'), 'http://127.0.0.2:9000/api/health');
  assert.equal(endpointUrl('::1', 9000), 'http://[::1]:9000/');
  const r = res('web', {
    links: [{ url: 'https://docs.example.test/', name: 'docs' }, { url: 'http://localhost:8080/' }],
    portForwards: [{ localPort: 8080, containerPort: 80, state: 'active' }, { localPort: 9229, containerPort: 9229, state: 'connecting', name: 'debug', linkPath: '/json' }],
    publishedPorts: [{ host: '0.0.0.0', port: 5432 }],
  });
  assert.deepEqual(resourceEndpoints(r), [
    { url: 'https://docs.example.test/', name: 'docs' },
    { url: 'http://localhost:8080/' },
    { url: 'http://localhost:9229/json', name: 'debug' },
    { url: 'http://localhost:5432/' },
  ]);
  assert.deepEqual(resourceView(r).endpoints, resourceEndpoints(r), 'the tree and dashboard show the same endpoints');
});

test('Tiltfile links are shown by the CLI next to the status', () => {
  const st = state(res('api', { links: [{ url: 'https://api.example.test/' }], buildHistory: [{ startTime: 0, finishTime: 1, kind: 'full' }], runtimeStatus: 'ok' }));
  assert.match(statusTable(st, false)[0] ?? '', /^api\s+ready\s+https:\/\/api\.example\.test\/$/);
  assert.deepEqual(dashboardModel(st).rows[0]?.endpoints, [{ url: 'https://api.example.test/' }]);
});

test('a typed hold reason names what the resource waits for, so surfaces can reveal it', () => {
  const st = state(res('api', { hold: { kind: 'dependency', resources: ['db'], words: 'waiting on db' } }), res('db'));
  const v = statusView(st.resources.api!);
  assert.equal(v.status, 'pending');
  assert.deepEqual(v.hold?.resources, ['db']);
  assert.deepEqual(dashboardModel(st).rows[0]?.waitingFor, ['db']);
  assert.match(statusTable(st, false)[0] ?? '', /^api\s+waiting\s+waiting on db$/);
});

test('a forward bound to a host shows that host in the CLI, the status bar and the tree; a wildcard bind reads localhost', () => {
  const st = state(res('api', {
    buildHistory: [{ startTime: 0, finishTime: 1, kind: 'full' }],
    runtimeStatus: 'ok',
    portForwards: [{ localPort: 8080, containerPort: 80, state: 'active', host: '127.0.0.2' }, { localPort: 9000, containerPort: 90, state: 'active', host: '0.0.0.0' }],
  }));
  const cli = describeResource(st, 'api', 2);
  assert.match(cli, /^ {2}127\.0\.0\.2:8080 -> 80 {2}active$/m);
  assert.match(cli, /^ {2}localhost:9000 -> 90 {2}active$/m);
  assert.deepEqual(portForwardLines(st).map((l) => [l.text, l.url]), [
    ['127.0.0.2:8080 → api:80 (active)', 'http://127.0.0.2:8080/'],
    ['localhost:9000 → api:90 (active)', 'http://localhost:9000/'],
  ]);
  assert.equal(statusView(st.resources.api!).detail, '127.0.0.2:8080 localhost:9000');
  assert.deepEqual(resourceEndpoints(st.resources.api!).map((e) => e.url), ['http://127.0.0.2:8080/', 'http://localhost:9000/']);
});

test('restarts and status counts are computed once: the CLI, the tree, the status bar and the dashboard agree', () => {
  const pod = (name: string, restarts: number) => ({ name, status: 'Running', ready: true, restarts, containers: [] });
  const st = state(
    res('api', { buildHistory: [{ startTime: 0, finishTime: 1, kind: 'full' }], runtimeStatus: 'ok', pods: [pod('api-1', 2), pod('api-2', 3)] }),
    res('db', { buildHistory: [{ startTime: 0, finishTime: 1, kind: 'full', error: 'boom' }] }),
    res('off', { disabled: true }),
  );
  assert.equal(restartCount(st.resources.api!), 5);
  assert.match(getTable(st, ['api'], { wide: true, color: false, width: 200, now: 2 })[1] ?? '', /^api\s+ready\s+k8s\s+\S+ ago\s+5$/);
  assert.match(resourceView(st.resources.api!).description, /5 restarts/);
  const counts = { error: 1, building: 0, pending: 0, warning: 0, ok: 1, idle: 0, disabled: 1 };
  assert.deepEqual(statusCounts(st), counts);
  assert.deepEqual(summarize(st).counts, counts);
  assert.deepEqual(dashboardModel(st).counts, counts);
});
