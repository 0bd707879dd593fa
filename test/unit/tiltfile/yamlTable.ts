// Tricky YAML scalars, shared by the unit test and the cluster test (test/integration/tiltfile/yaml.test.ts).

/** Plain scalar as written -> the value kubectl sends (JSON). */
export const TRICKY: Array<[string, unknown]> = [
  ['0755', 493], ['0644', 420], ['-0755', -493], ['08', 8], ['0o17', 15], ['0x1F', 31], ['0b101', 5], ['1_000', 1000],
  ['+12', 12], ['1e3', 1000], ['.5', 0.5], ['3.0', 3], ['-0', 0],
  ['yes', true], ['Yes', true], ['YES', true], ['no', false], ['on', true], ['On', true], ['off', false], ['OFF', false],
  ['y', true], ['Y', true], ['n', false], ['N', false], ['true', true], ['False', false],
  ['~', null], ['null', null], ['Null', null],
  ['1:20', '1:20'], ['2001-12-14', '2001-12-14'], ['2001-12-14T21:59:43.10-05:00', '2001-12-14T21:59:43.10-05:00'],
  ['0x', '0x'], ['1e400', '1e400'], ['yess', 'yess'], ['0.1.2', '0.1.2'], ['=', '='], ['.inf.', '.inf.'],
];
