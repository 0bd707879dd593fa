import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { attachConfiguration, debugTargets, guessRuntime, noDebugTargetHint } from '../../../src/vscode/debugTargets';
import { k8sResource, plan } from '../engine/planFixtures';
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
    assert.equal(t[0]!.host, '127.0.0.1', 'IPv4 loopback, where the forward listens');
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
      innerloop: { resource: 'api', runtime: 'node', containerPort: 9229 },
    });
    assert.equal(attachConfiguration({ ...base, runtime: 'go' }).mode, 'remote');
    assert.deepEqual(attachConfiguration({ ...base, runtime: 'python' }).connect, { host: 'localhost', port: 9229 });
    assert.equal(attachConfiguration({ ...base, runtime: 'java' }).hostName, 'localhost');
  });

  it('finds a forward named debug on an unusual port, with the runtime from the image', () => {
    const s = stateWith({ api: [pf(8080, 80), pf(7000, 7000)] });
    const p = plan('/w/Tiltfile', [k8sResource('api', { portForwards: [{ localPort: 8080, containerPort: 80, host: '' }, { localPort: 7000, containerPort: 7000, host: '', name: 'debug' }] })]);
    assert.deepEqual(debugTargets(s, undefined, { plan: p }), [], 'no runtime known');
    assert.deepEqual(debugTargets(s, undefined, { plan: p, runtimeOf: () => 'python' }).map((x) => [x.runtime, x.port]), [['python', 7000]]);
  });

  it('guesses the runtime from a command line or Dockerfile', () => {
    assert.equal(guessRuntime('CMD ["python3", "-m", "debugpy", "--listen", "127.0.0.1:5678", "app.py"]'), 'python');
    assert.equal(guessRuntime('CMD ["node", "--inspect=127.0.0.1:9229", "server.js"]'), 'node');
    assert.equal(guessRuntime('ENTRYPOINT dlv exec --headless ./app'), 'go');
    assert.equal(guessRuntime('FROM eclipse-temurin\nCMD java -jar app.jar'), 'java');
    assert.equal(guessRuntime('FROM busybox'), undefined);
  });

  it('explains how to forward a debugger port: the exact port_forwards= (keeping the existing ones) and the command line', () => {
    const p = plan('/w/Tiltfile', [k8sResource('api', { portForwards: [{ localPort: 8080, containerPort: 80, host: '' }, { localPort: 9000, containerPort: 0, host: '', name: 'web' }] })]);
    const h = noDebugTargetHint('api', { plan: p, runtime: 'python' });
    assert.ok(h.includes("k8s_resource('api', port_forwards=['8080:80', port_forward(9000, name='web'), port_forward(5678, 5678, name='debug')])"), h);
    assert.ok(h.includes('python -m debugpy --listen 127.0.0.1:5678 app.py'), h);
    const any = noDebugTargetHint('web');
    for (const cmd of ['node --inspect=127.0.0.1:9229', 'debugpy --listen 127.0.0.1:5678', 'dlv exec --headless', 'jdwp']) assert.ok(any.includes(cmd), any);
    assert.ok(any.includes("k8s_resource('web', port_forwards=[port_forward(9229, 9229, name='debug')])"), any);
  });

  it('says the runtime is unknown (not that nothing is forwarded) when a debug forward exists', () => {
    const p = plan('/w/Tiltfile', [k8sResource('api', { portForwards: [{ localPort: 7000, containerPort: 7001, host: '', name: 'debug' }] })]);
    const h = noDebugTargetHint('api', { plan: p });
    assert.doesNotMatch(h, /no debugger port is forwarded/, h);
    assert.match(h, /api forwards port 7000 \(container 7001\) named 'debug', but its runtime cannot be guessed/, h);
    assert.ok(h.includes('python -m debugpy --listen') && h.includes('dlv exec --headless'), h);
    const down = noDebugTargetHint('api', { plan: p, runtime: 'go' });
    assert.match(down, /api's debug forward \(port 7000 \(container 7001\), go\) is not active yet/, down);
  });
});

