import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evalRepr, fails, ok } from './helpers';

test('int: arbitrary precision, floor division/modulo, bit ops, canonical form', () => {
  ok(`
big = 1 << 100
assert.eq(big, 1267650600228229401496703205376)
assert.eq(big - big + 1, 1)
assert.eq(9007199254740991 + 1, 9007199254740992)
assert.eq(9007199254740992 * 9007199254740992, 81129638414606681695789005144064)
assert.eq(-7 // 2, -4)
assert.eq(7 // -2, -4)
assert.eq(-7 % 3, 2)
assert.eq(7 % -3, -2)
assert.eq(big // 3, 422550200076076467165567735125)
assert.eq(big % 7, 2)
assert.eq(-big // 7, -181092942889747057356671886483)
assert.eq(0x0F | 0xF0, 255)
assert.eq(6 & 3, 2)
assert.eq(6 ^ 3, 5)
assert.eq(1 << 3, 8)
assert.eq(-16 >> 2, -4)
assert.eq(~big, -big - 1)
assert.eq(abs(-big), big)
assert.eq(int("  -42 "), -42)
assert.eq(int("0x1f", 16), 31)
assert.eq(int("0b101", 0), 5)
assert.eq(int("zz", 36), 1295)
assert.eq(int(3.9), 3)
assert.eq(int(-3.9), -3)
assert.eq(int(True), 1)
assert.eq(int("123456789012345678901234567890"), 123456789012345678901234567890)
assert.eq(str(-big), "-1267650600228229401496703205376")
assert.eq(hash("1") == hash("1"), True)
`);
  assert.match(fails('1 // 0').shortMessage, /floored division by zero/);
  assert.match(fails('1 % 0').shortMessage, /integer modulo by zero/);
  assert.match(fails('1 << -1').shortMessage, /negative shift count/);
  assert.match(fails('int("abc")').shortMessage, /invalid literal for int\(\) with base 10: "abc"/);
});

test('float: arithmetic, formatting, int/float comparisons', () => {
  ok(`
assert.eq(3 / 2, 1.5)
assert.eq(4 / 2, 2.0)
assert.eq(type(4 / 2), "float")
assert.eq(7.0 // 2, 3.0)
assert.eq(-7.5 % 2, 0.5)
assert.eq(1 == 1.0, True)
assert.eq(1 < 1.5, True)
assert.eq(str(1.0), "1.0")
assert.eq(str(1e6), "1e+06")
assert.eq(str(123456.0), "123456.0")
assert.eq(str(0.1 + 0.2), "0.30000000000000004")
assert.eq(str(1e-5), "1e-05")
assert.eq(str(-0.0), "-0.0")
assert.eq(str(float("inf")), "+inf")
assert.eq(str(float("-inf")), "-inf")
assert.eq(str(float("nan")), "nan")
assert.eq(float("1.5e3"), 1500.0)
assert.eq(float(3), 3.0)
assert.eq(int(1e20), 100000000000000000000)
assert.eq({1: "a"}[1.0], "a")
assert.eq(2 * 1.5, 3.0)
assert.eq(float("nan") == float("nan"), True)
`);
  assert.match(fails('1.0 / 0').shortMessage, /floating-point division by zero/);
  assert.match(fails('int(float("inf"))').shortMessage, /cannot convert float \+inf to integer/);
});

test('bool and None', () => {
  ok(`
assert.eq(bool(0), False)
assert.eq(bool([]), False)
assert.eq(bool({}), False)
assert.eq(bool(""), False)
assert.eq(bool(None), False)
assert.eq(bool(0.0), False)
assert.eq(bool("x"), True)
assert.eq(True + 0 if False else 1, 1)
assert.eq(str(None), "None")
assert.eq(False < True, True)
assert.eq(type(None), "NoneType")
`);
  assert.match(fails('x = True + 1').shortMessage, /unknown binary op: bool \+ int/);
  assert.match(fails('x = None < None').shortMessage, /NoneType < NoneType not implemented/);
});

