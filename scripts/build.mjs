// Bundles the extension, the CLI and the Starlark library with esbuild.
// tsc only typechecks (npm run typecheck); declarations for the library are emitted separately.
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const watch = process.argv.includes('--watch');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  // Smaller bundles load faster (activation) and shrink the .vsix; the source maps keep stack traces readable.
  // Names are kept: error messages and logs print class names (e.g. KubeconfigError).
  minify: !watch,
  keepNames: true,
  // Optional native add-ons of ssh2 (pulled in by docker-modem); never needed for local sockets.
  external: ['vscode', 'cpu-features', 'ssh2'],
};

// dist/cli.js stays small (CLI start time): the commands listed in src/cli/commands/all.ts are bundled once as
// dist/cli-commands.js, and the dispatcher's `import('./up')` etc. become one module that requires that file at run
// time through V8's code cache (src/cli/codeCache.ts).
const HEAVY_COMMANDS = /^\.\/(up|ci|down|get|describe|logs|trigger|wait|args|enable|dump|snapshot|doctor)$/;
const lazyCommands = {
  name: 'lazy-commands',
  setup(build) {
    build.onResolve({ filter: HEAVY_COMMANDS }, (a) =>
      a.kind === 'dynamic-import' && a.importer.endsWith(join('src', 'cli', 'commands', 'index.ts')) ? { path: 'cli-commands', namespace: 'lazy-commands' } : undefined);
    build.onLoad({ filter: /.*/, namespace: 'lazy-commands' }, () => ({
      resolveDir: resolve('src', 'cli'),
      loader: 'js',
      contents: "module.exports = require('./codeCache').requireWithCodeCache(require('node:path').join(__dirname, './cli-commands.js'));",
    }));
  },
};

const entries = [
  // The banner timestamps the start of the bundle's evaluation; activate() logs how long it took.
  { entryPoints: ['src/vscode/extension.ts'], outfile: 'dist/extension.js', banner: { js: 'globalThis.__innerloopBundleStart = performance.now();' } },
  { entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' }, plugins: [lazyCommands], supported: { 'dynamic-import': false } },
  { entryPoints: ['src/cli/commands/all.ts'], outfile: 'dist/cli-commands.js' },
  { entryPoints: ['src/starlark/index.ts'], outfile: 'dist/starlark.js' },
  // The child process Tiltfile loads run in (src/tiltfile/childLoader.ts): the loader alone, quick to start.
  { entryPoints: ['src/tiltfile/childMain.ts'], outfile: 'dist/tiltfile-loader.js' },
  // The dashboard webview's script: runs in the browser sandbox of the webview, one self-contained file.
  { entryPoints: ['src/webview/dashboard.ts'], outfile: 'dist/webview/dashboard.js', platform: 'browser', target: 'es2022', format: 'iife', external: [] },
].filter((e) => existsSync(e.entryPoints[0]));

if (watch) {
  for (const e of entries) await (await esbuild.context({ ...common, ...e })).watch();
} else {
  await Promise.all(entries.map((e) => esbuild.build({ ...common, ...e })));
}
