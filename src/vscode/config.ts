// Typed view of the `innerloop.*` settings. Every read goes through here (never getConfiguration elsewhere).
// Keys, defaults and descriptions live in package.json contributes.configuration; a unit test keeps the two in sync.
import * as vscode from 'vscode';
import { SETTINGS, type Settings, type SettingKey } from './settingsSchema';

export { SETTINGS, type Settings, type SettingKey };

/** Reads the effective settings for a scope (workspace folder or none). Exported as a const so tests can stub it. */
export const readSettings = (scope?: vscode.ConfigurationScope): Settings => {
  const cfg = vscode.workspace.getConfiguration('innerloop', scope);
  const out = {} as Record<SettingKey, unknown>;
  for (const key of Object.keys(SETTINGS) as SettingKey[]) {
    out[key] = SETTINGS[key].coerce(cfg.get<unknown>(key));
  }
  return out as unknown as Settings;
};

/** Fires with the keys that changed; callers decide whether an engine restart is needed (see SETTINGS[k].impact). */
export function onSettingsChanged(listener: (changed: SettingKey[]) => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    const changed = (Object.keys(SETTINGS) as SettingKey[]).filter((k) => e.affectsConfiguration(`innerloop.${k}`));
    if (changed.length) listener(changed);
  });
}
