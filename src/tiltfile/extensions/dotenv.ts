// ext://dotenv: dotenv(fn='.env', showValues=False) loads KEY=VALUE lines into the environment.
import { Builtin, type Value } from '../../starlark';
import { bool, str, unpack } from '../args';
import { parseEnvFile } from '../compose';
import type { TiltfileState } from '../state';
import type { Builtins } from './types';

export function dotenvExtension(s: TiltfileState, _b: Builtins): Record<string, Value> {
  return {
    dotenv: new Builtin('dotenv', (call) => {
      const a = unpack(call, ['fn?', 'showValues?']);
      const file = s.resolve(str(a.fn, 'fn', '.env'));
      const vars = parseEnvFile(s.readFile(file));
      const show = bool(a.showValues, 'showValues');
      for (const [k, v] of Object.entries(vars)) {
        s.env[k] = v;
        if (show) s.output.push(`dotenv: ${k}=${v}`);
      }
      return null;
    }),
  };
}
