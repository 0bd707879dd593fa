// dict and set: in-place |=, set ordering by inclusion, frozen errors.
import { conformance } from './cases';

conformance('collections', [
  ['d = {"a": 1}\ne = d\nd |= {"b": 2}\ne', '{"a": 1, "b": 2}'],
  ['d = {"a": 1}\nd | {"a": 2, "c": 3}', '{"a": 2, "c": 3}'],
  ['set([1]) < set([1, 2])', 'True'],
  ['set([1, 2]) < set([1, 2])', 'False'],
  ['set([1, 2]) <= set([1, 2])', 'True'],
  ['set([1, 3]) <= set([1, 2])', 'False'],
  ['set([1, 2]) > set([1])', 'True'],
  ['set([1, 2]) >= set([2])', 'True'],
  ['set([1]) >= set([2])', 'False'],
  ['[1] in [[1]]', 'True'],
  ['{"a": 1}.get([1])', '!unhashable type: list'],
  ['[1] in {"a": 1}', '!unhashable type: list'],
]);

conformance('membership', [
  ['2.0 in range(3)', 'True'],
  ['2.5 in range(3)', 'False'],
  ['3 in range(3)', 'False'],
  ['True in range(3)', "!'in <range>' requires integer"],
  ['"a" in range(3)', "!'in <range>' requires integer"],
]);
