// Built-in versions of the popular tilt-extensions, written natively so `load('ext://...')` works offline.
import type { Value } from '../../starlark';
import type { TiltfileState } from '../state';
import { dotenvExtension } from './dotenv';
import { helmResourceExtension } from './helmResource';
import { namespaceExtension } from './namespace';
import { restartProcessExtension } from './restartProcess';
import { secretExtension } from './secret';
import { uibuttonExtension } from './uibutton';
import type { Builtins } from './types';

const builtIn: Record<string, (s: TiltfileState, b: Builtins) => Record<string, Value>> = {
  restart_process: restartProcessExtension,
  namespace: namespaceExtension,
  dotenv: dotenvExtension,
  uibutton: uibuttonExtension,
  helm_resource: helmResourceExtension,
  secret: secretExtension,
};

export const builtInExtensionNames = Object.keys(builtIn).sort();

export function builtInExtension(name: string, s: TiltfileState, b: Builtins): Record<string, Value> | undefined {
  const f = builtIn[name];
  return f ? f(s, b) : undefined;
}
