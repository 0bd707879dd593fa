// read_json/read_yaml/read_yaml_stream, decode_* and encode_* for JSON and YAML.
import { Builtin, List, charge, fromJS, toJS, type Call, type Value } from '../starlark';
import { absent, bytesToString, str, unpack, wrongType } from './args';
import { readYamlFile, type TiltfileState } from './state';
import { Blob } from './values';
import { parseYamlStream, toYaml } from './yaml';

function textArg(v: Value | undefined, param: string): string {
  if (absent(v)) throw new Error(`missing argument for ${param}`);
  const t = bytesToString(v);
  if (t === undefined) throw wrongType(param, v, 'string or blob');
  return t;
}

function decodeJson(text: string, source: string): Value {
  // Not charged per byte beyond the 1 per 64 every long string argument costs; fromJS charges the values the parse
  // made. (The e2e hostile repository, test/e2e/fixtures/workspace/hostile, exhausts memory in this parse.)
  try {
    return fromJS(JSON.parse(text) as unknown);
  } catch (e) {
    throw new Error(`error parsing JSON from ${source}: ${(e as Error).message}`);
  }
}

function decodeYamlOne(text: string, source: string): Value {
  const docs = parseYamlStream(text, source);
  if (docs.length > 1) throw new Error(`expected a YAML document but found a stream of ${docs.length} documents in ${source}; use decode_yaml_stream / read_yaml_stream`);
  return fromJS(docs[0] ?? null);
}

function encodableJS(v: Value, what: string): unknown {
  try {
    return toJS(v);
  } catch (e) {
    throw new Error(`${what}: ${(e as Error).message}`);
  }
}

function readWithDefault(s: TiltfileState, call: Call, parse: (text: string, source: string) => Value, yaml = false): Value {
  const a = unpack(call, ['path', 'default?']);
  const p = s.resolve(str(a.path, 'path'));
  s.configFiles.add(p);
  let text: string;
  try {
    text = yaml ? readYamlFile(s, p) : s.readFile(p);
  } catch (e) {
    if (a.default !== undefined) return a.default;
    throw e;
  }
  return parse(text, p);
}

export function encodingBuiltins(s: TiltfileState): Record<string, Value> {
  return {
    read_json: new Builtin('read_json', (call) => readWithDefault(s, call, decodeJson)),
    read_yaml: new Builtin('read_yaml', (call) => readWithDefault(s, call, decodeYamlOne, true)),
    read_yaml_stream: new Builtin('read_yaml_stream', (call) => readWithDefault(s, call, (t, src) => new List(parseYamlStream(t, src).map((d) => fromJS(d))), true)),
    decode_json: new Builtin('decode_json', (call) => decodeJson(textArg(unpack(call, ['json']).json, 'json'), 'decode_json')),
    decode_yaml: new Builtin('decode_yaml', (call) => decodeYamlOne(textArg(unpack(call, ['yaml']).yaml, 'yaml'), 'decode_yaml')),
    decode_yaml_stream: new Builtin('decode_yaml_stream', (call) => {
      const t = textArg(unpack(call, ['yaml']).yaml, 'yaml');
      return new List(parseYamlStream(t, 'decode_yaml_stream').map((d) => fromJS(d)));
    }),
    encode_json: new Builtin('encode_json', (call) => {
      const a = unpack(call, ['obj']);
      const text = JSON.stringify(encodableJS(a.obj ?? null, 'encode_json'), null, 2) + '\n';
      charge(text.length >>> 3);
      return new Blob(text, 'encode_json');
    }),
    encode_yaml: new Builtin('encode_yaml', (call) => {
      const a = unpack(call, ['obj']);
      // Sorted keys and YAML 1.1-safe quoting, as Tilt's (sigs.k8s.io/yaml) encode_yaml.
      return new Blob(toYaml(encodableJS(a.obj ?? null, 'encode_yaml'), { sortKeys: true }), 'encode_yaml');
    }),
    encode_yaml_stream: new Builtin('encode_yaml_stream', (call) => {
      const a = unpack(call, ['objs']);
      if (!(a.objs instanceof List)) throw wrongType('objs', a.objs ?? null, 'list');
      const docs = a.objs.elems.map((o) => toYaml(encodableJS(o, 'encode_yaml_stream'), { sortKeys: true }));
      return new Blob(docs.join('---\n'), 'encode_yaml_stream');
    }),
  };
}


