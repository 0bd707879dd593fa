// The packaged extension: builds, runs `vsce package --no-dependencies` (as `npm run package` does) into a
// temp dir, and prints the .vsix size and what it holds. The bundles are self-contained, so no node_modules ship.
// README's relative image links are kept (no repository to rewrite them to); VS Code shows them from the
// installed extension.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildExtension, REPO } from '../test/e2e/lib/extensions';

function main(): void {
  buildExtension();
  const out = mkdtempSync(join(tmpdir(), 'innerloop-vsix-'));
  try {
    const vsce = join(REPO, 'node_modules', '.bin', 'vsce');
    const t0 = performance.now();
    const r = spawnSync(vsce, ['package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', `${out}/`], { cwd: REPO, encoding: 'utf8' });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`vsce package failed:\n${r.stdout}\n${r.stderr}`);
    const file = readdirSync(out).find((f) => f.endsWith('.vsix'));
    if (!file) throw new Error('no .vsix produced');
    const files = /\((\d+) files/.exec(r.stdout)?.[1] ?? '?';
    console.log(`vsix size: ${(statSync(join(out, file)).size / 1024).toFixed(0)} KiB`);
    console.log(`vsix files: ${files} files`);
    for (const f of ['extension.js', 'cli.js', 'webview/dashboard.js']) {
      console.log(`dist/${f} (uncompressed): ${(statSync(join(REPO, 'dist', f)).size / 1024).toFixed(0)} KiB`);
    }
    console.log(`vsce package time: ${Math.round(ms)} ms`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

main();
