// Conformance cases written from the Starlark spec and starlark-go's documented behaviour: each case is a small
// program whose last line is an expression; the expected value is its repr, or `!` + text the error must contain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StarlarkError, execFile, repr, structBuiltin, type Value } from '../../../../src/starlark/index';

export type Case = [program: string, expected: string];

/** Modules a case may load(); what they export is frozen, which is how a case gets a frozen value. */
const MODULES: Record<string, string> = {
  'frozen.star': 's = set([1, 2])\nd = {"a": 1}\nl = [1]\n',
  'lib.star': 'def helper():\n  return 1\nvalue = 2\n_private = 3\n',
};

function load(module: string): Record<string, Value> {
  const source = MODULES[module];
  if (source === undefined) throw new Error(`no module ${module}`);
  return Object.fromEntries(execFile({ filename: module, source, predeclared: {} }).globals);
}

function evaluate(program: string): string {
  const lines = program.trimEnd().split('\n');
  const last = lines.pop()!;
  const source = [...lines, `__result__ = ${last}`].join('\n') + '\n';
  try {
    const { globals } = execFile({ filename: 'case.star', source, predeclared: { struct: structBuiltin }, maxSteps: 10_000_000, load });
    return repr(globals.get('__result__')!);
  } catch (e) {
    if (e instanceof StarlarkError) return '!' + e.shortMessage;
    throw e;
  }
}

/** One test per case, named by its program, so a failure shows exactly which rule broke. */
export function conformance(area: string, cases: Case[]): void {
  for (const [program, expected] of cases) {
    test(`${area}: ${program.replace(/\n/g, '; ')}`, () => {
      const got = evaluate(program);
      if (expected.startsWith('!')) {
        assert.ok(got.startsWith('!'), `expected an error containing ${JSON.stringify(expected.slice(1))}, got ${got}`);
        assert.ok(got.includes(expected.slice(1)), `error ${JSON.stringify(got.slice(1))} does not contain ${JSON.stringify(expected.slice(1))}`);
      } else assert.equal(got, expected);
    });
  }
}
