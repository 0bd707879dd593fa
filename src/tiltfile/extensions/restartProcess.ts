// ext://restart_process: docker_build_with_restart / custom_build_with_restart.
// Tilt's version rebuilds a child image with an entr-based wrapper as ENTRYPOINT; ours records the intent
// (ImageTarget.restartProcess) so the engine restarts the process after a live update without a wrapper image.
import { Builtin, type Value } from '../../starlark';
import { customBuild, dockerBuild, entrypointArg } from '../docker';
import { absent, str, strList, unpack } from '../args';
import type { ImageTarget } from '../plan';
import { restartRequestScript } from '../../shared/restartRequest';
import type { TiltfileState } from '../state';
import { splitKwargs } from './call';
import type { Builtins } from './types';

const own = ['entrypoint', 'live_update', 'base_suffix', 'restart_file', 'trigger', 'exit_policy'];

function finish(s: TiltfileState, img: ImageTarget, a: Record<string, Value | undefined>): void {
  const policy = str(a.exit_policy, 'exit_policy', 'restart');
  if (policy !== 'restart' && policy !== 'continue') throw new Error(`exit_policy must be 'restart' or 'continue'; got ${JSON.stringify(policy)}`);
  img.restartProcess = { entrypoint: img.entrypoint, restartFile: str(a.restart_file, 'restart_file', '/tmp/.restart-proc') };
  // Relative to the Tiltfile, as run(trigger=) resolves them.
  const triggers = strList(a.trigger, 'trigger').map((t) => s.resolve(t));
  // Tilt: with trigger=, the process restarts ONLY when those files changed (a triggered run step writes the file).
  if (triggers.length) {
    img.restartProcess.triggered = true;
    // The token: the second and the step's own shell pid, so two restarts within a second differ (`date > file`
    // alone, as Tilt writes, would not: the wrapper compares content).
    img.liveUpdate.push({ kind: 'run', command: [restartRequestScript(img.restartProcess.restartFile, '$(date +%s)-$$')], shell: true, triggers, echoOff: true });
  }
}

export function restartProcessExtension(s: TiltfileState, _b: Builtins): Record<string, Value> {
  return {
    docker_build_with_restart: new Builtin('docker_build_with_restart', (call) => {
      // Positional: ref, context, entrypoint, live_update (as in the extension's signature).
      const pos = call.args.slice(2);
      const { own: mine, rest } = splitKwargs({ ...call, args: pos }, own);
      const a = unpack(mine, ['entrypoint', 'live_update', 'base_suffix?', 'restart_file?', 'trigger?', 'exit_policy?']);
      if (absent(a.entrypoint) || entrypointArg(a.entrypoint).length === 0) throw new Error('docker_build_with_restart: entrypoint must not be empty');
      const img = dockerBuild(s, { ...call, name: 'docker_build_with_restart', args: call.args.slice(0, 2), kwargs: [...rest, ['entrypoint', a.entrypoint!], ['live_update', a.live_update!]] });
      finish(s, img, a);
      return null;
    }),
    custom_build_with_restart: new Builtin('custom_build_with_restart', (call) => {
      const pos = call.args.slice(3);
      const { own: mine, rest } = splitKwargs({ ...call, args: pos }, own);
      const a = unpack(mine, ['entrypoint', 'live_update', 'base_suffix?', 'restart_file?', 'trigger?', 'exit_policy?']);
      if (absent(a.entrypoint) || entrypointArg(a.entrypoint).length === 0) throw new Error('custom_build_with_restart: entrypoint must not be empty');
      const img = customBuild(s, { ...call, name: 'custom_build_with_restart', args: call.args.slice(0, 3), kwargs: [...rest, ['entrypoint', a.entrypoint!], ['live_update', a.live_update!]] });
      finish(s, img, a);
      return null;
    }),
  };
}
