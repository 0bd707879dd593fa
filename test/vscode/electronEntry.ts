// Entry for @vscode/test-electron (extensionTestsPath): runs the same in-host suite the code-server harness runs
// (test/vscode/suite), in a desktop VS Code, and fails the run when any test fails.
import * as vscode from 'vscode';
import { runAll } from './harness/runner';
import './suite/extension.suite';

export async function run(): Promise<void> {
  const report = await runAll(vscode.version, 'trusted');
  for (const t of report.tests) console.log(`${t.ok ? 'ok' : 'not ok'} - ${t.name} (${t.ms} ms)${t.ok ? '' : `\n${t.error}`}`);
  const failed = report.tests.filter((t) => !t.ok);
  if (failed.length) throw new Error(`${failed.length} of ${report.tests.length} in-host tests failed`);
}