test('string methods', () => {
  ok(String.raw`
assert.eq("hello".capitalize(), "Hello")
assert.eq("banana".count("a"), 3)
assert.eq("banana".count("a", 2), 2)
assert.eq(list("abc".elems()), ["a", "b", "c"])
assert.eq("abc".endswith("bc"), True)
assert.eq("abc".endswith(("x", "c")), True)
assert.eq("abc".startswith("ab"), True)
assert.eq("banana".find("na"), 2)
assert.eq("banana".rfind("na"), 4)
assert.eq("banana".find("x"), -1)
assert.eq("banana".index("n"), 2)
assert.eq("banana".rindex("n"), 4)
assert.eq("abc123".isalnum(), True)
assert.eq("abc".isalpha(), True)
assert.eq("123".isdigit(), True)
assert.eq("abc".islower(), True)
assert.eq("ABC".isupper(), True)
assert.eq(" \t".isspace(), True)
assert.eq("Hello World".istitle(), True)
assert.eq("-".join(["a", "b", "c"]), "a-b-c")
assert.eq("ABC".lower(), "abc")
assert.eq("abc".upper(), "ABC")
assert.eq("  x  ".strip(), "x")
assert.eq("  x  ".lstrip(), "x  ")
assert.eq("  x  ".rstrip(), "  x")
assert.eq("xxaxx".strip("x"), "a")
assert.eq("a=b=c".partition("="), ("a", "=", "b=c"))
assert.eq("a=b=c".rpartition("="), ("a=b", "=", "c"))
assert.eq("abc".partition("x"), ("abc", "", ""))
assert.eq("prefix_x".removeprefix("prefix_"), "x")
assert.eq("x.star".removesuffix(".star"), "x")
assert.eq("aaa".replace("a", "b"), "bbb")
assert.eq("aaa".replace("a", "b", 2), "bba")
assert.eq("a b  c".split(), ["a", "b", "c"])
assert.eq("a,b,,c".split(","), ["a", "b", "", "c"])
assert.eq("a,b,c".split(",", 1), ["a", "b,c"])
assert.eq("a,b,c".rsplit(",", 1), ["a,b", "c"])
assert.eq("  a b c  ".split(None, 1), ["a", "b c  "])
assert.eq("  a b c  ".rsplit(None, 1), ["  a b", "c"])
assert.eq("a\nb\r\nc".splitlines(), ["a", "b", "c"])
assert.eq("a\nb\n".splitlines(True), ["a\n", "b\n"])
assert.eq("hello world".title(), "Hello World")
assert.eq(list("abc".codepoints()), ["a", "b", "c"])
assert.eq(list("ab".elem_ords()), [97, 98])
assert.eq(list("ab".codepoint_ords()), [97, 98])
assert.eq("x" * 3, "xxx")
assert.eq(3 * "ab", "ababab")
assert.eq("ab" < "b", True)
assert.eq("ell" in "hello", True)
assert.eq(len("héllo"), 6)
assert.eq("héllo"[0:3], "hé")
assert.eq("hello"[-1], "o")
assert.eq("hello"[1:-1], "ell")
assert.eq("hello"[::-1], "olleh")
assert.eq("hello"[::2], "hlo")
`);
  assert.match(fails('"abc".index("x")').shortMessage, /Error in index: substring not found/);
  assert.match(fails('"a".split("")').shortMessage, /empty separator/);
  assert.match(fails('",".join([1])').shortMessage, /join: in list, want string, got int/);
  assert.match(fails('1 in "abc"').shortMessage, /'in <string>' requires string as left operand, not int/);
  assert.match(fails('for c in "abc": pass').shortMessage, /string value is not iterable/);
  assert.match(fails('"abc"[5]').shortMessage, /string index 5 out of range \[-3:2\]/);
});

