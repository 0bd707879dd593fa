// Child process of vscode-package.bench.ts: loads one dist/extension.js cold (compile + evaluate, as the
// extension host's require does) and runs activate(), against the stub `vscode` module. Prints one JSON line.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { installVscodeStub } from '../test/unit/vscode/vscodeStub';

const repo = process.argv[2]!;
const ws = mkdtempSync(join(tmpdir(), 'innerloop-bench-load-'));
const stub = installVscodeStub({ workspaceFolder: ws });
const Uri = stub.module.Uri as { file(p: string): unknown };
const packageJSON = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as unknown;
const extCtx = new Proxy({ subscriptions: [] as unknown[], extension: { packageJSON }, extensionUri: Uri.file(repo), extensionPath: repo } as Record<string | symbol, unknown>, {
  get: (t, k) => (k in t ? t[k] : k === 'then' ? undefined : (stub.module.workspace as Record<string | symbol, unknown>)[k]),
});
const t0 = performance.now();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ext = require(join(repo, 'dist', 'extension.js')) as { activate(c: unknown): unknown };
const t1 = performance.now();
ext.activate(extCtx);
const t2 = performance.now();
console.log(JSON.stringify({ loadMs: t1 - t0, activateMs: t2 - t1 }));
for (const d of (extCtx.subscriptions as Array<{ dispose(): void }>).reverse()) d.dispose();
stub.restore();
rmSync(ws, { recursive: true, force: true });
process.exit(0);
