// What `innerloop ci` and `innerloop tiltfile` print besides the log view is terminal-safe (colours kept; OSC 52
// clipboard writes, cursor movement and screen clears dropped) and scrubbed of the Tiltfile's secrets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCi } from '../../../src/cli/commands/ci';
import { main } from '../../../src/cli/main';
import { sanitizeTextForTerminal } from '../../../src/cli/render/terminal';

const SECRET = 's3cr3t-hunter2';
const HOSTILE = String.raw`printf '\033]52;c;ZXZpbA==\007clip ${SECRET}\n\033[2J\033[1;1Hfake row\n\033[31mred\033[0m\n'`;

function workspace(tiltfile: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'innerloop-hygiene-'));
  writeFileSync(join(dir, 'Tiltfile'), tiltfile);
  return dir;
}

function assertClean(text: string): void {
  assert.ok(!text.includes('\x1b]'), `an OSC sequence got through: ${JSON.stringify(text)}`);
  assert.ok(!/\x1b\[[0-9;]*[HJ]/.test(text), `cursor movement got through: ${JSON.stringify(text)}`);
  assert.ok(!text.includes(SECRET), `the secret got through: ${JSON.stringify(text)}`);
}

test('sanitizeTextForTerminal: line by line, newlines and colours kept', () => {
  assert.equal(sanitizeTextForTerminal('a\x1b]52;c;eA==\x07b\n\x1b[31mred\x1b[0m\n'), 'ab\n\x1b[31mred\x1b[0m\x1b[0m\n');
});

test('innerloop ci: the failure summary, its log tail and --session-json are scrubbed and terminal-safe', async () => {
  const cwd = workspace([
    "load('ext://secret', 'secret_from_dict')",
    `secret_from_dict('creds', inputs={'pw': '${SECRET}'})`,
    `local_resource('srv', serve_cmd=${JSON.stringify(HOSTILE + '; sleep 1; exit 3')}, readiness_probe=probe(period_secs=1, exec=exec_action(['false'])))`,
    '',
  ].join('\n'));
  let out = '';
  let err = '';
  const code = await runCi(['--session-json', 's.json', '--timeout', '60'], { stdout: (t) => void (out += t), stderr: (t) => void (err += t), cwd });
  assert.equal(code, 1, out + err);
  assert.match(err, /^ERROR: srv/m);
  assert.match(err, /Last log lines of srv:\n  clip \[redacted\]\n  fake row\n  \x1b\[31mred\x1b\[0m/);
  assertClean(out);
  assertClean(err);
  const json = readFileSync(join(cwd, 's.json'), 'utf8');
  assert.ok(!json.includes(SECRET), json);
});

test('innerloop tiltfile: the load output and diagnostics are scrubbed (a multi-line secret too) and terminal-safe', async () => {
  const pem = '-----BEGIN KEY-----\nAAAAline1secret\nBBBBline2secret\n-----END KEY-----';
  const dir = workspace([
    "load('ext://secret', 'secret_from_dict')",
    `secret_from_dict('creds', inputs={'pw': '${SECRET}', 'key': ${JSON.stringify(pem)}})`,
    `print('pw is ${SECRET}; \\x1b]52;c;ZXZpbA==\\x07copied')`,
    `print(${JSON.stringify(pem)})`,
    `fail('bad ${SECRET}')`,
    '',
  ].join('\n'));
  let err = '';
  const code = await main(['tiltfile'], { stdout: () => undefined, stderr: (t) => void (err += t), cwd: dir });
  assert.equal(code, 1);
  assertClean(err);
  assert.ok(!/line[12]secret/.test(err), err);
  assert.match(err, /pw is \[redacted\]; copied/);
  assert.match(err, /Tiltfile:5:\d+: .*bad \[redacted\]/);
});
