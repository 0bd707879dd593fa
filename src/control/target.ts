// What the control server needs from a running engine. The CLI's `up` and the editor both adapt their session
// to it (sessionTarget below), so both answer the same commands the same way.
import type { Event } from '../shared/events';
import type { EngineSnapshot, ResourceSnapshot, StateChange } from '../shared/state';
import type { LogLine } from '../engine/logs';
import type { Session } from '../engine/session';
import type { EngineInfo } from './protocol';
import { lastBuild } from '../shared/status';

export interface ControlTarget {
  info(): Omit<EngineInfo, 'protocol'>;
  readonly store: { snapshot(): EngineSnapshot; readonly onDidChange: Event<StateChange> };
  readonly logs: { allSince(afterSeq?: number): LogLine[]; readonly onDidAppend: Event<{ resources: string[] }> };
  trigger(resource: string): void;
  /** Re-runs the Tiltfile with new args; resolves when that load has finished (ok or failed). */
  setArgs(args: string[]): Promise<void>;
  setEnabled(resources: string[], enabled: boolean): void;
}

/**
 * Tilt's Ready condition for a UIResource: the last update succeeded and the runtime is up (or has none).
 * Disabled resources are never ready.
 */
export function isReady(r: ResourceSnapshot): boolean {
  const last = lastBuild(r);
  if (r.disabled || r.currentBuild || !last || last.error) return false;
  return r.runtimeStatus === 'ok' || r.runtimeStatus === 'not_applicable';
}

export function sessionTarget(session: Session, meta: { host: EngineInfo['host']; version: string }): ControlTarget {
  return {
    info: () => ({ version: meta.version, pid: process.pid, tiltfile: session.tiltfile, args: [...session.args], host: meta.host, startTime: session.startTime }),
    store: session.store,
    logs: session.logs,
    trigger: (r) => session.trigger(r),
    setArgs: async (args) => {
      session.setArgs(args);
      await session.settled();
    },
    setEnabled: (resources, enabled) => session.engine.setEnabled(resources, enabled),
  };
}
