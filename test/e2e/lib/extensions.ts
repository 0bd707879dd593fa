// Lays out an extensions directory for code-server: our built extension (as a packaged .vsix would unpack)
// and, optionally, the in-extension-host test harness (test/vscode/harness), bundled on the fly.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';

export const REPO = join(__dirname, '..', '..', '..');

/** Runs `npm run build`'s script so dist/ matches the sources under test. */
export function buildExtension(): void {
  const r = spawnSync(process.execPath, [join(REPO, 'scripts', 'build.mjs')], { cwd: REPO, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('build failed');
}

/** A fresh extensions dir holding innerloop.innerloop-<version> (and the harness when asked). */
export async function prepareExtensionsDir(opts: { harness: boolean }): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'innerloop-ext-'));
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { publisher: string; name: string; version: string };
  const ext = join(dir, `${pkg.publisher}.${pkg.name}-${pkg.version}`);
  mkdirSync(ext);
  for (const f of ['package.json', 'dist', 'syntaxes', 'media', 'README.md', 'LICENSE']) {
    if (existsSync(join(REPO, f))) cpSync(join(REPO, f), join(ext, f), { recursive: true });
  }
  // Externals of the bundle (optional native add-ons) resolve from the repo's node_modules.
  symlinkSync(join(REPO, 'node_modules'), join(ext, 'node_modules'), 'dir');

  if (opts.harness) {
    const h = join(dir, 'innerloop.innerloop-harness-0.0.1');
    mkdirSync(h);
    writeFileSync(join(h, 'package.json'), readFileSync(join(REPO, 'test', 'vscode', 'harness', 'package.json')));
    await esbuild.build({
      entryPoints: [join(REPO, 'test', 'vscode', 'harness', 'extension.ts')],
      outfile: join(h, 'extension.js'),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['vscode'],
      logLevel: 'warning',
    });
  }
  return dir;
}
