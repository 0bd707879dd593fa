// The control server every running engine starts: answers the `innerloop` commands (get, logs, trigger, wait,
// args, enable/disable, dump...) over a Unix socket that only the engine's user can open. Plain Node: the CLI's
// `up` and the editor both run it.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { Disposable } from '../shared/events';
import type { LogLine } from '../engine/logs';
import { LineDecoder, METHODS, PROTOCOL_VERSION, type LogQuery, type Method, type Request, type Response } from './protocol';
import { isReady, type ControlTarget } from './target';
import { ensurePrivateDir } from './socketPath';

export class EngineAlreadyRunningError extends Error {}

class RequestError extends Error {
  constructor(message: string, readonly code: 'not_found' | 'bad_request' | 'failed') {
    super(message);
  }
}

/** Lines matching a query (the `logs` filters). */
export function matchLog(q: LogQuery): (l: LogLine) => boolean {
  const only = q.resources && q.resources.length > 0 ? new Set(q.resources) : undefined;
  return (l) =>
    (!only || only.has(l.resource)) &&
    (q.sinceTime === undefined || l.time >= q.sinceTime) &&
    (q.source === undefined || l.source === q.source) &&
    (q.level === undefined || l.level === 'error' || (q.level === 'warn' && l.level === 'warn'));
}

/** Is something listening on the socket? (A leftover file from a killed engine is not.) */
function listening(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(socketPath);
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

export class ControlServer implements Disposable {
  private readonly sockets = new Set<net.Socket>();
  private constructor(private readonly server: net.Server, readonly socketPath: string) {}

  /** Listens on socketPath (0600 in a 0700 directory). Throws EngineAlreadyRunningError when another engine owns it. */
  static async start(socketPath: string, target: ControlTarget): Promise<ControlServer> {
    const unix = process.platform !== 'win32';
    if (unix) {
      ensurePrivateDir(path.dirname(socketPath));
      if (fs.existsSync(socketPath)) {
        if (await listening(socketPath)) throw new EngineAlreadyRunningError(`another engine is already running for this Tiltfile (its control socket is ${socketPath})`);
        fs.unlinkSync(socketPath);
      }
    }
    const server = net.createServer();
    const cs = new ControlServer(server, socketPath);
    server.on('connection', (s) => cs.serve(s, target));
    // The socket file is created by listen(): a umask of 0177 makes it 0600 from the first moment (the 0700
    // directory already keeps others out; this closes the window before the chmod below).
    const old = unix ? process.umask(0o177) : 0;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(socketPath, () => { server.off('error', reject); resolve(); });
      });
    } finally {
      if (unix) process.umask(old);
    }
    if (unix) fs.chmodSync(socketPath, 0o600);
    return cs;
  }

  private serve(socket: net.Socket, target: ControlTarget): void {
    this.sockets.add(socket);
    socket.setEncoding('utf8');
    const cleanups: Disposable[] = [];
    const send = (r: Response): void => {
      if (!socket.destroyed) socket.write(JSON.stringify(r) + '\n');
    };
    const decoder = new LineDecoder((line) => {
      let req: Request;
      try {
        req = JSON.parse(line) as Request;
      } catch {
        send({ id: 0, error: { message: 'malformed request (not JSON)', code: 'bad_request' } });
        return;
      }
      void this.handle(req, target, send, cleanups).catch((e: unknown) => {
        const code = e instanceof RequestError ? e.code : 'failed';
        send({ id: req.id, error: { message: e instanceof Error ? e.message : String(e), code } });
      });
    });
    socket.on('data', (chunk: string) => {
      try {
        decoder.push(chunk);
      } catch {
        socket.destroy();
      }
    });
    const close = (): void => {
      this.sockets.delete(socket);
      for (const d of cleanups.splice(0)) d.dispose();
    };
    socket.on('close', close);
    socket.on('error', () => socket.destroy());
  }

  private async handle(req: Request, target: ControlTarget, send: (r: Response) => void, cleanups: Disposable[]): Promise<void> {
    const method = req.method as Method;
    if (!METHODS.includes(method)) throw new RequestError(`unknown method ${JSON.stringify(req.method)}`, 'bad_request');
    const p = (req.params ?? {}) as Record<string, unknown>;
    // Right after `up` starts the Tiltfile is still loading: wait for that load before judging names.
    const loaded = (): Promise<void> => new Promise((resolve) => {
      const done = (): boolean => ['ok', 'error'].includes(target.store.snapshot().session.tiltfile.status);
      if (done()) return resolve();
      const sub = target.store.onDidChange(() => { if (done()) { sub.dispose(); resolve(); } });
      cleanups.push(sub);
    });
    const known = async (names: unknown): Promise<string[]> => {
      if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) throw new RequestError('resources must be a list of names', 'bad_request');
      await loaded();
      const s = target.store.snapshot();
      const missing = (names as string[]).filter((n) => !s.resources[n]);
      if (missing.length) throw new RequestError(`no resource named ${missing.map((m) => JSON.stringify(m)).join(', ')} (resources: ${s.order.join(', ') || 'none'})`, 'not_found');
      return names as string[];
    };
    const reply = (result: unknown): void => send({ id: req.id, result });
    switch (method) {
      case 'info':
        return reply({ protocol: PROTOCOL_VERSION, ...target.info() });
      case 'state':
        return reply(target.store.snapshot());
      case 'trigger': {
        const names = await known(p.resources);
        for (const n of names) target.trigger(n);
        return reply({ triggered: names });
      }
      case 'args': {
        if (!Array.isArray(p.args) || p.args.some((a) => typeof a !== 'string')) throw new RequestError('args must be a list of strings', 'bad_request');
        await target.setArgs(p.args as string[]);
        return reply({ args: p.args });
      }
      case 'enable': {
        const names = await known(p.resources);
        target.setEnabled(names, p.enabled === true);
        return reply({ changed: names });
      }
      case 'logs': {
        const q = p as LogQuery;
        if (q.resources?.length) await known(q.resources);
        const match = matchLog(q);
        const backlog = target.logs.allSince(0);
        let last = backlog.length ? backlog[backlog.length - 1]!.seq : 0;
        const lines = backlog.filter(match);
        if (!q.follow) return reply({ lines });
        send({ id: req.id, event: { lines } });
        // Follow: one event per batch of new lines, until the client hangs up.
        cleanups.push(target.logs.onDidAppend(() => {
          const fresh = target.logs.allSince(last);
          if (fresh.length) last = fresh[fresh.length - 1]!.seq;
          const out = fresh.filter(match);
          if (out.length) send({ id: req.id, event: { lines: out } });
        }));
        return;
      }
      case 'wait': {
        const names = await known(p.resources);
        await new Promise<void>((resolve) => {
          const check = (): boolean => {
            const s = target.store.snapshot();
            return names.every((n) => { const r = s.resources[n]; return r !== undefined && isReady(r); });
          };
          if (check()) return resolve();
          const sub = target.store.onDidChange(() => {
            if (check()) { sub.dispose(); resolve(); }
          });
          cleanups.push(sub);
        });
        return reply({ ready: names });
      }
    }
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    // Closing the listener unlinks the socket file at once (libuv), so a new engine can start right after
    // dispose(); removing it again later could delete that new engine's socket.
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  dispose(): void {
    void this.close();
  }
}
