"""Names the scan reads by name, bound where it did not look: star imports of a library
(grader/flags/star_imports.py) and writes into the module's namespace dict (grader/flags/namespace_writes.py).
Each flagged case has its control: the same program written plainly gets the same flag, and an honest use of
the same construct gets none."""

from __future__ import annotations

import builtins
import importlib
import warnings

import pytest

from grader.flags import scan_submission
from grader.flags.star_imports import OPEN_EXPORTERS


def _flags(source: str) -> set[tuple[str, int]]:
    return {(f.code, f.line) for f in scan_submission({"miniflow.py": source.encode()}, graded=["Linear"])}


def _dezero(tail: str, *, signature: str = "name, value", body: str = "") -> str:
    """A student's DeZero file (step 18 with module variables, step 44's Layer.load_weights), then `tail`:
    `using_config` writes `globals()[name]` (line 7) where the book writes `setattr(Config, name, value)`."""
    return (
        "import contextlib\nimport numpy as np\nenable_backprop = True\n@contextlib.contextmanager\n"
        f"def using_config({signature}):\n{body}    old = globals()[name]\n    globals()[name] = value\n"
        "    try:\n        yield\n    finally:\n        globals()[name] = old\n"
        "def no_grad():\n    return using_config('enable_backprop', False)\n"
        "class Layer:\n    def load_weights(self, path):\n        npz = np.load(path)\n"
        "        return {key: npz[key] for key in npz.files}\n" + tail
    )


REBOUND = {
    # star imports: the bare name is the library's
    "star pickle loads": "from pickle import *\nimport base64\nx = loads(base64.b64decode('gA=='))\n",
    "star pickle load": "from pickle import *\nimport io\nx = load(io.BytesIO(b'.'))\n",
    "star Unpickler": "from pickle import *\nimport io\nx = Unpickler(io.BytesIO(b'.')).load()\n",
    "star gzip open": "from gzip import *\nimport io, pickle\nx = pickle.load(open(io.BytesIO(b'.')))\n",
    "star os open": "from os import *\nimport pickle\nx = pickle.load(open('w.pkl', 'rb'))\n",
    "star timeit": "from timeit import *\ns = 'print(1)'\ntimeit(s, number=1)\n",
    "star in a function": (
        "import io\ndef f():\n    from pickle import *\n    return load(io.BytesIO(b'.'))\n"
    ),
    # writes into the module's namespace dict
    "globals item": "import io, pickle\nglobals()['open'] = io.BytesIO\nx = pickle.load(open(b'.'))\n",
    "vars item": "import io, pickle\nvars()['open'] = io.BytesIO\nx = pickle.load(open(b'.'))\n",
    "locals item": "import io, pickle\nlocals()['open'] = io.BytesIO\nx = pickle.load(open(b'.'))\n",
    "update keyword": "import io, pickle\nglobals().update(open=io.BytesIO)\nx = pickle.load(open(b'.'))\n",
    "update dict": "import io, pickle\nglobals().update({'open': io.BytesIO})\nx = pickle.load(open(b'.'))\n",
    "setitem": "import io, pickle\nglobals().__setitem__('open', io.BytesIO)\nx = pickle.load(open(b'.'))\n",
    "setdefault import": "import pickle\nglobals().setdefault('pickle', None)\n",
    "alias": "import io, pickle\ng = globals()\ng['open'] = io.BytesIO\nx = pickle.load(open(b'.'))\n",
    "computed key": (
        "import io, pickle\nk = 'op' + 'en'\nglobals()[k] = io.BytesIO\nx = pickle.load(open(b'.'))\n"
    ),
    # a key that cannot be read, in a file calling a name a rule's verdict rests on (session 31): each of
    # these was unflagged, and pickle.load read the stream held in memory as a file opened by path
    "parameter key, open relied on": (
        "import io, pickle\ndef put(name, value):\n    globals()[name] = value\n"
        "put(''.join(reversed('nepo')), io.BytesIO)\nx = pickle.load(open(b'.'))\n"
    ),
    "update of a variable, open relied on": (
        "import io, pickle\nd = {'open': io.BytesIO}\nglobals().update(d)\nx = pickle.load(open(b'.'))\n"
    ),
    "run-time key, loader relied on": (
        "import pickle, base64\nk = bytes([112, 105, 99, 107, 108, 101]).decode()\nvars()[k] = None\n"
        "x = pickle.loads(pickle.dumps(1))\n"
    ),
    "own module's dict": (
        "import io, pickle\nimport miniflow\nminiflow.__dict__[input()] = io.BytesIO\n"
        "x = pickle.load(open(b'.'))\n"
    ),
    "library module's dict": "import numpy as np\nk = input()\nnp.__dict__[k] = print\n",
    "vars of a library": "import pickle\nvars(pickle)['loads'] = print\n",
    # the book's DeZero using_config as a module variable (HONEST "using_config beside np.load") with one
    # call its honest twin lacks: each hands or may hand the key a name a rule reads (review of s31-trust)
    "using_config handed np": _dezero("with using_config('np', None):\n    pass\n"),
    "using_config handed a name built at run time": _dezero("with using_config(input(), None):\n    pass\n"),
    "using_config taken without a call": _dezero("put = using_config\nwith put('np', None):\n    pass\n"),
    "using_config found by its name": _dezero("with globals()['using_config']('np', None):\n    pass\n"),
    "using_config's key left to its default": _dezero(
        "with using_config(value=None):\n    pass\n", signature="name='np', value=None"
    ),
    "using_config's parameter bound again": _dezero("", body="    name = input()\n"),
}
# (code, line) each must get: the line that rebinds or the call the star import's name makes
WANTED = {
    "star pickle loads": 3, "star pickle load": 3, "star Unpickler": 3, "star gzip open": 3,
    "star os open": 3,
    "star timeit": 3, "star in a function": 4, "globals item": 2, "vars item": 2, "locals item": 2,
    "update keyword": 2, "update dict": 2, "setitem": 2, "setdefault import": 2, "alias": 3,
    "computed key": 3, "parameter key, open relied on": 3, "update of a variable, open relied on": 3,
    "run-time key, loader relied on": 3, "own module's dict": 3, "library module's dict": 3,
    "vars of a library": 2, "using_config handed np": 7,
    "using_config handed a name built at run time": 7, "using_config taken without a call": 7,
    "using_config found by its name": 7, "using_config's key left to its default": 7,
    "using_config's parameter bound again": 8,
}  # fmt: skip

