// Talks to a running engine's control server (see server.ts). One connection, requests matched by id.
import * as net from 'node:net';
import { LineDecoder, type Method, type Params, type Response, type Result } from './protocol';

/** Nothing listens on the socket: no engine runs for this workspace. */
export class NoEngineError extends Error {}

export class ControlError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
  }
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  onEvent?: (e: unknown) => void;
}

export class ControlClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closedError: Error | undefined;

  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    const decoder = new LineDecoder((line) => this.onLine(line));
    socket.on('data', (c: string) => decoder.push(c));
    socket.on('close', () => this.failAll(new Error('the engine closed the control connection (did it stop?)')));
    socket.on('error', (e) => this.failAll(e));
  }

  static connect(socketPath: string): Promise<ControlClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(socketPath);
      s.once('connect', () => resolve(new ControlClient(s)));
      s.once('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED') reject(new NoEngineError(`no engine is running (nothing listens on ${socketPath})`));
        else if (e.code === 'EACCES') reject(new NoEngineError(`permission denied on ${socketPath}: the engine belongs to another user`));
        else reject(e);
      });
    });
  }

  call<M extends Method>(method: M, params: Params<M>): Promise<Result<M>> {
    return this.send(method, params);
  }

  /** A streaming call: onEvent for each event, resolves with the final result (or when the connection closes). */
  stream<M extends Method>(method: M, params: Params<M>, onEvent: (e: unknown) => void): Promise<Result<M>> {
    return this.send(method, params, onEvent);
  }

  close(): void {
    this.socket.destroy();
  }

  private send<M extends Method>(method: M, params: Params<M>, onEvent?: (e: unknown) => void): Promise<Result<M>> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onEvent });
      this.socket.write(JSON.stringify({ id, method, params }) + '\n');
    });
  }

  private onLine(line: string): void {
    let msg: Response;
    try {
      msg = JSON.parse(line) as Response;
    } catch {
      return this.failAll(new Error('the engine sent a malformed message'));
    }
    const p = this.pending.get(msg.id);
    if (!p) return;
    if ('event' in msg) return p.onEvent?.(msg.event);
    this.pending.delete(msg.id);
    if ('error' in msg) p.reject(new ControlError(msg.error.message, msg.error.code));
    else p.resolve(msg.result);
  }

  private failAll(e: Error): void {
    this.closedError ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}
