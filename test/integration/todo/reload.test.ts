// A Tiltfile reload on the local cluster: a resource dropped from the Tiltfile is removed from the session and
// its objects are deleted (tilt.dev/down-policy: keep honoured). Skips without a cluster.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { clusterClient, kubeconfigPath, waitFor, BUSYBOX } from '../k8s/cluster';
import { Session } from '../../../src/engine/session';
import { loadTiltfile } from '../../../src/tiltfile/loader';

const pod = (name: string, annotations = '{}'): string => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, labels: {app: ${name}}, annotations: ${annotations}}
spec:
  terminationGracePeriodSeconds: 1
  containers: [{name: main, image: ${BUSYBOX}, imagePullPolicy: IfNotPresent, command: ["sleep", "3600"]}]
`;

describe('Tiltfile reload', () => {
  it('deletes the objects of a resource the Tiltfile no longer declares', async (t) => {
    const c = await clusterClient();
    if ('skip' in c) return t.skip(c.skip);
    const ns = `il-reload-${process.pid}-${Date.now().toString(36)}`;
    await c.client.core.createNamespace({ body: { metadata: { name: ns } } });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'innerloop-reload-'));
    const tf = path.join(dir, 'Tiltfile');
    try {
      fs.writeFileSync(path.join(dir, 'a.yaml'), pod('alpha'));
      fs.writeFileSync(path.join(dir, 'b.yaml'), pod('beta'));
      fs.writeFileSync(path.join(dir, 'k.yaml'), pod('kept', "{tilt.dev/down-policy: keep}"));
      fs.writeFileSync(tf, "k8s_yaml(['a.yaml', 'b.yaml', 'k.yaml'])\n");
      const s = new Session({ tiltfile: tf, kubeconfigPath: kubeconfigPath(), namespace: ns, watch: false, load: async (p, o) => loadTiltfile(p, o) });
      const exists = async (name: string): Promise<boolean> => (await c.client.core.listNamespacedPod({ namespace: ns })).items.some((p) => p.metadata?.name === name && !p.metadata.deletionTimestamp);
      try {
        await s.start();
        assert.deepEqual(await s.waitCi({ timeoutMs: 120_000 }), { state: 'succeeded' });
        assert.deepEqual(s.store.snapshot().order, ['alpha', 'beta', 'kept']);

        fs.writeFileSync(tf, "k8s_yaml('a.yaml')\n");
        s.reload();
        await s.settled();
        assert.deepEqual(s.store.snapshot().order, ['alpha']);
        await s.engine.waitRemovals();
        await waitFor('beta deleted', 60_000, async () => !(await exists('beta')));
        assert.ok(await exists('alpha'), 'the remaining resource keeps running');
        assert.ok(await exists('kept'), 'down-policy keep is honoured');
        const log = s.logs.linesSince('(Tiltfile)').map((l) => l.text);
        assert.ok(log.includes('beta was removed from the Tiltfile: deleting its objects'), log.join('\n'));
        assert.ok(log.includes(`kept Pod/kept in namespace ${ns}: annotation tilt.dev/down-policy: keep`), log.join('\n'));
        assert.ok(log.includes('pod/beta deleted'), log.join('\n'));
      } finally {
        await s.stop();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      await c.client.core.deleteNamespace({ name: ns }).catch(() => undefined);
    }
  });
});
