// Where the workspace's Tiltfile is. No 'vscode' import (unit-tested).
import { basename, isAbsolute, join } from 'node:path';

/** Absolute Tiltfile path from the workspace folder and the `innerloop.tiltfilePath` setting. */
export function resolveTiltfile(folder: string, setting: string): string {
  const s = setting.trim();
  if (!s) return join(folder, 'Tiltfile');
  return isAbsolute(s) ? s : join(folder, s);
}

/** Files the editor treats as Tiltfiles for diagnostics: `Tiltfile`, `*.tiltfile`, `Tiltfile.*`. */
export function looksLikeTiltfile(path: string): boolean {
  const b = basename(path);
  return b === 'Tiltfile' || b.endsWith('.tiltfile') || b.startsWith('Tiltfile.');
}
