// End to end: the editor's engine and the CLI in VS Code's integrated terminal. code-server opens a small
// workspace (a busybox Deployment), Innerloop: Up runs it, the status bar names the kube context and namespace,
// `innerloop get` typed into the integrated terminal reaches the editor's engine (through the socket path the
// extension exports), Stop leaves the Deployment running, and Down (after its confirmation) deletes it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { locateCodeServer, startCodeServer, type RunningCodeServer } from './lib/codeServer';
import { buildExtension, prepareExtensionsDir, REPO } from './lib/extensions';
import { openWorkbench, type Workbench } from './lib/workbench';
import { clusterSkipReason, KUBECONFIG, kubectlResult, until } from './lib/cluster';

const skip = clusterSkipReason();




const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: {name: h-cli-e2e}
spec:
  replicas: 1
  selector: {matchLabels: {app: h-cli-e2e}}
  template:
    metadata: {labels: {app: h-cli-e2e}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: localhost:5000/innerloop/busybox:latest
        imagePullPolicy: IfNotPresent
        command: ["sh", "-c", "echo e2e-started; while true; do sleep 1; done"]
`;

describe('the CLI in the integrated terminal talks to the editor\'s engine; Stop vs Down', { skip, timeout: 480_000 }, () => {
  let server: RunningCodeServer | undefined;
  let wb: Workbench | undefined;
  let workspace = '';
  let scratch = '';
  let extensionsDir = '';
  let kubeconfig = '';
  let namespace = '';
  const w = (): Workbench => wb!;
  const deployment = (): boolean => kubectlResult(kubeconfig, 'get', 'deployment', 'h-cli-e2e').code === 0;

  before(async () => {
    buildExtension();
    workspace = mkdtempSync(join(tmpdir(), 'h-cli-e2e-ws-'));
    writeFileSync(join(workspace, 'Tiltfile'), "k8s_yaml('web.yaml')\n");
    writeFileSync(join(workspace, 'web.yaml'), DEPLOYMENT);
    scratch = mkdtempSync(join(tmpdir(), 'h-cli-e2e-'));
    namespace = `h-cli-e2e-${process.pid}-${Date.now().toString(36)}`;
    kubeconfig = join(scratch, 'kubeconfig');
    cpSync(KUBECONFIG, kubeconfig);
    assert.equal(kubectlResult(kubeconfig, 'create', 'namespace', namespace).code, 0);
    kubectlResult(kubeconfig, 'config', 'set-context', '--current', `--namespace=${namespace}`);
    extensionsDir = await prepareExtensionsDir({ harness: false });
    const found = locateCodeServer();
    if (!('dir' in found)) throw new Error(found.missing);
    server = await startCodeServer({ dir: found.dir, workspace, extensionsDir, env: { KUBECONFIG: kubeconfig, INNERLOOP_ALLOW_K8S_CONTEXTS: 'innerloop' } });
    wb = await openWorkbench(server, { trust: true });
  });

  after(async () => {
    await wb?.screenshot('cli-terminal-final').catch(() => undefined);
    await wb?.close().catch(() => undefined);
    await server?.stop();
    if (namespace) kubectlResult(kubeconfig, 'delete', 'namespace', namespace, '--wait=false');
    for (const d of [workspace, scratch, extensionsDir]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('Up runs the Tiltfile; the status bar shows the kube context and namespace', async () => {
    // The palette lists Innerloop's commands once the extension has activated on the workspace's Tiltfile.
    await until('the Innerloop commands', 60_000, async () => (await w().paletteEntries('Innerloop: Up')).some((e) => e.trim() === 'Innerloop: Up'));
    await w().runCommand('Innerloop: Up');
    await until('the Deployment', 120_000, deployment);
    const item = w().page.locator('.statusbar-item').filter({ hasText: `innerloop/${namespace}` }).first();
    await item.waitFor({ timeout: 30_000 });
    await w().screenshot('cli-terminal-context');
  });

  it('`innerloop get` in the integrated terminal answers from the editor\'s engine', async () => {
    const out = join(scratch, 'get.txt');
    await w().runCommand('Terminal: Create New Terminal');
    await w().page.locator('.terminal-wrapper.active .xterm').first().waitFor({ timeout: 30_000 });
    await w().page.waitForTimeout(1500); // let the shell print its prompt before typing (UI settles, not an assertion)
    const cli = join(REPO, 'dist', 'cli.js');
    await w().page.keyboard.type(`node ${cli} wait --for=condition=Ready h-cli-e2e --timeout 2m > ${out}.tmp 2>&1; node ${cli} get >> ${out}.tmp 2>&1; echo "socket=$INNERLOOP_CONTROL_SOCKET" >> ${out}.tmp; mv ${out}.tmp ${out}\n`);
    const text = await until('the terminal command to finish', 150_000, () => (existsSync(out) ? readFileSync(out, 'utf8') : undefined));
    await w().screenshot('cli-terminal-get');
    assert.match(text, /^h-cli-e2e condition met\n/, text);
    assert.match(text, /\nh-cli-e2e\s+ready/, text);
    assert.match(text, /\nsocket=\/.*\.sock\n/, text);
  });

  it('Stop stops the engine and leaves the Deployment running', async () => {
    await w().runCommand('Innerloop: Stop');
    await w().page.locator('.statusbar-item').filter({ hasText: /^\s*Innerloop\s*$/ }).first().waitFor({ timeout: 30_000 });
    // The engine is gone (the terminal's socket no longer answers) but its Deployment stays.
    const r = spawnSync(process.execPath, [join(REPO, 'dist', 'cli.js'), 'get', '--file', join(workspace, 'Tiltfile')], { encoding: 'utf8' });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /no running engine/);
    assert.equal(deployment(), true);
  });

  it('Down asks, naming the context and namespace, then deletes what the Tiltfile deployed', async () => {
    await w().runCommand('Innerloop: Down');
    const dialog = w().page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 30_000 });
    assert.match(await dialog.innerText(), new RegExp(`kube context "innerloop", namespace "${namespace}"`));
    await w().screenshot('cli-terminal-down-confirm');
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await until('the Deployment to be deleted', 120_000, () => !deployment());
  });
});
