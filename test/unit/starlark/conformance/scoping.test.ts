// Comprehension scoping (spec "Comprehensions"): every clause's variables are local to the comprehension block,
// and only the first clause's iterable is resolved outside it.
import { conformance } from './cases';

conformance('scoping', [
  ['x = [1]\n[x for x in x]', '[1]'],
  ['x = [[1], [2]]\n[x for x in x for x in x]', '[1, 2]'],
  ['[x for _ in [3] for x in x]', '!local variable x referenced before assignment'],
  ['def f():\n  return [x for _ in [3] for x in x]\nf()', '!local variable x referenced before assignment'],
  ['x = 1\n[y for _ in [1] if x for x in [2] for y in [x]]', '!local variable x referenced before assignment'],
  ['[(a, b) for a in [1, 2] for b in [a, a * 10] if b > 1]', '[(1, 10), (2, 2), (2, 20)]'],
  ['{k: v for k, v in [(1, 2)]}', '{1: 2}'],
]);
