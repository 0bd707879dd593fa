// A tiny sequential test runner for inside the extension host (no mocha: one file, node:assert).
// Tests declare which workspace-trust mode they belong to; the e2e driver picks the mode per session
// through INNERLOOP_HARNESS_MODE.
import type { HarnessReport, HarnessTestResult } from './report';

export type TestFn = () => Promise<void> | void;
/** The workspace-trust mode of a session, or 'debug': the debugging suite on the local cluster (trusted). */
export type TrustMode = 'trusted' | 'untrusted' | 'debug';

const registered: Array<{ name: string; fn: TestFn; modes: TrustMode[] }> = [];

export function test(name: string, fn: TestFn, modes: TrustMode[] = ['trusted']): void {
  registered.push({ name, fn, modes });
}

export async function runAll(vscodeVersion: string, mode: TrustMode, perTestTimeoutMs = 30_000): Promise<HarnessReport> {
  const tests: HarnessTestResult[] = [];
  for (const t of registered.filter((x) => x.modes.includes(mode))) {
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.resolve().then(t.fn),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`timed out after ${perTestTimeoutMs} ms`)), perTestTimeoutMs);
        }),
      ]);
      tests.push({ name: t.name, ok: true, ms: Date.now() - started });
    } catch (e) {
      const err = e instanceof Error ? (e.stack ?? e.message) : String(e);
      tests.push({ name: t.name, ok: false, error: err, ms: Date.now() - started });
    } finally {
      clearTimeout(timer);
    }
  }
  return { vscodeVersion, mode, tests };
}
