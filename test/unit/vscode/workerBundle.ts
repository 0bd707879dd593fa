// The CLI bundle doubles as the Tiltfile loader worker (as dist/cli.js does in the extension): tests bundle it
// fresh from the sources into their own temp dir.
import { join } from 'node:path';
import * as esbuild from 'esbuild';

const root = join(__dirname, '..', '..', '..');

export async function bundleWorker(outfile: string): Promise<void> {
  await esbuild.build({
    entryPoints: [join(root, 'src', 'cli', 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'cpu-features', 'ssh2'],
    logLevel: 'error',
  });
}
