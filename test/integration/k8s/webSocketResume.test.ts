// Websockets to the real API server resume the TLS session of an earlier one (k8s/webSocket.ts, issue 14): a port
// forward opens a websocket per local connection, and a full handshake each time was part of every fetch. Execs into
// a pod that does not exist still complete the TLS handshake (the API server answers the upgrade with 404), so no pod
// is needed; the credentials still authenticate on a resumed session (404, not 401/403).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execInContainer } from '../../../src/engine/k8s/exec';
import { webSocketTlsStats } from '../../../src/engine/k8s/webSocket';
import { clusterClient } from './cluster';

test('websockets to the API server resume one TLS session and still authenticate', { timeout: 60_000 }, async (t) => {
  const found = await clusterClient();
  if ('skip' in found) {
    t.skip(found.skip);
    return;
  }
  const { client } = found;
  const before = webSocketTlsStats(client.kc);
  const pod = `il-no-such-pod-${Date.now().toString(36)}`;
  for (let i = 0; i < 3; i++) {
    await assert.rejects(execInContainer(client, { namespace: 'default', pod, container: 'x' }, ['true']), (err: Error) => {
      assert.doesNotMatch(err.message, /not allowed|\b401\b|Unauthorized|Forbidden/i);
      assert.match(err.message, /404|not found/i);
      return true;
    });
  }
  const after = webSocketTlsStats(client.kc);
  assert.equal(after.handshakes - before.handshakes, 3, 'one TLS handshake per websocket');
  assert.equal(after.resumed - before.resumed, 2, 'the second and third resumed the first one\'s session');
});