test('% formatting and str.format', () => {
  ok(`
assert.eq("%s-%d-%r" % ("a", 42, "q"), 'a-42-"q"')
assert.eq("%s" % 1, "1")
assert.eq("%s" % (1,), "1")
assert.eq("%d%%" % 50, "50%")
assert.eq("%x %X %o" % (255, 255, 8), "ff FF 10")
assert.eq("%(name)s is %(age)d" % {"name": "bob", "age": 3}, "bob is 3")
assert.eq("%f" % 1.5, "1.500000")
assert.eq("%e" % 1234.5, "1.234500e+03")
assert.eq("%g" % 1.5, "1.5")
assert.eq("%c%c" % (72, "i"), "Hi")
assert.eq("%s" % [1, "a"], '[1, "a"]')
assert.eq("{} {}".format(1, "a"), "1 a")
assert.eq("{1} {0}".format(1, 2), "2 1")
assert.eq("{x}-{y}".format(x = 1, y = [2]), "1-[2]")
assert.eq("{!r}".format("a"), '"a"')
assert.eq("{{}} {}".format(1), "{} 1")
`);
  assert.match(fails('"%s %s" % (1,)').shortMessage, /not enough arguments for format string/);
  assert.match(fails('"%s" % (1, 2)').shortMessage, /too many arguments for format string/);
  assert.match(fails('"%z" % 1').shortMessage, /unknown conversion %z/);
  assert.match(fails('"{} {0}".format(1, 2)').shortMessage, /cannot switch from automatic field numbering to manual/);
  assert.match(fails('"{}".format()').shortMessage, /tuple index out of range/);
  assert.match(fails('"{x}".format()').shortMessage, /keyword x not found/);
});

test('repr of all types', () => {
  assert.equal(evalRepr('[None, True, 1, 1.5, "a\\"b\\n", (1,), (), {"k": [1]}, set([1]), b"\\x00a"]'),
    '[None, True, 1, 1.5, "a\\"b\\n", (1,), (), {"k": [1]}, set([1]), b"\\x00a"]');
  assert.equal(evalRepr('struct(b = 1, a = "x")'), 'struct(a = "x", b = 1)');
  assert.equal(evalRepr('len'), '<built-in function len>');
  assert.equal(evalRepr('[].append'), '<built-in method append of list value>');
  assert.equal(evalRepr('range(3)'), 'range(3)');
  assert.equal(evalRepr('range(1, 10, 2)'), 'range(1, 10, 2)');
  ok('def f(): pass\nassert.eq(str(f), "<function f>")\nl = [1]\nl.append(l)\nassert.eq(str(l), "[1, [...]]")\n');
});

test('bytes', () => {
  ok(String.raw`
b = b"abc"
assert.eq(len(b), 3)
assert.eq(b[0], b"a")
assert.eq(b[1:], b"bc")
assert.eq(b + b"d", b"abcd")
assert.eq(list(b.elems()), [97, 98, 99])
assert.eq(type(b.elems()), "bytes.elems")
assert.eq(repr(b"hello, 世界"), 'b"hello, 世界"')
assert.eq(bytes("é"), b"\xc3\xa9")
assert.eq(bytes([65, 66]), b"AB")
assert.eq(str(b"hi"), "hi")
assert.eq(type(b), "bytes")
assert.eq(b"b" in b, True)
assert.eq(98 in b, True)
assert.eq(b * 2, b"abcabc")
assert.eq({b"k": 1}[b"k"], 1)
`);
});

