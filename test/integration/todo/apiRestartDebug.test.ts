// The todo API's debugger survives its restarts: after each live update of app.py (ext://restart_process restarts
// Python, woken by the restart request), the new code answers over the API's port forward and debugpy answers a
// Debug Adapter Protocol `initialize` over the `debug` forward (5678), in the same pod and container: what Attach
// Debugger needs after every restart. A temp copy of the fixture, a throwaway namespace, free local ports. Skips
// without a cluster.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { waitFor } from '../k8s/cluster';
import { get, todoEnv, useFreePorts, type TodoEnv } from './harness';

/** app.py with a route answering `token` (replacing the one a previous edit added). */
function withProbeRoute(src: string, token: string): string {
  const cleaned = src.replace(/\n@app\.get\("\/innerloop-probe"\)[\s\S]*?# end-probe\n/, '\n');
  const at = cleaned.indexOf('if __name__');
  return `${cleaned.slice(0, at)}@app.get("/innerloop-probe")\ndef innerloop_probe():\n    return "${token}"\n# end-probe\n\n${cleaned.slice(at)}`;
}

/** Sends DAP `initialize` to 127.0.0.1:port; resolves with the response's `success`, or the failure in words. */
function dapInitialize(port: number): Promise<boolean | string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    const body = JSON.stringify({ seq: 1, type: 'request', command: 'initialize', arguments: { adapterID: 'debugpy', clientID: 'innerloop-test' } });
    let buf = '';
    const done = (r: boolean | string): void => {
      clearTimeout(timer);
      s.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done(`no initialize response in 10 s: ${buf.slice(0, 300)}`), 10_000);
    s.on('connect', () => s.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`));
    s.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      // Messages are "Content-Length: N\r\n\r\n{json}"; debugpy may send events before the response.
      for (const m of buf.matchAll(/Content-Length: (\d+)\r\n\r\n/g)) {
        const start = m.index + m[0].length;
        const json = buf.slice(start, start + Number(m[1]));
        if (json.length < Number(m[1])) break;
        const msg = JSON.parse(json) as { type: string; command?: string; success?: boolean };
        if (msg.type === 'response' && msg.command === 'initialize') return done(msg.success === true);
      }
    });
    s.on('error', (e) => done(e.message));
    s.on('close', () => done(`closed: ${buf.slice(0, 300)}`));
  });
}

describe('todo API: debugpy after each restart', () => {
  let env: TodoEnv | undefined;
  let skip: string | undefined;

  before(async () => {
    const e = await todoEnv();
    if ('skip' in e) skip = e.skip;
    else env = e;
  });
  after(async () => {
    await env?.cleanup();
  });

  it('three edits of app.py: each is served, and debugpy answers through the debug forward', async (t) => {
    if (!env) return t.skip(skip);
    const ports = await useFreePorts(env.dir);
    const api = `http://127.0.0.1:${ports[5734]}/innerloop-probe`;
    const session = env.session({ subcommand: 'up' });
    await session.start();
    assert.deepEqual(await session.waitCi({ timeoutMs: 300_000 }), { state: 'succeeded' });
    const file = path.join(env.dir, 'api', 'app.py');
    const container = (): string | undefined => session.store.resource('todo-api')?.pods.find((p) => p.status === 'Running')?.containers.find((c) => c.name === 'api')?.id;
    const first = await waitFor('the API container', 60_000, container);
    for (let i = 0; i < 3; i++) {
      const token = `debug-restart-${i}`;
      fs.writeFileSync(file, withProbeRoute(fs.readFileSync(file, 'utf8'), token));
      await waitFor(`edit ${i}: "${token}" served`, 60_000, async () => (await get(api, 2_000, true)).body === token);
      // The server answers after debugpy listens (app.py opens it first), so one try is enough.
      assert.equal(await dapInitialize(ports[5678]!), true, `edit ${i}: debugpy through the debug forward`);
    }
    assert.equal(container(), first, 'live updates and process restarts, not a new container');
    assert.equal(session.store.resource('todo-api')?.buildHistory[0]?.kind, 'live_update');
  });
});
