// Kubernetes YAML: multi-document parsing into objects, and back to text, with the rules kubectl uses.
//
// kubectl (and the API server, and Tilt's read_yaml/decode_yaml) read YAML through sigs.k8s.io/yaml, i.e. go-yaml
// v2's YAML 1.1 resolution of plain scalars followed by YAML -> JSON: `0755` is the integer 493, `yes`/`no`/`on`/
// `off`/`y`/`n` are booleans, `1_000` is 1000, `08` is the number 8, timestamps and `1:20` stay strings, and
// non-string keys become their JSON text (`on:` is the key "true"). The `k8s` schema below resolves plain scalars
// exactly that way; the writer uses the same schema, so every string that would read back as something else
// (`yes`, `0755`, `~`...) is quoted and what we write round-trips through kubectl unchanged.
//
// One library, js-yaml, for reading and writing: it takes a custom schema for both directions and is ~10-15x
// faster than `yaml` on large Helm output (see bench/tiltfile.bench.ts).
import * as jsyaml from 'js-yaml';
import { CORE_SCHEMA, FAILSAFE_SCHEMA, Type, YAMLException, dump, loadAll, type Schema } from 'js-yaml';
import { charge } from '../starlark';
import type { K8sObject } from './plan';

// (@types/js-yaml does not declare the exported `types` table.)
const mergeType = (jsyaml as unknown as { types: { merge: Type } }).types.merge;

const bools = new Map<string, boolean>();
for (const s of ['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']) bools.set(s, true);
for (const s of ['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']) bools.set(s, false);
const nulls = new Set(['', '~', 'null', 'Null', 'NULL']);
const specialFloats = new Map<string, number>([
  ['.nan', NaN], ['.NaN', NaN], ['.NAN', NaN],
  ['.inf', Infinity], ['.Inf', Infinity], ['.INF', Infinity], ['+.inf', Infinity], ['+.Inf', Infinity], ['+.INF', Infinity],
  ['-.inf', -Infinity], ['-.Inf', -Infinity], ['-.INF', -Infinity],
]);

// Go's strconv.ParseInt/ParseUint with base 0 (after go-yaml drops every '_'): 0x / 0o / 0b prefixes, a leading 0 is
// octal; an optional sign (ParseUint: none). Out of int64/uint64 range or a bad digit: not an int.
const goIntRe = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[1-9][0-9]*|0)$/;
// go-yaml v2's yamlStyleFloat.
const goFloatRe = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

function goInt(plain: string): number | undefined {
  const m = goIntRe.exec(plain);
  if (!m) return undefined;
  const sign = m[1]!;
  const body = m[2]!;
  let v: bigint;
  if (body.length > 1 && body[0] === '0' && /[0-7]/.test(body[1]!)) v = BigInt(`0o${body.slice(1)}`);
  else if (body.length > 1 && (body[1] === 'o' || body[1] === 'O')) v = BigInt(`0o${body.slice(2)}`);
  else v = BigInt(body.toLowerCase());
  if (sign === '-') v = -v;
  if (v > (sign === '' ? UINT64_MAX : INT64_MAX) || v < -INT64_MAX - 1n) return undefined;
  // Beyond 2^53 a JS number loses digits; a bigint would not survive JSON (apply) or structuredClone users. Such
  // integers do not occur in manifests in practice.
  return Number(v);
}

/** go-yaml v2's resolve() for a plain scalar that is neither bool nor null: an int, a float, or undefined (a string). */
export function goNumber(s: string): number | undefined {
  const c = s.charCodeAt(0);
  if (c === 46 /* . */) {
    const sf = specialFloats.get(s);
    if (sf !== undefined) return sf;
    return /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(s) ? Number(s) : undefined;
  }
  const digitOrSign = (c >= 48 && c <= 57) || c === 43 || c === 45;
  if (!digitOrSign) return undefined;
  const sf = specialFloats.get(s);
  if (sf !== undefined) return sf;
  const plain = s.includes('_') ? s.replace(/_/g, '') : s;
  const i = goInt(plain);
  if (i !== undefined) return i;
  if (!goFloatRe.test(plain)) return undefined;
  const f = Number(plain);
  // strconv.ParseFloat fails out of range (1e400): go-yaml then keeps the string.
  return Number.isFinite(f) ? f : undefined;
}

