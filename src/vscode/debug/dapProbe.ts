// Does a Debug Adapter Protocol server answer on host:port? Through a port forward a TCP connect always succeeds
// (the local end listens even while the pod's debugger is down), so the probe asks for a DAP `initialize` response
// and then disconnects without attaching. Used before re-attaching after the process restarted. No 'vscode' import.
import * as net from 'node:net';

/** Encodes one DAP message (Content-Length framing). */
export function dapFrame(message: object): Buffer {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]);
}

/** Splits complete DAP messages off the front of `buf`; returns them and the unconsumed rest. */
export function dapParse(buf: Buffer): { messages: Array<Record<string, unknown>>; rest: Buffer } {
  const messages: Array<Record<string, unknown>> = [];
  let rest = buf;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) break;
    const m = /Content-Length:\s*(\d+)/i.exec(rest.subarray(0, end).toString('ascii'));
    if (!m) throw new Error('DAP header without Content-Length');
    const len = Number(m[1]);
    if (rest.length < end + 4 + len) break;
    messages.push(JSON.parse(rest.subarray(end + 4, end + 4 + len).toString('utf8')) as Record<string, unknown>);
    rest = rest.subarray(end + 4 + len);
  }
  return { messages, rest };
}

/** True when a DAP server on host:port answers `initialize` within `timeoutMs`. Never throws. */
export function dapAnswers(host: string, port: number, timeoutMs = 3000): Promise<boolean> {
  return new Promise((resolve) => {
    let done = false;
    let buf: Buffer = Buffer.alloc(0);
    const socket = net.connect({ host, port });
    const finish = (ok: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (ok) {
        socket.end(dapFrame({ seq: 2, type: 'request', command: 'disconnect', arguments: { terminateDebuggee: false } }));
        setTimeout(() => socket.destroy(), 1000).unref();
      } else socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('connect', () => {
      socket.write(dapFrame({ seq: 1, type: 'request', command: 'initialize', arguments: { clientID: 'innerloop', adapterID: 'innerloop-probe', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true } }));
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        const parsed = dapParse(Buffer.concat([buf, chunk]));
        buf = parsed.rest;
        if (parsed.messages.some((m) => m.type === 'response' && m.command === 'initialize')) finish(true);
      } catch {
        finish(false);
      }
    });
    socket.on('error', () => finish(false));
    socket.on('close', () => finish(false));
  });
}