HONEST = {
    "star of the own module": "from common.functions import *\nx = softmax([1.0])\n",
    "star numpy": (
        "from numpy import *\nimport pickle\nwith open('p.pkl', 'rb') as f:\n"
        "    p = pickle.load(f)\nx = zeros(3)\n"
    ),
    "star math, builtin open": "from math import *\nimport pickle\np = pickle.load(open('p.pkl', 'rb'))\n",
    "own binding after a star": "from pickle import *\ndef load(path):\n    return path\nx = load('a')\n",
    "globals of another name": "DEBUG = True\nglobals()['DEBUG'] = False\nglobals().update(VERBOSE=1)\n",
    "globals read": "x = globals().get('DEBUG', False)\nnames = sorted(vars())\n",
    "a dict named so": "def f(globals):\n    globals['open'] = 1\n",
    # the book's DeZero step 18 kept as module variables (dezero/own_package_global_config): a parameter,
    # unread, as is `update(d)` of a variable, in a file that calls no name a rule relies on
    "a parameter as the key": (
        "import contextlib\n@contextlib.contextmanager\ndef using_config(name, value):\n"
        "    old = globals()[name]\n    globals()[name] = value\n    yield\n    globals()[name] = old\n"
        "with using_config('enable_backprop', False):\n    x = np.zeros(3)\n"
    ),
    "update of a variable": "import io\nd = {'open': io.BytesIO}\nglobals().update(d)\n",
    # DeZero's own Config (the book's dezero/core.py): setattr on a class, no module's namespace
    "setattr of Config": (
        "import contextlib, pickle\nclass Config:\n    enable_backprop = True\n"
        "@contextlib.contextmanager\ndef using_config(name, value):\n    old = getattr(Config, name)\n"
        "    setattr(Config, name, value)\n    try:\n        yield\n    finally:\n"
        "        setattr(Config, name, old)\nwith open('p.pkl', 'rb') as f:\n    p = pickle.load(f)\n"
    ),
    "an own open beside an unread key": (
        "import pickle\ndef open(p, m):\n    return p\ndef put(k, v):\n    globals()[k] = v\n"
    ),
    "a class's vars": "class C:\n    pass\nfor k in dir(C):\n    x = vars(C)[k]\n",
    # review of s31-trust: flagged at each write, because np.load could be rebound through the key; the
    # key is a parameter every call hands a literal no rule reads, in the submission's only Python file
    "using_config beside np.load": _dezero(
        "with using_config('enable_backprop', False):\n    pass\nwith no_grad():\n    pass\n"
    ),
}


@pytest.mark.parametrize("key", sorted(REBOUND))
def test_a_rebound_name_is_flagged(key: str) -> None:
    """Each way of binding a name the scan reads by name behind its back is flagged dynamic_code."""
    assert ("dynamic_code", WANTED[key]) in _flags(REBOUND[key]), _flags(REBOUND[key])


@pytest.mark.parametrize("key", sorted(HONEST))
def test_an_honest_use_of_the_same_construct_is_not(key: str) -> None:
    """A star import of the submission's own module or of a library whose names no rule reads, an own def
    after a star import, a namespace write of a name nothing reads as a library's: no flag."""
    assert not _flags(HONEST[key]), _flags(HONEST[key])


def test_controls_the_same_programs_written_plainly_are_flagged_alike() -> None:
    """Negative control of the detector: the plain spelling of the star-imported call is flagged at the same
    line (what the star import hid), and the plain stream read of the rebound opener too."""
    assert ("dynamic_code", 3) in _flags(
        "import pickle\nimport base64\nx = pickle.loads(base64.b64decode('gA=='))\n"
    )
    assert ("dynamic_code", 3) in _flags(
        "import io, pickle\nimport base64\nx = pickle.load(io.BytesIO(b'.'))\n"
    )


def test_the_modules_read_as_exporting_open_are_the_librarys() -> None:
    """OPEN_EXPORTERS against the library itself: each binds `open` by a star import (its __all__ or public
    names)."""
    for name in sorted(OPEN_EXPORTERS):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)  # aifc, sunau, ossaudiodev: until 3.13
                module = importlib.import_module(name)
        except ImportError:
            continue  # ossaudiodev where the platform has none
        exported = getattr(module, "__all__", None) or [n for n in dir(module) if not n.startswith("_")]
        assert "open" in exported, name
    assert "open" in dir(builtins)


def test_a_function_another_file_may_call_hands_its_key_anything() -> None:
    """The honest DeZero file beside another Python file: that file may call `using_config('np', ...)`, so
    the computed key is flagged as before review; alone it is not (HONEST)."""
    honest = HONEST["using_config beside np.load"].encode()
    alone = scan_submission({"dezero.py": honest})
    beside = scan_submission({"dezero.py": honest, "steps.py": b"from dezero import using_config\n"})
    assert not alone
    assert {(f.code, f.file, f.line) for f in beside} >= {("dynamic_code", "dezero.py", 7)}