const k8sNull = new Type('tag:yaml.org,2002:null', {
  kind: 'scalar',
  resolve: (s: string) => nulls.has(s),
  construct: () => null,
  predicate: (v: unknown) => v === null,
  represent: { canonical: () => 'null' },
  defaultStyle: 'canonical',
});
const k8sBool = new Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (s: string) => bools.has(s),
  construct: (s: string) => bools.get(s),
  predicate: (v: unknown) => typeof v === 'boolean',
  represent: { lowercase: (v: object) => (v as unknown as boolean ? 'true' : 'false') },
  defaultStyle: 'lowercase',
});
// One type for ints and floats: go-yaml decides between them while resolving, and JS has one number type.
const k8sNumber = new Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (s: string) => goNumber(s) !== undefined,
  construct: (s: string) => goNumber(s),
  predicate: (v: unknown) => typeof v === 'number' || typeof v === 'bigint',
  represent: {
    decimal: (v: object) => {
      const n = v as unknown as number | bigint;
      if (typeof n === 'bigint') return n.toString();
      if (Number.isNaN(n)) return '.nan';
      if (n === Infinity) return '.inf';
      if (n === -Infinity) return '-.inf';
      return String(n);
    },
  },
  defaultStyle: 'decimal',
});
// `!!float 1` and `!!int 1` as explicit tags.
const k8sFloatTag = new Type('tag:yaml.org,2002:float', { kind: 'scalar', resolve: (s: string) => goNumber(s) !== undefined, construct: (s: string) => goNumber(s) });

/** go-yaml v2 / sigs.k8s.io/yaml resolution (what kubectl apply -f and Tilt's read_yaml use). */
export const K8S_SCHEMA: Schema = FAILSAFE_SCHEMA.extend({ implicit: [k8sNull, k8sBool, k8sNumber, mergeType], explicit: [k8sFloatTag] });
/** YAML 1.2 core rules (Docker Compose reads its files with go-yaml v3); timestamps stay strings, `<<` merges. */
export const COMPOSE_SCHEMA: Schema = CORE_SCHEMA.extend({ implicit: [mergeType] });

/** Parses a YAML stream into plain values, one per non-empty document. */
export function parseYamlStream(text: string, source: string, schema: Schema = K8S_SCHEMA): unknown[] {
  const out: unknown[] = [];
  // js-yaml parses at 50-110 ns a byte: 1 step of the Tiltfile's budget per 2 bytes (no-op outside an evaluation),
  // so a loop of decode_yaml/k8s_yaml on megabytes is bounded like any loop
  charge(text.length >>> 1);
  try {
    // json: true lets a repeated key win instead of failing, as Kubernetes' own YAML reader does.
    loadAll(text, (doc) => { if (doc !== null && doc !== undefined) out.push(doc); }, { json: true, filename: source, schema });
  } catch (e) {
    if (e instanceof YAMLException) {
      const line = e.mark ? ` (line ${e.mark.line + 1})` : '';
      throw new Error(`error parsing YAML from ${source}${line}: ${e.reason}`);
    }
    throw e;
  }
  return out;
}

/** Parses Kubernetes YAML; `kind: List` documents are expanded into their items, as kubectl does. */
export function parseK8sYaml(text: string, source: string): K8sObject[] {
  const out: K8sObject[] = [];
  const add = (v: unknown, where: string): void => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      throw new Error(`${where}: expected a Kubernetes object (a YAML mapping), got ${Array.isArray(v) ? 'a list' : typeof v}`);
    }
    const o = v as Record<string, unknown>;
    if (o.kind === 'List' || (typeof o.kind === 'string' && o.kind.endsWith('List') && Array.isArray(o.items))) {
      for (const item of (o.items as unknown[] | undefined) ?? []) add(item, where);
      return;
    }
    if (typeof o.apiVersion !== 'string' || typeof o.kind !== 'string') {
      throw new Error(`${where}: object is missing apiVersion or kind`);
    }
    const md = o.metadata as Record<string, unknown> | undefined;
    if (typeof md !== 'object' || md === null || (typeof md.name !== 'string' && typeof md.generateName !== 'string')) {
      throw new Error(`${where}: ${o.kind} is missing metadata.name`);
    }
    if (typeof md.name !== 'string') md.name = md.generateName;
    out.push(o as unknown as K8sObject);
  };
  for (const doc of parseYamlStream(text, source)) add(doc, `error parsing YAML from ${source}`);
  return out;
}

/**
 * One YAML document, written so kubectl reads back exactly `value`. `sortKeys` as Tilt's encode_yaml (which goes
 * through JSON, so keys come out sorted); sequences at their key's indentation, as kubectl prints them.
 */
export function toYaml(value: unknown, opts: { sortKeys?: boolean } = {}): string {
  const out = dump(value, { schema: K8S_SCHEMA, lineWidth: -1, noRefs: true, noArrayIndent: true, sortKeys: opts.sortKeys ?? false });
  charge(out.length >>> 2); // about 45 ns a byte
  return out;
}

export function serializeYaml(objs: unknown[]): string {
  return objs.map((o) => toYaml(o)).join('---\n');
}
