// One code-server session that runs the in-host debugging suite (test/vscode/suite/debug.suite.ts, harness mode
// 'debug') on a temp copy of the todo app (plus the Go greeter) against the local cluster, in a throwaway namespace,
// with the forwards' local ports picked free for this run (two clones may run this suite at once). Shared by
// test/e2e/debug.test.ts (the proof) and bench/vscode-debug.bench.ts (attach → first stop times).
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { locateCodeServer, startCodeServer, type RunningCodeServer } from './codeServer';
import { buildExtension, prepareExtensionsDir, REPO } from './extensions';
import { ARTIFACTS, openWorkbench, type Workbench } from './workbench';
import type { HarnessReport } from '../../vscode/harness/report';
import { clusterSkipReason, KUBECONFIG, kubectl } from './cluster';

const PORT_NAMES = ['api', 'frontend', 'apiDebug', 'frontendDebug', 'go', 'goDebug'] as const;
export type DebugPorts = Record<(typeof PORT_NAMES)[number], number>;

/** Local ports the kernel says are free now (all held at once, so they differ); the engine binds them soon after. */
async function freePorts(): Promise<DebugPorts> {
  const servers = await Promise.all(PORT_NAMES.map(() => new Promise<net.Server>((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => resolve(s));
  })));
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return Object.fromEntries(PORT_NAMES.map((n, i) => [n, ports[i]!])) as DebugPorts;
}

/** Why the debugging session cannot run here, or false. */
export const debugSkipReason = clusterSkipReason;


export interface DebugRun {
  report: HarnessReport;
  /** Attach Debugger → first stop, per runtime (ms), when the suite got that far. */
  timings: Record<string, number>;
}

/** Runs the in-host debugging suite once and cleans up (code-server, namespace, temp dirs) whatever happens. */
export async function runDebugSuite(limitMs = 900_000): Promise<DebugRun> {
  buildExtension();
  const workspace = mkdtempSync(join(tmpdir(), 'innerloop-e2e-debug-'));
  const scratch = mkdtempSync(join(tmpdir(), 'innerloop-e2e-debug-kube-'));
  cpSync(join(REPO, 'test', 'fixtures', 'todo-app'), workspace, { recursive: true });
  // Not its Tiltfile: a second Tiltfile in the workspace makes Up ask which one.
  const goFixture = join(REPO, 'test', 'fixtures', 'go-greeter');
  cpSync(goFixture, join(workspace, 'go-greeter'), { recursive: true, filter: (src) => src !== join(goFixture, 'Tiltfile') });
  const tf = join(workspace, 'Tiltfile');
  const p = await freePorts();
  writeFileSync(
    tf,
    readFileSync(tf, 'utf8')
      .replace('port_forward(5734,', `port_forward(${p.api},`)
      .replace('port_forward(5678,', `port_forward(${p.apiDebug},`)
      .replace('port_forward(3734,', `port_forward(${p.frontend},`)
      .replace('port_forward(9229,', `port_forward(${p.frontendDebug},`)
      .replace('localhost:5734/', `localhost:${p.api}/`) +
      // The Go service under Delve (test/fixtures/go-greeter), next to the todo app so one session debugs all three.
      `\ndocker_build('localhost:5000/go-greeter', 'go-greeter')\nk8s_yaml('go-greeter/k8s.yaml')\n` +
      `k8s_resource('go-greeter', port_forwards=[port_forward(${p.go}, 8080, name='http'), port_forward(${p.goDebug}, 2345, name='debug')])\n`,
  );
  const namespace = `il-e2e-debug-${process.pid}-${Date.now().toString(36)}`;
  const kubeconfig = join(scratch, 'kubeconfig');
  const resultFile = join(scratch, 'result.json');
  const timingsFile = join(scratch, 'timings.json');
  cpSync(KUBECONFIG, kubeconfig);
  let server: RunningCodeServer | undefined;
  let wb: Workbench | undefined;
  let extensionsDir = '';
  try {
    kubectl(kubeconfig, 'create', 'namespace', namespace);
    kubectl(kubeconfig, 'label', 'namespace', namespace, 'innerloop.dev/test=e2e');
    kubectl(kubeconfig, 'config', 'set-context', '--current', `--namespace=${namespace}`);
    extensionsDir = await prepareExtensionsDir({ harness: true });
    const found = locateCodeServer();
    if (!('dir' in found)) throw new Error(found.missing);
    server = await startCodeServer({
      dir: found.dir,
      workspace,
      extensionsDir,
      env: {
        KUBECONFIG: kubeconfig,
        // The test cluster's context is not one of the names Innerloop treats as local: allow it explicitly.
        INNERLOOP_ALLOW_K8S_CONTEXTS: 'innerloop',
        INNERLOOP_HARNESS_RESULT: resultFile,
        INNERLOOP_HARNESS_MODE: 'debug',
        INNERLOOP_DEBUG_E2E: JSON.stringify({ ...p, timings: timingsFile }),
      },
    });
    wb = await openWorkbench(server, { trust: true });
    const end = Date.now() + limitMs;
    while (!existsSync(resultFile) && Date.now() < end) await wb.page.waitForTimeout(1000);
    await wb.screenshot('debug-final').catch(() => undefined);
    if (!existsSync(resultFile)) throw new Error(`the debugging suite wrote no report within ${limitMs} ms\n${server.output()}`);
    const report = JSON.parse(readFileSync(resultFile, 'utf8')) as HarnessReport;
    const timings = existsSync(timingsFile) ? (JSON.parse(readFileSync(timingsFile, 'utf8')) as Record<string, number>) : {};
    return { report, timings };
  } finally {
    await wb?.close().catch(() => undefined);
    if (server) {
      try {
        cpSync(join(server.userDataDir, 'logs'), join(ARTIFACTS, 'debug-logs'), { recursive: true });
      } catch {
        // no logs written
      }
    }
    await server?.stop();
    try {
      kubectl(kubeconfig, 'delete', 'namespace', namespace, '--wait=false');
    } catch {
      // never created
    }
    for (const d of [workspace, scratch, extensionsDir]) if (d) rmSync(d, { recursive: true, force: true });
  }
}
