// Secrets never reach what is shown: multi-line secrets (PEM keys) across line and chunk boundaries, and the
// first Tiltfile load's own output, which is produced before anything knew the secrets.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogStore, SecretScrubber } from '../../../src/engine/logs';
import { Session, type SessionOptions } from '../../../src/engine/session';
import { loadTiltfile } from '../../../src/tiltfile/loader';
import { fakePorts } from '../../fakes/ports';

const BODY = [
  'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj',
  'MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu',
  'NMoSfm76oqFvAp8Gy0iz5sxjZmSnXyCdPEovGhLa0VzMaQ8s+CLOyS56YyCFGeJZ',
];
const PEM = ['-----BEGIN PRIVATE KEY-----', ...BODY, '-----END PRIVATE KEY-----', ''].join('\n');

function text(logs: LogStore, resource: string): string {
  return logs.linesSince(resource).map((l) => l.text).join('\n');
}

describe('multi-line secrets', () => {
  it('a PEM key printed whole is redacted whole', () => {
    const logs = new LogStore();
    logs.scrubber.setSecrets([PEM]);
    logs.append('api', 'runtime', `key follows\n${PEM}done\n`);
    const out = text(logs, 'api');
    for (const b of BODY) assert.ok(!out.includes(b), out);
    assert.match(out, /\[redacted\]/);
    assert.match(out, /done/);
  });

  it('a PEM key streamed in arbitrary chunks never leaks a line', () => {
    const logs = new LogStore();
    logs.scrubber.setSecrets([PEM]);
    const stream = `before\n${PEM.replace(/\n/g, '\r\n')}after\n`;
    for (let i = 0; i < stream.length; i += 7) logs.write('api', 'runtime', stream.slice(i, i + 7));
    logs.flushPartial('api', 'runtime');
    const out = text(logs, 'api');
    for (const b of BODY) assert.ok(!out.includes(b), out);
    assert.match(out, /-----BEGIN PRIVATE KEY-----/, 'armour lines are not secret');
    assert.match(out, /before[\s\S]*after/);
  });

  it('its base64 form (Secret data) is redacted too', () => {
    const s = new SecretScrubber([PEM]);
    assert.equal(s.scrub(`data: ${Buffer.from(PEM).toString('base64')}`), 'data: [redacted]');
  });
});

describe('the first Tiltfile load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'innerloop-secrets-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const load: SessionOptions['load'] = async (p, opts) => loadTiltfile(p, opts);

  it('print() of a secret during the very first load is scrubbed before it is shown', async () => {
    writeFileSync(join(dir, 'key.pem'), PEM);
    writeFileSync(join(dir, 'Tiltfile'), [
      "load('ext://secret', 'secret_from_dict')",
      "k8s_yaml(secret_from_dict('creds', inputs={'password': 'hunter2-very-secret', 'key': str(read_file('key.pem'))}))",
      "print('the password is hunter2-very-secret')",
      "print(str(read_file('key.pem')))",
      '',
    ].join('\n'));
    const ports = fakePorts();
    const s = new Session({ tiltfile: join(dir, 'Tiltfile'), load, watch: false, ports });
    try {
      await s.start();
      const out = text(s.logs, '(Tiltfile)');
      assert.match(out, /the password is \[redacted\]/);
      assert.ok(!out.includes('hunter2'), out);
      for (const b of BODY) assert.ok(!out.includes(b), out);
      assert.deepEqual(ports.images.built, [], 'nothing to build');
    } finally {
      await s.stop();
    }
  });
});
