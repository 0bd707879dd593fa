// Attach Debugger → first stop at a breakpoint, per runtime, in code-server against the local cluster (the todo
// app's Node frontend and Python API, and the Go greeter under Delve; the same session as test/e2e/debug.test.ts).
// The time runs from the Attach Debugger command to the 'stopped' event, including the request sent through the port
// forward once the breakpoint is bound. Prints "skipped: ..." without code-server or the cluster.
import { debugSkipReason, runDebugSuite } from '../test/e2e/lib/debugSession';

async function main(): Promise<void> {
  const skip = debugSkipReason();
  if (skip) {
    console.log(`skipped: ${skip}`);
    return;
  }
  const { report, timings } = await runDebugSuite();
  for (const r of report.tests.filter((x) => !x.ok)) console.log(`(in-host test failed: ${r.name}: ${(r.error ?? '').split('\n')[0]})`);
  for (const runtime of ['node', 'python', 'go']) {
    const ms = timings[runtime];
    console.log(`Attach Debugger → first stop (${runtime}): ${ms === undefined ? 'n/a' : `${ms} ms`}`);
  }
}

void main();