test('list methods, slicing and operators', () => {
  ok(`
l = [3, 1, 2]
l.append(4)
assert.eq(l, [3, 1, 2, 4])
l.extend((5, 6))
assert.eq(len(l), 6)
l.insert(0, 0)
l.insert(-1, 9)
assert.eq(l, [0, 3, 1, 2, 4, 5, 9, 6])
assert.eq(l.pop(), 6)
assert.eq(l.pop(0), 0)
l.remove(9)
assert.eq(l, [3, 1, 2, 4, 5])
assert.eq(l.index(2), 2)
assert.eq(l[1:3], [1, 2])
assert.eq(l[::-2], [5, 2, 3])
assert.eq(l[-2:], [4, 5])
assert.eq(l[10:], [])
assert.eq(l[:-10], [])
l[0] = 7
assert.eq(l[0], 7)
l.clear()
assert.eq(l, [])
assert.eq([1, 2] + [3], [1, 2, 3])
assert.eq([0] * 3, [0, 0, 0])
assert.eq([1, 2] < [1, 3], True)
assert.eq([1, 2] < [1, 2, 0], True)
assert.eq([1, [2]] == [1, [2]], True)
m = [1]
m += [2]
m += (3,)
assert.eq(m, [1, 2, 3])
a = [1]
b = a
a += [2]
assert.eq(b, [1, 2])
assert.eq(sorted([3, 1, 2]), [1, 2, 3])
assert.eq(sorted(["b", "A", "c"], key = lambda s: s.lower()), ["A", "b", "c"])
assert.eq(sorted([1, 2, 3], reverse = True), [3, 2, 1])
assert.eq(reversed([1, 2, 3]), [3, 2, 1])
`);
  assert.match(fails('[1][2]').shortMessage, /list index 2 out of range \[-1:0\]/);
  assert.match(fails('[][0]').shortMessage, /index 0 out of range: empty list/);
  assert.match(fails('[1].remove(2)').shortMessage, /Error in remove: element not found/);
  assert.match(fails('[1].index(2)').shortMessage, /Error in index: value not in list/);
  assert.match(fails('[].pop()').shortMessage, /Error in pop: index -1 out of range: empty list/);
  assert.match(fails('[1, 2][::0]').shortMessage, /zero is not a valid slice step/);
  assert.match(fails('sorted([1, "a"])').shortMessage, /string < int not implemented|int < string not implemented/);
});

test('tuple', () => {
  ok(`
t = (1, 2, 3)
assert.eq(t[0], 1)
assert.eq(t[1:], (2, 3))
assert.eq(t + (4,), (1, 2, 3, 4))
assert.eq(t * 2, (1, 2, 3, 1, 2, 3))
assert.eq(len(t), 3)
assert.eq((1, 2) < (1, 3), True)
assert.eq({(1, 2): "x"}[(1, 2)], "x")
a, (b, c) = 1, (2, 3)
assert.eq([a, b, c], [1, 2, 3])
[d, e] = [4, 5]
assert.eq(d + e, 9)
`);
  assert.match(fails('t = (1,)\nt[0] = 2').shortMessage, /tuple value does not support item assignment/);
  assert.match(fails('a, b = 1').shortMessage, /got int in sequence assignment/);
  assert.match(fails('a, b = [1]').shortMessage, /too few values to unpack \(got 1, want 2\)/);
  assert.match(fails('x = {[1, 2]: 3}').shortMessage, /unhashable type: list/);
});

test('dict: insertion order, methods, errors', () => {
  ok(`
d = {"b": 1, "a": 2}
d["c"] = 3
assert.eq(d.keys(), ["b", "a", "c"])
assert.eq(d.values(), [1, 2, 3])
assert.eq(d.items(), [("b", 1), ("a", 2), ("c", 3)])
d["b"] = 10
assert.eq(d.keys(), ["b", "a", "c"])
assert.eq(d.get("a"), 2)
assert.eq(d.get("z"), None)
assert.eq(d.get("z", 0), 0)
assert.eq(d.pop("a"), 2)
assert.eq(d.pop("z", "dflt"), "dflt")
assert.eq(d.setdefault("n", []), [])
d.update({"x": 1}, y = 2)
d.update([("w", 0)])
assert.eq(len(d), 6)
assert.eq("x" in d, True)
assert.eq(d.popitem(), ("b", 10))
d.clear()
assert.eq(d, {})
assert.eq(dict(a = 1, b = 2), {"b": 2, "a": 1})
assert.eq(dict([("a", 1)], b = 2), {"a": 1, "b": 2})
assert.eq({"a": 1} | {"b": 2}, {"a": 1, "b": 2})
assert.eq([k for k in {"x": 1, "y": 2}], ["x", "y"])
assert.eq({1: 2, True: 3, "1": 4}[True], 3)
e = {}
e[(1, "a")] = 1
assert.eq(e[(1, "a")], 1)
`);
  assert.match(fails('d = {}\nd["k"]').shortMessage, /key "k" not in dict/);
  assert.match(fails('{"a": 1, "a": 2}').shortMessage, /duplicate key: "a"/);
  assert.match(fails('{}.pop("x")').shortMessage, /Error in pop: missing key/);
  assert.match(fails('{}.popitem()').shortMessage, /empty dict/);
  assert.match(fails('d = {}\nd[[1]] = 2').shortMessage, /unhashable type: list/);
  assert.match(fails('d = {"a": 1}\nfor k in d:\n  d["b"] = 2').shortMessage, /cannot insert into hash table during iteration/);
});

