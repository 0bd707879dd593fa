// Defaults that more than one layer needs, kept once. package.json's settings schema repeats the editor-facing
// ones (it cannot import); test/unit/vscode/manifest.test.ts keeps the two in sync.

/**
 * Quiet period (ms) before a burst of file changes becomes one update: short enough to feel instant, long enough
 * to cover an editor's write-rename-chmod sequence. The CLI, the editor's engine and the watcher all use it.
 */
export const DEFAULT_DEBOUNCE_MS = 50;
