import { after, before, describe, it } from 'node:test';
import { bundleWorker } from './workerBundle';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkTiltfile, mapLoadDiagnostics, syntaxCheck, type CheckOptions } from '../../../src/vscode/tiltfileCheck';
import { looksLikeTiltfile, resolveTiltfile } from '../../../src/vscode/tiltfilePath';

const dir = mkdtempSync(join(tmpdir(), 'innerloop-check-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// The CLI bundle doubles as the loader worker (as dist/cli.js does in the extension); bundle it fresh.
const workerScript = join(dir, 'cli.js');
before(() => bundleWorker(workerScript));

const full = (workspaceTrusted: boolean): CheckOptions => ({ full: true, args: [], workspaceTrusted, workerScript });

describe('syntaxCheck', () => {
  it('reports nothing for a valid Tiltfile', () => {
    assert.deepEqual(syntaxCheck('/w/Tiltfile', "k8s_yaml('a.yaml')\n"), []);
  });

  it('reports a syntax error with its 1-based position', () => {
    const d = syntaxCheck('/w/Tiltfile', "x = 1\nk8s_yaml('a.yaml'\n");
    assert.equal(d.length, 1);
    assert.equal(d[0]!.severity, 'error');
    assert.equal(d[0]!.pos?.file, '/w/Tiltfile');
    assert.ok((d[0]!.pos?.line ?? 0) >= 2);
  });
});

describe('checkTiltfile (full load in a worker, untrusted)', () => {
  it('reports a loader error at the call that failed', async () => {
    const tf = join(dir, 'Tiltfile');
    const text = "# ok\nk8s_yaml('missing.yaml')\n";
    writeFileSync(tf, text);
    const d = await checkTiltfile(tf, text, full(true));
    const err = d.find((x) => x.severity === 'error');
    assert.ok(err, `no error in ${JSON.stringify(d)}`);
    assert.match(err.message, /missing\.yaml/);
    assert.equal(err.pos?.line, 2);
  });

  it('checks the unsaved buffer, not the file on disk, with the range of the failing call', async () => {
    const tf = join(dir, 'Tiltfile.unsaved');
    writeFileSync(tf, "# saved: fine\n");
    const text = "# typed, not saved\nk8s_resource('nope', bogus=1)\n";
    const d = await checkTiltfile(tf, text, full(true));
    const err = d.find((x) => x.severity === 'error');
    assert.ok(err, `no error in ${JSON.stringify(d)}`);
    assert.match(err.message, /bogus/);
    assert.equal(err.pos?.line, 2);
    assert.equal(err.start?.line, 2);
    assert.ok(err.end && err.end.line === 2 && err.end.col > (err.start?.col ?? 0), 'a range on the call');
  });

  it('never runs local(): hidden in trusted workspaces, explained in untrusted ones', async () => {
    const tf = join(dir, 'Tiltfile.local');
    const marker = join(dir, 'ran');
    const text = `local('touch ${marker}')\n`;
    writeFileSync(tf, text);
    assert.deepEqual(await checkTiltfile(tf, text, full(true)), []);
    const d = await checkTiltfile(tf, text, full(false));
    assert.equal(d.length, 1);
    assert.equal(d[0]!.severity, 'info');
    assert.match(d[0]!.message, /untrusted/);
    assert.throws(() => rmSync(marker), 'local() ran');
  });

  it('survives a Tiltfile that aborts V8 (the untrusted-repo reproducer): an error at the Tiltfile, in a child', async () => {
    const tf = join(dir, 'Tiltfile.oom');
    const text = 'x = ("a" * (1 << 27)).split("a")\n';
    writeFileSync(tf, text);
    const d = await checkTiltfile(tf, text, { ...full(false), maxHeapMb: 256 });
    const err = d.find((x) => x.severity === 'error');
    assert.ok(err, JSON.stringify(d));
    assert.equal(err.pos?.file, tf);
    assert.match(err.message, /memory|too (large|long|big)|limit/i);
  });

  it('turns a parser stack overflow into a diagnostic, not an exception', async () => {
    const d = await checkTiltfile('/nonexistent/Tiltfile', 'x = ' + 'f('.repeat(20000), full(true));
    assert.equal(d.length, 1);
    assert.equal(d[0]!.severity, 'error');
  });

  it('returns syntax errors without starting a load', async () => {
    const d = await checkTiltfile('/nonexistent/Tiltfile', 'def (', full(true));
    assert.equal(d.length, 1);
    assert.equal(d[0]!.severity, 'error');
  });
});

describe('mapLoadDiagnostics', () => {
  it('keeps real errors and warnings as they are', () => {
    const d = mapLoadDiagnostics([{ severity: 'warning', message: 'image not used' }], true);
    assert.deepEqual(d, [{ severity: 'warning', message: 'image not used' }]);
  });
});

describe('Tiltfile paths', () => {
  it('resolves the setting against the folder', () => {
    assert.equal(resolveTiltfile('/w', ''), '/w/Tiltfile');
    assert.equal(resolveTiltfile('/w', 'deploy/Tiltfile.dev'), '/w/deploy/Tiltfile.dev');
    assert.equal(resolveTiltfile('/w', '/abs/Tiltfile'), '/abs/Tiltfile');
  });

  it('recognises Tiltfile names', () => {
    assert.ok(looksLikeTiltfile('/a/Tiltfile'));
    assert.ok(looksLikeTiltfile('/a/x.tiltfile'));
    assert.ok(looksLikeTiltfile('/a/Tiltfile.dev'));
    assert.ok(!looksLikeTiltfile('/a/tiltfile.md.txt'));
  });
});
