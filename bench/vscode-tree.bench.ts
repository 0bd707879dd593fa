// Editor-side costs without a real VS Code: the extension bundle (dist/extension.js) loaded and activated
// against a stub `vscode` module (test/unit/vscode/vscodeStub.ts), and the Resources tree's latency from an
// engine store change to refreshed tree items with 300 resources (flat and grouped by label). For activation
// in a real VS Code (code-server) see vscode-startup.bench.ts.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { installVscodeStub } from '../test/unit/vscode/vscodeStub';
import { Store } from '../src/engine/store';
import { LogStore } from '../src/engine/logs';
import { initialResourceState } from '../src/shared/state';
import { buildExtension, REPO } from '../test/e2e/lib/extensions';

const RESOURCES = 300;
const UPDATES = 2000;

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
}

type TreeNode = { kind: string; name?: string; label?: string };
interface Provider {
  onDidChangeTreeData(l: (n: TreeNode | undefined) => void): unknown;
  setSession(s: unknown): void;
  getChildren(parent?: TreeNode): TreeNode[];
  getTreeItem(n: TreeNode): unknown;
}

/** What VS Code does after onDidChangeTreeData: re-read the changed node, or the whole visible tree. */
function refresh(p: Provider, node: TreeNode | undefined): number {
  if (node) {
    p.getTreeItem(node);
    return 1;
  }
  let items = 0;
  const walk = (parent?: TreeNode): void => {
    for (const c of p.getChildren(parent)) {
      p.getTreeItem(c);
      items++;
      if (c.kind === 'group') walk(c);
    }
  };
  walk();
  return items;
}

function treeBench(Tree: new () => Provider, labelled: boolean): void {
  const store = new Store();
  const logs = new LogStore();
  const names = Array.from({ length: RESOURCES }, (_, i) => `svc-${String(i).padStart(3, '0')}`);
  store.setResources(names.map((name, i) => initialResourceState({ name, type: 'k8s', labels: labelled ? [`team-${i % 12}`] : [], triggerMode: 'auto', autoInit: true })));
  const p = new Tree();
  let fired: Array<TreeNode | undefined> = [];
  p.onDidChangeTreeData((n) => fired.push(n));
  p.setSession({ tiltfile: 'Tiltfile', store, logs, trigger: () => undefined, reload: () => undefined, dispose: () => undefined });
  const t0 = performance.now();
  const first = refresh(p, undefined);
  const initial = performance.now() - t0;
  const lat: number[] = [];
  for (let u = 0; u < UPDATES; u++) {
    const name = names[(u * 7919) % RESOURCES]!;
    fired = [];
    const t = performance.now();
    // A new pendingChanges array always counts as a change (the store compares by reference).
    store.updateResource(name, { currentBuild: u % 2 ? undefined : { startTime: u, kind: 'full' }, runtimeStatus: u % 3 ? 'ok' : 'pending', pendingChanges: [{ path: `/src/f${u}.py`, images: [] }] });
    if (fired.length === 0) throw new Error('the tree did not react to a state change');
    for (const n of fired) refresh(p, n);
    lat.push(performance.now() - t);
  }
  const kind = labelled ? 'grouped by 12 labels' : 'flat';
  console.log(`tree first render, ${RESOURCES} resources (${kind}): ${initial.toFixed(1)} ms (${first} items)`);
  console.log(`tree update after a state change p50, ${RESOURCES} resources (${kind}): ${pct(lat, 50).toFixed(3)} ms`);
  console.log(`tree update after a state change p95, ${RESOURCES} resources (${kind}): ${pct(lat, 95).toFixed(3)} ms`);
}

function activation(): void {
  const ws = mkdtempSync(join(tmpdir(), 'innerloop-bench-act-'));
  const stub = installVscodeStub({ workspaceFolder: ws });
  try {
    const Uri = stub.module.Uri as { file(p: string): unknown };
    const packageJSON = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as unknown;
    const extCtx = new Proxy(
      { subscriptions: [] as unknown[], extension: { packageJSON }, extensionUri: Uri.file(REPO), extensionPath: REPO } as Record<string | symbol, unknown>,
      { get: (t, k) => (k in t ? t[k] : k === 'then' ? undefined : (stub.module.workspace as Record<string | symbol, unknown>)[k]) },
    );
    const t0 = performance.now();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ext = require(join(REPO, 'dist', 'extension.js')) as { activate(c: unknown): unknown; deactivate(): void };
    const t1 = performance.now();
    ext.activate(extCtx);
    const t2 = performance.now();
    console.log(`extension bundle load (require dist/extension.js, stub vscode): ${(t1 - t0).toFixed(0)} ms`);
    console.log(`activate() (stub vscode): ${(t2 - t1).toFixed(1)} ms`);
    console.log(`vscode API calls made by activate(): ${stub.calls.length} calls`);
    for (const d of (extCtx.subscriptions as Array<{ dispose(): void }>).reverse()) d.dispose();
  } finally {
    stub.restore();
    rmSync(ws, { recursive: true, force: true });
  }
}

function main(): void {
  buildExtension();
  activation();
  const stub = installVscodeStub({ workspaceFolder: tmpdir() });
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { ResourceTreeProvider } = require('../src/vscode/resourceTree') as { ResourceTreeProvider: new () => Provider };
    treeBench(ResourceTreeProvider, false);
    treeBench(ResourceTreeProvider, true);
  } finally {
    stub.restore();
  }
}

main();
