// ext://uibutton: cmd_button, text_input, bool_input, choice_input, location.
import { Builtin, HostObject, Struct, type Value } from '../../starlark';
import { absent, bool, command, seq, str, strList, unpack, wrongType } from '../args';
import type { UIButton } from '../plan';
import type { TiltfileState } from '../state';
import type { Builtins } from './types';

type Input = UIButton['inputs'][number];

class InputValue extends HostObject {
  readonly typeName = 'ui_input';
  constructor(readonly input: Input) { super(); }
}

export function uibuttonExtension(s: TiltfileState, _b: Builtins): Record<string, Value> {
  return {
    location: new Struct({ RESOURCE: 'resource', NAV: 'nav' }),
    cmd_button: new Builtin('cmd_button', (call) => {
      const a = unpack(call, ['name', 'resource?', 'argv?', 'text?', 'location?', 'icon_name?', 'icon_svg?', 'inputs?', 'requires_confirmation?', 'env?', 'dir?']);
      const name = str(a.name, 'name');
      if (!name) throw new Error('cmd_button: name must not be empty');
      const resource = str(a.resource, 'resource') || undefined;
      const location = str(a.location, 'location', resource ? 'resource' : 'nav');
      if (location !== 'resource' && location !== 'nav') throw new Error(`location must be location.RESOURCE or location.NAV; got ${JSON.stringify(location)}`);
      if (location === 'resource' && !resource) throw new Error('cmd_button: location.RESOURCE needs a resource');
      const argv = command(a.argv, 'argv');
      if (argv.command.length === 0) throw new Error('cmd_button: argv must not be empty');
      const env: Record<string, string> = {};
      for (const e of strList(a.env, 'env')) {
        const i = e.indexOf('=');
        if (i <= 0) throw new Error(`env entries must look like KEY=VALUE; got ${JSON.stringify(e)}`);
        env[e.slice(0, i)] = e.slice(i + 1);
      }
      const inputs = seq(a.inputs).map((x) => {
        if (!(x instanceof InputValue)) throw wrongType('inputs', x, 'text_input, bool_input or choice_input');
        return x.input;
      });
      if (s.buttons.some((btn) => btn.name === name)) throw new Error(`cmd_button named ${JSON.stringify(name)} already exists`);
      s.buttons.push({
        name, resource, location, text: str(a.text, 'text') || name, icon: str(a.icon_name, 'icon_name') || undefined,
        command: argv.command, shell: argv.shell, dir: absent(a.dir) ? s.dir() : s.resolve(str(a.dir, 'dir')), env,
        requiresConfirmation: bool(a.requires_confirmation, 'requires_confirmation'), inputs,
      });
      return null;
    }),
    text_input: new Builtin('text_input', (call) => {
      const a = unpack(call, ['name', 'label?', 'default?', 'placeholder?']);
      return new InputValue({ name: str(a.name, 'name'), label: str(a.label, 'label') || undefined, type: 'text', default: str(a.default, 'default') });
    }),
    bool_input: new Builtin('bool_input', (call) => {
      const a = unpack(call, ['name', 'label?', 'default?', 'true_string?', 'false_string?']);
      return new InputValue({ name: str(a.name, 'name'), label: str(a.label, 'label') || undefined, type: 'bool', default: bool(a.default, 'default') });
    }),
    choice_input: new Builtin('choice_input', (call) => {
      const a = unpack(call, ['name', 'label?', 'choices?']);
      const choices = strList(a.choices, 'choices');
      if (choices.length === 0) throw new Error('choice_input: choices must not be empty');
      return new InputValue({ name: str(a.name, 'name'), label: str(a.label, 'label') || undefined, type: 'choice', choices, default: choices[0] });
    }),
  };
}
