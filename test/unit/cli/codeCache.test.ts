// The CLI's code cache (src/cli/codeCache.ts), in fresh Node processes as the CLI uses it: the first run writes the
// cache at exit (owner-only), the next run uses it as it is, an edited bundle is never served stale, a throwing
// module leaves no half-loaded entry, and --enable-source-maps loads without the cache (mapped stack traces).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';

// Bundled as the CLI ships it: under tsx, source maps are on, and with them the cache is off by design.
const codeCache = join(mkdtempSync(join(tmpdir(), 'innerloop-codecache-src-')), 'codeCache.js');
buildSync({ entryPoints: [resolve(__dirname, '../../../src/cli/codeCache.ts')], outfile: codeCache, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' });

function run(file: string, cacheHome: string, nodeFlags: string[] = []): { out: string; err: string; status: number | null } {
  const code = `try { console.log(JSON.stringify(require(${JSON.stringify(codeCache)}).requireWithCodeCache(${JSON.stringify(file)}))); }
    catch (e) { console.log('threw ' + e.message + ' cached=' + (require.cache[${JSON.stringify(file)}] !== undefined)); }`;
  const r = spawnSync(process.execPath, [...nodeFlags, '-e', code], { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: cacheHome, INNERLOOP_NO_CODE_CACHE: '' } });
  return { out: r.stdout.trim(), err: r.stderr, status: r.status };
}

function cacheFiles(home: string): string[] {
  try {
    return readdirSync(join(home, 'innerloop', 'code-cache')).map((f) => join(home, 'innerloop', 'code-cache', f));
  } catch {
    return [];
  }
}

test('code cache: written at the first exit (0600 in a 0700 directory), used as it is by the next run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'innerloop-codecache-'));
  const home = join(dir, 'cache');
  const file = join(dir, 'bundle.js');
  writeFileSync(file, "exports.answer = 41 + 1; exports.file = __filename; exports.sep = require('node:path').sep;\n");
  const first = run(file, home);
  assert.equal(first.status, 0, first.err);
  assert.deepEqual(JSON.parse(first.out), { answer: 42, file, sep: '/' });
  const [cache] = cacheFiles(home);
  assert.ok(cache, 'a cache file was written');
  assert.equal(statSync(cache).mode & 0o777, 0o600);
  assert.equal(statSync(join(home, 'innerloop', 'code-cache')).mode & 0o777, 0o700);
  const written = statSync(cache).mtimeMs;
  const second = run(file, home);
  assert.deepEqual(JSON.parse(second.out), { answer: 42, file, sep: '/' });
  assert.equal(statSync(cache).mtimeMs, written, 'an accepted cache is not written again');
  assert.equal(cacheFiles(home).length, 1);
});

test('code cache: an edited bundle (same length) runs its new code, and its cache replaces the old one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'innerloop-codecache-'));
  const home = join(dir, 'cache');
  const file = join(dir, 'bundle.js');
  writeFileSync(file, 'exports.answer = 41 + 1;\n');
  assert.deepEqual(JSON.parse(run(file, home).out), { answer: 42 });
  writeFileSync(file, 'exports.answer = 14 + 1;\n');
  utimesSync(file, new Date(), new Date(Date.now() + 5_000));
  assert.deepEqual(JSON.parse(run(file, home).out), { answer: 15 });
  assert.deepEqual(JSON.parse(run(file, home).out), { answer: 15 });
  assert.equal(cacheFiles(home).length, 1);
});

test('code cache: a module that throws is not left in require.cache; --enable-source-maps bypasses the cache', () => {
  const dir = mkdtempSync(join(tmpdir(), 'innerloop-codecache-'));
  const home = join(dir, 'cache');
  const bad = join(dir, 'bad.js');
  writeFileSync(bad, "throw new Error('boom');\n");
  assert.equal(run(bad, home).out, 'threw boom cached=false');
  const file = join(dir, 'bundle.js');
  writeFileSync(file, 'exports.answer = 42;\n');
  const home2 = join(dir, 'cache2');
  assert.deepEqual(JSON.parse(run(file, home2, ['--enable-source-maps']).out), { answer: 42 });
  assert.deepEqual(cacheFiles(home2), []);
});
