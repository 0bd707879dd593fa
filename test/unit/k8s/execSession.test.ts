import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import type { KubeClient } from '../../../src/engine/k8s/client';
import { commandScript, MAX_SESSION_PAYLOAD, ReusingExecutor, takeResult } from '../../../src/engine/k8s/execSession';
import type { ContainerExecutor } from '../../../src/engine/liveupdate/containerUpdate';

/** Runs the scripts on one local `sh`, as the session's shell in a container runs them, and parses each answer. */
async function onOneShell(cmds: { argv: string[]; payload?: Buffer }[]): Promise<{ output: string; exitCode: number }[]> {
  const sh = spawn('sh', [], { stdio: ['pipe', 'pipe', 'inherit'] });
  let buf = '';
  const results: { output: string; exitCode: number }[] = [];
  for (const [i, c] of cmds.entries()) {
    const marker = `__IL_test${i}`;
    sh.stdin.write(commandScript(c.argv, marker, c.payload));
    results.push(await new Promise((resolve) => {
      const check = (): void => {
        const r = takeResult(buf, marker);
        if (!r) return;
        buf = r.rest;
        sh.stdout.off('data', onData);
        resolve({ output: r.output, exitCode: r.exitCode });
      };
      const onData = (d: Buffer): void => {
        buf += d.toString('utf8');
        check();
      };
      sh.stdout.on('data', onData);
      check();
    }));
  }
  sh.stdin.end();
  return results;
}

test('commands on one shell: output (stderr merged) and exit code each, payloads through base64, stdin never shared', async () => {
  const payload = randomBytes(100_000);
  const [a, b, c, d] = await onOneShell([
    { argv: ['sh', '-c', 'printf no-newline; echo err >&2; exit 3'] },
    { argv: ['sh', '-c', 'od -An -tx1 | tr -d " \\n"'], payload },
    { argv: ['sh', '-c', 'cat; echo " read"'] },
    { argv: ['printf', "%s|", "it's", 'a b', '$HOME'] },
  ]);
  assert.deepEqual(a, { output: 'no-newlineerr\n', exitCode: 3 });
  assert.deepEqual(b, { output: payload.toString('hex'), exitCode: 0 });
  assert.deepEqual(c, { output: ' read\n', exitCode: 0 }, 'a command without payload reads /dev/null, not the session');
  assert.deepEqual(d, { output: "it's|a b|$HOME|", exitCode: 0 }, 'argv is quoted, never expanded');
});

test('a missing command answers 127 and the shell goes on', async () => {
  const [a, b] = await onOneShell([{ argv: ['no-such-binary-il'] }, { argv: ['echo', 'ok'] }]);
  assert.equal(a.exitCode, 127);
  assert.deepEqual(b, { output: 'ok\n', exitCode: 0 });
});

test('takeResult waits for the whole marker line', () => {
  assert.equal(takeResult('out\n__IL_x 0', '__IL_x'), undefined);
  assert.deepEqual(takeResult('out\n__IL_x 12\nnext', '__IL_x'), { output: 'out', exitCode: 12, rest: 'next' });
});

test('a payload over the session limit goes whole to a fresh exec; steps that are not idempotent never use a session', async () => {
  const got: { argv: string[]; bytes: number }[] = [];
  const fresh: ContainerExecutor = {
    async exec(_t, argv, stdin) {
      let bytes = 0;
      if (stdin) for await (const c of stdin) bytes += (c as Buffer).length;
      got.push({ argv, bytes });
      return { exitCode: 0, output: '' };
    },
  };
  // No cluster: neither call may open a session (the client is never touched).
  const exec = new ReusingExecutor({} as KubeClient, 'ns', fresh);
  const ref = { pod: 'p', container: 'c', containerId: 'id' };
  const big = randomBytes(MAX_SESSION_PAYLOAD * 3 + 17);
  const src = new PassThrough();
  const done = exec.exec(ref, ['tar', '-x'], src, { idempotent: true });
  for (let i = 0; i < big.length; i += 65_536) src.write(big.subarray(i, i + 65_536));
  src.end();
  await done;
  await exec.exec(ref, ['sh', '-c', 'make']);
  assert.deepEqual(got, [{ argv: ['tar', '-x'], bytes: big.length }, { argv: ['sh', '-c', 'make'], bytes: 0 }]);
  assert.equal(await exec.sessionOf(ref), undefined);
});
