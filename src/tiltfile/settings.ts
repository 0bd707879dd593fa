// Global settings builtins: trigger_mode, update_settings, secret_settings, watch_settings, ci_settings,
// and the accepted-but-ignored Tilt settings (analytics, version, prune, snapshots, features).
import { Builtin, type Value } from '../starlark';
import { absent, bool, int, str, strList, unpack } from './args';
import { triggerModeArg } from './k8s';
import type { SourcePos } from './plan';
import type { TiltfileState } from './state';
import { TRIGGER_MODE_AUTO, TRIGGER_MODE_MANUAL } from './values';

/** Go-style durations: "30m", "1h30m", "90s", "500ms". */
export function parseDuration(text: string, param: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  if (!/^(\d+(?:\.\d+)?(ms|h|m|s))+$/.test(text)) {
    if (text === '0') return 0;
    throw new Error(`${param}: invalid duration ${JSON.stringify(text)} (use e.g. "30s", "5m", "1h30m")`);
  }
  let secs = 0;
  for (const m of text.matchAll(re)) {
    const n = Number(m[1]);
    secs += m[2] === 'h' ? n * 3600 : m[2] === 'm' ? n * 60 : m[2] === 's' ? n : n / 1000;
  }
  return secs;
}

export function settingsBuiltins(s: TiltfileState): Record<string, Value> {
  let triggerModePos: SourcePos | undefined;
  const ignored = (name: string, params: string[]): Builtin => new Builtin(name, (call) => { unpack(call, params); return null; });
  return {
    TRIGGER_MODE_AUTO,
    TRIGGER_MODE_MANUAL,
    trigger_mode: new Builtin('trigger_mode', (call) => {
      const a = unpack(call, ['trigger_mode']);
      if (s.triggerModeCalled) {
        const at = triggerModePos ? ` It was already called at ${triggerModePos.file}:${triggerModePos.line}:${triggerModePos.col}` : '';
        throw new Error(`trigger_mode can only be called once.${at}`);
      }
      s.settings.triggerMode = triggerModeArg(a.trigger_mode) ?? 'auto';
      s.triggerModeCalled = true;
      triggerModePos = s.pos(call);
      return null;
    }),
    update_settings: new Builtin('update_settings', (call) => {
      const a = unpack(call, ['max_parallel_updates?', 'k8s_upsert_timeout_secs?', 'suppress_unused_image_warnings?', 'k8s_server_side_apply?']);
      if (!absent(a.max_parallel_updates)) {
        const n = int(a.max_parallel_updates, 'max_parallel_updates');
        if (n < 1) throw new Error(`max_parallel_updates must be >= 1; got ${n}`);
        s.settings.maxParallelUpdates = n;
      }
      if (!absent(a.k8s_upsert_timeout_secs)) {
        const n = int(a.k8s_upsert_timeout_secs, 'k8s_upsert_timeout_secs');
        if (n < 1) throw new Error(`k8s_upsert_timeout_secs must be >= 1; got ${n}`);
        s.settings.k8sUpsertTimeoutSecs = n;
      }
      if (!absent(a.suppress_unused_image_warnings)) {
        s.settings.suppressUnusedImageWarnings.push(...strList(a.suppress_unused_image_warnings, 'suppress_unused_image_warnings'));
      }
      if (!absent(a.k8s_server_side_apply) && typeof a.k8s_server_side_apply !== 'boolean' && a.k8s_server_side_apply !== 'auto') {
        throw new Error('k8s_server_side_apply must be True, False or "auto"');
      }
      return null;
    }),
    secret_settings: new Builtin('secret_settings', (call) => {
      const a = unpack(call, ['disable_scrub?']);
      s.settings.secretScrub = !bool(a.disable_scrub, 'disable_scrub');
      return null;
    }),
    watch_settings: new Builtin('watch_settings', (call) => {
      const a = unpack(call, ['ignore?']);
      s.settings.watchIgnore.push(...strList(a.ignore, 'ignore'));
      return null;
    }),
    ci_settings: new Builtin('ci_settings', (call) => {
      const a = unpack(call, ['k8s_grace_period?', 'timeout?', 'readiness_timeout?']);
      if (!absent(a.k8s_grace_period)) s.settings.ci.k8sGracePeriodSecs = parseDuration(str(a.k8s_grace_period, 'k8s_grace_period'), 'k8s_grace_period');
      if (!absent(a.timeout)) s.settings.ci.timeoutSecs = parseDuration(str(a.timeout, 'timeout'), 'timeout');
      if (!absent(a.readiness_timeout)) s.settings.ci.readinessTimeoutSecs = parseDuration(str(a.readiness_timeout, 'readiness_timeout'), 'readiness_timeout');
      return null;
    }),
    docker_prune_settings: ignored('docker_prune_settings', ['disable?', 'max_age_mins?', 'num_builds?', 'interval_hrs?', 'keep_recent?']),
    analytics_settings: ignored('analytics_settings', ['enable']),
    version_settings: ignored('version_settings', ['check_updates?', 'constraint?']),
    disable_snapshots: ignored('disable_snapshots', []),
    set_team: ignored('set_team', ['team_id']),
    enable_feature: ignored('enable_feature', ['feature_name']),
    disable_feature: ignored('disable_feature', ['feature_name']),
    k8s_resource_assembly_version: new Builtin('k8s_resource_assembly_version', (call) => {
      const a = unpack(call, ['version']);
      if (int(a.version, 'version') !== 2) throw new Error('only k8s resource assembly version 2 is supported');
      s.warn('k8s_resource_assembly_version is deprecated; version 2 is the only one', s.pos(call));
      return null;
    }),
  };
}
