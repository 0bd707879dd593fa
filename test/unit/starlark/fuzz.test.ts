// A brief fuzzing run in the unit suite (issue 11): a few thousand seeded mutations of Tiltfiles and Starlark
// programs, each in a child process; none may crash (a non-Starlark JS error or a dead process) or hang.
// Longer runs: `npm run fuzz -- --count N --seed S`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFuzz } from '../../fuzz/fuzz';

test('fuzz: 2,000 seeded mutated programs end as ok or a Starlark error, never a crash or a hang', async () => {
  const findings: string[] = [];
  const counts = await runFuzz({
    count: 2000,
    seed: 20261125,
    timeoutMs: 30_000, // generous: the machine is shared; a real hang never finishes
    onFinding: (kind, source, detail) => findings.push(`${kind}: ${detail.split('\n')[0]}\n${source.slice(0, 300)}`),
  });
  assert.deepEqual(findings, []);
  assert.equal(counts.crash + counts.hang, 0);
  assert.equal(counts.ok + counts.error, 2000);
  assert.ok(counts.ok > 0 && counts.error > 0, `both outcomes occur: ${JSON.stringify(counts)}`);
});
