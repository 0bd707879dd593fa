// Argument strictness and Unicode case mapping, as starlark-go.
import { conformance } from './cases';

conformance('strictness', [
  ["''.splitlines(1)", '!got int, want bool'],
  ['"a\\nb".splitlines(True)', '["a\\n", "b"]'],
  ['" foo ".strip("")', '" foo "'],
  ['"ǉubović".title()', '"ǈubović"'],
  ['"hello world".title()', '"Hello World"'],
  ['"straße".title()', '"Straße"'],
  ['sorted([3, 1, 2], key = None)', '[1, 2, 3]'],
  ['"A" % {"unused": 1}', '!too many arguments for format string'],
]);
