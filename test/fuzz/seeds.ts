// Seed programs and insertion fragments for the fuzzer: the shapes of the reproducers in issue 11 plus ordinary
// Starlark covering each value type, so mutations land near interesting code.
export const SEEDS: string[] = [
  'x = []\nfor i in range(50):\n  x = [x]\n',
  'x = []\nfor i in range(20):\n  x = (x, x)\ny = len(str(x)) if False else 0\n',
  'x = []\nx.append(x)\nprint(x)\n',
  'x = ()\nfor i in range(30):\n  x = (x,)\ny = repr(x)\n',
  's = "Hello, 世界!"\nt = [s[i] for i in range(len(s))]\nu = s[7:10] + s[::2] + s[::-1]\nv = list(s.elems()) + list(s.codepoints())\n',
  'd = {"a": 1, "b": [1, 2]}\nd |= {"c": 3}\ne = dict(d, z = 1)\nf = sorted(d.items())\n',
  's = set([1, 2, 3])\nt = s | set([4]) & set([1, 4])\nok = s <= t and not (t < s)\n',
  'def f(n):\n  if n <= 1:\n    return 1\n  return n * f(n - 1)\nx = f(20)\n',
  'x = "%s %d %r %x %o %e %f %g" % ("a", 3, "b", 255, 8, 1.5, 2.25, 1e10)\ny = "{} {name}".format(1, name = "n")\n',
  'x = int("ff", 16) + int("0b101", 0) + int("-12") + len(b"bytes")\ny = float("1.5e3") // 7\nz = 10 ** 3 % 7\n',
  'x = [i * j for i in range(10) for j in range(i) if j % 2]\ny = {k: v for k, v in enumerate(x)}\n',
  'x = ",".join(["a", "b"]).split(",")\ny = " a b ".strip().upper().replace("A", "c")\nz = "abc".find("c")\n',
  'load("ext://restart_process", "docker_build_with_restart")\ndocker_build("img", ".", build_args = {"a": "b"})\nk8s_yaml(["a.yaml"])\n',
  'k8s_resource("web", port_forwards = [8000, "9000:9000"], resource_deps = ["db"], labels = ["x"])\nlocal_resource("c", cmd = "echo", deps = ["src"])\n',
  'def helper(name, **kwargs):\n  docker_build(name, ".", **kwargs)\nhelper("a", dockerfile = "Dockerfile")\n',
  'x = struct(a = 1, b = [1])\ny = x.a + len(x.b)\nz = getattr(x, "a", None)\nw = hasattr(x, "c")\n',
  'x = 1 << 200\ny = x * x - 1\nz = str(y)[:10] + repr(-y)\nw = hash("abc") + hash(b"abc")\n',
  'x = chr(19990) + chr(0x1F600)\ny = ord(x[0:3])\nz = [ord(c) for c in x.codepoints()]\n',
  'def f(*args, **kwargs):\n  return args, kwargs\nx = f(1, 2, a = 3)\ny = f(*[1], **{"b": 2})\n',
  'x = [3, 1, 2]\nx.extend(x)\nx.sort() if False else None\ny = sorted(x, key = lambda v: -v, reverse = True)\n',
  'i = 0\nwhile i < 100:\n  i += 1\n  if i > 50:\n    break\n',
];

export const FRAGMENTS: string[] = [
  '(', ')', '[', ']', '{', '}', ',', ':', '=', '+', '*', '%', '**', '<<', 'lambda: ', 'not ', ' if x else ',
  ' * (1 << 27)', '.elems()', '.codepoint_ords()', '.split("a")', 'sorted(', 'str(', 'repr(', 'hash(', 'int("9" * 200000)',
  '"a" * (1 << 26)', 'x = (x, x)\n', 'x.append(x)\n', 'for i in range(5000):\n  x = [x]\n', 'f(', '"\\xff"', 'b"\\xff"',
  '"世界"[1:4]', 'x == x', 'x < x', '"%s" % (x,)', 'range(10**12)', '[x] * 100', 'dict(x)', 'set(x)', 'tuple(x)',
  'def g():\n  return g()\n', 'g()\n', '\n  ', '\n\t', '#', '"""', "'''", 'load("x", "y")\n', '**', '0x', '1e1000',
  'float("nan")', '-0.0', '.format(x)', 'zip(x, x)', 'enumerate(x)', 'reversed(x)', 'max(x)', 'min(x)', 'any(x)',
  '.replace("", "ab")', '.join(x)', '" " * 100000', 'struct(a = x)', 'getattr(x, "y")', 'print(x)\n', 'fail(x)\n',
];
