// Debugging that stops at a breakpoint, for real: code-server on a copy of the todo app against the local cluster,
// the in-host suite (test/vscode/suite/debug.suite.ts) sets breakpoints in the local Node and Python files, attaches
// through the forwarded debug ports, sends requests through the app's forwards and checks the stops (local file and
// line, a local variable), then live-updates the file and checks the breakpoint binds again after the restart.
// Each in-host test shows up as a subtest. Skips (with the reason) without code-server or the cluster.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { debugSkipReason, runDebugSuite } from './lib/debugSession';

const skip = debugSkipReason();

describe('Debugging in VS Code against the local cluster (todo app)', { skip, timeout: 1_000_000 }, () => {
  it('stops at breakpoints in the Node frontend and the Python API, across live updates', async (t) => {
    const { report, timings } = await runDebugSuite();
    // Numbers, not assertions (npm run bench prints the same): Attach Debugger → first stop per runtime.
    t.diagnostic(`attach → first stop: ${JSON.stringify(timings)}`);
    assert.ok(report.tests.length > 0, 'the debugging suite ran no test');
    for (const r of report.tests) {
      await t.test(`[in VS Code ${report.vscodeVersion}] ${r.name}`, () => {
        if (!r.ok) assert.fail(r.error ?? 'failed');
      });
    }
  });
});
