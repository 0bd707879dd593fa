// k8s_custom_deploy on the local cluster: apply_cmd (kubectl apply -o yaml) deploys, the printed objects are
// followed to a ready pod, and down runs delete_cmd. Skips without a cluster.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { clusterClient, kubeconfigPath, BUSYBOX } from '../k8s/cluster';
import { Session } from '../../../src/engine/session';
import { loadTiltfile } from '../../../src/tiltfile/loader';

const KUBECTL = '/var/lib/innerloop-env/bin/kubectl';

describe('k8s_custom_deploy', () => {
  it('deploys with apply_cmd, waits for the pod, and deletes with delete_cmd', async (t) => {
    const c = await clusterClient();
    if ('skip' in c) return t.skip(c.skip);
    if (!fs.existsSync(KUBECTL)) return t.skip(`no kubectl at ${KUBECTL}`);
    const kc = kubeconfigPath() as string;
    const ns = `il-cdeploy-${process.pid}-${Date.now().toString(36)}`;
    await c.client.core.createNamespace({ body: { metadata: { name: ns } } });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'innerloop-cdeploy-'));
    try {
      fs.writeFileSync(path.join(dir, 'dep.yaml'), `apiVersion: apps/v1
kind: Deployment
metadata: {name: sleeper, labels: {app: sleeper}}
spec:
  selector: {matchLabels: {app: sleeper}}
  template:
    metadata: {labels: {app: sleeper}}
    spec:
      containers: [{name: main, image: ${BUSYBOX}, command: ["sleep", "3600"]}]
`);
      const k = `${KUBECTL} --kubeconfig ${kc} -n ${ns}`;
      fs.writeFileSync(path.join(dir, 'Tiltfile'), `k8s_custom_deploy('sleeper', apply_cmd='${k} apply -f dep.yaml -o yaml', delete_cmd='${k} delete -f dep.yaml', deps=['dep.yaml'])\n`);
      const s = new Session({ tiltfile: path.join(dir, 'Tiltfile'), subcommand: 'ci', kubeconfigPath: kc, namespace: ns, watch: false, load: async (p, o) => loadTiltfile(p, o) });
      try {
        await s.start();
        assert.deepEqual(await s.waitCi({ timeoutMs: 120_000 }), { state: 'succeeded' });
        const r = s.store.resource('sleeper');
        assert.equal(r?.runtimeStatus, 'ok');
        assert.ok(r?.pods.some((p) => p.ready), 'a ready pod was discovered');
        await s.stop();
        assert.deepEqual((await s.down()).errors, []);
        const deps = await c.client.apps.listNamespacedDeployment({ namespace: ns });
        assert.equal(deps.items.length, 0);
      } finally {
        await s.stop();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      await c.client.core.deleteNamespace({ name: ns }).catch(() => undefined);
    }
  });
});
