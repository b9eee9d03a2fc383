"""Runtime-reach rules: each code fires on a snippet that does the thing, at its line, and stays silent on a
look-alike that does not (its negative control). Snippets are parsed, never run."""

from __future__ import annotations

import ast

import pytest

from grader.flags import scan_submission

# (code, snippet that must be flagged with that code on its last line, look-alike that must not be flagged)
RULES = [
    ("runtime_introspection", "import gc\nobjs = gc.get_objects()\n", "import gc\ngc.collect()\n"),
    ("runtime_introspection", "import sys\nframe = sys._getframe(1)\n",
     "import sys\nsys.path.append('..')\n"),
    ("runtime_introspection", "import sys as s\nm = s.modules['grader']\n",
     "import sys\nv = sys.version_info\n"),
    ("runtime_introspection", "x = 1\nsubs = object.__subclasses__()\n", "x = 1\nname = type(x).__name__\n"),
    ("runtime_introspection", "def f():\n    return f.__globals__\n", "def f():\n    return f.__doc__\n"),
    ("runtime_introspection", "x = 1\nb = __builtins__\n", "x = 1\nb = len\n"),
    ("runtime_introspection", "import inspect\nf = inspect.currentframe().f_back\n",
     "import inspect\ns = inspect.signature(len)\n"),
    ("dynamic_code", "src = 'x = 1'\nexec(src)\n", "import re\npattern = re.compile('x')\n"),
    ("dynamic_code", "s = '1 + 1'\nvalue = eval(s)\n", "def eval(s):\n    return s\nvalue = eval(1)\n"),
    ("dynamic_code", "import marshal\n", "import math\n"),
    ("native_code", "x = 1\nimport ctypes\n", "x = 1\nimport numpy as np\n"),
    ("native_code", "x = 1\nfrom mmap import mmap\n", "x = 1\nfrom math import sqrt\n"),
    ("process_control", "import os\npid = os.fork()\n", "import os\npath = os.path.join('a', 'b')\n"),
    ("process_control", "from os import system\nsystem('ls')\n", "from os import pardir\nup = pardir\n"),
    ("process_control", "x = 1\nimport subprocess\n", "x = 1\nimport contextlib\n"),
    ("process_control", "import os\nos._exit(0)\n", "import sys\nsys.exit(0)\n"),
    ("process_control", "x = 1\nimport threading\n", "x = 1\nimport heapq\n"),
    ("file_descriptors", "import os\nos.dup2(1, 2)\n", "import os\ncwd = os.getcwd()\n"),
    ("file_descriptors", "import sys\nsys.stdout.buffer.write(b'x')\n",
     "import sys\nsys.stdout.write('x')\n"),
    ("network", "x = 1\nimport socket\n", "x = 1\nimport json\n"),
    ("network", "x = 1\nimport urllib.request\n", "x = 1\nimport urllib.parse\n"),
    ("import_machinery", "x = 1\nos = __import__('os')\n", "x = 1\nimport os\n"),
    ("import_machinery", "x = 1\nimport importlib\n", "x = 1\nimport itertools\n"),
    ("import_machinery", "x = 1\nimport _frozen_importlib as _b\n", "x = 1\nimport functools as _b\n"),
    ("import_machinery", "x = 1\nfrom _frozen_importlib_external import SourceFileLoader\n",
     "x = 1\nfrom importlib_metadata_ import SourceFileLoader\n"),
    ("import_machinery", "x = 1\nimport _imp\n", "x = 1\nimport _io\n"),
    ("import_machinery", "x = 1\nfrom importlib._bootstrap import _load\n",
     "x = 1\nfrom functools import reduce\n"),
    ("computed_attribute", "import numpy as np\nf = getattr(np, name)\n",
     "import numpy as np\nf = getattr(np, 'dot')\n"),
    ("computed_attribute",
     "import numpy as np\nclass A:\n    def f(self):\n        return getattr(np, self.n)\n",
     "class A:\n    def f(self, n):\n        return getattr(self, n)\n"),
    ("module_patching", "import numpy as np\nnp.allclose = lambda *a, **k: True\n",
     "import numpy as np\nnp.random.seed(0)\n"),
    ("module_patching", "import numpy as np\nnp.testing.assert_allclose = print\n",
     "import numpy as np\nx = np.testing.assert_allclose\n"),
    ("module_patching", "import json\nsetattr(json, 'dumps', repr)\n",
     "class V:\n    pass\nsetattr(V, '__add__', lambda a, b: a)\n"),
    ("module_patching", "x = 1\n__builtins__['print'] = repr\n", "x = {}\nx['print'] = repr\n"),
    ("module_patching", "import builtins\nbuiltins.print = repr\n",
     "class Variable:\n    pass\nVariable.__add__ = lambda a, b: a\n"),
    # a submodule from-imported (review of s20-hostile, h_guard_reset.py: the stand-in layers' guard reset)
    ("module_patching", "from common import layers as _L\n_L._GRADER_GUARD = None\n",
     "from common import layers as _L\nguard = _L._GRADER_GUARD\n"),
    ("module_patching", "from numpy import testing\ntesting.assert_allclose = print\n",
     "from numpy import testing\ntesting.assert_allclose(1, 1)\n"),
    ("module_patching", "from os import path as p\nsetattr(p, 'exists', bool)\n",
     "from os import path as p\nok = p.exists('x')\n"),
    ("system_paths", "x = 1\nf = open('/proc/self/status')\n", "x = 1\nf = open('dataset/mnist.pkl')\n"),
    ("system_paths", "import os\ntree = os.walk('/')\n", "import os\ntree = os.walk('.')\n"),
    ("system_paths", "x = 1\np = '/autograder/results/results.json'\n", "x = 1\np = '/dev/null'\n"),
    ("value_spoofing", "class G:\n    def __eq__(self, other): return True\n",
     "class G:\n    def __add__(self, other): return self\n"),
    ("value_spoofing", "import numpy as np\nclass L(np.ndarray): pass\n", "class L(object): pass\n"),
    ("value_spoofing", "class G:\n    __eq__ = lambda self, other: True\n",
     "class G:\n    __array_priority__ = 200\n"),
    ("autodiff_library", "x = 1\nimport torch\n", "x = 1\nimport numpy\n"),
    ("autodiff_library", "x = 1\nfrom jax import grad\n", "x = 1\nfrom functools import reduce\n"),
    # Strings run as code by the standard library (sample miniflow/hidden_code_interpreter.py), pickled code
    # from bytes, the builtins reached through getattr with a spelled-out name or as the module's dict.
    ("dynamic_code", "import code\ncode.InteractiveInterpreter(globals()).runsource(s, 'x', 'exec')\n",
     "import codecs\nt = codecs.decode(s, 'rot13')\n"),
    ("dynamic_code", "import timeit\ntimeit.timeit(s, number=1, globals=globals())\n",
     "import time\nt = time.perf_counter()\n"),
    ("dynamic_code", "import pdb\npdb.run(s, globals())\n", "import pprint\npprint.pprint(s)\n"),
    ("dynamic_code", "import cProfile\ncProfile.run(s)\n", "import pstats\nx = pstats\n"),
    ("dynamic_code", "import trace\ntrace.Trace().run(s)\n", "import traceback\ntraceback.print_exc()\n"),
    ("dynamic_code", "import doctest\ndoctest.run_docstring_examples(s, globals())\n",
     "import textwrap\nt = textwrap.dedent(s)\n"),
    ("dynamic_code", "import pydoc\nrun = pydoc.locate('builtins.exec')\n",
     "import json\nd = json.loads(s)\n"),
    ("dynamic_code", "import pickle\nobj = pickle.loads(blob)\n",
     "import pickle\nwith open('params.pkl', 'rb') as f:\n    params = pickle.load(f)\n"),
    ("dynamic_code", "import builtins\nrun = getattr(builtins, 'exec')\n",
     "import builtins\nshow = getattr(builtins, 'print')\n"),
    ("computed_attribute", "import builtins\nrun = vars(builtins)['exec']\n",
     "class A:\n    pass\nfields = vars(A())\n"),
    ("computed_attribute", "import builtins\nrun = builtins.__dict__['exec']\n",
     "class A:\n    pass\nfields = A().__dict__\n"),
    ("native_code", "import numpy as np\nlib = np.ctypeslib.load_library('x', '.')\n",
     "import numpy as np\nx = np.linalg.norm(np.ones(2))\n"),
    # loaders of a file by path outside the submission's import hook (review of s19-hostile: np_loader.py,
    # pydoc_site.py); look-alikes: a module's name and file, a data folder
    ("dynamic_code", "import numpy as np\nm = type(np.__loader__)('m', 'm.py').load_module()\n",
     "import numpy as np\nname = np.__name__\n"),
    ("dynamic_code", "import numpy as np\nL = getattr(np, '__loader__')\n",
     "import numpy as np\nf = getattr(np, '__file__')\n"),
    ("dynamic_code", "import json\nspec = json.__spec__\n", "import json\ndoc = json.__doc__\n"),
    ("dynamic_code", "x = 1\nL = __loader__\n", "x = 1\nn = __name__\n"),
    # review of s19: a bare __spec__ only tested (compared with None, a condition) loads nothing
    ("dynamic_code", "x = 1\ns = __spec__\n", "if __name__ == '__main__' and __spec__ is None:\n    pass\n"),
    ("dynamic_code", "x = 1\nm = __spec__.loader\n", "x = 1\nok = __spec__ is not None\n"),
    ("dynamic_code", "x = 1\ns = __spec__ or None\n", "x = 1\nwhile not __spec__:\n    break\n"),
    ("dynamic_code", "import numpy as np\nif __spec__ is None:\n    L = np.__spec__\n",
     "x = 1\nif __spec__:\n    pass\n"),
    ("dynamic_code", "def f(loader, m):\n    loader.exec_module(m)\n",
     "def f(loader, m):\n    loader.execute(m)\n"),
    ("dynamic_code", "import pydoc\nm = pydoc.importfile('m.py')\n", "import pydoc\nt = pydoc.getdoc(len)\n"),
    ("dynamic_code", "import site\nsite.addsitedir('.')\n", "import os\nos.makedirs('out', exist_ok=True)\n"),
    # review of s21-hostile: a closure, a frame or a bound method's object read by a constant name, by a
    # reader of closures or members, by a walker of frames; look-alikes: the same calls on harmless names
    ("runtime_introspection", "x = 1\nc = getattr(get_ipython, '__closure__')[0].cell_contents\n",
     "x = 1\nc = getattr(get_ipython, '__name__')\n"),
    ("runtime_introspection", "x = 1\ng = getattr(Relu.forward, '__globals__')\n",
     "x = 1\ng = getattr(Relu, 'forward')\n"),
    ("runtime_introspection", "x = 1\nholder = get_ipython.__self__\n",
     "x = 1\nname = get_ipython.__name__\n"),
    ("runtime_introspection", "import inspect\nv = inspect.getclosurevars(get_ipython).nonlocals\n",
     "import inspect\nv = inspect.signature(get_ipython)\n"),
    ("runtime_introspection", "import inspect\nv = dict(inspect.getmembers(get_ipython))\n",
     "import inspect\nv = inspect.isfunction(get_ipython)\n"),
    ("runtime_introspection", "import inspect\nv = inspect.getattr_static(f, name)\n",
     "import inspect\nv = inspect.isclass(f)\n"),
    ("runtime_introspection", "import operator\nget = operator.attrgetter('f_back.f_globals')\n",
     "import operator\nget = operator.attrgetter('value.shape')\n"),
    ("runtime_introspection", "import traceback\nframes = list(traceback.walk_stack(None))\n",
     "import traceback\nsummary = traceback.extract_stack()\n"),
    # an exception's frames (its bare __traceback__, handed to format_exception, is honest: review of
    # s21-fixhostile, 2)
    ("runtime_introspection", "try:\n    pass\nexcept ImportError as e:\n    f = e.__traceback__.tb_frame\n",
     "try:\n    pass\nexcept ImportError as e:\n    tb = e.__traceback__\n"),
    ("runtime_introspection", "import traceback\nframes = traceback.walk_tb(tb)\n",
     "import traceback\nlines = traceback.format_tb(tb)\n"),
    ("runtime_introspection", "import typing\nm = typing.sys.modules\n",
     "import typing\nm = typing.Optional\n"),
    ("runtime_introspection", "import logging\nm = logging.sys._getframe(1)\n",
     "import logging\nlog = logging.getLogger('x')\n"),
    # a resolver of dotted names, a patcher by name, an evaluator of annotations, a formatter's fields
    ("dynamic_code", "import logging.config\nrun = logging.config.BaseConfigurator({}).resolve(n)\n",
     "import logging\nlogging.basicConfig(level=logging.INFO)\n"),
    ("native_code", "x = 1\napi = resolve('ctypes.pythonapi')\n", "x = 1\nname = 'numpy.float64'\n"),
    ("runtime_introspection", "x = 1\ntarget = 'inside.shipped._ROOTS'\n",
     "x = 1\ntarget = 'common.layers'\n"),
    ("dynamic_code", "from unittest import mock\nmock.patch(t, set()).start()\n",
     "from unittest import TestCase\nclass T(TestCase):\n    pass\n"),
    ("dynamic_code", "import typing\nhints = typing.get_type_hints(X)\n",
     "import typing\nT = typing.Optional[int]\n"),
    ("dynamic_code", "import string\nfield = string.Formatter().get_field(s, a, k)\n",
     "import string\nletters = string.ascii_letters\n"),
    ("runtime_introspection", "x = 1\nfield = '{0.__closure__}'\n",
     "x = 1\nmessage = 'Affine.forward got {0.shape}'\n"),
    # review of s23-hunt: the standard library's runners the scan did not name (tests/flags/
    # test_stdlib_runners.py takes the census); look-alikes: the honest calls beside them
    ("dynamic_code", "import pdb\nshell = pdb.Pdb()\n", "import pprint\npprint.pprint(shell)\n"),
    # every Pdb reads and runs a .pdbrc of the working folder at its first stop: set_trace's, breakpoint()'s;
    # breakpoint(*args) calls whatever PYTHONBREAKPOINT names (`builtins.exec`)
    ("dynamic_code", "x = 1\nbreakpoint()\n", "x = 1\nprint(x)\n"),
    ("dynamic_code", "import os\nos.environ.update(PYTHONBREAKPOINT=n)\nbreakpoint(s, ns)\n",
     "import os\nhome = os.environ.get('HOME')\n"),
    ("dynamic_code", "import sys\nsys.breakpointhook(s, ns)\n", "import sys\nsys.exit(0)\n"),
    # the builtin by its module's name, and the variable written whole (review of s23-hunt's fix, 4:
    # `builtins.breakpoint(text, globals())` with PYTHONBREAKPOINT naming builtins.exec, 43 / 43, no flag)
    ("dynamic_code", "import builtins\nbuiltins.breakpoint(s, ns)\n", "import builtins\nbuiltins.print(s)\n"),
    ("dynamic_code", "from builtins import breakpoint as bp\nbp(s, ns)\n",
     "from builtins import print as p\np(s)\n"),
    ("dynamic_code", "import os\nos.environ['PYTHON' 'BREAKPOINT'] = n\n",
     "import os\nos.environ['PYTHONHASHSEED'] = '0'\n"),
    ("dynamic_code", "from pdb import set_trace\n", "from pprint import pformat\n"),
    ("dynamic_code", "from distutils.core import setup\nfrom distutils import core\ncore.run_setup(p)\n",
     "from distutils.core import setup\nsetup(name='x')\n"),
    ("dynamic_code", "import optparse\nopts, _ = optparse.OptionParser().parse_args()\nopts.read_file(p)\n",
     "import configparser\nc = configparser.ConfigParser()\nc.read_file(f)\n"),
    ("dynamic_code", "x = 1\nfrom idlelib import calltip\n", "x = 1\nimport argparse\n"),
    # a string annotation that is no type (functools.singledispatch evaluates it)
    ("dynamic_code", "x = 1\ndef f(x: 'print(1) or int'): pass\n",
     "def f(x: 'Optional[np.ndarray]', y: 'int | None' = None) -> 'Node':\n    pass\n"),
    ("dynamic_code", "x = 1\ndef f() -> List['(lambda: 1)()']: pass\n",
     "def f(x: 'array of shape (N, D)') -> Literal[-1, 'a']:\n    pass\n"),
    ("dynamic_code", "class C:\n    x: '[i for i in y]'\n", "class C:\n    x: 'Tuple[int, ...]'\n"),
    # review of s23-hunt's fix, 2 and 3: text reaching annotations other ways (dataclasses execs field names,
    # singledispatch evaluates values, inspect.signature(eval_str=True) evaluates them); 7: honest text that
    # runs nothing (and/or, comparisons, a starred name) passes
    ("dynamic_code", "class C:\n    x: int = 1\nC.__annotations__[k] = int\n",
     "class C:\n    x: int = 1\nhints = C.__annotations__\n"),
    ("dynamic_code", "x = 1\nvars(C)['__annotations__'][k] = int\n", "x = 1\nv = vars(C)['__doc__']\n"),
    ("dynamic_code", "class C:\n    __annotations__[k] = int\n", "class C:\n    n = len(__annotations__)\n"),
    ("dynamic_code", "x = 1\nf.__annotations__ = {'g': s}\n", "x = 1\nprint(f.__annotations__)\n"),
    ("dynamic_code", "x = 1\nsetattr(C, '__annotations__', d)\n",
     "x = 1\nv = getattr(C, '__annotations__', {})\n"),
    ("dynamic_code", "x = 1\nX = type('X', (), {'__annotations__': d})\n",
     "x = 1\nX = type('X', (), {'n': 1})\n"),
    ("dynamic_code", "x = 1\nC.__annotations__.update(d)\n", "x = 1\nd.update(C.__annotations__)\n"),
    ("dynamic_code", "import inspect\ns = inspect.signature(f, eval_str=True)\n",
     "import inspect\ns = inspect.signature(f, eval_str=False)\n"),
    ("dynamic_code", "G = R + '(s) or list'\ndef f(g: G): pass\n",
     "G = Union[int, float]\ndef f(g: G): pass\n"),
    ("dynamic_code", "G = f'{r}(s)'\ndef f(g: G): pass\n", "G = TypeVar('G')\ndef f(g: G): pass\n"),
    ("dynamic_code", "x = 1\ndef f(g: 'ex' + 'ec' + '(s)'): pass\n", "x = 1\ndef f(g: int | None): pass\n"),
    ("dynamic_code", "x = 1\ndef f(x: '(y := 1)'): pass\n",
     "x = 1\ndef f(x: 'float or ndarray', y: 'int > 0', *z: 'tuple[*Ts]'): pass\n"),
    # session 38: the attribute protocol's own methods and operator's getters read as getattr/setattr
    # (sample miniflow/hidden_code_getattribute.py, 43 / 43 and no flag before); the look-alikes are a
    # class's own __getattr__/__setattr__ calling object's, as honest config classes do
    ("dynamic_code", "import builtins\nbuiltins.__getattribute__('exec')(s, ns)\n",
     "class C:\n    def __getattr__(self, n):\n        return object.__getattribute__(self, '_' + n)\n"),
    ("dynamic_code", "import builtins\nobject.__getattribute__(builtins, 'exec')(s)\n",
     "import numpy as np\nobject.__getattribute__(np.ndarray, 'shape')\n"),
    ("dynamic_code", "import builtins\ntype(builtins).__getattribute__(builtins, 'exec')(s)\n",
     "import builtins\nv = type(builtins).__name__\n"),
    ("computed_attribute", "import numpy as np\nf = np.__getattribute__(n)\n",
     "import numpy as np\nf = np.__getattribute__('float64')\n"),
    ("module_patching", "import numpy as np\nnp.__setattr__('dot', f)\n",
     "class C:\n    def __setattr__(self, k, v):\n        super().__setattr__(k, v)\n"),
    ("dynamic_code", "import builtins, operator\noperator.methodcaller('exec', s)(builtins)\n",
     "import operator\nget = operator.attrgetter('value')(node)\n"),
    ("dynamic_code", "import builtins\nfrom operator import attrgetter\nattrgetter('exec')(builtins)(s)\n",
     "import numpy as np\nfrom operator import attrgetter\nattrgetter('float64')(np)\n"),
]  # fmt: skip


