// Live-update steps (sync, run, fall_back_on, restart_container, initial_sync) and their ordering rules.
import { Builtin, List, Tuple, typeName, type Value } from '../starlark';
import { absent, bool, command, str, strList, unpack } from './args';
import type { LiveUpdateStep } from './plan';
import type { TiltfileState } from './state';
import { LiveUpdateStepValue } from './values';

export function liveUpdateBuiltins(s: TiltfileState): Record<string, Value> {
  return {
    fall_back_on: new Builtin('fall_back_on', (call) => {
      const a = unpack(call, ['files']);
      const files = strList(a.files, 'files').map((f) => s.resolve(f));
      return new LiveUpdateStepValue('fall_back_on', { kind: 'fall_back_on', files });
    }),
    sync: new Builtin('sync', (call) => {
      const a = unpack(call, ['local_path', 'remote_path']);
      const local = str(a.local_path, 'local_path');
      const remote = str(a.remote_path, 'remote_path');
      if (!local) throw new Error('local_path must not be empty');
      if (!remote.startsWith('/')) throw new Error(`remote_path must be an absolute path in the container; got ${JSON.stringify(remote)}`);
      return new LiveUpdateStepValue('sync', { kind: 'sync', localPath: s.resolve(local), remotePath: remote });
    }),
    run: new Builtin('run', (call) => {
      const a = unpack(call, ['cmd', 'trigger?', 'echo_off?']);
      const cmd = command(a.cmd, 'cmd');
      if (cmd.command.length === 0) throw new Error('cmd must not be empty');
      const triggers = strList(a.trigger, 'trigger').map((t) => s.resolve(t));
      return new LiveUpdateStepValue('run', { kind: 'run', command: cmd.command, shell: cmd.shell, triggers, echoOff: bool(a.echo_off, 'echo_off') });
    }),
    restart_container: new Builtin('restart_container', (call) => {
      unpack(call, []);
      return new LiveUpdateStepValue('restart_container', { kind: 'restart_container' });
    }),
    initial_sync: new Builtin('initial_sync', (call) => {
      unpack(call, []);
      return new LiveUpdateStepValue('initial_sync', { kind: 'initial_sync' });
    }),
  };
}

const order: Record<LiveUpdateStep['kind'], number> = { initial_sync: 0, fall_back_on: 1, sync: 2, run: 3, restart_container: 4 };

/** Converts and validates a `live_update=` list; `contextPaths` are the watched roots every sync must lie under. */
export function liveUpdateFromValue(v: Value | undefined, contextPaths: string[]): LiveUpdateStep[] {
  if (absent(v)) return [];
  if (!(v instanceof List || v instanceof Tuple)) {
    throw new Error(`live_update must be a list of live update steps; got ${typeName(v)}`);
  }
  const steps: LiveUpdateStep[] = [];
  for (const e of v.elems) {
    if (!(e instanceof LiveUpdateStepValue)) {
      throw new Error(`live_update must contain only live update steps (sync, run, fall_back_on, restart_container, initial_sync); got ${typeName(e)}`);
    }
    steps.push(e.step);
  }
  let last = -1;
  for (const st of steps) {
    const o = order[st.kind];
    if (o < last) {
      if (st.kind === 'fall_back_on') throw new Error('live_update: fall_back_on steps must appear at the start of the list');
      if (st.kind === 'sync') throw new Error('live_update: all sync steps must precede all run steps');
      if (st.kind === 'initial_sync') throw new Error('live_update: initial_sync must be the first step');
      throw new Error(`live_update: ${st.kind} step is out of order (order: initial_sync, fall_back_on, sync, run, restart_container)`);
    }
    last = o;
  }
  if (steps.filter((st) => st.kind === 'restart_container').length > 1) throw new Error('live_update: restart_container may appear only once');
  for (const st of steps) {
    if (st.kind !== 'sync' || contextPaths.length === 0) continue;
    if (!contextPaths.some((c) => isUnder(st.localPath, c))) {
      throw new Error(`live_update: sync step source '${st.localPath}' is not a child of any watched filepaths (${contextPaths.join(', ')})`);
    }
  }
  return steps;
}

export function isUnder(p: string, dir: string): boolean {
  return p === dir || p.startsWith(dir.endsWith('/') ? dir : dir + '/');
}
