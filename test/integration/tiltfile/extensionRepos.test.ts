// load('ext://NAME') from extension repositories, with real git repositories the test creates (file:// URLs):
// fetched with the system git into a cache keyed by repo and ref, reused offline, recorded in tilt_modules/, never
// fetched in an untrusted workspace; errors name the extension and the repository. Ends with `innerloop tiltfile`
// from the built CLI (dist/cli.js). No network: every URL is file:// or a loopback port nothing listens on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { loadTiltfile, type LoadResult } from '../../../src/tiltfile/loader';
import type { LoadOptions } from '../../../src/tiltfile/state';
import type { LocalResource } from '../../../src/tiltfile/plan';
import { checkTiltfile } from '../../../src/vscode/tiltfileCheck';

function sh(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', args, {
    cwd, encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t', GIT_CONFIG_NOSYSTEM: '1', HOME: cwd },
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

function write(root: string, files: Record<string, string>): void {
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
}

/** An extension repository shaped like tilt-extensions: tag v1, then a later commit on main. */
function extensionRepo(root: string): string {
  const repo = join(root, 'exts');
  mkdirSync(repo, { recursive: true });
  sh(repo, 'init', '--quiet', '--initial-branch=main');
  write(repo, {
    // Like tests/golang: builds a `go test` command and registers it with the deprecated test().
    'tests/golang/Tiltfile': `def test_go(name, package, deps, timeout='', tags=None):
    cmd = 'go test {} {}'.format('-timeout ' + timeout if timeout else '', package)
    test(name, cmd, deps=deps)
`,
    'serve/Tiltfile': `def serve(name, cmd):\n    local_resource(name, serve_cmd=cmd, labels=['serve'])\n`,
    // An extension that loads another extension.
    'stack/Tiltfile': `load('ext://tests/golang', 'test_go')\nload('ext://serve', 'serve')\ndef stack(name):\n    test_go(name + '-tests', './...', ['.'])\n    serve(name, 'python -m http.server')\n`,
    'broken/Tiltfile': `def f():\n    x = [1, 2\n    return x\n`,
    'version/Tiltfile': `VERSION = 'v1'\n`,
  });
  sh(repo, 'add', '-A');
  sh(repo, 'commit', '--quiet', '-m', 'v1');
  sh(repo, 'tag', 'v1');
  write(repo, { 'version/Tiltfile': `VERSION = 'main'\n` });
  sh(repo, 'commit', '--quiet', '-am', 'main');
  return repo;
}

function load(dir: string, tiltfile: string, opts: LoadOptions): LoadResult {
  writeFileSync(join(dir, 'Tiltfile'), tiltfile);
  return loadTiltfile(join(dir, 'Tiltfile'), { maxSteps: 1_000_000, ...opts });
}

const firstError = (r: LoadResult): string => r.diagnostics.find((d) => d.severity === 'error')?.message ?? '(no error)';

test('ext:// from a file:// git repository at a ref: fetched, cached, reused offline, recorded; clear errors', () => {
  const root = mkdtempSync(join(tmpdir(), 'h-tiltfile-ext-'));
  try {
    const repo = extensionRepo(root);
    const cache = join(root, 'cache');
    const proj = join(root, 'proj');
    mkdirSync(proj);
    const url = `file://${repo}`;
    const main = `
v1alpha1.extension_repo(name='default', url='${url}', ref='v1')
load('ext://stack', 'stack')
load('ext://version', 'VERSION')
stack('api')
print(VERSION)
`;
    const r = load(proj, main, { extensionCacheDir: cache });
    assert.equal(r.ok, true, JSON.stringify(r.diagnostics));
    assert.deepEqual(r.output, ['v1'], 'the ref pins the version, not main');
    const tests = r.plan.resources.find((x) => x.name === 'api-tests') as LocalResource;
    assert.deepEqual(tests.cmd.command, ['go test  ./...']);
    const serve = r.plan.resources.find((x) => x.name === 'api') as LocalResource;
    assert.equal(serve.allowParallel, true);
    assert.deepEqual(serve.labels, ['serve']);
    // Cached under the cache dir, one checkout per (url, ref); recorded in tilt_modules/extensions.json.
    assert.equal(readdirSync(cache).length, 1);
    const rec = JSON.parse(readFileSync(join(proj, 'tilt_modules', 'extensions.json'), 'utf8')) as { Extensions: Array<Record<string, string>> };
    assert.deepEqual(rec.Extensions.map((e) => [e.Name, e.ExtensionRegistry, e.Ref, e.Path]).sort(), [
      ['serve', url, 'v1', 'serve'], ['stack', url, 'v1', 'stack'], ['tests/golang', url, 'v1', 'tests/golang'], ['version', url, 'v1', 'version'],
    ]);
    assert.match(rec.Extensions[0]!.Commit!, /^[0-9a-f]{40}$/);

    // Another ref is another cache entry; the default branch is main.
    const r2 = load(proj, main.replace("ref='v1'", "ref='main'"), { extensionCacheDir: cache });
    assert.deepEqual(r2.output, ['main']);
    assert.equal(readdirSync(cache).length, 2);

    // Offline: the repository is gone, the cached checkout still loads.
    renameSync(repo, `${repo}.gone`);
    const r3 = load(proj, main, { extensionCacheDir: cache });
    assert.equal(r3.ok, true, JSON.stringify(r3.diagnostics));
    assert.deepEqual(r3.output, ['v1']);
    // ...and an uncached ref cannot be fetched: the error names the extension, the repo and the cause.
    const gone = load(proj, main.replace("ref='v1'", "ref='v2'"), { extensionCacheDir: cache });
    assert.match(firstError(gone), new RegExp(`cannot load ext://stack: extension repo "default" \\(${url} at v2\\): repository not found`));
    renameSync(`${repo}.gone`, repo);

    // A ref that does not exist.
    const noRef = load(proj, main.replace("ref='v1'", "ref='no-such-ref'"), { extensionCacheDir: cache });
    assert.match(firstError(noRef), new RegExp(`cannot load ext://stack: extension repo "default" \\(${url} at no-such-ref\\): ref "no-such-ref" not found in the repository`));
    assert.equal(noRef.diagnostics.find((d) => d.severity === 'error')!.pos?.line, 3);

    // An extension with a syntax error: names the extension, the repo and the position in the extension.
    const broken = load(proj, `v1alpha1.extension_repo(name='default', url='${url}', ref='v1')\nload('ext://broken', 'f')\n`, { extensionCacheDir: cache });
    assert.match(firstError(broken), new RegExp(`cannot load ext://broken: extension repo "default" \\(${url} at v1\\): .*/broken/Tiltfile:3:5: got '?return'?, want`));

    // A missing extension in an existing repo.
    const missing = load(proj, `v1alpha1.extension_repo(name='default', url='${url}', ref='v1')\nload('ext://nope', 'x')\n`, { extensionCacheDir: cache });
    assert.match(firstError(missing), new RegExp(`cannot load ext://nope: no nope/Tiltfile in extension repo "default" \\(${url} at v1\\)`));

    // v1alpha1.extension maps a name to a path in a named repo; load_host maps ext://HOST/PATH.
    const named = load(proj, `
v1alpha1.extension_repo(name='team', url='${url}', ref='v1', load_host='team.example')
v1alpha1.extension(name='golang', repo_name='team', repo_path='tests/golang')
load('ext://golang', 'test_go')
load('ext://team.example/version', 'VERSION')
test_go('unit', './pkg/...', ['.'])
print(VERSION)
`, { extensionCacheDir: cache });
    assert.equal(named.ok, true, JSON.stringify(named.diagnostics));
    assert.deepEqual(named.output, ['v1']);
    assert.ok(named.plan.resources.some((x) => x.name === 'unit'));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('untrusted never fetches (built-ins still load); git missing and an unreachable host are clear errors', () => {
  const root = mkdtempSync(join(tmpdir(), 'h-tiltfile-ext-'));
  try {
    const repo = extensionRepo(root);
    const proj = join(root, 'proj');
    mkdirSync(proj);
    const cache = join(root, 'cache');
    const src = `v1alpha1.extension_repo(name='default', url='file://${repo}', ref='v1')\nload('ext://dotenv', 'dotenv')\nload('ext://version', 'VERSION')\n`;
    const u = load(proj, src, { untrusted: true, extensionCacheDir: cache });
    assert.match(firstError(u), /cannot load ext:\/\/version: extension repo "default" .* is not in the cache .*an untrusted workspace never fetches anything/);
    assert.equal(existsSync(cache), false, 'nothing fetched');
    assert.equal(existsSync(join(proj, 'tilt_modules')), false, 'nothing recorded');
    // Once cached (by a trusted load), the untrusted workspace uses the cache.
    assert.equal(load(proj, src, { extensionCacheDir: cache }).ok, true);
    assert.equal(load(proj, src, { untrusted: true, extensionCacheDir: cache }).ok, true);

    const noGit = load(proj, src, { extensionCacheDir: join(root, 'cache2'), env: { PATH: join(root, 'no-bin') } });
    assert.match(firstError(noGit), /cannot load ext:\/\/version: extension repo "default" .*: git is not installed \(or not on PATH\)/);
    const down = load(proj, `v1alpha1.extension_repo(name='default', url='https://127.0.0.1:9/tilt-extensions')\nload('ext://version', 'VERSION')\n`, { extensionCacheDir: join(root, 'cache3') });
    assert.match(firstError(down), /cannot load ext:\/\/version: extension repo "default" \(https:\/\/127.0.0.1:9\/tilt-extensions\): cannot reach the repository \(network down or host unreachable\)/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('innerloop tiltfile (built CLI) loads ext:// from a file:// repository end to end', () => {
  const cli = resolve(__dirname, '../../../dist/cli.js');
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: resolve(__dirname, '../../..'), encoding: 'utf8' });
  assert.equal(build.status, 0, build.stderr);
  const root = mkdtempSync(join(tmpdir(), 'h-tiltfile-ext-'));
  try {
    const repo = extensionRepo(root);
    const proj = join(root, 'proj');
    mkdirSync(proj);
    writeFileSync(join(proj, 'Tiltfile'), `v1alpha1.extension_repo(name='default', url='file://${repo}', ref='v1')\nload('ext://stack', 'stack')\nstack('web')\n`);
    const r = spawnSync(process.execPath, [cli, 'tiltfile', '--file', join(proj, 'Tiltfile')], { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: join(root, 'xdg') } });
    assert.equal(r.status, 0, r.stderr);
    const plan = JSON.parse(r.stdout) as { resources: Array<{ name: string }> };
    assert.deepEqual(plan.resources.map((x) => x.name).sort(), ['web', 'web-tests']);
    assert.equal(readdirSync(join(root, 'xdg', 'innerloop', 'extensions')).length, 1);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("the editor's check (child loader) fetches ext:// in a trusted workspace, and only reads the cache in an untrusted one", async () => {
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: resolve(__dirname, '../../..'), encoding: 'utf8' });
  assert.equal(build.status, 0, build.stderr);
  const workerScript = resolve(__dirname, '../../../dist/tiltfile-loader.js');
  const root = mkdtempSync(join(tmpdir(), 'h-tiltfile-ext-editor-'));
  const saved = process.env.XDG_CACHE_HOME;
  process.env.XDG_CACHE_HOME = join(root, 'xdg'); // the child load sees the editor's environment
  try {
    const repo = extensionRepo(root);
    const proj = join(root, 'proj');
    mkdirSync(proj);
    const path = join(proj, 'Tiltfile');
    // An unsaved buffer with a mistake after the load: the check must get past the load to report it.
    const text = `v1alpha1.extension_repo(name='default', url='file://${repo}', ref='v1')\nload('ext://stack', 'stack')\nstack('web')\nk8s_resource('nope')\n`;
    const check = (workspaceTrusted: boolean) => checkTiltfile(path, text, { full: true, args: [], workspaceTrusted, workerScript });
    const untrusted = await check(false);
    assert.match(untrusted.find((d) => d.severity === 'error')?.message ?? '', /not in the cache .*untrusted workspace never fetches/);
    const trusted = await check(true);
    const errors = trusted.filter((d) => d.severity === 'error');
    assert.equal(errors.length, 1, JSON.stringify(trusted));
    assert.match(errors[0]!.message, /nope/);
    assert.equal(errors[0]!.pos?.line, 4);
    assert.equal(readdirSync(join(root, 'xdg', 'innerloop', 'extensions')).length, 1, 'fetched into the cache');
    // Once cached, an untrusted check loads it too (nothing fetched, nothing run).
    const after = await check(false);
    assert.deepEqual(after.filter((d) => d.severity === 'error').map((d) => d.pos?.line), [4]);
    assert.ok(!existsSync(join(proj, 'tilt_modules')), 'the editor check records nothing in the workspace');
  } finally {
    if (saved === undefined) delete process.env.XDG_CACHE_HOME; else process.env.XDG_CACHE_HOME = saved;
    rmSync(root, { recursive: true, force: true });
  }
});
