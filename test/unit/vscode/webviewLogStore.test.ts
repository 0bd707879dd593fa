import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FilteredView, NO_FILTER, WebviewLogStore, type LogFilter } from '../../../src/webview/logStore';
import { packLogBatch } from '../../../src/shared/webviewProtocol';

type Src = 'build' | 'runtime' | 'system';
type Lvl = 'info' | 'warn' | 'error';
const line = (resource: string, source: Src, level: Lvl, text: string) => ({ resource, source, level, text });

function sample(): WebviewLogStore {
  const s = new WebviewLogStore();
  s.append(
    packLogBatch([
      line('api', 'build', 'info', 'Step 1/3 : FROM python'),
      line('api', 'runtime', 'info', 'GET /todos 200'),
      line('db', 'runtime', 'warn', 'slow query 1200ms'),
      line('api', 'runtime', 'error', 'Traceback: KeyError id'),
      line('(Tiltfile)', 'system', 'info', 'Loading Tiltfile'),
    ]),
  );
  return s;
}

const texts = (s: WebviewLogStore, f: Partial<LogFilter>): string[] => {
  const v = new FilteredView(s, { ...NO_FILTER, ...f });
  return Array.from({ length: v.size }, (_, k) => s.textOf(v.line(k)));
};

describe('webview log store', () => {
  it('keeps lines, resources, sources and levels', () => {
    const s = sample();
    assert.equal(s.size, 5);
    assert.equal(s.resourceOf(2), 'db');
    assert.equal(s.textOf(3), 'Traceback: KeyError id');
    assert.deepEqual(s.resources, ['api', 'db', '(Tiltfile)']);
  });

  it('filters by resource, source (system counts as build), level, text and regex', () => {
    const s = sample();
    assert.equal(texts(s, {}).length, 5);
    assert.deepEqual(texts(s, { resource: 'db' }), ['slow query 1200ms']);
    assert.deepEqual(texts(s, { source: 'build' }), ['Step 1/3 : FROM python', 'Loading Tiltfile']);
    assert.deepEqual(texts(s, { source: 'runtime', resource: 'api' }), ['GET /todos 200', 'Traceback: KeyError id']);
    assert.deepEqual(texts(s, { level: 'error' }), ['Traceback: KeyError id']);
    assert.deepEqual(texts(s, { level: 'warn' }), ['slow query 1200ms']);
    assert.deepEqual(texts(s, { text: 'TODOS' }), ['GET /todos 200']);
    assert.deepEqual(texts(s, { text: '\\d{4}ms$', regex: true }), ['slow query 1200ms']);
    assert.deepEqual(texts(s, { text: '(', regex: false }), []);
  });

  it('searches the text a reader sees: colour codes and other escapes do not match or split a word', () => {
    const s = new WebviewLogStore();
    s.append(packLogBatch([line('api', 'runtime', 'error', '\x1b[31mERR\x1b[0mOR: boom'), line('api', 'runtime', 'info', 'plain 31m')]));
    assert.deepEqual(texts(s, { text: 'error: boom' }), ['\x1b[31mERR\x1b[0mOR: boom']);
    assert.deepEqual(texts(s, { text: '^ERROR', regex: true }), ['\x1b[31mERR\x1b[0mOR: boom']);
    assert.deepEqual(texts(s, { text: '31m' }), ['plain 31m']);
  });

  it('reports an invalid regex instead of throwing', () => {
    const v = new FilteredView(sample(), { ...NO_FILTER, text: '(', regex: true });
    assert.equal(v.size, 0);
    assert.ok(v.error);
  });

  it('extends a filtered view as lines arrive, including a resource that had not logged yet', () => {
    const s = sample();
    const v = new FilteredView(s, { ...NO_FILTER, resource: 'web' });
    assert.equal(v.size, 0);
    s.append(packLogBatch([line('web', 'runtime', 'info', 'ready'), line('api', 'runtime', 'info', 'x')]));
    v.update();
    assert.equal(v.size, 1);
    assert.equal(s.textOf(v.line(0)), 'ready');
  });

  it('stays bounded: drops the oldest lines and views rebuild', () => {
    const s = new WebviewLogStore(100);
    const v = new FilteredView(s, NO_FILTER);
    for (let b = 0; b < 5; b++) s.append(packLogBatch(Array.from({ length: 50 }, (_, i) => line('api', 'runtime', 'info', `line ${b * 50 + i}`))));
    assert.ok(s.size <= 100);
    v.update();
    assert.equal(v.size, s.size);
    assert.equal(s.textOf(v.line(v.size - 1)), 'line 249');
  });

  it('handles a million lines', () => {
    const s = new WebviewLogStore();
    for (let b = 0; b < 100; b++) {
      s.append(packLogBatch(Array.from({ length: 10_000 }, (_, i) => line(i % 2 ? 'api' : 'web', i % 3 ? 'runtime' : 'build', i % 100 === 0 ? 'error' : 'info', `request ${b}-${i}`))));
    }
    assert.equal(s.size, 1_000_000);
    const errors = new FilteredView(s, { ...NO_FILTER, level: 'error' });
    assert.equal(errors.size, 10_000);
    const one = new FilteredView(s, { ...NO_FILTER, text: 'request 42-4242' });
    assert.equal(one.size, 1);
  });
});