def codes_and_lines(source: str, **kw: object) -> list[tuple[str, int]]:
    flags = scan_submission({"sub.py": source.encode()}, **kw)  # type: ignore[arg-type]
    return [(f.code, f.line) for f in flags]


@pytest.mark.parametrize(
    ("code", "positive", "negative"), RULES, ids=[f"{r[0]}-{i}" for i, r in enumerate(RULES)]
)
def test_rule_fires_on_its_snippet_and_not_on_the_look_alike(code: str, positive: str, negative: str) -> None:
    """The snippet is flagged with the rule's code at its last line; the look-alike gets no flag at all."""
    last = positive.rstrip("\n").count("\n") + 1
    assert (code, last) in codes_and_lines(positive)
    assert codes_and_lines(negative) == []


def test_a_module_of_the_submission_itself_is_not_a_library():
    """Patching a module of the submission is the student's own business. A file named like a standard
    module is no such module of its own: the student's process had imported the standard socket before the
    submission loaded (checked: socket, pickle, ctypes, signal, threading, gc, ... are in its sys.modules),
    so `import socket` beside a socket.py is still flagged (it was not, and an empty pickle.py hid every
    pickle rule: sample submissions/miniflow/stdlib_named_decoy)."""
    files = {
        "main.py": b"import socket\nimport helpers\nhelpers.value = 3\n",
        "socket.py": b"x = 1\n",
        "helpers.py": b"value = 1\n",
    }
    assert [(f.code, f.line) for f in scan_submission(files)] == [("network", 1)]
    alone = scan_submission({"main.py": files["main.py"]})
    assert [(f.code, f.line) for f in alone] == [("network", 1), ("module_patching", 3)]
    # from-imported: the submission's own common/layers.py is its own; the stand-in's (none handed in) is not
    reset = b"from common import layers as _L\n_L._GRADER_GUARD = None\n"
    own = scan_submission({"main.py": reset, "common/layers.py": b"_GRADER_GUARD = None\n"})
    assert list(own) == []
    assert [(f.code, f.line) for f in scan_submission({"main.py": reset})] == [("module_patching", 2)]


