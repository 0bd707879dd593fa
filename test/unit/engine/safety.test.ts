import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkKubeContext, envAllowedContexts, isLocalCluster, isLoopbackServer, isPlausiblyLocalServer } from '../../../src/engine/safety';

const noEnv = {};

test('clusters local tools create are local, by the kubeconfig cluster name (as Tilt decides)', () => {
  const local: Array<[string, string, string]> = [
    ['kind-kind', 'kind-kind', 'https://127.0.0.1:40123'],
    ['k3d-dev', 'k3d-dev', 'https://127.0.0.1:6550'],
    ['minikube', 'minikube', 'https://192.168.49.2:8443'],
    ['docker-desktop', 'docker-desktop', 'https://kubernetes.docker.internal:6443'],
    ['docker-for-desktop', 'docker-for-desktop-cluster', 'https://localhost:6443'],
    ['microk8s', 'microk8s-cluster', 'https://10.0.2.15:16443'],
    ['rancher-desktop', 'rancher-desktop', 'https://127.0.0.1:6443'],
    ['orbstack', 'orbstack', 'https://127.0.0.1:26443'],
    ['colima', 'colima', 'https://127.0.0.1:6443'],
    ['crc-admin', 'api-crc-testing:6443', 'https://api.crc.testing:6443'],
    ['admin/api-crc-testing:6443/kubeadmin', 'api-crc-testing:6443', 'https://api.crc.testing:6443'],
    ['krucible-x', 'krucible-x', 'https://127.0.0.1:6443'],
    // A renamed context still points at a kind cluster: the cluster entry decides.
    ['my-laptop', 'kind-dev', 'https://127.0.0.1:40123'],
  ];
  for (const [context, cluster, server] of local) {
    const r = checkKubeContext({ context, cluster, server }, [], noEnv);
    assert.equal(r.allowed, true, `${context}: ${r.reason}`);
    assert.match(r.reason, /is a local .* cluster/);
  }
});

test('the tunnel case: a loopback API server alone is NOT local (SSH tunnel, kubectl proxy, IAP to production)', () => {
  for (const server of ['https://127.0.0.1:6443', 'https://localhost:8001', 'https://[::1]:6443', 'https://127.0.0.1:41234']) {
    assert.equal(isLoopbackServer(server), true, server);
    const r = checkKubeContext({ context: 'prod-via-tunnel', cluster: 'gke_acme_europe-west1_prod', server }, [], noEnv);
    assert.equal(r.allowed, false, server);
    assert.match(r.reason, /Refusing to deploy to kube context "prod-via-tunnel"/);
    assert.match(r.reason, /SSH tunnel, kubectl proxy/);
    assert.match(r.reason, /allow_k8s_contexts\('prod-via-tunnel'\)/);
    assert.match(r.reason, /INNERLOOP_ALLOW_K8S_CONTEXTS=prod-via-tunnel/);
  }
  // Our own test cluster looks exactly like a tunnel, so it needs the explicit allow too.
  assert.equal(checkKubeContext({ context: 'innerloop', cluster: 'innerloop', server: 'https://127.0.0.1:6443' }, [], noEnv).allowed, false);
});

test('the misnamed-context case: kind-prod pointing at a cloud endpoint is not local', () => {
  for (const server of ['https://34.78.1.2', 'https://ABCD1234.gr7.eu-west-1.eks.amazonaws.com', 'https://prod.example.com:6443', 'https://[2001:db8::1]:6443']) {
    assert.equal(isPlausiblyLocalServer(server), false, server);
    const r = checkKubeContext({ context: 'kind-prod', cluster: 'kind-prod', server }, [], noEnv);
    assert.equal(r.allowed, false, server);
    assert.match(r.reason, /named like a kind cluster, but its API server is not on this machine/);
    assert.equal(isLocalCluster({ context: 'kind-prod', cluster: 'kind-prod', server }), false);
  }
  // A context named kind-… whose cluster entry is a cloud cluster: the cluster entry decides.
  assert.equal(checkKubeContext({ context: 'kind-prod', cluster: 'gke_acme_us_prod', server: 'https://127.0.0.1:6443' }, [], noEnv).allowed, false);
  assert.equal(checkKubeContext({ context: 'kindly-prod', cluster: 'kindly-prod' }, [], noEnv).allowed, false, 'prefix must include the dash');
});

test('allow_k8s_contexts and INNERLOOP_ALLOW_K8S_CONTEXTS allow a context, nothing else', () => {
  const id = { context: 'gke_acme_prod', cluster: 'gke_acme_prod', server: 'https://34.1.2.3' };
  const refused = checkKubeContext(id, [], noEnv);
  assert.equal(refused.allowed, false);
  assert.match(refused.reason, /"gke_acme_prod"/);
  assert.match(refused.reason, /34\.1\.2\.3/);
  assert.equal(checkKubeContext(id, ['gke_acme_prod'], noEnv).allowed, true);
  const env = { INNERLOOP_ALLOW_K8S_CONTEXTS: ' innerloop , gke_acme_prod,' };
  assert.deepEqual(envAllowedContexts(env), ['innerloop', 'gke_acme_prod']);
  assert.deepEqual(checkKubeContext(id, [], env), { allowed: true, reason: 'allowed by INNERLOOP_ALLOW_K8S_CONTEXTS' });
  assert.equal(checkKubeContext({ context: 'innerloop', cluster: 'innerloop', server: 'https://127.0.0.1:6443' }, [], env).allowed, true);
  assert.equal(checkKubeContext({ context: 'other', server: 'https://127.0.0.1:6443' }, [], env).allowed, false);
});

test('server plausibility: private, link-local and local-only names are plausible; public ones are not', () => {
  for (const s of ['https://10.1.2.3', 'https://172.20.0.2:6443', 'https://192.168.64.3:8443', 'https://169.254.1.1', 'https://[fd00::1]', 'https://node1:6443', 'https://k8s.orb.local', 'https://host.docker.internal:6443', undefined]) {
    assert.equal(isPlausiblyLocalServer(s), true, String(s));
  }
  for (const s of ['https://8.8.8.8', 'https://172.32.0.1', 'https://my-prod.example.com', 'not a url ::']) {
    assert.equal(isPlausiblyLocalServer(s), false, s);
  }
});
