// The todo app's Tiltfile as real Tilt runs it on this machine, and why it differs from the fixture's.
// Tilt cannot run the fixture unchanged here:
// - `load('ext://restart_process', ...)` clones github.com/tilt-dev/tilt-extensions and the extension builds
//   `FROM tiltdev/restart-helper` from Docker Hub; this machine reaches neither. The stand-in below follows the
//   extension's shape (a base image, a child image whose entrypoint is a restart wrapper, `run(date > restart
//   file)` appended to live_update) with Innerloop's POSIX sh wrapper in place of entr + tilt-restart-wrapper,
//   and Innerloop's restart request (the file, then a USR1 that wakes the wrapper, as entr's inotify would), so both
//   tools restart the process the same way.
// - As in the extension, trigger= restarts only when those files changed (run(..., trigger=) in live_update).
// - The cluster's context is `innerloop`; Innerloop is told it is allowed by INNERLOOP_ALLOW_K8S_CONTEXTS,
//   Tilt only by allow_k8s_contexts() in the Tiltfile.
import { RESTART_WRAPPER_SCRIPT } from '../../src/engine/build/restartWrapper';
import { restartRequestScript } from '../../src/shared/restartRequest';

const WRAPPER = '/tmp/.bench-restart-wrapper.sh';
const RESTART_FILE = '/tmp/.restart-proc';

function prelude(): string {
  const b64 = Buffer.from(RESTART_WRAPPER_SCRIPT).toString('base64');
  return `allow_k8s_contexts('innerloop')

def docker_build_with_restart(ref, context, entrypoint, live_update, trigger=[], **kwargs):
    base = ref + '-tilt_docker_build_with_restart_base'
    docker_build(base, context, **kwargs)
    # Written by the image's own user (both images run as 1000): /tmp is writable by it. network='none': the
    # step fetches nothing.
    df = 'FROM %s\\nRUN echo ${b64} | base64 -d > ${WRAPPER}\\nENV INNERLOOP_RESTART_FILE=${RESTART_FILE}\\n' % base
    docker_build(ref, context, dockerfile_contents=df, network='none', entrypoint=['/bin/sh', '${WRAPPER}'] + entrypoint,
                 live_update=live_update + [run('${restartRequestScript(RESTART_FILE, '$(date +%s%N)')}', trigger=trigger)], **kwargs)
`;
}

/** The fixture Tiltfile `src` rewritten for Tilt (see above). Throws if the fixture changed shape. */
export function tiltVariant(src: string): string {
  const load = "load('ext://restart_process', 'docker_build_with_restart')";
  if (!src.includes(load)) throw new Error(`fixture Tiltfile no longer has ${load}: update bench/tilt/tiltfile.ts`);
  return prelude() + src.replace(load, '# (ext://restart_process: stand-in defined above)');
}
