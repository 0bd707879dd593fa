// Retargeting a port forward to a replacement pod while a probe of the old pod is still in flight. The in-flight
// probe used to swallow the new target's probe (it held `probing`) and, when it ended, scheduled nothing: the
// forward stayed "connecting" until something else failed (flow.test.ts once waited 30 s for "active").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import type { Writable } from 'node:stream';
import type { KubeClient } from '../../../src/engine/k8s/client';
import { PodPortForward, type PortForwardOptions } from '../../../src/engine/k8s/portForward';
import { untilValue as until } from '../../fakes/ports';

class FakeWs extends EventEmitter {
  ping(): void {
    setImmediate(() => this.emit('pong'));
  }
  terminate(): void {
    this.emit('close');
  }
}


test('port forward: retargeting while a probe of the old pod hangs probes the new pod at once', async () => {
  const probed: string[] = [];
  let hung: string | undefined;
  const fwd = {
    portForward: (_ns: string, pod: string, _ports: number[], output: Writable) => {
      if (output instanceof net.Socket) return Promise.resolve(new FakeWs());
      probed.push(pod);
      // The old (dying) pod's kubelet never answers: that probe only ends at its deadline.
      if (pod === 'web-old' && probed.filter((p) => p === 'web-old').length > 1) {
        hung = pod;
        return new Promise(() => undefined);
      }
      setImmediate(() => output.write(Buffer.alloc(0)));
      return Promise.resolve(new FakeWs());
    },
  } as unknown as NonNullable<PortForwardOptions['forwarder']>;
  // A probe deadline far beyond the wait below: only a fresh probe of the new pod can make the forward active.
  const pf = new PodPortForward({} as KubeClient, {
    localPort: 0, target: { namespace: 'ns', pod: 'web-old', port: 8080 }, forwarder: fwd, probeSettleMs: 1, probeIntervalMs: 5, probeTimeoutMs: 600_000,
  });
  try {
    await pf.start();
    await until('the old pod active', () => pf.state.phase === 'active');
    await until('a periodic probe of the old pod hanging', () => hung);
    pf.setTarget({ namespace: 'ns', pod: 'web-new', port: 8080 });
    assert.equal(pf.state.phase, 'connecting');
    await until('the new pod active', () => pf.state.phase === 'active' && pf.state.target?.pod === 'web-new');
    assert.ok(probed.includes('web-new'));
  } finally {
    await pf.stop();
  }
});