def test_the_assignments_forbidden_imports_are_flagged_too():
    """A module the manifest forbids (beyond the built-in list) is flagged autodiff_library."""
    assert codes_and_lines("import mylib\n", forbidden_imports=("mylib",)) == [("autodiff_library", 1)]
    assert codes_and_lines("import mylib\n") == []


def test_evidence_is_the_source_line_and_summary_names_what_was_used():
    """The flag quotes the offending line (stripped) and says what it uses and why that matters."""
    (flag,) = scan_submission({"a.py": b"import os\n\nif True:\n    os.kill(1, 9)  # stop\n"})
    assert (flag.code, flag.file, flag.line) == ("process_control", "a.py", 4)
    assert flag.evidence == "os.kill(1, 9) # stop"
    assert flag.summary == "uses os.kill: controls processes, signals or threads"


HONEST_RUNNERS = [
    "import timeit\nclass R:\n    def forward(self, x):\n        return x\nr = R()\n"
    "print(timeit.timeit(lambda: r.forward(1), number=100))\n",
    "import timeit\ndef main():\n    pass\nt = timeit.Timer(main).timeit(3)\n",
    "import cProfile\ndef main():\n    pass\ncProfile.Profile().runcall(main)\n",
    "import cProfile\ndef main():\n    pass\np = cProfile.Profile()\np.enable()\nmain()\np.disable()\n",
    "import pickle\nd = {'a': 1}\ne = pickle.loads(pickle.dumps(d))\n",
    "import dill\nobj = [1]\nwith open('o.pkl', 'wb') as f:\n    dill.dump(obj, f)\n",
    "import timeit\nclass R:\n    def step(self):\n        pass\n    def bench(self):\n"
    "        return timeit.timeit(self.step, number=10)\n",
]
HOSTILE_RUNNERS = [
    ("import timeit\ntimeit.timeit('x = 1', number=1)\n", 2),
    ("import timeit\ntimeit.repeat(stmt=s)\n", 2),
    ("import timeit\ndef f():\n    pass\ntimeit.Timer(f, setup=code)\n", 4),
    ("import cProfile\ncProfile.run('main()')\n", 2),
    ("import cProfile\np = cProfile.Profile()\np.runctx(s, globals(), {})\n", 2),
    ("import pdb\npdb.runeval(text)\n", 2),
    ("import pickle\nobj = pickle.loads(base64.b64decode(s))\n", 2),
    ("import dill\nwith open('o.pkl', 'rb') as f:\n    obj = dill.load(f)\n", 3),
    ("import cloudpickle\nf = cloudpickle.loads(b'x')\n", 2),
    ("import timeit\nrun = timeit.timeit\nrun(s)\n", 2),
    ("import builtins, pickle\nload = getattr(pickle, 'loads')\n", 2),
    # Second review (helper-93): a def's name rebound to text, an attribute named like a def, `**kwargs`, a
    # profiler's run taken without a call: each unflagged while it ran a decoded string.
    ("import timeit\ndef stmt():\n    pass\nstmt = decode(s)\ntimeit.timeit(stmt, number=1)\n", 5),
    ("import timeit\ndef forward(x):\n    return x\ncfg = NS(forward=s)\ntimeit.timeit(cfg.forward)\n", 5),
    ("import timeit\ntimeit.timeit(**{'stmt': s, 'number': 1})\n", 2),
    ("import cProfile\nrun = cProfile.Profile().run\nrun(s)\n", 2),
]


