import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogStore, SecretScrubber, type LogsAppended } from '../../../src/engine/logs';

function store(max = 3) {
  const queued: (() => void)[] = [];
  const s = new LogStore({ maxLinesPerResource: max, now: () => 42, defer: (fn) => queued.push(fn) });
  const events: LogsAppended[] = [];
  s.onDidAppend((e) => events.push(e));
  const tick = () => queued.splice(0).forEach((f) => f());
  return { s, events, tick };
}

test('each resource keeps its own newest N lines; a chatty one cannot starve a quiet one', () => {
  const { s } = store(3);
  s.append('quiet', 'runtime', 'hello');
  for (let i = 0; i < 1000; i++) s.append('chatty', 'runtime', `line ${i}`);
  assert.deepEqual(s.linesSince('quiet').map((l) => l.text), ['hello']);
  assert.deepEqual(s.linesSince('chatty').map((l) => l.text), ['line 997', 'line 998', 'line 999']);
  assert.equal(s.lineCount('chatty'), 3);
});

test('lines carry source, level, timestamp and increasing seq; linesSince resumes', () => {
  const { s } = store(10);
  s.append('api', 'build', 'step 1\nstep 2\n');
  s.append('api', 'runtime', 'boom', 'error');
  const all = s.linesSince('api');
  assert.deepEqual(all.map((l) => [l.text, l.source, l.level, l.time]), [
    ['step 1', 'build', 'info', 42], ['step 2', 'build', 'info', 42], ['boom', 'runtime', 'error', 42],
  ]);
  assert.deepEqual(s.linesSince('api', all[1].seq).map((l) => l.text), ['boom']);
  s.append('db', 'system', 'x');
  assert.deepEqual(s.allSince(0).map((l) => l.resource), ['api', 'api', 'api', 'db']);
});

test('stream chunks are joined into whole lines', () => {
  const { s } = store(10);
  s.write('api', 'runtime', 'hel');
  s.write('api', 'runtime', 'lo\nwor');
  assert.deepEqual(s.linesSince('api').map((l) => l.text), ['hello']);
  s.write('api', 'runtime', 'ld\r\n');
  s.write('api', 'runtime', 'tail');
  s.flushPartial('api', 'runtime');
  assert.deepEqual(s.linesSince('api').map((l) => l.text), ['hello', 'world', 'tail']);
});

test('notifications are batched per tick with the touched resources', () => {
  const { s, events, tick } = store(10);
  for (let i = 0; i < 100; i++) s.append(i % 2 ? 'a' : 'b', 'runtime', 'x');
  assert.equal(events.length, 0);
  tick();
  assert.deepEqual(events, [{ resources: ['b', 'a'] }]);
});

test('secrets are scrubbed, including base64 forms and overlapping secrets', () => {
  const { s } = store(10);
  s.scrubber.setSecrets(['hunter22', 'hunter22-extra', 'a.b*c', 'xy']);
  s.append('api', 'runtime', 'pw=hunter22 long=hunter22-extra re=a.b*c b64=' + Buffer.from('hunter22').toString('base64') + ' short=xy');
  assert.equal(s.linesSince('api')[0].text, 'pw=[redacted] long=[redacted] re=[redacted] b64=[redacted] short=xy');
  assert.equal(new SecretScrubber([]).scrub('nothing'), 'nothing');
});

test('very long lines are truncated after scrubbing', () => {
  const s = new LogStore({ maxLinesPerResource: 5, maxLineLength: 10, defer: () => undefined });
  s.scrubber.setSecrets(['0123456789abcdef']);
  s.append('api', 'runtime', '012345678' + '0123456789abcdef');
  assert.equal(s.linesSince('api')[0].text, '012345678[ …[truncated]');
});

test('undefined options fall back to defaults', () => {
  const s = new LogStore({ maxLinesPerResource: undefined, defer: () => undefined });
  s.append('api', 'runtime', 'x');
  assert.equal(s.lineCount('api'), 1);
});
