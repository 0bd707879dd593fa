// Soak, shortened: long streams without a newline, and a long-running chatty resource, keep memory bounded.
// (npm run bench: soak.bench.ts runs the long version and prints the numbers.)
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { tmpdir } from 'node:os';
import { LineBuffer, MAX_PENDING_LINE } from '../../../src/engine/lineBuffer';
import { TimestampedLineSplitter } from '../../../src/engine/k8s/podLogs';
import { runCommand } from '../../../src/engine/adapters/process';
import { readProgress } from '../../../src/engine/build/docker';
import { LogStore } from '../../../src/engine/logs';
import { installVscodeStub } from '../vscode/vscodeStub';

const stub = installVscodeStub({ workspaceFolder: tmpdir() });
after(() => stub.restore());
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ResourceLogChannels } = require('../../../src/vscode/logChannels') as typeof import('../../../src/vscode/logChannels');

const MB = 1024 * 1024;

test('line buffer: 64 MB without a newline never holds more than the cap, and loses nothing', () => {
  let delivered = 0;
  let maxLine = 0;
  const buf = new LineBuffer((l) => { delivered += l.length; maxLine = Math.max(maxLine, l.length); });
  const chunk = 'x'.repeat(64 * 1024 - 1) + '\r';
  let maxPending = 0;
  for (let i = 0; i < 1024; i++) {
    buf.push(chunk);
    maxPending = Math.max(maxPending, buf.pending);
  }
  buf.end();
  assert.ok(maxPending <= MAX_PENDING_LINE, `held ${maxPending}`);
  assert.ok(maxLine <= MAX_PENDING_LINE);
  assert.equal(delivered, 64 * 1024 * 1024 - 1, 'every character delivered (only the final \\r is dropped)');
});

test('line buffer: ordinary lines and CRLF still split as lines, a line across chunks stays whole', () => {
  const got: string[] = [];
  const buf = new LineBuffer((l) => got.push(l));
  buf.push('a\r\nb');
  buf.push('c\nd');
  buf.end();
  assert.deepEqual(got, ['a', 'bc', 'd']);
});

test('pod logs: a container printing no newline keeps the splitter bounded', () => {
  const s = new TimestampedLineSplitter();
  let lines = 0;
  for (let i = 0; i < 2048; i++) {
    lines += s.push(`${i === 0 ? '2026-01-01T00:00:00Z ' : ''}${'#'.repeat(32 * 1024)}`).length;
    assert.ok(s.pending <= MAX_PENDING_LINE);
  }
  assert.ok(lines > 0);
});

test('process output: a local_resource printing 8 MB without a newline is delivered in bounded lines', async () => {
  let max = 0;
  let total = 0;
  const r = await runCommand(
    { command: ['head -c 8388608 /dev/zero | tr "\\0" x'], shell: true, dir: tmpdir(), env: {} },
    { onOutput: (l) => { max = Math.max(max, l.length); total += l.length; } },
  );
  assert.equal(r.exitCode, 0);
  assert.equal(total, 8 * MB);
  assert.ok(max <= MAX_PENDING_LINE, `a line of ${max}`);
});

test('docker build progress: stream text without newlines is bounded', async () => {
  const stream = new PassThrough();
  let max = 0;
  const done = readProgress(stream, (l) => { max = Math.max(max, l.length); }, 'build');
  for (let i = 0; i < 256; i++) stream.write(JSON.stringify({ stream: '.'.repeat(16 * 1024) }) + '\n');
  stream.end();
  await done;
  assert.ok(max <= MAX_PENDING_LINE, `a line of ${max}`);
});

test('output channels: a long-running chatty resource keeps each channel within its line budget', () => {
  const logs = new LogStore({ maxLinesPerResource: 1000 });
  const sizes: number[] = [];
  let content = 0;
  const fake = () => ({
    append: (t: string) => { content += t.split('\n').length - 1; },
    replace: (t: string) => { content = t.split('\n').length - 1; },
    dispose: () => undefined,
    show: () => undefined,
  }) as never;
  const channels = new ResourceLogChannels(500, fake);
  const store = { snapshot: () => ({ order: [] }) } as never;
  channels.setSession({ tiltfile: 'Tiltfile', store, logs, trigger: () => undefined, reload: () => undefined, dispose: () => undefined });
  for (let batch = 0; batch < 200; batch++) {
    for (let i = 0; i < 37; i++) logs.append('api', 'runtime', `batch ${batch} line ${i}`);
    // LogStore notifies once per tick: drain as the listener would.
    (channels as unknown as { drain(n: string): void }).drain('api');
    sizes.push(channels.heldLines('api'));
    assert.equal(content, channels.heldLines('api'));
  }
  assert.ok(Math.max(...sizes) <= 500, `held ${Math.max(...sizes)}`);
  assert.ok(sizes.at(-1)! >= 250, 'the newest lines are kept');
  channels.dispose();
});
