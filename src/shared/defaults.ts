// Defaults that more than one layer needs, kept once. package.json's settings schema repeats the editor-facing
// ones (it cannot import); test/unit/vscode/manifest.test.ts keeps the two in sync.

/**
 * Quiet period (ms) before a burst of file changes becomes one update: long enough to coalesce a burst that keeps
 * coming (`git checkout`, a formatter saving many files). The CLI, the editor's engine and the watcher all use it.
 */
export const DEFAULT_DEBOUNCE_MS = 50;

/**
 * Quiet period (ms) after the first change of a new burst: an editor's save (write, rename, chmod) lands within a
 * millisecond or two, so a lone save acts after this much quiet; a second event inside it means a burst, which then
 * waits DEFAULT_DEBOUNCE_MS (issue 14). Never longer than the configured debounce.
 */
export const FIRST_EVENT_QUIET_MS = 8;

/**
 * The longest a burst of file changes is held before it is delivered anyway (ms), so a never-ending storm (a build
 * writing into a watched dir) still flushes. A longer debounce stretches it (20 quiet periods): see coalesceOptions.
 */
export const DEFAULT_MAX_COALESCE_WAIT_MS = 10_000;
