import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deployment, fails, ok } from './helpers';

const tf = `
config.define_string_list('to-run', args=True, usage='services')
config.define_string('env')
config.define_bool('debug')
config.define_object('extra')
cfg = config.parse()
print(cfg.get('to-run', []), cfg.get('env', 'dev'), cfg.get('debug', False), cfg.get('extra', None))
print(config.tilt_subcommand)
`;

test('config.parse: CLI args after --, flag forms and positional args', () => {
  assert.deepEqual(ok(tf).output, ['[] dev False None', 'up']);
  const r = ok(tf, {}, { args: ['a', '--env', 'prod', '--debug', 'b', '--extra={"k": 1}'], subcommand: 'ci' });
  assert.deepEqual(r.output, ['["a", "b"] prod True {"k": 1}', 'ci']);
  assert.deepEqual(r.plan.config, { 'to-run': ['a', 'b'], env: 'prod', debug: true, extra: { k: 1 } });
  assert.deepEqual(ok(tf, {}, { args: ['--env=x', '--debug=false', '--to-run', 'c'] }).output[0], '["c"] x False None');
});

test('config.parse: tilt_config.json, overridden by CLI args', () => {
  const files = { 'tilt_config.json': '{"env": "staging", "to-run": ["x"]}' };
  assert.deepEqual(ok(tf, files).output[0], '["x"] staging False None');
  assert.deepEqual(ok(tf, files, { args: ['--env', 'cli'] }).output[0], '["x"] cli False None');
  fails(tf, /specified unknown setting name "nope"/, { 'tilt_config.json': '{"nope": 1}' });
  fails(tf, /setting "env" must be a string/, { 'tilt_config.json': '{"env": 1}' });
});

test('config errors', () => {
  fails(tf, /unknown flag: --nope/, {}, { args: ['--nope'] });
  fails(tf, /flag needs an argument: --env/, {}, { args: ['--env'] });
  fails(tf, /string settings can only be specified once: --env/, {}, { args: ['--env', 'a', '--env', 'b'] });
  fails(`config.define_string('a')\nconfig.parse()`, /positional CLI args \("x"\) were specified, but none were expected/, {}, { args: ['x'] });
  fails(`config.define_string('a')\nconfig.define_string('a')`, /a defined multiple times/);
  fails(`config.parse()\nconfig.define_bool('late')`, /config.define_bool cannot be called after config.parse is called/);
  fails(`config.define_string_list('a', args=True)\nconfig.define_string_list('b', args=True)`, /only one setting can have args=True/);
});

test('config.set_enabled_resources and `up a b` enable resources with their resource_deps', () => {
  const files = { 'a.yaml': deployment('a', 'x'), 'b.yaml': deployment('b', 'y'), 'c.yaml': deployment('c', 'z') };
  const base = `k8s_yaml(['a.yaml', 'b.yaml', 'c.yaml'])\nk8s_resource('a', resource_deps=['b'])\n`;
  assert.deepEqual(ok(base + `config.set_enabled_resources(['a'])`, files).plan.enabledResources, ['a', 'b']);
  assert.deepEqual(ok(base, files, { args: ['c'] }).plan.enabledResources, ['c']);
  assert.equal(ok(base, files).plan.enabledResources, undefined);
  assert.deepEqual(ok(base + 'config.clear_enabled_resources()', files).plan.enabledResources, []);
  fails(base + `config.set_enabled_resources(['zzz'])`, /no resource named "zzz"; known resources: a, b, c/, files);
  const withFlags = ok(base, files, { args: ['--flag'] });
  assert.ok(withFlags.plan.warnings.some((w) => /never calls config.parse/.test(w.message)));
});

test('config.main_path and main_dir', () => {
  const r = ok(`print(config.main_path.endswith('/Tiltfile'), config.main_dir == os.getcwd())`);
  assert.deepEqual(r.output, ['True True']);
});
