// Syntax errors in starlark-go's words: after an argument or parameter, anything but ')' is a missing comma.
import { conformance } from './cases';

conformance('syntax', [
  ["f = len\nf('a', 'b'\nf('x')", "!got identifier, want ','"],
  ['f = len\nf(1\n2)\n1', "!got int literal, want ','"],
  ['def f(a b):\n  pass\n1', "!got identifier, want ','"],
  ['lambda a b: 1', "!got identifier, want ','"],
  ['len("a",)', '1'],
  ['def f(a, b,):\n  return a + b\nf(1, 2,)', '3'],
  ['x = [1\n2]\n1', "!got int literal, want ']'"],
]);