# A pickle read from a file the program opens by its path: the book's load_params; np.load of a path.
HONEST_FILE_LOADS = [
    "import pickle\ndef load_params(file_name='params.pkl'):\n    with open(file_name, 'rb') as f:\n"
    "        return pickle.load(f)\n",
    "import pickle\nparams = pickle.load(open('params.pkl', 'rb'))\n",
    "import gzip, pickle\nf = gzip.open('mnist.pkl.gz', 'rb')\ndata = pickle.load(f)\n",
    # a compressed file opened by a path built from strings, os.path or pathlib, or a name bound only so
    "import os, bz2, pickle\nx = pickle.load(bz2.open(os.path.join(os.getcwd(), 'a')))\n",
    "import gzip, pickle\np = 'data/' + 'a.pkl.gz'\nwith gzip.open(p, 'rb') as f:\n    x = pickle.load(f)\n",
    "import lzma, pickle\nfrom pathlib import Path\nx = pickle.load(lzma.open(Path('a.xz')))\n",
    "import gzip, pickle\nx = pickle.load(gzip.GzipFile(f'{1}.gz'))\n",
    # review of s19: a loop over a literal list of paths
    "import gzip, pickle\nfor name in ['a.pkl.gz', 'b.pkl.gz']:\n    with gzip.open(name, 'rb') as f:\n"
    "        d = pickle.load(f)\n",
    "import pickle\nwith open('a.pkl', 'rb') as f:\n    a = pickle.Unpickler(f).load()\n",
    "import numpy as np\nw = np.load('w.npy', allow_pickle=True)\n",
    "import io\nimport numpy as np\nw = np.load(io.BytesIO(b'x'))\n",
    "import io\nimport numpy as np\nw = np.lib.format.read_array(io.BytesIO(b'x'), False)\n",
    # s29: a name's binding is its scope's: the book's numerical_gradient(f, x) beside load_params (the `f`
    # parameter of another function made this `pickle.load(f)` a flagged load), a class attribute `f`
    # (methods never see it), a module-level load beside a function's own local `f`
    "import pickle\ndef numerical_gradient(f, x):\n    return f(x)\n"
    "def load_params(file_name='params.pkl'):\n    with open(file_name, 'rb') as f:\n"
    "        return pickle.load(f)\n",
    "import pickle\nclass Net:\n    f = None\n    def load(self):\n        with open('p.pkl', 'rb') as f:\n"
    "            return pickle.load(f)\n",
    "import io, pickle\ndef g():\n    f = io.BytesIO(b'x')\n    return f\n"
    "with open('p.pkl', 'rb') as f:\n    P = pickle.load(f)\n",
    "import pickle\nkey = lambda f: f\nwith open('p.pkl', 'rb') as f:\n    P = pickle.load(f)\n",
    # review of s29-realdlfs: a comprehension reading the file its function opened
    "import pickle\ndef load():\n    with open('p.pkl', 'rb') as f:\n"
    "        return [pickle.load(f) for _ in range(2)]\n",
    # review of s29-realdlfs: a path (a loop over paths) opened by gzip beside another function's parameter
    # of the same name, flagged file-wide before
    "import gzip, pickle\ndef save(obj, path):\n    pass\ndef load():\n    path = 'params.pkl.gz'\n"
    "    with gzip.open(path, 'rb') as f:\n        return pickle.load(f)\n",
    "import gzip, pickle\ndef save(obj, name):\n    pass\ndef load():\n    for name in ['a.pkl.gz']:\n"
    "        with gzip.open(name, 'rb') as f:\n            return pickle.load(f)\n",
]
# Bytes held in memory, or a file whose opening cannot be read: sample miniflow/hidden_code_pickle_stream.py.
HOSTILE_FILE_LOADS = [
    ("import io, pickle\npickle.load(io.BytesIO(b'cbuiltins\\nexec\\n'))\n", 2),
    ("import io, pickle\ns = io.BytesIO(blob)\nx = pickle.Unpickler(s).load()\n", 3),
    ("from pickle import load\nimport io\nx = load(io.BytesIO(blob))\n", 3),
    ("import pickle\nclass S:\n    def read(self, n):\n        return b''\nx = pickle.load(S())\n", 5),
    ("import pickle\ndef ld(f):\n    return pickle.load(f)\n", 3),
    ("import io, pickle\nwith open('a') as f:\n    pass\nf = io.BytesIO(blob)\nx = pickle.load(f)\n", 5),
    ("import io, pickle\nopen = lambda *a: io.BytesIO(blob)\nx = pickle.load(open('p'))\n", 3),
    ("import pickle\nld = pickle.load\n", 2),
    ("import shelve\nx = shelve.open('db')['k']\n", 2),
    ("import io\nimport numpy as np\nx = np.load(io.BytesIO(blob), allow_pickle=True)\n", 3),
    ("import io\nimport numpy as np\ns = io.BytesIO(blob)\nx = np.load(s, allow_pickle=True)\n", 4),
    ("import io\nimport numpy as np\nx = np.lib.format.read_array(io.BytesIO(b), allow_pickle=True)\n", 3),
    ("import io\nimport numpy as np\nx = np.lib.format.read_array(io.BytesIO(b), True)\n", 3),
    # review of s19-hostile: compressed openers over bytes held in memory, and names bound by no Name node
    ("import gzip, io, pickle\nx = pickle.load(gzip.open(io.BytesIO(blob)))\n", 2),
    ("import bz2, pickle\nx = pickle.load(bz2.open(stream))\n", 2),
    ("import lzma, pickle\nwith lzma.open(make()) as f:\n    x = pickle.load(f)\n", 3),
    ("import gzip, pickle\nx = pickle.load(gzip.GzipFile('a', fileobj=buf))\n", 2),
    # review of s19: a compressed opener handed a name in a file that builds a stream in memory, or a call
    ("import gzip, io, pickle\ndef ld(p):\n    return pickle.load(gzip.open(p))\nx = ld(io.BytesIO(b))\n", 3),
    # gzip.open reads any object with a read method: a parameter or an attribute may be handed one from
    # another file (a stream, or the submission's own reader class), so they stay flagged (review of s19)
    (
        "import gzip, pickle\ndef load(path):\n    with gzip.open(path, 'rb') as f:\n"
        "        return pickle.load(f)\n",
        4,
    ),
    (
        "import gzip, os, pickle\nclass L:\n    def __init__(self, root):\n"
        "        self.file = os.path.join(root, 'm.pkl.gz')\n\n    def load(self):\n"
        "        with gzip.open(self.file, 'rb') as f:\n"
        "            return pickle.load(f, encoding='latin1')\n",
        8,
    ),
    ("import gzip, pickle\nfor name in [Reader()]:\n    d = pickle.load(gzip.open(name))\n", 3),
    ("import gzip, io, pickle\nb = io.BytesIO(blob)\nx = pickle.load(gzip.open(b))\n", 3),
    ("import gzip, pickle\nfrom data import stream\nx = pickle.load(gzip.open(stream))\n", 3),
    ("import pickle\nclass open:\n    pass\nx = pickle.load(open('p.pkl', 'rb'))\n", 4),
    ("import pickle\ntry:\n    pass\nexcept Exception as open:\n    pass\nx = pickle.load(open('p'))\n", 6),
    ("import pickle\nmatch 1:\n    case open:\n        pass\nx = pickle.load(open('p'))\n", 5),
    # s29, scope by scope: a function's `global f` rebinding the module's; an inner function reading the
    # enclosing function's stream; a parameter of the function that loads; a nonlocal anywhere
    (
        "import io, pickle\nwith open('p.pkl', 'rb') as f:\n    P = pickle.load(f)\n"
        "def g():\n    global f\n    f = io.BytesIO(b'x')\n",
        3,
    ),
    (
        "import io, pickle\ndef outer():\n    f = io.BytesIO(b'x')\n    def inner():\n"
        "        return pickle.load(f)\n    with open('a', 'rb') as f:\n        pass\n",
        5,
    ),
    (
        "import pickle\ndef load(f=None):\n    with open('p.pkl', 'rb') as f:\n        pass\n"
        "    return pickle.load(f)\n",
        5,
    ),
    (
        "import io, pickle\ndef outer():\n    with open('a', 'rb') as f:\n        def inner():\n"
        "            nonlocal f\n            f = io.BytesIO(b'x')\n        inner()\n"
        "        return pickle.load(f)\n",
        8,
    ),
    # review of s29-realdlfs: a comprehension or generator in a class body reads the module's `f`, not the
    # class's; a class body's read before the class binds `f` reads the module's; an assignment expression
    # in a comprehension rebinds the scope around it (each was unflagged by the per-scope reading)
    (
        "import io, pickle\nf = io.BytesIO(b'x')\nclass C:\n    f = open('p.pkl', 'rb')\n"
        "    x = [pickle.load(f) for _ in range(1)]\n",
        5,
    ),
    (
        "import io, pickle\nf = io.BytesIO(b'x')\nclass C:\n    f = open('p.pkl', 'rb')\n"
        "    x = list(pickle.load(f) for _ in range(1))\n",
        5,
    ),
    (
        "import io, pickle\nf = io.BytesIO(b'x')\nclass C:\n    x = pickle.load(f)\n"
        "    f = open('p.pkl', 'rb')\n",
        4,
    ),
    (
        "import io, pickle\nwith open('p.pkl', 'rb') as f:\n    pass\n"
        "[(f := io.BytesIO(b'x')) for _ in range(1)]\nP = pickle.load(f)\n",
        5,
    ),
    # review of s29-realdlfs: a class body whose metaclass's __prepare__ hands it an `f` of its own (a
    # stream in memory) reads that one, not the file the module opened
    (
        "import io, pickle\nclass M(type):\n    @classmethod\n    def __prepare__(mcs, name, bases):\n"
        "        return {'f': io.BytesIO(b'x')}\nwith open('p.pkl', 'rb') as f:\n    pass\n"
        "class C(metaclass=M):\n    x = pickle.load(f)\n",
        9,
    ),
    # review of s29-realdlfs: a path name gzip opens rebound by a class (whose read hands out a pickle), an
    # import or an `except ... as` of the same name (the path reading counted assignments only)
    (
        "import gzip, pickle\npath = 'a.pkl.gz'\nclass path:\n    def read(self, n=-1):\n"
        "        return b''\ny = pickle.load(gzip.open(path))\n",
        6,
    ),
    (
        "import gzip, pickle\npath = 'a.pkl.gz'\nfrom io import BytesIO as path\n"
        "y = pickle.load(gzip.open(path))\n",
        4,
    ),
    (
        "import gzip, pickle\npath = 'a.pkl.gz'\ntry:\n    pass\nexcept Exception as path:\n"
        "    y = pickle.load(gzip.open(path))\n",
        6,
    ),
]


