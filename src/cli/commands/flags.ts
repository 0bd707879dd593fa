// Flag parsing for every command: node:util parseArgs (strict), with `--` splitting off Tiltfile args and
// durations ("30s", "5m") parsed where a time is taken. Usage errors become CliError(exit 2).
import { parseArgs } from 'node:util';
import { parseDuration } from '../duration';
import { CliError, EXIT_USAGE } from './types';

export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

export interface Parsed {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
  /** Everything after `--`. */
  rest: string[];
}

export function parseFlags(argv: string[], options: OptionSpec, opts: { positionals?: boolean } = {}): Parsed {
  const dd = argv.indexOf('--');
  const head = dd < 0 ? argv : argv.slice(0, dd);
  const rest = dd < 0 ? [] : argv.slice(dd + 1);
  try {
    const r = parseArgs({ args: head, options, allowPositionals: opts.positionals ?? true, strict: true });
    return { values: r.values as Parsed['values'], positionals: r.positionals, rest };
  } catch (e) {
    // parseArgs' messages carry a long second sentence about `--`; the first says what is wrong.
    const msg = e instanceof Error ? e.message.split('. ')[0]!.replace(/\.$/, '') : String(e);
    throw new CliError(msg, EXIT_USAGE);
  }
}

export const str = (p: Parsed, name: string): string | undefined => {
  const v = p.values[name];
  return typeof v === 'string' ? v : undefined;
};

export const bool = (p: Parsed, name: string): boolean => p.values[name] === true;

/** A duration flag in milliseconds, or undefined when absent. */
export function durationFlag(p: Parsed, name: string): number | undefined {
  const v = str(p, name);
  if (v === undefined) return undefined;
  try {
    return parseDuration(v);
  } catch (e) {
    throw new CliError(`--${name}: ${e instanceof Error ? e.message : String(e)}`, EXIT_USAGE);
  }
}

/** A flag restricted to a few values. */
export function oneOf<T extends string>(p: Parsed, name: string, allowed: readonly T[]): T | undefined {
  const v = str(p, name);
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) throw new CliError(`--${name} must be one of ${allowed.join(', ')} (got ${JSON.stringify(v)})`, EXIT_USAGE);
  return v as T;
}
