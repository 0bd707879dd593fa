// Cyclic and deep values: starlark-go's "[...]"/"{...}" in repr and its comparison depth limit.
import { conformance } from './cases';

conformance('cycles', [
  ['x = []\nx.append(x)\nstr(x)', '"[[...]]"'],
  ['d = {}\nd["a"] = d\nstr(d)', '"{\\"a\\": {...}}"'],
  ['x = []\nx.append(x)\nx == x', '!comparison exceeded maximum recursion depth'],
  ['x = []\nx.append(x)\ny = []\ny.append(y)\nx == y', '!comparison exceeded maximum recursion depth'],
  ['x = []\nx.append(x)\nx < x', '!comparison exceeded maximum recursion depth'],
  ['x = [[[[[[[[[1]]]]]]]]]\nx == [[[[[[[[[1]]]]]]]]]', 'True'],
  ['x = [[[[[[[[[[1]]]]]]]]]]\nx == [[[[[[[[[[1]]]]]]]]]]', '!comparison exceeded maximum recursion depth'],
  ['x = ()\nfor i in range(2000):\n  x = (x,)\nlen(repr(x))', '6002'],
]);
