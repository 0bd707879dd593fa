// The one set of fake engine ports (Docker images, Kubernetes, local processes) for unit tests: they record what
// the engine asked for, and let a test hold a container write open to prove what may run beside it.
import type { Readable } from 'node:stream';
import { ContainerGoneError, type ContainerExecutor, type ContainerRef, type ExecResult } from '../../src/engine/liveupdate/containerUpdate';
import type { BuiltImage, ImageBuildPort, KubePort, LocalCmdPort, UpdateContext } from '../../src/engine/ports';
import type { ImageTarget, K8sObject, K8sResource, LocalResource } from '../../src/shared/plan';

export class FakeImages implements ImageBuildPort {
  readonly built: string[] = [];
  /** Lines each build writes to the resource's log. */
  output: string[] = [];
  /** Return value for each build (default: a content tag on localhost:5000). */
  result: (img: ImageTarget) => BuiltImage = (img) => ({ clusterRef: `localhost:5000/${img.ref}:innerloop-0123456789abcdef`, buildStartTime: Date.now(), reused: false });

  buildImage = async (img: ImageTarget, ctx: UpdateContext): Promise<BuiltImage> => {
    this.built.push(img.ref);
    for (const l of this.output) ctx.onOutput(l);
    return this.result(img);
  };
}

export class FakeKube implements KubePort {
  readonly applied: { resource: string; objects: K8sObject[] }[] = [];
  /** Each exec as [containerId, ...argv]. */
  readonly execs: string[][] = [];
  readonly removed: string[] = [];
  /** What runningContainers() answers. */
  containers: ContainerRef[] = [];
  execExit = 0;
  /** Containers that stop or restart during an exec into them (the executor throws ContainerGoneError). */
  readonly gone = new Set<string>();
  /** Execs running now, and the most that ever ran at once on one container. */
  private readonly active = new Map<string, number>();
  maxConcurrentPerContainer = 0;
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;

  /** From now on every exec waits until open() (a slow container write). */
  hold(): void {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }

  open(): void {
    this.openGate?.();
    this.gate = undefined;
  }

  /** Execs in flight on a container. */
  activeOn(containerId: string): number {
    return this.active.get(containerId) ?? 0;
  }

  apply = async (resource: K8sResource, objects: K8sObject[]): Promise<void> => {
    this.applied.push({ resource: resource.name, objects });
  };

  runningContainers = (): ContainerRef[] => this.containers;

  exec: ContainerExecutor = {
    exec: async (c: ContainerRef, argv: string[], stdin?: Readable): Promise<ExecResult> => {
      stdin?.resume();
      this.execs.push([c.containerId, ...argv]);
      const n = this.activeOn(c.containerId) + 1;
      this.active.set(c.containerId, n);
      this.maxConcurrentPerContainer = Math.max(this.maxConcurrentPerContainer, n);
      try {
        await this.gate;
      } finally {
        this.active.set(c.containerId, this.activeOn(c.containerId) - 1);
      }
      if (this.gone.has(c.containerId)) throw new ContainerGoneError(`${c.pod}/${c.container}: the container restarted during the live update`);
      return { exitCode: this.execExit, output: '' };
    },
  };

  remove = async (name: string, ctx: UpdateContext): Promise<void> => {
    this.removed.push(name);
    ctx.onOutput(`deployment/${name} deleted`);
  };
}

export class FakeLocal implements LocalCmdPort {
  /** Names of the resources run, in order (pass an array to share it). */
  constructor(readonly ran: string[] = []) {}
  readonly removed: string[] = [];
  exitCode = 0;

  run = async (r: LocalResource, ctx: UpdateContext): Promise<{ exitCode: number }> => {
    this.ran.push(r.name);
    ctx.onOutput(`ran ${r.name}`);
    return { exitCode: this.exitCode };
  };

  remove = async (name: string): Promise<void> => {
    this.removed.push(`local:${name}`);
  };
}

/** The three ports together, as Engine and Session options take them. */
export function fakePorts(opts: { ran?: string[]; localExit?: number } = {}): { images: FakeImages; kube: FakeKube; local: FakeLocal } {
  const local = new FakeLocal(opts.ran);
  local.exitCode = opts.localExit ?? 0;
  return { images: new FakeImages(), kube: new FakeKube(), local };
}

/** Poll a condition on state (never a timing assertion: the limit only turns a hang into a clear failure). */
export async function until(pred: () => boolean, what: string, limitMs = 15_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Poll until `fn` returns a value, and return it (a limit of 30 s only turns a hang into a clear failure). */
export async function untilValue<T>(what: string, fn: () => T | undefined | false): Promise<T> {
  for (let i = 0; i < 3000; i++) {
    const v = fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`never: ${what}`);
}
