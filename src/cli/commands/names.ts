import type { EngineSnapshot } from '../../shared/state';
import { CliError } from './types';

/** The names, all of them resources of the snapshot; otherwise one error naming the unknown ones. */
export function checkNames(s: EngineSnapshot, names: readonly string[]): string[] {
  const missing = names.filter((n) => !s.resources[n]);
  if (missing.length) throw new CliError(`no resource named ${missing.map((m) => JSON.stringify(m)).join(', ')} (resources: ${s.order.join(', ') || 'none'})`);
  return [...names];
}