test('set', () => {
  ok(`
s = set([1, 2, 2, 3])
assert.eq(len(s), 3)
assert.eq(2 in s, True)
s.add(4)
s.discard(1)
s.remove(2)
assert.eq(sorted(list(s)), [3, 4])
assert.eq(set([1, 2]) | set([2, 3]), set([1, 2, 3]))
assert.eq(set([1, 2]) & set([2, 3]), set([2]))
assert.eq(set([1, 2]) - set([2, 3]), set([1]))
assert.eq(set([1, 2]) ^ set([2, 3]), set([1, 3]))
assert.eq(set([1]).union([2], [3]), set([1, 2, 3]))
assert.eq(set([1, 2]).intersection([2]), set([2]))
assert.eq(set([1, 2]).difference([2]), set([1]))
assert.eq(set([1, 2]).symmetric_difference([2, 3]), set([1, 3]))
assert.eq(set([1]).issubset([1, 2]), True)
assert.eq(set([1, 2]).issuperset([1]), True)
assert.eq(set([1, 2]) == set([2, 1]), True)
assert.eq(type(set()), "set")
assert.eq(str(set()), "set([])")
p = set([5])
assert.eq(p.pop(), 5)
`);
  assert.match(fails('set([1]).remove(2)').shortMessage, /Error in remove: missing key/);
  assert.match(fails('set([[1]])').shortMessage, /unhashable type: list/);
});

test('struct', () => {
  ok(`
s = struct(name = "x", port = 80)
assert.eq(s.name, "x")
assert.eq(s.port + 1, 81)
assert.eq(hasattr(s, "name"), True)
assert.eq(hasattr(s, "nope"), False)
assert.eq(getattr(s, "nope", 5), 5)
assert.eq(dir(s), ["name", "port"])
assert.eq(s == struct(port = 80, name = "x"), True)
assert.eq(type(s), "struct")
`);
  assert.match(fails('s = struct(a = 1)\ns.b').shortMessage, /struct has no .b attribute/);
});

test('range is lazy and indexable', () => {
  ok(`
r = range(10)
assert.eq(len(r), 10)
assert.eq(r[3], 3)
assert.eq(r[-1], 9)
assert.eq(list(range(0, 10, 3)), [0, 3, 6, 9])
assert.eq(list(range(5, 0, -2)), [5, 3, 1])
assert.eq(list(range(10)[2:5]), [2, 3, 4])
assert.eq(5 in range(10), True)
assert.eq(11 in range(10), False)
assert.eq(len(range(1000000000000)), 1000000000000)
assert.eq(range(3) == range(0, 3, 1), True)
big = range(1000000000)
assert.eq(big[999999999], 999999999)
`);
  assert.match(fails('range(1, 2, 0)').shortMessage, /step argument must not be zero/);
});

