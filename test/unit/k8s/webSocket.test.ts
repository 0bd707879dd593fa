// The websockets' shared agent (k8s/webSocket.ts): client-node's fresh https agent is swapped for one kept per TLS
// material, so its session cache lets later websockets resume; a proxy agent and changed credentials are respected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { SessionAgent, webSocketConfig } from '../../../src/engine/k8s/webSocket';

test('websocket agent: the same TLS material gets the same agent; client-node\'s fresh one is destroyed', () => {
  const shared = new SessionAgent();
  const first = new https.Agent({ ca: 'CA', cert: 'CERT', key: 'KEY' });
  const a = shared.for(first);
  assert.ok(a instanceof https.Agent);
  assert.notEqual(a, first);
  assert.equal(shared.for(new https.Agent({ ca: 'CA', cert: 'CERT', key: 'KEY' })), a);
  assert.equal((a as https.Agent).options.cert, 'CERT', 'the shared agent carries the TLS material');
  assert.equal((a as https.Agent).options.keepAlive, false, 'no pooling: upgraded sockets belong to their websocket');
});

test('websocket agent: new TLS material (a rotated client certificate) gets a new agent', () => {
  const shared = new SessionAgent();
  const a = shared.for(new https.Agent({ ca: 'CA', cert: 'CERT', key: 'KEY' }));
  const b = shared.for(new https.Agent({ ca: 'CA', cert: 'CERT2', key: 'KEY2' }));
  assert.notEqual(b, a);
  assert.equal((b as https.Agent).options.cert, 'CERT2');
  assert.equal(shared.for(new https.Agent({ ca: 'CA', cert: 'CERT2', key: 'KEY2' })), b);
});

test('websocket agent: a proxy agent or an http agent is used as it is', () => {
  const shared = new SessionAgent();
  class ProxyAgent extends https.Agent {}
  const proxy = new ProxyAgent();
  assert.equal(shared.for(proxy), proxy);
  const plain = new http.Agent();
  assert.equal(shared.for(plain), plain);
  assert.equal(shared.for(undefined), undefined);
});

test('websocket config: HTTPS options carry one shared agent; everything else is the kubeconfig\'s', async () => {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:6443', skipTLSVerify: false, caData: Buffer.from('CA').toString('base64') }],
    users: [{ name: 'u', certData: Buffer.from('CERT').toString('base64'), keyData: Buffer.from('KEY').toString('base64') }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  const view = webSocketConfig(kc);
  assert.equal(webSocketConfig(kc), view, 'one view per kubeconfig');
  assert.equal(view.getCurrentCluster()?.server, 'https://127.0.0.1:6443');
  const o1: https.RequestOptions = {};
  const o2: https.RequestOptions = {};
  await view.applyToHTTPSOptions(o1);
  await view.applyToHTTPSOptions(o2);
  assert.ok(o1.agent instanceof https.Agent);
  assert.equal(o2.agent, o1.agent);
  assert.equal(String(o1.cert), 'CERT', 'the credentials are still applied');
  const own: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(own);
  assert.notEqual(own.agent, o1.agent, 'the kubeconfig itself is unchanged');
});
