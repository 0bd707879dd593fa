// Soak, shortened: a real Session runs a local_resource whose serve_cmd (a real process) logs at a steady high
// rate, with a 200 KB progress line redrawn with \r and no newline every 2 s, through the real line splitter,
// LogStore and the editor's output channels (vscode stubbed: the channel counts what it is given). The log cap is
// small (5,000 lines) so 40 caps' worth pass in seconds. Memory must stay flat: the heap after 40× the cap's worth
// of lines stays within a bound of the heap after 1× (after GC both times; compared, never timed). The 24-hour
// numbers are in `npm run bench soak` (bench/soak.bench.ts) and FAULTS.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { Session } from '../../../src/engine/session';
import { loadTiltfile } from '../../../src/tiltfile/loader';
import { installVscodeStub } from '../../unit/vscode/vscodeStub';

installVscodeStub({ workspaceFolder: os.tmpdir() });
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ResourceLogChannels } = require('../../../src/vscode/logChannels') as typeof import('../../../src/vscode/logChannels');

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const heapMb = (): number => {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1024 / 1024;
};

const CAP = 5_000;
const ROUNDS = 40;
/** Allowed growth from 1× to 40×. What passes meanwhile: 195,000 lines, ~15 MB of text, more as LogLine objects. */
const BOUND_MB = 8;

// The chatty process: 500 lines every 20 ms (25,000 lines/s; stdout to a pipe blocks when the reader lags, so the
// rate follows what the session can take) and a progress bar without a newline every 2 s.
const CHATTY = `
let n = 0;
setInterval(() => {
  let s = '';
  for (let k = 0; k < 500; k++, n++) s += 'line ' + n + ' GET /todos 200 3ms user=alice trace=' + n.toString(16).padStart(12, '0') + '\\n';
  if (n % 50000 < 500) s += 'downloading '.padEnd(200 * 1024, '#\\r');
  process.stdout.write(s);
}, 20);
`;

test('soak, shortened: 40 log caps of a real chatty process keep the heap flat (session, LogStore, output channels)', { timeout: 600_000 }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'il-soak-'));
  fs.writeFileSync(path.join(dir, 'chatty.js'), CHATTY);
  fs.writeFileSync(path.join(dir, 'Tiltfile'), `local_resource('chatty', serve_cmd=['${process.execPath}', 'chatty.js'])\n`);
  const session = new Session({ tiltfile: path.join(dir, 'Tiltfile'), subcommand: 'up', logBufferLines: CAP, watch: false, load: async (p, opts) => loadTiltfile(p, opts) });
  let channelChars = 0;
  const channels = new ResourceLogChannels(CAP, () => ({
    append: (s: string) => { channelChars += s.length; },
    replace: (s: string) => { channelChars = s.length; },
    dispose: () => undefined,
    show: () => undefined,
  }) as never);
  /** The number in the newest line the session holds: how many lines the process has written so far. */
  const written = (): number => {
    const lines = session.logs.linesSince('chatty');
    for (let i = lines.length - 1; i >= 0; i--) {
      const m = /^line (\d+) /.exec(lines[i]!.text);
      if (m) return Number(m[1]) + 1;
    }
    return 0;
  };
  /** Fails (never hangs) if the process stops logging: a generous deadline, not a timing assertion. */
  const until = async (lines: number): Promise<void> => {
    const deadline = Date.now() + 300_000;
    while (written() < lines) {
      if (Date.now() > deadline) assert.fail(`the chatty process wrote ${written()} lines, not ${lines}: ${JSON.stringify(session.store.resource('chatty')?.runtimeStatus)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  try {
    channels.setSession({ tiltfile: path.join(dir, 'Tiltfile'), store: session.store, logs: session.logs, trigger: () => undefined, reload: () => undefined, dispose: () => undefined } as never);
    await session.start();
    await until(CAP);
    const first = heapMb();
    const samples = [first];
    for (const k of [10, 20, ROUNDS]) {
      await until(k * CAP);
      samples.push(heapMb());
    }
    const last = samples.at(-1)!;
    t.diagnostic(`heap after 1×, 10×, 20×, 40× the cap's worth (${CAP} lines): ${samples.map((m) => m.toFixed(1)).join(', ')} MB; lines written: ${written()}`);
    t.diagnostic(`held: ${session.logs.linesSince('chatty').length} lines in the LogStore, ${channels.heldLines('chatty')} in the output channel (${(channelChars / 1e6).toFixed(2)} M chars)`);
    assert.ok(written() >= ROUNDS * CAP);
    assert.ok(session.logs.linesSince('chatty').length <= CAP, 'the LogStore keeps at most the cap');
    assert.ok(channels.heldLines('chatty') <= CAP, 'the output channel keeps at most its budget');
    assert.ok(last - first < BOUND_MB, `heap grew ${(last - first).toFixed(1)} MB from 1× to ${ROUNDS}× the cap's worth of lines (bound ${BOUND_MB} MB)`);
  } finally {
    channels.setSession(undefined);
    channels.dispose();
    await session.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
