import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { dapAnswers, dapFrame, dapParse } from '../../../src/vscode/debug/dapProbe';

/** A loopback server for the test only: `answer` decides what it does with the client's bytes. */
async function server(answer: (s: net.Socket, data: Buffer) => void): Promise<{ port: number; close(): Promise<void> }> {
  const srv = net.createServer((s) => s.on('data', (d: Buffer) => answer(s, d)));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { port: (srv.address() as net.AddressInfo).port, close: () => new Promise((r) => srv.close(() => r())) };
}

describe('DAP probe', () => {
  it('frames and parses messages, keeping a partial one for later', () => {
    const a = dapFrame({ seq: 1, type: 'event', event: 'x' });
    const b = dapFrame({ seq: 2, type: 'response', command: 'initialize', body: { é: 'ü' } });
    const { messages, rest } = dapParse(Buffer.concat([a, b.subarray(0, 10)]));
    assert.deepEqual(messages, [{ seq: 1, type: 'event', event: 'x' }]);
    assert.equal(dapParse(Buffer.concat([rest, b.subarray(10)])).messages[0]!.body!.constructor, Object);
  });

  it('is true when initialize is answered, and then says disconnect', async () => {
    const seen: string[] = [];
    const s = await server((sock, d) => {
      for (const m of dapParse(d).messages) {
        seen.push(String(m.command));
        if (m.command === 'initialize') sock.write(dapFrame({ seq: 1, type: 'response', request_seq: m.seq, success: true, command: 'initialize', body: {} }));
      }
    });
    assert.equal(await dapAnswers('127.0.0.1', s.port), true);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(seen, ['initialize', 'disconnect']);
    await s.close();
  });

  it('is false when the far end accepts and hangs up (a forward whose pod has no debugger yet), or nothing listens', async () => {
    const s = await server((sock) => sock.destroy());
    assert.equal(await dapAnswers('127.0.0.1', s.port), false);
    await s.close();
    assert.equal(await dapAnswers('127.0.0.1', s.port), false);
  });

  it('is false when nothing answers in time', async () => {
    const s = await server(() => undefined);
    assert.equal(await dapAnswers('127.0.0.1', s.port, 200), false);
    await s.close();
  });
});
