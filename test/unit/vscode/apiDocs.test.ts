import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lookupFunction, membersOf, signatureLabel, TILT_API, TILT_VALUES, topLevelNames } from '../../../src/tiltfile/apiDocs';

describe('Tilt API table', () => {
  it('covers the core Tiltfile builtins', () => {
    for (const n of [
      'docker_build', 'custom_build', 'k8s_yaml', 'k8s_resource', 'k8s_custom_deploy', 'local_resource', 'local',
      'sync', 'run', 'fall_back_on', 'initial_sync', 'restart_container', 'port_forward', 'link', 'helm', 'kustomize',
      'docker_compose', 'dc_resource', 'config.define_string', 'config.parse', 'os.getenv', 'os.path.join',
      'read_file', 'watch_file', 'load', 'update_settings', 'probe', 'http_get_action', 'filter_yaml', 'default_registry',
    ]) {
      assert.ok(lookupFunction(n), `missing ${n}`);
    }
  });

  it('has unique names and well-formed parameters', () => {
    const names = TILT_API.map((f) => f.name);
    assert.equal(new Set(names).size, names.length, 'duplicate function');
    for (const f of TILT_API) {
      assert.ok(f.doc.length > 0 && f.doc.length < 200, `${f.name}: one-line doc expected`);
      const params = f.params.map((p) => p.name);
      assert.equal(new Set(params).size, params.length, `${f.name}: duplicate parameter`);
      // Required positional parameters never follow optional ones (Python rules), except keyword-only/variadic.
      let sawOptional = false;
      for (const p of f.params) {
        if (p.kwOnly || p.variadic) continue;
        if (p.default !== undefined) sawOptional = true;
        else assert.ok(!sawOptional, `${f.name}: required ${p.name} after an optional parameter`);
      }
    }
    assert.ok(TILT_VALUES.some((v) => v.name === 'TRIGGER_MODE_MANUAL'));
  });

  it('renders signatures with defaults and keyword-only markers', () => {
    assert.equal(signatureLabel(lookupFunction('sync')!), 'sync(local_path, remote_path) -> LiveUpdateStep');
    assert.match(signatureLabel(lookupFunction('k8s_kind')!), /^k8s_kind\(kind, api_version=None, \*, image_json_path=\[\]/);
    assert.match(signatureLabel(lookupFunction('load')!), /load\(path, \*symbols\)/);
  });

  it('lists namespace members and top-level names', () => {
    assert.deepEqual(membersOf('os.path').slice(0, 3), ['abspath', 'basename', 'dirname']);
    assert.ok(membersOf('os').includes('path'));
    assert.ok(membersOf('os').includes('environ'));
    assert.ok(membersOf('config').includes('parse'));
    const top = topLevelNames();
    assert.ok(top.includes('config') && top.includes('os') && top.includes('docker_build'));
    assert.ok(!top.includes('parse'));
  });
});
