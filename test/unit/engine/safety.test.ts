import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkKubeContext, isLoopbackServer } from '../../../src/engine/safety';

test('local cluster context names are allowed', () => {
  for (const c of ['kind-kind', 'k3d-dev', 'minikube', 'docker-desktop', 'docker-for-desktop', 'microk8s', 'rancher-desktop', 'orbstack', 'crc-admin', 'krucible-x']) {
    assert.equal(checkKubeContext(c, 'https://10.1.2.3:6443', []).allowed, true, c);
  }
});

test('loopback API servers are allowed whatever the context name', () => {
  for (const s of ['https://127.0.0.1:6443', 'https://127.3.4.5', 'https://localhost:6443', 'https://[::1]:6443', 'https://api.localhost']) {
    assert.equal(isLoopbackServer(s), true, s);
  }
  for (const s of ['https://10.0.0.1', 'https://my-prod.example.com', 'https://128.0.0.1', undefined, 'not a url ::']) {
    assert.equal(isLoopbackServer(s), false, String(s));
  }
  assert.equal(checkKubeContext('my-laptop', 'https://127.0.0.1:41234', []).allowed, true);
});

test('other contexts are refused with a message naming the context and the fix', () => {
  const r = checkKubeContext('gke_acme_prod', 'https://34.1.2.3', []);
  assert.equal(r.allowed, false);
  assert.match(r.reason, /"gke_acme_prod"/);
  assert.match(r.reason, /allow_k8s_contexts\('gke_acme_prod'\)/);
  assert.match(r.reason, /34\.1\.2\.3/);
  assert.equal(checkKubeContext('gke_acme_prod', 'https://34.1.2.3', ['gke_acme_prod']).allowed, true);
  assert.equal(checkKubeContext('kindly-prod', undefined, []).allowed, false, 'prefix must include the dash');
});
