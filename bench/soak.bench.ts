// Soak: a 24-hour session at a steady log rate, compressed in time. A chatty resource logs 50 lines/s (some of
// them one long line without a newline, as progress output does) through the real line splitter, LogStore and
// the VS Code output channels (vscode stubbed, channel content counted). Memory must stay flat: prints the heap
// after each simulated hour (after GC). Prints `name: value unit` lines; no assertions (the shortened soak with
// an assertion is test/integration/engine/soak.test.ts).
import { tmpdir } from 'node:os';
import { LineBuffer } from '../src/engine/lineBuffer';
import { LogStore } from '../src/engine/logs';
import { installVscodeStub } from '../test/unit/vscode/vscodeStub';

installVscodeStub({ workspaceFolder: tmpdir() });
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ResourceLogChannels } = require('../src/vscode/logChannels') as typeof import('../src/vscode/logChannels');

const HOURS = 24;
const LINES_PER_SECOND = 50;
const gc = (globalThis as { gc?: () => void }).gc ?? ((): void => undefined);
const heapMb = (): number => { gc(); return process.memoryUsage().heapUsed / 1024 / 1024; };

const logs = new LogStore({ maxLinesPerResource: 20_000 });
let channelChars = 0;
const channel = () => ({
  append: (t: string) => { channelChars += t.length; },
  replace: (t: string) => { channelChars = t.length; },
  dispose: () => undefined,
  show: () => undefined,
}) as never;
const channels = new ResourceLogChannels(20_000, channel);
channels.setSession({ tiltfile: 'Tiltfile', store: { snapshot: () => ({ order: [] }) } as never, logs, trigger: () => undefined, reload: () => undefined, dispose: () => undefined });
const splitter = new LineBuffer((l) => logs.append('api', 'runtime', l));
const drain = (channels as unknown as { drain(n: string): void }).drain.bind(channels);

const start = heapMb();
const samples: number[] = [];
const t0 = Date.now();
for (let h = 0; h < HOURS; h++) {
  for (let s = 0; s < 3600; s++) {
    let chunk = '';
    for (let i = 0; i < LINES_PER_SECOND; i++) chunk += `${h}:${s}:${i} GET /todos 200 3ms user=alice trace=${(h * 3600 + s) * 64 + i}\n`;
    // Once a minute, a progress bar redrawn with \r and no newline for 200 KB.
    if (s % 60 === 0) chunk += 'downloading '.padEnd(200 * 1024, '#\r');
    splitter.push(chunk);
    if (s % 10 === 0) drain('api');
  }
  samples.push(heapMb());
}
const secs = (Date.now() - t0) / 1000;
console.log(`soak: simulated ${HOURS} h at ${LINES_PER_SECOND} lines/s (${(HOURS * 3600 * LINES_PER_SECOND / 1e6).toFixed(2)} M lines) in: ${secs.toFixed(1)} s`);
console.log(`soak: heap before: ${start.toFixed(1)} MB`);
console.log(`soak: heap after hour 1: ${samples[0]!.toFixed(1)} MB`);
console.log(`soak: heap after hour ${HOURS}: ${samples.at(-1)!.toFixed(1)} MB`);
console.log(`soak: heap max over the run: ${Math.max(...samples).toFixed(1)} MB`);
console.log(`soak: heap growth hour 1 -> hour ${HOURS}: ${(samples.at(-1)! - samples[0]!).toFixed(1)} MB`);
console.log(`soak: lines held by the output channel at the end: ${channels.heldLines('api')}`);
console.log(`soak: characters held by the output channel at the end: ${(channelChars / 1e6).toFixed(1)} M`);
console.log(`soak: line splitter pending at the end: ${splitter.pending} chars`);
