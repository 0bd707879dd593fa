// The settings table: key -> default, coercion and what a change requires. No 'vscode' import, so it is
// unit-tested under plain Node against package.json's contributes.configuration.
import { DEFAULT_DEBOUNCE_MS } from '../shared/defaults';

/** What must happen for a changed setting to take effect. */
export type SettingImpact = 'live' | 'engineRestart';

interface SettingSpec<T> {
  default: T;
  impact: SettingImpact;
  /** Turns whatever the user wrote into a valid value (falls back to the default). */
  coerce(v: unknown): T;
}

const bool = (d: boolean, impact: SettingImpact): SettingSpec<boolean> => ({
  default: d,
  impact,
  coerce: (v) => (typeof v === 'boolean' ? v : d),
});
const int = (d: number, min: number, impact: SettingImpact): SettingSpec<number> => ({
  default: d,
  impact,
  coerce: (v) => (typeof v === 'number' && Number.isFinite(v) && v >= min ? Math.floor(v) : d),
});
const str = (d: string, impact: SettingImpact): SettingSpec<string> => ({
  default: d,
  impact,
  coerce: (v) => (typeof v === 'string' ? v : d),
});
const strList = (impact: SettingImpact): SettingSpec<string[]> => ({
  default: [],
  impact,
  coerce: (v) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []),
});

export const SETTINGS = {
  /** Start the engine when a workspace with a Tiltfile opens (trusted workspaces only). */
  autoStart: bool(false, 'live'),
  /** Quiet period before a burst of file changes becomes one update, and before editor diagnostics rerun. */
  debounceMs: int(DEFAULT_DEBOUNCE_MS, 0, 'engineRestart'),
  /** Lines kept per resource log. */
  logBufferLines: int(20000, 100, 'engineRestart'),
  /** Tiltfile to load, relative to the workspace folder; empty = ./Tiltfile. */
  tiltfilePath: str('', 'engineRestart'),
  /** Arguments passed to the Tiltfile (config.parse()), like `tilt up -- ARGS`. */
  tiltArgs: strList('engineRestart'),
  /** Kubeconfig file; empty = $KUBECONFIG, then ~/.kube/config. */
  kubeconfig: str('', 'engineRestart'),
  /** Kube context; empty = the kubeconfig's current context (k8s_context() in the Tiltfile wins). */
  context: str('', 'engineRestart'),
  /** Default namespace; empty = the context's. */
  namespace: str('', 'engineRestart'),
};

export type SettingKey = keyof typeof SETTINGS;
export type Settings = { [K in SettingKey]: (typeof SETTINGS)[K]['default'] };
