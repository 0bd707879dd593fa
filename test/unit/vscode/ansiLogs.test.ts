// Container logs with ANSI colours: the dashboard shows them as coloured segments (src/shared/ansi.ts, rendered
// with textContent in src/webview/virtualLog.ts; the browser side is in test/e2e/dashboardWebview.test.ts), and
// output channels, which cannot show colours, get the text without escape codes.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { installVscodeStub } from './vscodeStub';
import { LogStore } from '../../../src/engine/logs';
import { ansiClass, ansiSegments } from '../../../src/shared/ansi';

const stub = installVscodeStub({ workspaceFolder: tmpdir() });
after(() => stub.restore());
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ResourceLogChannels } = require('../../../src/vscode/logChannels') as typeof import('../../../src/vscode/logChannels');

test('ANSI → segments: colours and bold become classes; text is kept as text (markup and all)', () => {
  assert.deepEqual(ansiSegments('\x1b[32mgreen <b>tag</b>\x1b[0m done'), [{ text: 'green <b>tag</b>', fg: 32 }, { text: ' done' }]);
  assert.deepEqual(ansiSegments('\x1b[1;91mok\x1b[39m & more\x1b[22m!'), [{ text: 'ok', fg: 91, bold: true }, { text: ' & more', bold: true }, { text: '!' }]);
  assert.equal(ansiClass({ text: 'x', fg: 91, bold: true }), 'a91 b');
  assert.equal(ansiClass({ text: 'x' }), '');
});

test('ANSI → segments: 256-colour/RGB forms are not misread; cursor moves, titles, bells and C1 controls vanish', () => {
  assert.deepEqual(ansiSegments('\x1b[38;5;32mx\x1b[48;2;1;2;33my'), [{ text: 'xy' }]);
  assert.deepEqual(ansiSegments('a\x1b[2J\x1b[1;1Hb\x1b]0;pwned\x07c\x1b]8;;http://x\x1b\\d\x07e\u009bf\tg'), [{ text: 'abcdef\tg' }]);
  assert.deepEqual(ansiSegments('plain'), [{ text: 'plain' }]);
  assert.deepEqual(ansiSegments(''), []);
});

test('output channels get log lines without escape codes', () => {
  const logs = new LogStore();
  let text = '';
  const fake = () => ({ append: (t: string) => { text += t; }, replace: (t: string) => { text = t; }, dispose: () => undefined, show: () => undefined }) as never;
  const channels = new ResourceLogChannels(500, fake);
  const store = { snapshot: () => ({ order: [] }) } as never;
  channels.setSession({ tiltfile: 'Tiltfile', store, logs, trigger: () => undefined, reload: () => undefined, dispose: () => undefined });
  logs.append('api', 'runtime', '\x1b[32mgreen\x1b[0m and \x1b[1;31mred\x1b[0m');
  (channels as unknown as { drain(n: string): void }).drain('api');
  assert.equal(text, 'green and red\n');
  channels.dispose();
});
