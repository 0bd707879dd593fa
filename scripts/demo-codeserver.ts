// `npm run demo`, editor half: opens the todo app in a real VS Code (code-server, bound to 127.0.0.1 with a
// password) with Innerloop installed and set to start on open, and prints the URL. Ctrl-C stops code-server;
// what Innerloop deployed keeps running (`node dist/cli.js down --file test/fixtures/todo-app` removes it).
// Reuses the e2e harness, so the demo runs exactly what the tests prove.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { locateCodeServer, startCodeServer } from '../test/e2e/lib/codeServer';
import { prepareExtensionsDir, REPO } from '../test/e2e/lib/extensions';

async function main(): Promise<void> {
  const found = locateCodeServer();
  if ('missing' in found) throw new Error(found.missing);
  const workspace = join(REPO, 'test', 'fixtures', 'todo-app');
  const extensionsDir = await prepareExtensionsDir({ harness: false });
  const kubeconfig = process.env.KUBECONFIG ?? '/var/lib/innerloop-env/kubeconfig';
  const server = await startCodeServer({ dir: found.dir, workspace, extensionsDir, env: { KUBECONFIG: kubeconfig, INNERLOOP_ALLOW_K8S_CONTEXTS: 'innerloop' } });
  // Read when the browser opens the window: start the engine at once. The workspace is this repository's own
  // fixture, so the demo profile trusts it instead of asking (real workspaces still get the trust prompt).
  const user = join(server.userDataDir, 'User');
  mkdirSync(user, { recursive: true });
  writeFileSync(join(user, 'settings.json'), JSON.stringify({
    'innerloop.autoStart': true,
    'security.workspace.trust.enabled': false,
    'workbench.startupEditor': 'none',
  }, null, 2));
  console.log(`\nInnerloop demo: open ${server.url}/?folder=${encodeURIComponent(workspace)}`);
  console.log(`password: ${server.password}`);
  console.log('Innerloop starts the todo app when the window opens (resource tree in the Innerloop activity bar;');
  console.log('API on http://localhost:5734/todos, frontend on http://localhost:3734). Ctrl-C stops code-server.\n');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.stop();
}

main().catch((e: unknown) => {
  console.error(`demo: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
