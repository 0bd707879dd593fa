// Issue 15's original report, replayed: the built CLI's `ci` (`node dist/cli.js ci`), three times in a row on the
// todo-app fixture, on the same cluster without `down` in between. Each run must exit 0 by itself within a second
// of its verdict (the second run used to hang after SUCCESS; the first failed on a transient ConfigMap cache error;
// the third waited on a frontend whose `node --watch` had failed to restart). A temp copy of the fixture in a
// throwaway namespace, its port forwards moved to free ports (another todo-app suite may hold the fixed ones).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { todoEnv, useFreePorts, type TodoEnv } from '../todo/harness';
import { cliProblem, exitedByItself, runCli, transcript } from './harness';

describe('innerloop ci on the todo app, three times in a row', () => {
  let env: TodoEnv | undefined;
  let skip: string | undefined;

  before(async () => {
    skip = cliProblem();
    if (skip) return;
    const e = await todoEnv();
    if ('skip' in e) skip = e.skip;
    else env = e;
  });
  after(async () => {
    await env?.cleanup();
  });

  it('all three runs exit 0 within a second of their verdict', async (t) => {
    if (!env) return t.skip(skip);
    await useFreePorts(env.dir);
    for (let i = 1; i <= 3; i++) {
      const r = await runCli(['ci', '--timeout', '6m', '--kubeconfig', env.kubeconfig, '--namespace', env.namespace], { cwd: env.dir });
      exitedByItself(t, r, 0);
      assert.match(r.stdout, /^SUCCESS\. All workloads are healthy\./m, `run ${i}\n${transcript(r)}`);
      assert.match(r.stdout, /todo-frontend/, `run ${i}\n${transcript(r)}`);
    }
  });
});