@pytest.mark.parametrize("source", HONEST_FILE_LOADS)
def test_a_pickle_read_from_an_opened_file_is_not_flagged(source: str) -> None:
    """Negative control: a pickle read from a file opened by its path (the parent reads that file itself
    when it was handed in: grader/flags/pickled.py), and np.load without allow_pickle, raise nothing."""
    assert codes_and_lines(source) == []


@pytest.mark.parametrize(("source", "line"), HOSTILE_FILE_LOADS)
def test_a_pickle_read_from_anything_but_an_opened_file_is_flagged(source: str, line: int) -> None:
    """pickle.load / an Unpickler / np.load(allow_pickle=True) handed bytes held in memory (or anything that
    is not a file opened by its path: a parameter, an object with read(), a rebound `open`), shelve, or
    the loader taken without a call: dynamic_code at that line (before: no flag, and a pickle stream of
    builtins.exec ran a backward hidden as text)."""
    assert ("dynamic_code", line) in codes_and_lines(source)


@pytest.mark.parametrize("source", HONEST_RUNNERS)
def test_a_runner_handed_a_function_is_not_flagged(source: str) -> None:
    """Review: timeit of a lambda, a Timer of a function, cProfile's runcall and enable, a deep copy through
    pickle.dumps/loads and dill.dump each raised dynamic_code; they run no text, so no flag."""
    assert codes_and_lines(source) == []


