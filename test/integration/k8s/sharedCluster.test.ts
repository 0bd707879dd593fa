// A team's shared dev cluster, played by the local one: reached under a context name that is not local
// (`team-dev`, allowed only by the Tiltfile's allow_k8s_contexts), images pushed to one registry address and
// pulled by the cluster from another (localhost:5000 vs 127.0.0.1:5000: the same registry, both configured in
// test/env's containerd), and a per-developer namespace from --namespace. Runs the built CLI (`npm run build`).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { dump, load } from 'js-yaml';
import { clusterClient, kubeconfigPath, waitFor } from './cluster';
import { cliProblem, deploymentYaml, runCli, transcript, workspace, HTTPD } from '../ci/harness';
import type { KubeClient } from '../../../src/engine/k8s/client';

const namespace = `h-shared-${process.pid}-${Date.now().toString(36)}`;
const REPO = `h-shared-web-${process.pid}`;
let skip: string | undefined;
let client: KubeClient;
let dir = '';

before(async () => {
  skip = cliProblem();
  if (skip) return;
  const c = await clusterClient();
  if ('skip' in c) { skip = c.skip; return; }
  client = c.client;
  // On a shared cluster the developer's namespace exists already (Tilt does not create it either).
  await client.core.createNamespace({ body: { metadata: { name: namespace, labels: { 'innerloop.dev/test': 'shared-cluster' } } } });
  dir = workspace({
    Tiltfile: [
      "allow_k8s_contexts('team-dev')",
      "default_registry('localhost:5000', host_from_cluster='127.0.0.1:5000')",
      `docker_build('${REPO}', '.')`,
      "k8s_yaml('web.yaml')",
      '',
    ].join('\n'),
    'web.yaml': deploymentYaml('shared-web', HTTPD, { image: REPO }),
    Dockerfile: `FROM localhost:5000/innerloop/busybox:latest\nCOPY hello.txt /hello.txt\n`,
    'hello.txt': `hello ${namespace}\n`,
    'noallow/Tiltfile': "k8s_yaml(blob('apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: probe\\n'))\n",
  });
  // A developer's credentials on a shared cluster: a ServiceAccount with admin rights in their namespace only (so
  // it cannot read kube-public's local-registry-hosting, which would win over default_registry as in Tilt), under
  // a context name that says nothing about being local.
  await client.core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'alice' } } });
  const rbac = client.kc.makeApiClient(RbacAuthorizationV1Api);
  await rbac.createNamespacedRoleBinding({ namespace, body: {
    metadata: { name: 'alice-admin' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' },
    subjects: [{ kind: 'ServiceAccount', name: 'alice', namespace }],
  } });
  const token = (await client.core.createNamespacedServiceAccountToken({ namespace, name: 'alice', body: { spec: { audiences: [], expirationSeconds: 3600 } } })).status!.token;
  const kc = load(fs.readFileSync(kubeconfigPath()!, 'utf8')) as { clusters: { name: string; cluster: unknown }[] };
  fs.writeFileSync(path.join(dir, 'kubeconfig'), dump({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'team-dev',
    clusters: [{ name: 'team-dev-cluster', cluster: kc.clusters[0]!.cluster }],
    contexts: [{ name: 'team-dev', context: { cluster: 'team-dev-cluster', user: 'alice' } }],
    users: [{ name: 'alice', user: { token } }],
  }));
});

after(async () => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  if (client) await client.core.deleteNamespace({ name: namespace }).catch(() => undefined);
});

test('shared cluster: without allow_k8s_contexts the non-local context is refused', async (t) => {
  if (skip) return t.skip(skip);
  const r = await runCli(['ci', '-f', 'noallow/Tiltfile', '--namespace', namespace], {
    cwd: dir,
    env: { KUBECONFIG: path.join(dir, 'kubeconfig'), INNERLOOP_ALLOW_K8S_CONTEXTS: '' },
  });
  assert.notEqual(r.code, 0, transcript(r));
  assert.match(r.stderr, /team-dev/, transcript(r));
  assert.match(r.stderr, /allow_k8s_contexts/, transcript(r));
  const cms = await client.core.listNamespacedConfigMap({ namespace });
  assert.ok(!cms.items.some((c) => c.metadata?.name === 'probe'), 'nothing applied');
});

test('shared cluster: a non-local context allowed by the Tiltfile, push and pull addresses that differ, --namespace', async (t) => {
  if (skip) return t.skip(skip);
  const r = await runCli(['ci', '--namespace', namespace], {
    cwd: dir,
    // Nothing but the Tiltfile's allow_k8s_contexts may allow this context.
    env: { KUBECONFIG: path.join(dir, 'kubeconfig'), INNERLOOP_ALLOW_K8S_CONTEXTS: '' },
  });
  assert.equal(r.code, 0, transcript(r));
  // The build's progress is in the resource's log as BuildKit's numbered steps, not JSON.
  assert.match(r.stdout, /^shared-web +│ #\d+ \[2\/2\] COPY hello\.txt \/hello\.txt$/m, transcript(r));
  assert.doesNotMatch(r.stdout, /moby\.buildkit\.trace|"aux"/);

  const pods = await waitFor('the pod', 60_000, async () => {
    const list = await client.core.listNamespacedPod({ namespace, labelSelector: 'app=shared-web' });
    return list.items.length > 0 ? list.items : undefined;
  });
  const pod = pods[0]!;
  const image = pod.spec!.containers[0]!.image!;
  assert.match(image, new RegExp(`^127\\.0\\.0\\.1:5000/${REPO}:innerloop-[0-9a-f]{16}$`), 'the pod pulls from the cluster-side address');
  assert.equal(pod.status?.phase, 'Running', JSON.stringify(pod.status));
  assert.ok(pod.status?.containerStatuses?.[0]?.ready, 'ready (the image was pulled and runs)');

  // Pushed to the host-side address: the registry has the tag (both names are the same registry here, so the
  // build log is what shows which address the push went to).
  const tag = image.slice(image.lastIndexOf(':') + 1);
  const tags = (await (await fetch(`http://127.0.0.1:5000/v2/${REPO}/tags/list`)).json()) as { tags?: string[] };
  assert.ok(tags.tags?.includes(tag), JSON.stringify(tags));
  assert.match(r.stdout + r.stderr, new RegExp(`localhost:5000/${REPO}:${tag}`), 'built and pushed as localhost:5000/...');
  assert.doesNotMatch(r.stdout + r.stderr, new RegExp(`[Pp]ush\\w* .*127\\.0\\.0\\.1:5000/${REPO}`), 'never pushed to the cluster-side name');

  // Everything the Tiltfile applied is in the developer's namespace, none in the context's default.
  const deps = await client.apps.listNamespacedDeployment({ namespace });
  assert.deepEqual(deps.items.map((d) => d.metadata?.name), ['shared-web']);
  const elsewhere = await client.apps.listNamespacedDeployment({ namespace: 'default', labelSelector: 'app.kubernetes.io/managed-by=innerloop' });
  assert.ok(!elsewhere.items.some((d) => d.metadata?.name === 'shared-web'), 'nothing in the default namespace');
});
