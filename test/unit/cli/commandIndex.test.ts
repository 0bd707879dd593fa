// The dispatcher's command table (src/cli/commands/index.ts) lists names and summaries without loading the
// commands; these tests keep it equal to the commands themselves, and check that the built dist/cli.js leaves
// the engine, Kubernetes and Docker code to dist/cli-commands.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commands } from '../../../src/cli/commands';

test('every command entry loads the command of that name and summary', async () => {
  for (const entry of commands) {
    const cmd = await entry.load();
    assert.equal(cmd.name, entry.name);
    assert.equal(cmd.summary, entry.summary, `summary of ${entry.name}`);
  }
});

test('dist/cli.js does not bundle the Kubernetes or Docker clients (they load with the commands that use them)', { skip: !existsSync(join(__dirname, '../../../dist/cli.js')) && 'dist/ not built' }, () => {
  const dist = join(__dirname, '../../../dist');
  const cli = readFileSync(join(dist, 'cli.js'), 'utf8');
  const heavy = readFileSync(join(dist, 'cli-commands.js'), 'utf8');
  assert.ok(cli.includes('./cli-commands.js'));
  // Class names the bundles keep (keepNames): client-node's API classes, docker-modem, grpc/protobuf.
  for (const marker of ['CoreV1Api', 'KubeConfig', 'Modem', 'grpc', 'protobuf']) {
    assert.ok(heavy.includes(marker), `marker ${marker} not in dist/cli-commands.js: pick another`);
    assert.ok(!cli.includes(marker), `dist/cli.js contains ${marker}`);
  }
});
