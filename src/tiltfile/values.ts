// Host types the Tiltfile API hands to Starlark: blobs, live-update steps, port forwards, links, probes.
import { HostObject, type Value } from '../starlark';
import type { LiveUpdateStep, Link, PortForward, Probe } from './plan';

/** Tilt's `blob`: text read from a file or produced by a command, accepted wherever YAML is. */
export class Blob extends HostObject {
  readonly typeName = 'blob';
  /** `refused`: the output of a command an untrusted workspace did not run; consumers skip it quietly. */
  constructor(readonly text: string, readonly source: string, readonly refused = false) { super(); }
  override str(): string { return this.text; }
  // starlark-go renders host values with String() for both str() and repr(), so a blob is its text.
  override repr(): string { return this.text; }
  override truth(): boolean { return this.text.length > 0; }
  override equals(other: Value): boolean { return other instanceof Blob && other.text === this.text; }
  override hash(): number {
    let h = 0;
    for (let i = 0; i < this.text.length; i++) h = (h * 31 + this.text.charCodeAt(i)) | 0;
    return h;
  }
}

/** One live_update step (sync, run, fall_back_on, ...), checked for order when docker_build receives the list. */
export class LiveUpdateStepValue extends HostObject {
  constructor(readonly typeName: string, readonly step: LiveUpdateStep) { super(); }
  override repr(): string { return `${this.typeName}(...)`; }
}

export class PortForwardValue extends HostObject {
  readonly typeName = 'port_forward';
  constructor(readonly pf: PortForward) { super(); }
  override repr(): string { return `port_forward(${this.pf.localPort}, ${this.pf.containerPort})`; }
}

export class LinkValue extends HostObject {
  readonly typeName = 'link';
  constructor(readonly link: Link) { super(); }
  override repr(): string { return `link(${JSON.stringify(this.link.url)})`; }
}

export class ProbeAction extends HostObject {
  constructor(readonly typeName: string, readonly action: Probe['action']) { super(); }
}

export class ProbeValue extends HostObject {
  readonly typeName = 'probe';
  constructor(readonly probe: Probe) { super(); }
}

/** TRIGGER_MODE_AUTO / TRIGGER_MODE_MANUAL. */
export class TriggerModeValue extends HostObject {
  readonly typeName = 'TriggerMode';
  constructor(readonly mode: 'auto' | 'manual') { super(); }
  override repr(): string { return this.mode === 'auto' ? 'TRIGGER_MODE_AUTO' : 'TRIGGER_MODE_MANUAL'; }
  override hash(): number { return this.mode === 'auto' ? 1 : 2; }
  override equals(other: Value): boolean { return other instanceof TriggerModeValue && other.mode === this.mode; }
}
export const TRIGGER_MODE_AUTO = new TriggerModeValue('auto');
export const TRIGGER_MODE_MANUAL = new TriggerModeValue('manual');
