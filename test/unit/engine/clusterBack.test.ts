// When the session's health check says the cluster is back after an outage, the Kubernetes resources whose update
// failed meanwhile are retried (no file change needed); a resource that did not fail is left alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../../../src/engine/engine';
import { realClock } from '../../../src/engine/clock';
import type { K8sObject } from '../../../src/tiltfile/plan';
import { k8sResource, plan as makePlan } from './planFixtures';
import { updateStatus } from '../../../src/shared/status';
import { fakePorts, until } from '../../fakes/ports';

test('engine: a k8s update that failed while the cluster was unreachable is retried when it is back', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'il-clusterback-'));
  fs.writeFileSync(path.join(root, 'Tiltfile'), 'k8s_yaml(...)');
  const cm = (name: string): K8sObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } });
  const plan = makePlan(path.join(root, 'Tiltfile'), [k8sResource('a', { objects: [cm('a')] }), k8sResource('b', { objects: [cm('b')] })], []);
  const { images, kube, local } = fakePorts();
  const realApply = kube.apply;
  kube.apply = async (r, objects) => {
    if (r.name === 'a') throw new Error('no answer from the API server before the request deadline (is the cluster reachable?)');
    await realApply(r, objects);
  };
  const engine = new Engine({ clock: realClock, watch: { enabled: false }, images, kube, local, onConfigChanged: () => undefined });
  try {
    engine.store.dispatch({ type: 'cluster_reachability', reachable: false, error: 'connection refused', now: Date.now() });
    await engine.setPlan(plan);
    await until(() => updateStatus(engine.store.resource('a')!) === 'error' && updateStatus(engine.store.resource('b')!) === 'ok', 'a fails, b deploys');
    kube.apply = realApply;
    engine.store.dispatch({ type: 'cluster_reachability', reachable: true, now: Date.now() });
    await until(() => updateStatus(engine.store.resource('a')!) === 'ok', 'a retried once the cluster is back');
    assert.deepEqual(kube.applied.map((x) => x.resource).sort(), ['a', 'b'], 'b was not deployed again');
  } finally {
    engine.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('engine: an update still running when the cluster comes back, and failing after, is retried once', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'il-clusterback-'));
  fs.writeFileSync(path.join(root, 'Tiltfile'), 'k8s_yaml(...)');
  const cm = (name: string): K8sObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } });
  const plan = makePlan(path.join(root, 'Tiltfile'), [k8sResource('a', { objects: [cm('a')] })], []);
  const { images, kube, local } = fakePorts();
  const realApply = kube.apply;
  // The apply waits (as on a blackholed API server until its deadline) and fails only after the cluster is back.
  let release: (() => void) | undefined;
  let attempts = 0;
  kube.apply = async (r, objects) => {
    if (++attempts === 1) {
      await new Promise<void>((resolve) => (release = resolve));
      throw new Error('no answer from the API server before the request deadline (is the cluster reachable?)');
    }
    await realApply(r, objects);
  };
  const engine = new Engine({ clock: realClock, watch: { enabled: false }, images, kube, local, onConfigChanged: () => undefined });
  try {
    engine.store.dispatch({ type: 'cluster_reachability', reachable: false, error: 'no answer within 5000 ms', now: Date.now() });
    await engine.setPlan(plan);
    await until(() => release !== undefined, 'the apply waiting');
    engine.store.dispatch({ type: 'cluster_reachability', reachable: true, now: Date.now() });
    release!();
    await until(() => updateStatus(engine.store.resource('a')!) === 'ok', 'a retried after its late failure');
    assert.equal(attempts, 2);
    assert.match(engine.store.resource('a')!.buildHistory[1]?.error ?? '', /no answer from the API server/);
  } finally {
    engine.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  }
});
