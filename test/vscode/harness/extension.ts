// Test-only extension: when INNERLOOP_HARNESS_RESULT names a file, runs the suite in test/vscode/suite
// against the real `vscode` API and writes a HarnessReport there for the e2e runner. Otherwise inert.
import * as vscode from 'vscode';
import { writeFileSync } from 'node:fs';
import { runAll } from './runner';
import '../suite/extension.suite';

export async function activate(): Promise<void> {
  const out = process.env.INNERLOOP_HARNESS_RESULT;
  if (!out) return;
  const mode = process.env.INNERLOOP_HARNESS_MODE === 'untrusted' ? 'untrusted' : 'trusted';
  const report = await runAll(vscode.version, mode);
  writeFileSync(out, JSON.stringify(report, null, 2));
}

export function deactivate(): void {}
