// Test-only extension: when INNERLOOP_HARNESS_RESULT names a file, runs the suite in test/vscode/suite
// against the real `vscode` API and writes a HarnessReport there for the e2e runner. Otherwise inert.
import * as vscode from 'vscode';
import { writeFileSync } from 'node:fs';
import { runAll } from './runner';
import '../suite/extension.suite';
import '../suite/debug.suite';

export async function activate(): Promise<void> {
  const out = process.env.INNERLOOP_HARNESS_RESULT;
  if (!out) return;
  const asked = process.env.INNERLOOP_HARNESS_MODE;
  const mode = asked === 'untrusted' || asked === 'debug' ? asked : 'trusted';
  // onStartupFinished can come before the driver has answered the Workspace Trust prompt (a loaded machine
  // logs in slowly): a trusted session's suite starts once trust is granted (or after a minute, and then fails).
  if (mode !== 'untrusted' && !vscode.workspace.isTrusted) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 60_000);
      const d = vscode.workspace.onDidGrantWorkspaceTrust(() => {
        clearTimeout(timer);
        d.dispose();
        resolve();
      });
    });
  }
  // The debugging suite brings a real app up on the cluster: minutes, not seconds, per test.
  const report = await runAll(vscode.version, mode, mode === 'debug' ? 600_000 : 30_000);
  writeFileSync(out, JSON.stringify(report, null, 2));
}

export function deactivate(): void {}