test('universe builtins', () => {
  ok(`
assert.eq(abs(-3), 3)
assert.eq(abs(-3.5), 3.5)
assert.eq(all([1, True, "x"]), True)
assert.eq(all([]), True)
assert.eq(any([0, None, 1]), True)
assert.eq(any([]), False)
assert.eq(enumerate(["a", "b"]), [(0, "a"), (1, "b")])
assert.eq(enumerate(["a"], 1), [(1, "a")])
assert.eq(max([1, 5, 3]), 5)
assert.eq(max(1, 5, 3), 5)
assert.eq(min([4, 2, 8]), 2)
assert.eq(max(["aa", "b"], key = len), "aa")
assert.eq(min("b", "a"), "a")
assert.eq(zip([1, 2], "ab".elems()), [(1, "a"), (2, "b")])
assert.eq(zip([1, 2, 3], [4]), [(1, 4)])
assert.eq(list((1, 2)), [1, 2])
assert.eq(tuple([1, 2]), (1, 2))
assert.eq(type(len), "builtin_function_or_method")
assert.eq(repr("x"), '"x"')
assert.eq(str("x"), "x")
assert.eq(getattr("abc", "upper")(), "ABC")
assert.eq("upper" in dir("x"), True)
assert.eq(hash("abc"), 96354)
assert.eq(len({"a": 1}), 1)
assert.eq(bool(), False)
assert.eq(str(), "")
assert.eq(list(), [])
`);
  assert.match(fails('len(1)').shortMessage, /Error in len: value of type int has no len/);
  assert.match(fails('max([])').shortMessage, /argument is an empty sequence/);
  assert.match(fails('hash([])').shortMessage, /hash: got list, want string or bytes/);
  assert.match(fails('list(1)').shortMessage, /got int, want iterable/);
  assert.match(fails('1()').shortMessage, /invalid call of non-function \(int\)/);
  assert.match(fails('len(1, 2)').shortMessage, /Error in len: got 2 arguments, want 1/);
});

test('print goes to the host print callback', () => {
  const r = ok('print("a", 1, [2])\nprint("x", "y", sep = "-")\n');
  assert.deepEqual(r.output, ['a 1 [2]', 'x-y']);
});

test('dict keys: int/float unification keeps the first key; composite keys', () => {
  ok(`
d = {1.0: "a"}
d[1] = "b"
assert.eq(d, {1: "b"})
assert.eq(type(d.keys()[0]), "float")
d.pop(1)
d[1] = "c"
assert.eq(type(d.keys()[0]), "int")
t = {(1, (2, "x")): 1, (1, 2): 2, "t": 3, None: 4, True: 5, 2.5: 6}
assert.eq(t[(1, (2, "x"))], 1)
assert.eq(t[None], 4)
assert.eq(t[2.5], 6)
assert.eq(len(t), 6)
t.pop((1, 2))
assert.eq((1, 2) in t, False)
assert.eq(list(t.keys())[0], (1, (2, "x")))
`);
});

test('float conversions at the extremes', () => {
  ok(`
assert.eq("%f" % 1e22, "10000000000000000000000.000000")
assert.eq("%e" % 1e100, "1.000000e+100")
assert.eq(str(1e100), "1e+100")
assert.eq(int(1e30), 1000000000000000019884624838656)
assert.eq(1e308 * 10, float("inf"))
assert.eq(str(1.5e-7), "1.5e-07")
`);
});

test('fast paths agree with the general arithmetic at the edges', () => {
  ok(`
def f():
  x = 9007199254740990
  x += 1
  x += 1
  y = 4503599627370496 * 4
  m = [(-7) % 3, 7 % 3, 0 % 5]
  c = [1 < 2, 2 <= 2, 3 > 4, 4 >= 4, 1.5 < 2, "a" < "b"]
  s = "a"
  s += "b"
  return x, y, m, c, s
x, y, m, c, s = f()
assert.eq(x, 9007199254740992)
assert.eq(type(x), "int")
assert.eq(y, 18014398509481984)
assert.eq(m, [2, 1, 0])
assert.eq(c, [True, True, False, True, True, True])
assert.eq(s, "ab")
`);
  assert.match(fails('def f():\n  x = 1\n  x += "a"\nf()').shortMessage, /unknown binary op: int \+ string/);
});
