// ext://restart_process without entr or a Go binary: the engine runs containers as
// `/bin/sh -c <supervisor> innerloop-restart-wrapper <entrypoint...>` (set as the container command, so a command in
// the YAML cannot bypass it). The supervisor travels in the command, not in a child image: no second build and push
// per image (issue 14: that build was the largest part of a rebuild that is ours). The supervisor restarts the process whenever the
// restart file's *content* changes; live update writes a fresh token there after syncing (containerUpdate.ts) and
// wakes it with SIGUSR1 (shared/restartRequest.ts), so the restart starts at once rather than at the next 300 ms poll;
// the poll stays for writers that only write the file. Content, not mtime, is compared, so two restarts within one
// second are not missed, and a request that arrives twice restarts once. As the container's PID 1 the
// supervisor also inherits processes the app orphaned (debugpy's adapter daemonizes into its own session and keeps the
// debug port): before each restart, and on TERM, it stops those too and waits (bounded) for them to exit, so the next
// run finds its ports free. Needs sh, sleep, kill and /proc.

import { shellQuote } from '../liveupdate/containerUpdate';

/** The supervisor. "$@" is the real entrypoint; INNERLOOP_RESTART_FILE names the file to watch. */
export const RESTART_WRAPPER_SCRIPT = `#!/bin/sh
# innerloop restart wrapper: runs "$@" and restarts it when $INNERLOOP_RESTART_FILE changes.
f="\${INNERLOOP_RESTART_FILE:-/tmp/.restart-proc}"
# The file's first line (a restart token), into $cur. A builtin read: no process per poll.
token() { cur=""; { read -r cur <"$f"; } 2>/dev/null; }
token; seen="$cur"
child=0; s=0; woke=0
# A restart request (shared/restartRequest.ts) sends USR1 after writing the file: it ends the poll's sleep at once.
# The pid file is written once the trap is set (USR1's default action would end the wrapper).
trap 'woke=1' USR1
{ echo $$ >"$f.pid"; } 2>/dev/null
tick=0.3; sleep 0.01 2>/dev/null || tick=1
# Pids of live processes whose parent is this wrapper, into $found. As PID 1 the wrapper inherits the app's orphans
# (e.g. a debug adapter that daemonized, in its own session, still holding the debug port). /proc/PID/stat, not
# status: one line, read with no subshell; its state and ppid follow the last ") " (the name may contain one).
others() {
  found=""
  for st in /proc/[0-9]*/stat; do
    line=""
    read -r line <"$st" 2>/dev/null || continue
    p="\${st#/proc/}"; p="\${p%/stat}"
    set -- \${line##*) }
    [ "$2" = "$$" ] && [ "$1" != Z ] && [ "$p" != "$child" ] && [ "$p" != "$s" ] && found="$found $p"
  done
}
# Stops the app's orphans: TERM, up to 5 s for them to exit, then KILL. Before every restart and on TERM.
stop_orphans() {
  others
  [ -z "$found" ] && return
  echo "[innerloop] stopping processes the previous run left behind:$found"
  kill -TERM $found 2>/dev/null
  i=0
  while [ $i -lt 50 ]; do
    others
    [ -z "$found" ] && return
    sleep 0.1 2>/dev/null || sleep 1
    i=$((i + 1))
  done
  kill -KILL $found 2>/dev/null
}
# Waits until the child $1 has exited: a USR1 ends a wait early, so wait again (127: not our child any more).
reap() { [ "$1" = 0 ] && return; while kill -0 "$1" 2>/dev/null; do wait "$1" 2>/dev/null; [ $? = 127 ] && break; done; }
# One poll period, ended early by a USR1.
pause() {
  if [ "$woke" = 0 ]; then
    sleep "$tick" & s=$!
    wait "$s" 2>/dev/null || { kill "$s" 2>/dev/null; wait "$s" 2>/dev/null; }
  fi
  woke=0
}
trap '[ "$s" = 0 ] || kill "$s" 2>/dev/null; [ "$child" = 0 ] || kill -TERM "$child" 2>/dev/null; reap "$child"; child=0; stop_orphans; exit 143' TERM INT
while true; do
  "$@" &
  child=$!
  restarted=0
  while kill -0 "$child" 2>/dev/null; do
    token
    if [ "$cur" != "$seen" ]; then
      seen="$cur"
      restarted=1
      echo "[innerloop] restarting process after live update"
      kill -TERM "$child" 2>/dev/null
      reap "$child"
      break
    fi
    pause
  done
  if [ "$restarted" = 0 ]; then
    wait "$child"
    code=$?
    token
    # Exited by itself with no restart requested: exit like the process would without the wrapper.
    [ "$cur" = "$seen" ] && exit "$code"
    seen="$cur"
  fi
  child=0
  stop_orphans
  echo "[innerloop] old process gone; starting it again"
done
`;

/** The container command that runs `entrypoint` under the wrapper, watching `restartFile`. */
export function wrappedCommand(entrypoint: readonly string[], restartFile: string): string[] {
  // A shell assignment ahead of the script: the file is the wrapper's setting, not the app's environment.
  return ['/bin/sh', '-c', `INNERLOOP_RESTART_FILE=${shellQuote(restartFile)}\n${RESTART_WRAPPER_SCRIPT}`, 'innerloop-restart-wrapper', ...entrypoint];
}
