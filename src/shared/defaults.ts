// Defaults that more than one layer needs, kept once. package.json's settings schema repeats the editor-facing
// ones (it cannot import); test/unit/vscode/manifest.test.ts keeps the two in sync.

/**
 * Quiet period (ms) before a burst of file changes becomes one update: short enough to feel instant, long enough
 * to cover an editor's write-rename-chmod sequence. The CLI, the editor's engine and the watcher all use it.
 */
export const DEFAULT_DEBOUNCE_MS = 50;

/**
 * The longest a burst of file changes is held before it is delivered anyway (ms), so a never-ending storm (a build
 * writing into a watched dir) still flushes. A longer debounce stretches it (20 quiet periods): see coalesceOptions.
 */
export const DEFAULT_MAX_COALESCE_WAIT_MS = 10_000;
