// Stop and Down, as in Tilt: Stop ends the engine and leaves everything running (Ctrl-C on `tilt up`); Down
// deletes what the Tiltfile deployed (`tilt down`), after a modal confirmation naming the context and namespace.
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from '../engine/session';
import type { Ctx } from './ctx';
import { kubeTarget } from './kubeTarget';
import { knownTiltfile } from './tiltfilePick';
import { UNTRUSTED_MESSAGE } from './trust';

export function stop(ctx: Ctx): void {
  if (!ctx.session) return;
  ctx.log.info('stop: stopping the engine; deployed resources keep running');
  ctx.setSession(undefined);
  vscode.window.setStatusBarMessage('Innerloop stopped; resources keep running (Down deletes them)', 5000);
}

export async function down(ctx: Ctx): Promise<void> {
  if (!ctx.isTrusted) {
    void vscode.window.showWarningMessage(UNTRUSTED_MESSAGE);
    return;
  }
  const folder = ctx.folder;
  const tiltfile = ctx.session?.tiltfile ?? (folder ? knownTiltfile(ctx) : undefined);
  if (!tiltfile || !existsSync(tiltfile)) {
    void vscode.window.showErrorMessage(`Innerloop: no Tiltfile${tiltfile ? ` at ${tiltfile}` : ''}, so nothing to take down.`);
    return;
  }
  const t = kubeTarget(ctx.settings, ctx.session?.store.snapshot().session);
  const where = 'none' in t ? 'the kube context (none is configured)' : `kube context "${t.context}", namespace "${t.namespace}"${t.local ? '' : ' (NOT a local cluster)'}`;
  const pick = await vscode.window.showWarningMessage(
    `Delete everything the Tiltfile deployed to ${where}?`,
    { modal: true, detail: 'The engine stops and the Tiltfile\'s Kubernetes objects, docker compose services and k8s_custom_deploy resources are deleted (namespaces are kept). Stop leaves them running instead.' },
    'Delete',
  );
  if (pick !== 'Delete') return;
  ctx.setSession(undefined);
  ctx.log.info(`down: ${tiltfile} (${where})`);
  const session = new Session({
    tiltfile,
    args: ctx.settings.tiltArgs,
    subcommand: 'down',
    watch: false,
    workerScript: join(ctx.extCtx.extensionPath, 'dist', 'tiltfile-loader.js'),
    kubeconfigPath: ctx.settings.kubeconfig || undefined,
    context: ctx.settings.context || undefined,
    namespace: ctx.settings.namespace || ('none' in t ? undefined : t.namespace),
    log: { info: (m) => ctx.log.info(m), error: (m, e) => ctx.log.error(m, e) },
  });
  const { errors } = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Innerloop: Down' }, async () => {
    try {
      return await session.down({ onOutput: (l) => ctx.log.info(`down: ${l}`) });
    } finally {
      await session.stop();
    }
  });
  if (errors.length) {
    ctx.log.error(`down failed: ${errors.join('; ')}`);
    void vscode.window.showErrorMessage(`Innerloop: Down failed: ${errors[0]}`);
  } else {
    void vscode.window.showInformationMessage('Innerloop: Down finished; what the Tiltfile deployed is deleted.');
  }
}
