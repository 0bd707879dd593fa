// up / ci / down end to end on local_resource-only Tiltfiles (no cluster, real processes, in-process loads).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCi } from '../../../src/cli/commands/ci';
import { runUp } from '../../../src/cli/commands/up';
import { runDown } from '../../../src/cli/commands/down';
import { main } from '../../../src/cli/main';

const dir = mkdtempSync(join(tmpdir(), 'innerloop-cli-unit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function ws(tiltfile: string): { cwd: string; out: string[]; io: { stdout(t: string): void; stderr(t: string): void; cwd: string } } {
  const cwd = mkdtempSync(join(dir, 'ws-'));
  writeFileSync(join(cwd, 'Tiltfile'), tiltfile);
  const out: string[] = [];
  return { cwd, out, io: { stdout: (t) => void out.push(t), stderr: (t) => void out.push(t), cwd } };
}

const strip = (s: string): string => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');

describe('innerloop up / ci / down', () => {
  it('ci exits 0 when every resource is done and writes --session-json', async () => {
    const w = ws("local_resource('hello', cmd='echo hello-out')\nlocal_resource('world', cmd='echo w', resource_deps=['hello'])\n");
    assert.equal(await runCi(['--session-json', 's.json'], w.io), 0, w.out.join(''));
    const text = w.out.join('');
    assert.match(text, /^hello +│ hello-out$/m);
    assert.match(text, /SUCCESS/);
    const s = JSON.parse(readFileSync(join(w.cwd, 's.json'), 'utf8')) as { result: { state: string }; resources: { name: string; updateStatus: string }[] };
    assert.equal(s.result.state, 'succeeded');
    assert.deepEqual(s.resources.map((r) => [r.name, r.updateStatus]), [['hello', 'ok'], ['world', 'ok']]);
  });

  it('resources named on the command line run with their dependencies; the rest is disabled', async () => {
    const w = ws("local_resource('a', cmd='echo a')\nlocal_resource('b', cmd='echo b', resource_deps=['a'])\nlocal_resource('c', cmd='echo c')\n");
    assert.equal(await runCi(['b', '--session-json', 's.json'], w.io), 0, w.out.join(''));
    const s = JSON.parse(readFileSync(join(w.cwd, 's.json'), 'utf8')) as { resources: { name: string; updateStatus: string }[] };
    assert.deepEqual(s.resources.map((r) => [r.name, r.updateStatus]), [['a', 'ok'], ['b', 'ok'], ['c', 'pending']]);
    assert.match(w.out.join(''), /^c +disabled/m);
  });

  it('ci exits 1 on the first failure, naming it', async () => {
    const w = ws("local_resource('bad', cmd='echo nope; exit 2')\n");
    assert.equal(await runCi([], w.io), 1);
    assert.match(w.out.join(''), /ERROR: bad: cmd exited with code 2/);
  });

  it('ci exits 1 when the Tiltfile is broken', async () => {
    const w = ws("local_resource('x'\n");
    assert.equal(await runCi(['--timeout', '20'], w.io), 1);
    assert.match(w.out.join(''), /ERROR: Tiltfile failed to load/);
  });

  it('up on a TTY shows prefixed logs and a status table, and stops on the signal', async () => {
    const w = ws("local_resource('hello', cmd='echo hello-out')\n");
    let stop!: (s: string) => void;
    const stopped = new Promise<string>((r) => (stop = r));
    const running = runUp([], w.io, stopped, true);
    for (let i = 0; i < 400 && !strip(w.out.join('')).includes('ready') && !strip(w.out.join('')).includes('done'); i++) await new Promise((r) => setTimeout(r, 25));
    stop('SIGINT');
    assert.equal(await running, 0);
    const text = strip(w.out.join(''));
    assert.match(text, /hello +│ hello-out/);
    assert.match(text, /^hello +done/m);
    assert.match(text, /SIGINT: stopping/);
  });

  it('down with nothing deployed succeeds; unknown flags are usage errors', async () => {
    const w = ws("local_resource('hello', cmd='true')\n");
    assert.equal(await runDown([], w.io), 0);
    assert.equal(await main(['up', '--bogus'], w.io), 2);
    assert.equal(await main(['ci', '--help'], w.io), 0);
  });
});