@pytest.mark.parametrize(("source", "line"), HOSTILE_RUNNERS)
def test_a_runner_handed_text_or_a_loader_of_bytes_is_flagged(source: str, line: int) -> None:
    """A string (or a name, a call: anything but a lambda or a function of the file) run by timeit,
    cProfile, pdb, a profiler's run/runctx, unpickled bytes, dill's load, or the runner taken without its
    arguments (an alias, getattr): dynamic_code at that line."""
    assert ("dynamic_code", line) in codes_and_lines(source)


def test_doctest_stays_flagged() -> None:
    """doctest.testmod() runs the examples of the module's docstrings: code this scan reads as text, so it
    stays flagged (docs/FLAGS.md gives the honest cause)."""
    source = (
        'def f(x):\n    """\n    >>> f(1)\n    1\n    """\n    return x\nimport doctest\ndoctest.testmod()\n'
    )
    assert codes_and_lines(source) == [("dynamic_code", 8)]


@pytest.mark.parametrize(
    ("source", "name"),
    [
        ("x = 1\nbreakpoint()\n", "breakpoint"),
        ("import pdb\npdb.set_trace()\n", "pdb.set_trace"),
        ("import builtins\nbuiltins.breakpoint()\n", "builtins.breakpoint"),
    ],
)
def test_a_debugger_left_in_is_said_as_one(source: str, name: str) -> None:
    """A leftover breakpoint()/pdb.set_trace() is most often honest: staff read what it is (a debugger left
    in, which can run commands or a .pdbrc as code), not "runs code built at run time" (review of s23-hunt's
    fix, 7). Still dynamic_code."""
    flags = [f for f in scan_submission({"sub.py": source.encode()}) if f.line == 2]
    assert [f.code for f in flags] == ["dynamic_code"], flags
    assert flags[0].summary.startswith(f"calls {name}(): a debugger left in"), flags[0].summary
    assert "built at run time" not in flags[0].summary


