// The shared session layer with fake ports (no Docker, no cluster): the context guard runs before anything is
// built, a broken Tiltfile keeps the last good plan, ci semantics end to end, and the terminal view.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session, type SessionOptions } from '../../../src/engine/session';
import { FakeClock } from '../../../src/engine/clock';
import { fakePorts } from '../../fakes/ports';
import { loadTiltfile } from '../../../src/tiltfile/loader';
import { statusTable } from '../../../src/cli/render/status';

const dir = mkdtempSync(join(tmpdir(), 'innerloop-session-unit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const load: SessionOptions['load'] = async (p, opts) => loadTiltfile(p, opts);


async function until(pred: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 800; i++) {
    if (pred()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`timed out waiting for ${what}`);
}

function workspace(tiltfile: string): string {
  const ws = mkdtempSync(join(dir, 'ws-'));
  writeFileSync(join(ws, 'Tiltfile'), tiltfile);
  return join(ws, 'Tiltfile');
}

/** A kubeconfig whose current context, `prod`, is a remote cluster nobody allowed. */
function prodKubeconfig(name: string): string {
  const path = join(dir, name);
  writeFileSync(path, [
    'apiVersion: v1', 'kind: Config', 'current-context: prod',
    'clusters: [{name: prod, cluster: {server: "https://10.20.30.40:6443"}}]',
    'contexts: [{name: prod, context: {cluster: prod, user: u}}]',
    'users: [{name: u, user: {token: x}}]', '',
  ].join('\n'));
  return path;
}

describe('Session', () => {
  it('refuses a non-local kube context before building anything', async () => {
    const kubeconfig = prodKubeconfig('kubeconfig');
    const tf = workspace("k8s_yaml(blob('apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: c\\n'))\n");
    const s = new Session({ tiltfile: tf, kubeconfigPath: kubeconfig, load, watch: false });
    try {
      await s.start();
      const snap = s.store.snapshot();
      // As in Tilt, the Tiltfile load itself refuses a context that is neither local nor allowed.
      assert.equal(snap.session.tiltfile.status, 'error');
      assert.match(snap.session.tiltfile.error ?? '', /prod.*might be production.*allow_k8s_contexts\('prod'\)/s);
      assert.deepEqual(snap.order, [], 'no plan installed, so nothing is built or applied');
      const ci = await s.waitCi({ timeoutMs: 5_000 });
      assert.equal(ci.state, 'failed');
    } finally {
      await s.stop();
    }
  });

  it('never runs local() against a context that is neither local nor allowed', async () => {
    const kubeconfig = prodKubeconfig('kubeconfig-prod2');
    const tf = workspace("local('touch ran-against-prod')\n");
    const marker = join(tf, '..', 'ran-against-prod');
    const s = new Session({ tiltfile: tf, kubeconfigPath: kubeconfig, load, watch: false });
    try {
      await s.start();
      assert.match(s.store.snapshot().session.tiltfile.error ?? '', /Refusing to run 'local' because prod might be a production kube context/);
      assert.equal(existsSync(marker), false, 'the command never ran');
    } finally {
      await s.stop();
    }
  });

  it('keeps the last good plan when the Tiltfile breaks, and recovers', async () => {
    const ran: string[] = [];
    const tf = workspace("local_resource('hello', cmd='echo hi')\n");
    const s = new Session({ tiltfile: tf, load, ports: fakePorts({ ran }), debounceMs: 20 });
    try {
      await s.start();
      assert.deepEqual(await s.waitCi({ timeoutMs: 10_000 }), { state: 'succeeded' });
      writeFileSync(tf, "local_resource('hello', cmd='echo hi'\n");
      await until(() => s.store.snapshot().session.tiltfile.status === 'error', 'the load error');
      assert.deepEqual(s.store.snapshot().order, ['hello'], 'the old plan keeps running');
      assert.equal(s.currentPlan?.resources[0]?.name, 'hello');
      assert.ok(statusTable(s.store.snapshot(), false).some((l) => l.startsWith('Tiltfile error:')));
      writeFileSync(tf, "local_resource('hello', cmd='echo hi')\nlocal_resource('world', cmd='echo w')\n");
      await until(() => s.store.snapshot().order.length === 2, 'the fixed Tiltfile');
      assert.equal(s.store.snapshot().session.tiltfile.status, 'ok');
    } finally {
      await s.stop();
    }
  });

  it('ci fails on the first failed update', async () => {
    const tf = workspace("local_resource('bad', cmd='false')\n");
    const s = new Session({ tiltfile: tf, load, ports: fakePorts({ localExit: 3 }), watch: false });
    try {
      await s.start();
      const r = await s.waitCi({ timeoutMs: 10_000 });
      assert.equal(r.state, 'failed');
      assert.match(r.state === 'failed' ? r.error : '', /bad: cmd exited with code 3/);
    } finally {
      await s.stop();
    }
  });

  it('ci times out with what it was waiting on', async () => {
    const tf = workspace("local_resource('slow', cmd='sleep 1')\n");
    const ports = fakePorts();
    ports.local.run = () => new Promise(() => undefined);
    const s = new Session({ tiltfile: tf, load, ports, watch: false });
    try {
      await s.start();
      const r = await s.waitCi({ timeoutMs: 300 });
      assert.equal(r.state, 'failed');
      assert.match(r.state === 'failed' ? r.error : '', /timed out .* waiting on slow/);
    } finally {
      await s.stop();
    }
  });
});

describe('Session ci readiness_timeout (fake clock)', () => {
  const deployment = 'apiVersion: apps/v1\\nkind: Deployment\\nmetadata:\\n  name: web\\nspec:\\n  selector: {matchLabels: {app: web}}\\n  template:\\n    metadata: {labels: {app: web}}\\n    spec: {containers: [{name: web, image: busybox}]}\\n';
  const job = 'apiVersion: batch/v1\\nkind: Job\\nmetadata:\\n  name: migrate\\nspec:\\n  template:\\n    spec: {restartPolicy: Never, containers: [{name: m, image: busybox}]}\\n';

  async function deployed(s: Session, names: string[]): Promise<void> {
    await s.start();
    await until(() => names.every((n) => s.store.resource(n)?.buildHistory[0]?.finishTime !== undefined && !s.store.resource(n)?.currentBuild), 'the deploys');
  }

  it('fails a resource that is not ready within readiness_timeout of its deploy', async () => {
    const tf = workspace(`ci_settings(readiness_timeout='1m')\nk8s_yaml(blob('${deployment}'))\nk8s_yaml(blob('${job}'))\n`);
    const clock = new FakeClock();
    // The fake cluster never reports the pods ready.
    const s = new Session({ tiltfile: tf, load, ports: fakePorts(), watch: false, clock, subcommand: 'ci' });
    try {
      await deployed(s, ['web', 'migrate']);
      let settled = false;
      const ci = s.waitCi({ timeoutMs: 10_000 });
      void ci.then(() => (settled = true));
      await new Promise((r) => setTimeout(r, 20));
      clock.advance(59_000);
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(settled, false, 'still within the limit');
      clock.advance(2_000);
      const result = await ci;
      assert.equal(result.state, 'failed');
      assert.match(result.state === 'failed' ? result.error : '', /^web: not ready within 1m of its deploy .*readiness_timeout/);
    } finally {
      await s.stop();
    }
  });

  it('does not time out a Job', async () => {
    const tf = workspace(`ci_settings(readiness_timeout='1m')\nk8s_yaml(blob('${job}'))\n`);
    const clock = new FakeClock();
    const s = new Session({ tiltfile: tf, load, ports: fakePorts(), watch: false, clock, subcommand: 'ci' });
    try {
      await deployed(s, ['migrate']);
      const ci = s.waitCi({ timeoutMs: 500 });
      clock.advance(10 * 60_000);
      const r = await ci;
      assert.equal(r.state, 'failed');
      assert.match(r.state === 'failed' ? r.error : '', /^timed out .* waiting on migrate$/, 'only the overall timeout ends it');
    } finally {
      await s.stop();
    }
  });
});

describe('Session before the first good load', () => {
  it('reloads when the broken Tiltfile is fixed', async () => {
    const ran: string[] = [];
    const tf = workspace("local_resource('hello', cmd='echo hi'\n");
    const s = new Session({ tiltfile: tf, load, ports: fakePorts({ ran }), debounceMs: 20 });
    try {
      await s.start();
      assert.equal(s.store.snapshot().session.tiltfile.status, 'error');
      writeFileSync(tf, "local_resource('hello', cmd='echo hi')\n");
      await until(() => ran.includes('hello'), 'the fixed Tiltfile to run');
    } finally {
      await s.stop();
    }
  });
});
