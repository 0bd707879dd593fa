// Test helpers: run Starlark snippets with an `assert` module, like starlark-go's testdata scripts.
import assert from 'node:assert/strict';
import {
  Builtin,
  StarlarkError,
  Struct,
  call,
  execFile,
  repr,
  structBuiltin,
  type ExecOptions,
  type Value,
} from '../../../src/starlark/index';
import { equals } from '../../../src/starlark/ops';

function eqBuiltin(name: string, want: boolean): Builtin {
  return new Builtin(name, (c) => {
    const [a, b] = c.args;
    const same = equals(a, b);
    if (same !== want) throw new Error(`${repr(a)} ${want ? '!=' : '=='} ${repr(b)}`);
    return null;
  });
}

/** `assert.eq(a, b)`, `assert.ne`, `assert.true(x)`, `assert.fails(fn, substring)`. */
export const assertModule = new Struct({
  eq: eqBuiltin('assert.eq', true),
  ne: eqBuiltin('assert.ne', false),
  true: new Builtin('assert.true', (c) => {
    if (!c.args[0]) throw new Error(`assertion failed: ${c.args[1] ?? ''}`);
    return null;
  }),
  fails: new Builtin('assert.fails', (c) => {
    const [fn, want] = c.args;
    try {
      call(c.thread, fn);
    } catch (err) {
      const msg = err instanceof StarlarkError ? err.shortMessage : String(err);
      if (typeof want === 'string' && !msg.includes(want)) throw new Error(`error "${msg}" does not contain "${want}"`);
      return null;
    }
    throw new Error(`evaluation succeeded unexpectedly (want error containing "${String(want)}")`);
  }),
});

export interface RunResult {
  globals: Map<string, Value>;
  output: string[];
}

/** Runs a snippet with `assert` and `struct` predeclared; returns globals and printed lines. */
export function run(source: string, extra: Partial<ExecOptions> = {}): RunResult {
  const output: string[] = [];
  const { globals } = execFile({
    filename: 'test.star',
    source,
    print: (m) => output.push(m),
    ...extra,
    predeclared: { assert: assertModule, struct: structBuiltin, ...(extra.predeclared ?? {}) },
  });
  return { globals, output };
}

/** Runs and rethrows Starlark errors with their backtrace (clearer test failures). */
export function ok(source: string, extra: Partial<ExecOptions> = {}): RunResult {
  try {
    return run(source, extra);
  } catch (err) {
    if (err instanceof StarlarkError) assert.fail(err.backtrace());
    throw err;
  }
}

/** Runs a snippet that must fail; returns the StarlarkError. */
export function fails(source: string, extra: Partial<ExecOptions> = {}): StarlarkError {
  try {
    run(source, extra);
  } catch (err) {
    if (err instanceof StarlarkError) return err;
    throw err;
  }
  return assert.fail(`expected an error from:\n${source}`);
}

/** Evaluates one expression and returns repr() of the result. */
export function evalRepr(expr: string): string {
  return repr(ok(`__r = ${expr}\n`).globals.get('__r')!);
}
