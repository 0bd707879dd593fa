// The in-extension-host suite through @vscode/test-electron, the second of the two ways it runs (the first is
// code-server, test/e2e/workbench.test.ts). Needs a desktop VS Code binary: set VSCODE_EXECUTABLE to it. Nothing
// is ever downloaded (test-electron only downloads when no executable is given, and we always give one).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { runTests } from '@vscode/test-electron';
import { buildExtension, REPO } from './lib/extensions';

test('in-host suite in desktop VS Code (@vscode/test-electron)', async (t) => {
  const exe = process.env.VSCODE_EXECUTABLE;
  if (!exe || !existsSync(exe)) return t.skip('no desktop VS Code binary here (set VSCODE_EXECUTABLE to run this way; CI runs the same suite in code-server)');
  buildExtension();
  const out = mkdtempSync(join(tmpdir(), 'innerloop-electron-'));
  try {
    const entry = join(out, 'electronEntry.js');
    await esbuild.build({ entryPoints: [join(REPO, 'test', 'vscode', 'electronEntry.ts')], outfile: entry, bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'], logLevel: 'warning' });
    const code = await runTests({
      vscodeExecutablePath: exe,
      extensionDevelopmentPath: REPO,
      extensionTestsPath: entry,
      launchArgs: [join(REPO, 'test', 'e2e', 'fixtures', 'workspace'), '--disable-workspace-trust', '--user-data-dir', join(out, 'user-data'), '--extensions-dir', join(out, 'extensions')],
    });
    assert.equal(code, 0);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