def test_breakpoint_with_arguments_is_not_said_as_a_leftover() -> None:
    """breakpoint(text, ns) hands its arguments to whatever PYTHONBREAKPOINT names: not "a debugger left in"
    (the review's builtins_breakpoint.py, sample miniflow/hidden_code_builtins_breakpoint.py)."""
    for source in ("import builtins\nbuiltins.breakpoint(s, ns)\n", "x = 1\nbreakpoint(s, ns)\n"):
        flags = [f for f in scan_submission({"sub.py": source.encode()}) if f.line == 2]
        assert [f.code for f in flags] == ["dynamic_code"], flags
        assert "with arguments: it hands them to whatever PYTHONBREAKPOINT names" in flags[0].summary


def test_optparse_values_handed_to_another_file_is_judged_there() -> None:
    """optparse's Values runs a file by path: a Values imported from the submission's own options.py was read
    in a file that never imports optparse, 43 / 43 and no flag (review of s23-hunt's fix, 5; sample
    miniflow/hidden_code_optparse_split/). Any file naming optparse makes every file's `.read_file` judged;
    the control: the same two files without optparse get no flag."""
    files = {
        "a.py": b"from b import V\nV().read_file('x.py')\n",
        "b.py": b"import optparse\nV = optparse.Values\n",
    }
    assert [(f.code, f.file, f.line) for f in scan_submission(files)] == [("dynamic_code", "a.py", 2)]
    control = {"a.py": files["a.py"], "b.py": b"import argparse\nV = argparse.Namespace\n"}
    assert scan_submission(control) == ()


def test_configparser_read_file_is_no_optparse_runner() -> None:
    """configparser's read_file reads an INI file: not flagged in a file that imports optparse too (review of
    s23-hunt's fix, 7), whether called on the parser made in place or on a name bound only to one."""
    source = (
        b"import optparse, configparser\nc = configparser.ConfigParser()\nc.read_file(f)\n"
        b"configparser.RawConfigParser().read_file(f)\nopts, _ = optparse.OptionParser().parse_args()\n"
    )
    assert scan_submission({"a.py": source}) == ()
    assert [f.line for f in scan_submission({"a.py": source + b"opts.read_file(p)\n"})] == [6]


