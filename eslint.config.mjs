// Flat ESLint config. It enforces the layers (README "Architecture"):
//   starlark ← tiltfile ← engine ← {cli, vscode}; shared is imported by all and imports none of them;
//   the webview imports only shared; only src/vscode/ may import 'vscode'.
// Type-aware rules (no-floating-promises) use the TypeScript project service.
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

const VSCODE = { name: 'vscode', message: "Only src/vscode/ may import 'vscode': the engine must run in plain Node." };

/** A zone: files under `dir` may not import from the listed layers (matched on any path segment). */
function zone(dir, forbidden, extra = {}) {
  return {
    files: [`src/${dir}/**/*.ts`],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [...(dir === 'vscode' ? [] : [VSCODE]), ...(extra.paths ?? [])],
        patterns: [
          ...forbidden.map((layer) => ({ group: [`**/${layer}`, `**/${layer}/**`], message: `src/${dir} must not import src/${layer} (layers: starlark ← tiltfile ← engine ← {cli, vscode}; shared and webview below all).` })),
          ...(extra.patterns ?? []),
        ],
      }],
    },
  };
}

/** Node's built-in modules by their plain names ('fs', 'path', 'fs/promises'...), which need no 'node:' prefix. */
const nodeBuiltins = (message) => builtinModules.filter((m) => !m.startsWith('_')).map((name) => ({ name, message }));

const SHARED_PURE = 'src/shared is plain data and pure functions: no Node or editor APIs.';
const WEBVIEW_SANDBOX = 'The webview runs in a browser sandbox: only src/shared.';

const ALL = ['starlark', 'tiltfile', 'engine', 'cli', 'vscode', 'webview'];
const without = (...keep) => ALL.filter((l) => !keep.includes(l));

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'test/fixtures/**', 'media/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['src/**/*.ts', 'test/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      eqeqeq: ['error', 'smart'],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // node:test's test()/describe()/it() return promises the runner awaits itself.
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }] }],
      'no-restricted-imports': ['error', { paths: [VSCODE] }],
    },
  },
  {
    // The webview's own program (DOM, no Node): tsconfig.webview.json.
    files: ['src/webview/**/*.ts'],
    languageOptions: { parserOptions: { projectService: false, project: './tsconfig.webview.json', tsconfigRootDir: import.meta.dirname } },
  },
  zone('starlark', without('starlark')),
  zone('tiltfile', without('starlark', 'tiltfile')),
  zone('engine', without('starlark', 'tiltfile', 'engine')),
  zone('cli', without('starlark', 'tiltfile', 'engine', 'cli')),
  zone('vscode', without('starlark', 'tiltfile', 'engine', 'vscode')),
  zone('shared', ALL, { patterns: [{ group: ['node:*', 'vscode'], message: SHARED_PURE }], paths: nodeBuiltins(SHARED_PURE) }),
  zone('webview', without('webview'), { patterns: [{ group: ['node:*'], message: WEBVIEW_SANDBOX }], paths: nodeBuiltins(WEBVIEW_SANDBOX) }),
  {
    // State changes only through Store.dispatch (engine/actions.ts holds the one reducer).
    files: ['src/**/*.ts'],
    ignores: ['src/engine/store.ts', 'src/engine/actions.ts'],
    rules: {
      'no-restricted-syntax': ['error', {
        selector: "CallExpression[callee.property.name=/^(updateResource|updateSession|setResources)$/]",
        message: 'Change engine state with store.dispatch(action) (engine/actions.ts), not the store primitives.',
      }],
    },
  },
  { files: ['test/vscode/**/*.ts'], rules: { 'no-restricted-imports': 'off' } },
);
