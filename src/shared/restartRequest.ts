// How a live update asks ext://restart_process's wrapper (engine/build/restartWrapper.ts) to restart the process.
// The restart file's content decides: the wrapper restarts when it changed, so a request sent twice restarts once.
// The wrapper also keeps its pid next to the file, and a SIGUSR1 makes it look at once instead of at its next poll
// (issue 14: the poll was up to 300 ms of every Python save). Shared by the Tiltfile layer (the run step of
// `trigger=`) and the engine (the restart after a sync).

/** Where the wrapper keeps its pid: the restart file's path plus `.pid` (works on a shell-quoted path too). */
export const restartPidFile = (restartFile: string): string => `${restartFile}.pid`;

/**
 * A `sh -c` script: writes `token` (a shell word, e.g. `$(date +%s)-$$`) into the restart file `file` (shell-quoted
 * by the caller), then wakes the wrapper. Fails only when the file cannot be written; a wrapper that cannot be
 * signalled (no pid file yet, another uid) still sees the new content at its next poll.
 */
export function restartRequestScript(file: string, token: string): string {
  return `echo ${token} > ${file} || exit; { read -r p < ${restartPidFile(file)} && kill -USR1 "$p"; } 2>/dev/null; exit 0`;
}