# Names built from literal pieces (review of s23-hunt: each ran a backward kept as text at 43 / 43 unflagged):
# flagged as the whole literal would be, on the line building them; text that folds to an honest name, a
# message with spaces, or pieces the file does not spell out is not.
BUILT = [
    ("runtime_introspection", 'def f():\n    pass\ng = getattr(f, "__glob" + "als__")\n'),
    ("runtime_introspection", "import operator\ng = operator.attrgetter(f\"{'__glob'}als__\")\n"),
    ("runtime_introspection", 'x = 1\nm = getattr(len, "".join(["__se", "lf__"]))\n'),
    ("runtime_introspection", 'x = 1\nslot = "_" * 2 + "co" + "de" + 2 * "_"\n'),
    ("dynamic_code", 'x = 1\nrun = getattr(m, "ex" + "ec")\n'),
    ("dynamic_code", 'x = 1\nrun = chr(101) + "val"\n'),
    ("dynamic_code", 'x = 1\nname = "buil" + "tins.exec"\n'),
    # review of s24-hunt (3): module names bound to literals, augmented, format, %, case, strip, slices,
    # bytes.decode, joins of comprehensions, generators and map(chr, ...), __add__, counts Python accepts
    ("runtime_introspection", '_A = "__glob"\n_B = "als__"\ng = getattr(f, _A + _B)\n'),
    ("runtime_introspection", '_G, _S = "__glob", "__se"\nx = 1\ng = getattr(f, _G + "als__")\n'),
    ("runtime_introspection", 'x = 1\n_A = "__glob"\n_A += "als__"\n'),
    ("runtime_introspection", 'x = 1\ng = getattr(f, "{}als__".format("__glob"))\n'),
    ("runtime_introspection", 'x = 1\ng = getattr(f, "{0}{1}".format("__glob", "als__"))\n'),
    ("runtime_introspection", 'x = 1\ng = getattr(f, "%sals__" % "__glob")\n'),
    ("runtime_introspection", 'x = 1\ng = getattr(f, "%s%s" % ("__glob", "als__"))\n'),
    ("runtime_introspection", 'x = 1\ng = getattr(f, "__slabolg__"[::-1])\n'),
    ("runtime_introspection", 'x = 1\ng = getattr(f, "__globals__x"[:-1])\n'),
    ("runtime_introspection", 'x = 1\ng = getattr(f, "__GLOBALS__".lower())\n'),
    ("runtime_introspection", 'x = 1\ng = getattr(f, " __globals__ ".strip())\n'),
    ("runtime_introspection", 'x = 1\ng = getattr(f, "__gXobals__".replace("X", "l"))\n'),
    ("runtime_introspection", 'x = 1\ng = getattr(f, b"__globals__".decode())\n'),
    ("runtime_introspection", 'x = 1\ng = getattr(f, "".join([p for p in ("__glob", "als__")]))\n'),
    ("runtime_introspection", 'x = 1\ng = getattr(f, "".join(p for p in ("__glob", "als__")))\n'),
    (
        "runtime_introspection",
        'x = 1\ng = getattr(f, "".join(map(chr, [95, 95, 103, 108, 111, 98, 97, 108, 115, 95, 95])))\n',
    ),
    ("runtime_introspection", 'x = 1\ng = getattr(f, "".join([chr(c) for c in (95, 95)]) + "globals__")\n'),
    ("runtime_introspection", 'x = 1\ng = getattr(f, "__glob".__add__("als__"))\n'),
    ("runtime_introspection", 'x = 1\ng = getattr(f, str.__add__("__glob", "als__"))\n'),
    ("runtime_introspection", 'x = 1\ng = getattr(f, "__glob" * True + "als__")\n'),
    ("runtime_introspection", 'x = 1\ng = getattr(f, "__glob" + "x" * -1 + "als__")\n'),
    ("runtime_introspection", "x = 1\ng = getattr(f, f\"{'__glob':s}als__\")\n"),
    ("runtime_introspection", "x = 1\ng = getattr(f, f\"{'__glob'!s}als__\")\n"),
    # a chain nested deeper than the folder goes is still flagged at its inner, shallower BinOp
    (
        "runtime_introspection",
        "x = 1\ng = getattr(f, " + '"" + (' * 40 + '"__glob" + "als__"' + ")" * 40 + ")\n",
    ),
]
NOT_BUILT = [
    'x = 1\nname = "for" + "ward"\n',
    'x = 1\nmsg = "could not " + "compile"\n',
    'def f(name):\n    return getattr(f, "__" + name + "__")\n',
    "x = 1\ny = (x + 2) * 3 - x / 4\n",
    'x = 1\nline = "-" * 40 + "\\n"\n',
    'x = 1\nkey = f"{x}exec"\n',
    # review of s24-hunt (6): !r and !a quote the text, no name ('__glob'als__); a format spec or an
    # attribute field is not folded; a module name rebound in a function is no constant; %d is not folded
    "x = 1\ng = getattr(f, f\"{'__glob'!r}als__\")\n",
    "x = 1\ng = getattr(f, f\"{'__glob'!a}als__\")\n",
    'x = 1\ng = getattr(f, "{:>6}als__".format("__glob"))\n',
    'x = 1\ng = getattr(f, "{0.x}als__".format("__glob"))\n',
    '_A = "__glob"\ndef h():\n    global _A\n    _A = "x"\ng = getattr(f, _A + "als__")\n',
    'x = 1\ng = getattr(f, "%dals__" % 5)\n',
    '_A = "__glob"\ndef h(_A):\n    return getattr(f, _A + "als__")\n',
    'for i in range(3):\n    k = "W" + str(i)\n'
    '    print(f"b{i}", "-" * 60, "__" + k + "__", "%s: %d" % (k, i))\n',
    'x = 1\nname = "Relu".lower() + "_" + "{}".format("layer")\n',
]


@pytest.mark.parametrize(("code", "snippet"), BUILT)
def test_a_name_built_from_literal_pieces_is_flagged_where_it_is_built(code: str, snippet: str) -> None:
    """The folded text names what a whole literal is flagged for: the same code, on the building line."""
    lines = snippet.count("\n")
    flags = scan_submission({"m.py": snippet.encode()})
    assert (code, lines) in {(f.code, f.line) for f in flags}, flags
    assert all(f.line == lines for f in flags), flags


@pytest.mark.parametrize("snippet", NOT_BUILT)
def test_text_that_folds_to_no_flagged_name_is_not_flagged(snippet: str) -> None:
    """Negative controls: an honest name, a message, a piece not spelt out, arithmetic."""
    assert scan_submission({"m.py": snippet.encode()}) == ()


def test_gzip_paths_are_read_in_time_linear_in_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each `gzip.open(p)` of a name read its bindings by walking every assignment, name and parameter of
    the file again (review of s29-realdlfs: 800 such loaders, 100 KB, took the parent 52 s to scan): the
    nodes the rules ask of the file stay a small multiple of the file's own (they were 58 times as many for
    200 loaders, growing with the square)."""
    from grader.flags import source

    asked = [0]
    of = source.Source.of

    def counted(self: source.Source, *kinds: type[ast.AST]) -> list[ast.AST]:
        found = of(self, *kinds)
        asked[0] += len(found)
        return found

    monkeypatch.setattr(source.Source, "of", counted)
    text = "import gzip, pickle\n" + "".join(
        f"def load{i}(path='x'):\n    p = 'a{i}.pkl.gz'\n    with gzip.open(p, 'rb') as f:\n"
        "        return pickle.load(f)\n"
        for i in range(200)
    )
    assert codes_and_lines(text) == []
    nodes = sum(1 for _ in ast.walk(ast.parse(text)))
    assert nodes < asked[0] < 4 * nodes  # the file was scanned (no kept flags), and in linear time
