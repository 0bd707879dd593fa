import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { installVscodeStub } from './vscodeStub';
import { Store } from '../../../src/engine/store';
import { LogStore } from '../../../src/engine/logs';
import { initialResourceState } from '../../../src/shared/state';
import type { Plan } from '../../../src/tiltfile/plan';
import { dockerImage, k8sResource, plan } from '../engine/planFixtures';

const stub = installVscodeStub({ workspaceFolder: tmpdir() });
after(() => stub.restore());
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ResourceTreeProvider, REVEAL_RESOURCE_COMMAND } = require('../../../src/vscode/resourceTree') as typeof import('../../../src/vscode/resourceTree');

function setup(labels: Record<string, string[]>, p?: Plan) {
  const store = new Store();
  store.setResources(Object.entries(labels).map(([name, l]) => initialResourceState({ name, type: 'k8s', labels: l, triggerMode: 'auto', autoInit: true })));
  const tree = new ResourceTreeProvider();
  const fired: Array<unknown> = [];
  tree.onDidChangeTreeData((n) => fired.push(n));
  tree.setSession({ tiltfile: 'Tiltfile', store, logs: new LogStore(), trigger: () => undefined, reload: () => undefined, dispose: () => undefined, plan: () => p });
  fired.length = 0;
  return { store, tree, fired };
}

describe('resource tree refreshes', () => {
  it('refreshes only the changed resource in a flat tree', () => {
    const { store, tree, fired } = setup({ api: [], db: [] });
    const [api] = tree.getChildren();
    store.updateResource('api', { buildHistory: [{ startTime: 0, finishTime: 1, kind: 'full' }] });
    assert.deepEqual(fired, [api]);
  });

  it('refreshes the resource and its group when grouped, and regroups when labels change', () => {
    const { store, tree, fired } = setup({ api: ['backend'], web: ['frontend'] });
    const groups = tree.getChildren();
    const backend = groups.find((g) => g.kind === 'group' && g.label === 'backend')!;
    const [api] = tree.getChildren(backend);
    store.updateResource('api', { buildHistory: [{ startTime: 0, finishTime: 1, kind: 'full', error: 'boom' }] });
    assert.deepEqual(fired, [api, backend]);
    fired.length = 0;
    store.updateResource('api', { labels: ['frontend'] });
    assert.deepEqual(fired, [undefined]);
    const frontend = tree.getChildren().find((g) => g.kind === 'group' && g.label === 'frontend')!;
    assert.deepEqual(tree.getChildren(frontend).map((n) => (n.kind === 'resource' ? n.name : '')), ['api', 'web']);
  });
});

describe('resource tree children and actions', () => {
  it('lists a resource\'s pods (copyable) and endpoints, and marks resources with a debug forward', () => {
    const { store, tree } = setup({ api: [] });
    store.updateResource('api', {
      pods: [{ name: 'api-7d9f-x2', status: 'Running', ready: true, restarts: 1, containers: [] }],
      links: [{ url: 'http://localhost:5734/' }],
      portForwards: [{ localPort: 5734, containerPort: 5000, state: 'active' }, { localPort: 5678, containerPort: 5678, state: 'active' }],
    });
    const [api] = tree.getChildren();
    const children = tree.getChildren(api);
    assert.deepEqual(children.map((c) => c.kind), ['pod', 'endpoint', 'endpoint'], 'the link and the 5734 forward are one URL');
    const pod = tree.getTreeItem(children[0]!);
    assert.equal(pod.label, 'api-7d9f-x2');
    assert.equal(pod.contextValue, 'innerloop.pod');
    assert.match(String(pod.description), /Running · 1 restarts/);
    assert.match(String(tree.getTreeItem(api!).contextValue), /\.hasEndpoints\.debuggable$/);
  });

  it('a "waiting for X" node reveals X (under its group) and its tooltip says why, by hold kind', () => {
    const { store, tree } = setup({ api: ['backend'], db: ['backend'], web: [] });
    store.updateResource('api', { hold: { kind: 'dependency', resources: ['db'], words: 'waiting on db' } });
    const backend = tree.getChildren().find((g) => g.kind === 'group' && g.label === 'backend')!;
    const api = tree.getChildren(backend).find((n) => n.kind === 'resource' && n.name === 'api')!;
    const [waiting] = tree.getChildren(api);
    assert.deepEqual(waiting, { kind: 'waiting', resource: 'api', on: 'db', hold: 'dependency' });
    const item = tree.getTreeItem(waiting!);
    assert.equal(item.label, 'waiting for db');
    assert.deepEqual(item.command && { command: item.command.command, arguments: item.command.arguments }, { command: REVEAL_RESOURCE_COMMAND, arguments: ['db'] });
    assert.equal(item.tooltip, 'api starts once db is ready (resource_deps). Click to show db.');
    // What the command reveals: db's node in the tree as shown, with its group as parent.
    const db = tree.resourceNode('db')!;
    assert.ok(tree.getChildren(backend).includes(db), 'the same node the tree shows');
    assert.equal(tree.getParent(db), backend);
    assert.equal(tree.getParent(tree.resourceNode('web')!), tree.getChildren().find((g) => g.kind === 'group' && g.label === 'unlabeled'));

    store.updateResource('web', { hold: { kind: 'build_slot', resources: ['api'], words: 'waiting for build slot' } });
    const web = tree.resourceNode('web')!;
    const slot = tree.getTreeItem(tree.getChildren(web)[0]!);
    assert.equal(slot.tooltip, 'web waits for a build slot: api is updating (max_parallel_updates). Click to show api.');
    store.updateResource('web', { hold: { kind: 'serial_local', resources: ['api'], words: 'waiting for api to finish' } });
    assert.match(String(tree.getTreeItem(tree.getChildren(web)[0]!).tooltip), /^web waits for api to finish: local resources update one at a time/);
  });

  it('offers Attach on a forward named debug on an unusual port when the image tells the runtime, as Attach Debugger does', () => {
    const debugForward = { localPort: 7000, containerPort: 7000, host: '', name: 'debug' };
    const withRuntime = plan('/w/Tiltfile', [k8sResource('api', { imageRefs: ['api'], portForwards: [debugForward] })], [
      dockerImage('api', '/w/api', { dockerfileContents: 'FROM debian-python\nCMD ["python3", "-m", "debugpy", "--listen", "127.0.0.1:7000", "app.py"]' }),
    ]);
    const { store, tree } = setup({ api: [] }, withRuntime);
    store.updateResource('api', { portForwards: [{ localPort: 7000, containerPort: 7000, state: 'active' }] });
    const [api] = tree.getChildren();
    assert.match(String(tree.getTreeItem(api!).contextValue), /\.debuggable$/);

    const unknown = plan('/w/Tiltfile', [k8sResource('api', { imageRefs: ['api'], portForwards: [debugForward] })], [dockerImage('api', '/w/api', { dockerfileContents: 'FROM busybox\nCMD ["./server"]' })]);
    const other = setup({ api: [] }, unknown);
    other.store.updateResource('api', { portForwards: [{ localPort: 7000, containerPort: 7000, state: 'active' }] });
    const [api2] = other.tree.getChildren();
    assert.doesNotMatch(String(other.tree.getTreeItem(api2!).contextValue), /debuggable/, 'no runtime: nothing to attach with');
  });
});
