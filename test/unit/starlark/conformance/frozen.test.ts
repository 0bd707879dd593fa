// Frozen values (loaded ones are frozen): the frozen error comes before any other check, as in starlark-go.
import { conformance } from './cases';

conformance('frozen', [
  ['load("frozen.star", "s")\ns.remove(99)', '!cannot delete from frozen hash table'],
  ['load("frozen.star", "s")\ns.remove(1)', '!cannot delete from frozen hash table'],
  ['load("frozen.star", "s")\ns.discard(99)', 'None'],
  ['load("frozen.star", "s")\ns.discard(1)', '!cannot delete from frozen hash table'],
  ['load("frozen.star", "s")\ns.add(1)', '!cannot insert into frozen hash table'],
  ['load("frozen.star", "s")\ns.clear()', '!cannot clear frozen hash table'],
  ['load("frozen.star", "d")\nd.pop("zz")', '!cannot delete from frozen hash table'],
  ['load("frozen.star", "d")\nd["a"] = 2\nd', '!cannot insert into frozen hash table'],
  ['load("frozen.star", "l")\nl.append(2)', '!frozen'],
  ['s = set([1])\ns.remove(99)', '!missing key'],
]);
