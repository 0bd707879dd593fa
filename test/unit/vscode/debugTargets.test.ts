import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { attachConfiguration, debugTargets, noDebugTargetHint } from '../../../src/vscode/debugTargets';
import { initialResourceState, initialSessionState, type EngineState, type PortForwardStatus } from '../../../src/shared/state';

function stateWith(forwards: Record<string, PortForwardStatus[]>): EngineState {
  const s: EngineState = { session: initialSessionState(), order: [], resources: {} };
  for (const [name, portForwards] of Object.entries(forwards)) {
    s.order.push(name);
    s.resources[name] = { ...initialResourceState({ name, type: 'k8s', labels: [], triggerMode: 'auto', autoInit: true }), portForwards };
  }
  return s;
}

const pf = (localPort: number, containerPort: number, state: PortForwardStatus['state'] = 'active'): PortForwardStatus => ({ localPort, containerPort, state });

describe('debugTargets', () => {
  it('finds debugger ports by container port, attaching to the local port', () => {
    const s = stateWith({ api: [pf(8080, 80), pf(19229, 9229)], worker: [pf(2345, 2345)], ml: [pf(5678, 5678, 'error')] });
    const t = debugTargets(s);
    assert.deepEqual(
      t.map((x) => [x.resource, x.runtime, x.port]),
      [
        ['api', 'node', 19229],
        ['worker', 'go', 2345],
      ],
    );
    assert.deepEqual(debugTargets(s, 'worker').length, 1);
  });

  it('builds attach configurations per runtime', () => {
    const base = { resource: 'api', host: 'localhost', port: 9229, containerPort: 9229 };
    assert.deepEqual(attachConfiguration({ ...base, runtime: 'node' }), {
      type: 'node',
      request: 'attach',
      name: 'Innerloop: attach to api (node :9229)',
      address: 'localhost',
      port: 9229,
      restart: true,
      skipFiles: ['<node_internals>/**'],
    });
    assert.equal(attachConfiguration({ ...base, runtime: 'go' }).mode, 'remote');
    assert.deepEqual(attachConfiguration({ ...base, runtime: 'python' }).connect, { host: 'localhost', port: 9229 });
    assert.equal(attachConfiguration({ ...base, runtime: 'java' }).hostName, 'localhost');
  });

  it('explains how to forward a debugger port', () => {
    assert.match(noDebugTargetHint('api'), /k8s_resource\('api', port_forwards=\['9229:9229'\]\)/);
  });
});
