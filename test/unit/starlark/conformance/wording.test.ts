// Error wording users paste into searches: starlark-go's texts for non-iterables, argument binding, load and
// repetition, with its did-you-mean hints.
import { conformance } from './cases';

conformance('wording', [
  ['list(1)', '!got int, want iterable'],
  ['tuple(None)', '!got NoneType, want iterable'],
  ['sorted(1)', '!got int, want iterable'],
  ['set(1)', '!got int, want iterable'],
  ['dict(1)', '!got int, want iterable'],
  ['any(1)', '!got int, want iterable'],
  ['enumerate(1)', '!got int, want iterable'],
  ['[].extend(1)', '!got int, want iterable'],
  ['",".join(1)', '!got int, want iterable'],
  // loops keep the interpreter's wording
  ['[x for x in 1]', '!int value is not iterable'],
  ['def f(x): return x\nf(1, x=2)', '!function f got multiple values for parameter "x"'],
  ['def f(**kw): return kw\nf(a=1, **{"a": 2})', '!multiple values'],
  ['def f(name, image): return name\nf(name="a", imgae="b")', '!function f got an unexpected keyword argument imgae (did you mean image?)'],
  ['def f(name): return name\nf(zzzzzz=1)', '!function f got an unexpected keyword argument zzzzzz'],
  ['"a".split(sepp=",")', '!unexpected keyword'],
  ['load("lib.star", "helpr")\n1', '!load: name helpr not found in module lib.star (did you mean helper?)'],
  ['load("lib.star", "nothing_like_it")\n1', '!load: name nothing_like_it not found in module lib.star'],
  ["'a' * (1 << 40)", '!repeat count 1099511627776 too large'],
  ['[1] * (1 << 40)', '!repeat count 1099511627776 too large'],
  ['(1,) * (1 << 31)', '!repeat count 2147483648 too large'],
  ["'' * (1 << 40)", '""'],
  ["'ab' * (1 << 30)", '!excessive repeat'],
]);
