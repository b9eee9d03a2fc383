"""The audit hook decides with no state the process can reach: the in-process guards turned off (shipped.py's
roots and keys emptied, pickles.py's Unpickler bypassed for the C one), a module written at run time is still
not imported and a pickle still calls no `exec`; honest reads, imports and own classes load as before.

Each check runs in a fresh interpreter (an audit hook cannot be removed), with the guards' state cleared
the way the hostile samples clear it, and a control run without the hook showing that the same script then
gets through (so the check can fail)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SETUP = """
import gc, io, os, pickle, sys, _pickle
sys.path.insert(0, {root!r})
from grader.inside import audit, pickles, shipped
sub = {sub!r}
sys.path.insert(0, sub)
shipped.snapshot(sub)
pickles.install()
if {hook!r}:  # as student.load installs it, with the parent's reading of the files (grader/pickle_defs.py)
    from grader.pickle_defs import pickle_definitions
    own = audit.own_modules(sub, {files!r})
    defs = pickle_definitions({{r: open(os.path.join(sub, r), "rb").read() for r in {files!r}}})
    audit.install(frozenset(n for v in own.values() for n in v), audit.defined_names(own, defs))
if {bars_off!r}:  # the in-process bars turned off, as the hostile samples do it
    shipped._ROOTS.clear()
    shipped._KEYS.clear()
RawUnpickler = _pickle.Unpickler.__mro__[1] if _pickle.Unpickler.__module__ == "pickle" else _pickle.Unpickler
"""

MINE = "class Weights:\n    def __init__(self):\n        self.w = [1, 2]\n"
# A hook as audit.install makes it, with nothing handed in (the controls add it without its refusals' help)
BARE_HOOK = (
    "audit._hook(frozenset(), 0, frozenset(), (), frozenset(), frozenset(), frozenset(), ((), (), (), ()))"
)
EXEC_PICKLE = b"cbuiltins\nexec\n(X" + len(b"print('RAN')").to_bytes(4, "little") + b"print('RAN')" + b"tR."


def _run(
    tmp_path: Path,
    body: str,
    hook: bool = True,
    bars_off: bool = True,
    files: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """`files`: more handed-in files (relative path -> text), written before the snapshot."""
    sub = tmp_path / "sub"
    sub.mkdir(parents=True, exist_ok=True)
    handed = {
        "mine.py": "class Weights:\n    def __init__(self):\n        self.w = [1, 2]\n",
        **(files or {}),
    }
    for rel, text in handed.items():
        (sub / rel).parent.mkdir(parents=True, exist_ok=True)
        (sub / rel).write_text(text)
    (sub / "exec.pkl").write_bytes(EXEC_PICKLE)
    script = SETUP.format(
        root=str(ROOT), sub=str(sub), hook=hook, bars_off=bars_off, files=sorted(handed)
    ) + textwrap.dedent(body)
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=str(sub)
    )


WRITTEN_MODULE = """
with open(os.path.join(sub, "written.py"), "w") as fh:
    fh.write("print('RAN')\\n")
try:
    import written
except ImportError as exc:
    print("REFUSED", type(exc).__name__, exc)
"""

WRITTEN_ZIP = """
import zipfile
z = os.path.join(sub, "data.bin")
with zipfile.ZipFile(z, "w") as zf:
    zf.writestr("zipped.py", "print('RAN')\\n")
sys.path.insert(0, z)
try:
    import zipped
except ImportError as exc:
    print("REFUSED", type(exc).__name__)
"""

RAW_PICKLE = """
with open(os.path.join(sub, "exec.pkl"), "rb") as fh:
    try:
        RawUnpickler(fh).load()
    except pickle.UnpicklingError as exc:
        print("REFUSED", exc)
"""


@pytest.mark.parametrize("body", [WRITTEN_MODULE, WRITTEN_ZIP, RAW_PICKLE], ids=["module", "zip", "pickle"])
def test_code_nobody_scanned_is_refused_with_the_bars_off(tmp_path: Path, body: str) -> None:
    walled = _run(tmp_path, body)
    assert "RAN" not in walled.stdout and "REFUSED" in walled.stdout, walled.stdout + walled.stderr
    # control: the same script without the hook gets through (the bars alone are off)
    control = _run(tmp_path / "control", body, hook=False)
    assert "RAN" in control.stdout, control.stdout + control.stderr


def test_the_refusal_names_the_file_and_the_rule(tmp_path: Path) -> None:
    out = _run(tmp_path, WRITTEN_MODULE).stdout
    assert "written.py was changed or created while the submission ran" in out, out
    out = _run(tmp_path, RAW_PICKLE).stdout
    assert "builtins.exec is not one" in out, out


def test_honest_reads_imports_and_own_classes_pass(tmp_path: Path) -> None:
    body = """
    import mine, json.tool
    w = mine.Weights()
    path = os.path.join(sub, "weights.pkl")
    with open(path, "wb") as fh:
        pickle.dump({"net": w, "arr": __import__("numpy").arange(3)}, fh)
    with open(path, "rb") as fh:
        back = pickle.load(fh)
    with open(os.path.join(sub, "written.py"), "w") as fh:
        fh.write("x = 1\\n")
    with open(os.path.join(sub, "written.py")) as fh:  # a file written at run time read as data
        text = fh.read()
    print("OK", back["net"].w, back["arr"].tolist(), text.strip())
    """
    out = _run(tmp_path, body, bars_off=False)
    assert "OK [1, 2] [0, 1, 2] x = 1" in out.stdout, out.stdout + out.stderr


def test_a_pickle_from_memory_calls_no_code_either(tmp_path: Path) -> None:
    """The hook cannot see the stream: a pickle held in memory is refused `exec` like one read from a file."""
    body = """
    try:
        RawUnpickler(io.BytesIO(open(os.path.join(sub, "exec.pkl"), "rb").read())).load()
    except pickle.UnpicklingError as exc:
        print("REFUSED", exc)
    try:
        pickle.loads(open(os.path.join(sub, "exec.pkl"), "rb").read())
    except pickle.UnpicklingError as exc:
        print("REFUSED", exc)
    """
    out = _run(tmp_path, body)
    assert "RAN" not in out.stdout and out.stdout.count("REFUSED") == 2, out.stdout + out.stderr
    control = _run(tmp_path / "control", body, hook=False)
    assert control.stdout.count("RAN") == 2, control.stdout + control.stderr


def test_a_module_compiled_from_a_written_file_does_not_run(tmp_path: Path) -> None:
    """The runtime's reader replaced (its read of the file is then a data read): the module's code, compiled
    under the written file's name, is refused when it runs."""
    body = """
    path = os.path.join(sub, "written.py")
    with open(path, "w") as fh:
        fh.write("print('RAN')\\n")
    try:
        code = compile(open(path).read(), path, "exec")
        exec(code, {})
    except ImportError as exc:
        print("REFUSED", exc)
    """
    out = _run(tmp_path, body)
    assert "RAN" not in out.stdout and "REFUSED" in out.stdout, out.stdout + out.stderr
    control = _run(tmp_path / "control", body, hook=False)
    assert "RAN" in control.stdout, control.stdout + control.stderr


# A refusal whose traceback ends in the hook's own frame (a module written at run time, imported)
HOOK_FRAME = """
with open(os.path.join(sub, "probe.py"), "w") as fh:
    fh.write("x = 1\\n")
hook_frame = None
try:
    import probe
except ImportError as exc:
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_name == "hook":
            hook_frame = tb.tb_frame
        tb = tb.tb_next
print("HOOK FRAME", hook_frame is not None)
"""


def test_gc_lists_nothing_even_unfrozen(tmp_path: Path) -> None:
    """gc.unfreeze() puts the hook back among gc's objects, and a frame's referents hold its function (review
    of s22-walls, finding 1: its cells rewritten, 43 / 43): gc's three listings are refused."""
    body = HOOK_FRAME + textwrap.dedent(
        """
    gc.unfreeze()
    for call in (gc.get_objects, lambda: gc.get_referrers(sys), lambda: gc.get_referents(hook_frame)):
        try:
            found = [o for o in call() if getattr(o, "__name__", None) == "hook"]
            print("FOUND", len(found))
        except audit.Refused as exc:
            print("REFUSED", exc)
    """
    )
    out = _run(tmp_path, body)
    assert "HOOK FRAME True" in out.stdout, out.stdout + out.stderr
    assert out.stdout.count("REFUSED gc.get_") == 3, out.stdout + out.stderr
    assert "FOUND" not in out.stdout, out.stdout
    # control: a hook made the same way, added without the refusals in front, is found from its frame
    control = """
    def spy(event, args):
        if event == "spy":
            raise ValueError
    sys.addaudithook(spy)
    try:
        sys.audit("spy")
    except ValueError as exc:
        tb = exc.__traceback__
        while tb.tb_next:
            tb = tb.tb_next
        print("FOUND", [o.__name__ for o in gc.get_referents(tb.tb_frame) if callable(o)])
    """
    out = _run(tmp_path / "control", control, hook=False)
    assert "FOUND ['spy']" in out.stdout, out.stdout + out.stderr


IMMUTABLE = """
import types
def immutable(value):
    # what a cell of the hook may hold: a value no one can change, or a C function or class it only calls
    if isinstance(value, (str, bytes, int, float, type(None))):
        return True
    if isinstance(value, (tuple, frozenset)):
        return all(immutable(v) for v in value)
    if isinstance(value, (types.BuiltinFunctionType, types.MethodWrapperType)):
        return isinstance(value.__self__, (types.ModuleType, type))  # os.stat, not a dict's .get
    if isinstance(value, types.WrapperDescriptorType):  # str.__add__
        return True
    if isinstance(value, type):  # a built-in type, or an exception class the hook only raises
        return value.__module__ == "builtins" or issubclass(value, Exception)
    return False
"""


def test_the_hook_frame_holds_only_immutable_values(tmp_path: Path) -> None:
    """Its frame (on the traceback of any refusal) shows every cell in `f_locals`: a dict's bound `.get` there
    was a dict anyone could rewrite (the Python 2 name map)."""
    body = (
        HOOK_FRAME
        + IMMUTABLE
        + textwrap.dedent(
            """
    cells = {k: v for k, v in hook_frame.f_locals.items() if k not in ("event", "args")}
    print("CELLS", len(cells), "keys" in cells and "own" in cells)
    print("MUTABLE", [k for k, v in cells.items() if not immutable(v)])
    # control: the check tells a mutable value
    print("CONTROL", [immutable(v) for v in ({}.get, [], lambda: 0, os.stat, frozenset({1}))])
    """
        )
    )
    out = _run(tmp_path, body, bars_off=False)
    assert "HOOK FRAME True" in out.stdout and "CELLS" in out.stdout, out.stdout + out.stderr
    assert "True" in out.stdout.split("CELLS")[1].splitlines()[0], out.stdout
    assert "MUTABLE []" in out.stdout, out.stdout
    assert "CONTROL [False, False, False, True, True]" in out.stdout, out.stdout


def test_a_tracer_never_sees_the_hook(tmp_path: Path) -> None:
    """Tracers and profilers run (cProfile, doctest, a debugger: honest students use them): the interpreter
    runs an audit hook with tracing off unless the hook has `__cantrace__`, so no trace function gets the
    hook's running frame (whose locals a trace call writes back)."""
    body = """
    seen = set()
    def tracer(frame, event, arg):
        seen.add(frame.f_code.co_name)
        return tracer
    sys.settrace(tracer)
    sys.setprofile(tracer)
    open(os.path.join(sub, "mine.py")).close()
    try:
        import probe2
    except ImportError:
        pass
    sys.settrace(None)
    sys.setprofile(None)
    print("TRACED", sorted(seen & {"hook", "<module>"}))
    """
    (tmp_path / "sub").mkdir(parents=True)
    out = _run(tmp_path, body)
    assert "TRACED ['<module>']" in out.stdout, out.stdout + out.stderr
    # control: the same hook marked __cantrace__ (which only its function could be given) is traced
    control = body.replace(
        "seen = set()",
        f"seen = set()\n    h = {BARE_HOOK}\n    h.__cantrace__ = True\n    sys.addaudithook(h)",
    )
    out = _run(tmp_path / "control", control, hook=False)
    assert "TRACED ['<module>', 'hook']" in out.stdout, out.stdout + out.stderr


def test_own_names_are_the_runtimes_never_a_taken_name(tmp_path: Path) -> None:
    """util/builtins.py made `builtins` an own name and `builtins.exec` a class of the submission (43 / 43);
    a package's classes are in `nnlib`, not `nnlib.__init__`; a file whose name is no identifier is
    `_submission_...`."""
    from grader.inside import audit

    files = [
        "miniflow.py",
        "util/builtins.py",
        "util/numpy.py",
        "util/helpers.py",
        "json.py",
        "nnlib/__init__.py",
        "nnlib/layers.py",
        "hw-2.py",
        "miniflow (1).py",
        "src/mf/layers.py",
    ]
    names = audit.own_names(str(tmp_path), files)
    for taken in ("builtins", "numpy", "json", "torch"):
        assert taken not in names, sorted(names)
    for own in (
        "miniflow",
        "util.builtins",
        "util.helpers",
        "helpers",
        "nnlib",
        "nnlib.layers",
        "layers",
        "mf.layers",
        "_submission_hw_2",
        "_submission_miniflow__1_",
    ):
        assert own in names, (own, sorted(names))
    assert "nnlib.__init__" not in names and "hw-2" not in names


def test_a_stem_that_names_a_standard_module_is_not_own(tmp_path: Path) -> None:
    body = RAW_PICKLE
    walled = _run(tmp_path, body, files={"util/builtins.py": "def square(x):\n    return x * x\n"})
    assert "RAN" not in walled.stdout and "REFUSED" in walled.stdout, walled.stdout + walled.stderr


def test_the_hook_calls_no_method_of_the_callers_objects(tmp_path: Path) -> None:
    """sys.audit takes any object: a str subclass's `__add__`/`__eq__`/`__hash__` ran inside the hook."""
    body = """
    class S(str):
        def __add__(self, other):
            print("RAN add"); return str.__add__(self, other)
        def __eq__(self, other):
            print("RAN eq"); return str.__eq__(self, other)
        def __hash__(self):
            print("RAN hash"); return str.__hash__(self)
        def __radd__(self, other):
            print("RAN radd"); return str.__add__(other, self)
    for args in ((S("builtins"), "exec"), ("builtins", S("exec"))):
        try:
            sys.audit("pickle.find_class", *args)
        except pickle.UnpicklingError as exc:
            print("REFUSED", exc)
    for event, args in (("compile", (b"", S("x.py"))), ("object.__setattr__", (len, S("__code__"), None))):
        sys.audit(event, *args)
    print("DONE")
    """
    out = _run(tmp_path, body)
    assert "RAN" not in out.stdout and out.stdout.count("REFUSED") == 2 and "DONE" in out.stdout, (
        out.stdout + out.stderr
    )


WRITTEN_CODE_ROUTES = """
import runpy, types, importlib.machinery
with open("gen.py", "w") as fh:
    fh.write("print('RAN')\\n")
sys.path_importer_cache["gen.py"] = None

class Plain(importlib.machinery.SourceFileLoader):
    def get_data(self, path):
        with open(path, "rb") as fh:
            return fh.read()

def routes():
    yield "relative run_path", lambda: runpy.run_path("gen.py")
    yield "loader get_code", lambda: exec(Plain("gen", os.path.abspath("gen.py")).get_code("gen"), {})
    # compiled before the file existed (the compile named no file), the file then written
    early = compile("print('RAN')", os.path.abspath("late.py"), "exec")
    open("late.py", "w").write("# written\\n")
    yield "FunctionType", lambda: types.FunctionType(early, {})()
    def f():
        pass
    def assign():
        f.__code__ = early
        f()
    yield "__code__", assign

for name, route in routes():
    try:
        route()
        print("THROUGH", name)
    except ImportError as exc:
        print("REFUSED", name, "|", exc)
"""


def test_code_of_a_written_file_runs_by_no_route(tmp_path: Path) -> None:
    """A relative file name (runpy.run_path("_gen.py")) skipped the check; a code object run as a function
    (types.FunctionType, `__code__` assignment) raised no exec event: each was 43 / 43."""
    out = _run(tmp_path, WRITTEN_CODE_ROUTES)
    assert "RAN" not in out.stdout and out.stdout.count("REFUSED") == 4, out.stdout + out.stderr
    assert "gen.py was changed or created while the submission ran" in out.stdout, out.stdout
    control = _run(tmp_path / "control", WRITTEN_CODE_ROUTES, hook=False)
    assert control.stdout.count("RAN") == 4, control.stdout + control.stderr


def test_python2_names_are_decided_as_the_unpickler_maps_them(tmp_path: Path) -> None:
    """The C unpickler maps `commands` to subprocess after the event (fix_imports): a handed-in commands.py
    made `commands.getoutput` own. An honest protocol 2 pickle (`__builtin__.set`, `copy_reg`) loads."""
    body = """
    for raw in (b"ccommands\\ngetoutput\\n.", b"cthread\\nstart_new_thread\\n.", b"ccommands\\nbuiltins\\n."):
        try:
            print("THROUGH", _pickle.Unpickler(io.BytesIO(raw)).load())
        except pickle.UnpicklingError as exc:
            print("REFUSED", exc)
    import mine
    back = _pickle.Unpickler(io.BytesIO(pickle.dumps([{1, 2}, mine.Weights(), 3.5], protocol=2))).load()
    print("HONEST", sorted(back[0]), back[1].w, back[2])
    """
    files = {"commands.py": "x = 1\n", "thread.py": "x = 1\n"}
    out = _run(tmp_path, body, files=files)
    assert out.stdout.count("REFUSED") == 3 and "THROUGH" not in out.stdout, out.stdout + out.stderr
    assert "HONEST [1, 2] [1, 2] 3.5" in out.stdout, out.stdout + out.stderr


def test_honest_pickles_of_packages_aliases_numpy_and_generators_load(tmp_path: Path) -> None:
    """Own classes of a package's __init__.py and of a file imported under its private alias, NumPy's ufuncs
    and random generators, round-tripped in memory: each was refused ("numpy.tanh is not one")."""
    body = """
    import importlib.util, numpy as np
    import nnlib
    spec = importlib.util.spec_from_file_location("_submission_hw_2", os.path.join(sub, "hw-2.py"))
    hw = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = hw
    spec.loader.exec_module(hw)
    things = [nnlib.Scaler(), hw.Net(), np.tanh, np.random.RandomState(0), np.random.default_rng(1)]
    back = _pickle.Unpickler(io.BytesIO(pickle.dumps(things))).load()
    print("OK", back[0].k, back[1].n, back[2](0.0), back[3].randint(100), back[4].integers(100))
    """
    files = {"nnlib/__init__.py": "class Scaler:\n    k = 3\n", "hw-2.py": "class Net:\n    n = 4\n"}
    out = _run(tmp_path, body, bars_off=False, files=files)
    import numpy as np

    expected = f"OK 3 4 0.0 {np.random.RandomState(0).randint(100)} {np.random.default_rng(1).integers(100)}"
    assert expected in out.stdout, out.stdout + out.stderr


def test_a_package_data_file_written_at_run_time_is_data(tmp_path: Path) -> None:
    """pkgutil.get_data reads through FileLoader.get_data, a frame of the import system: a data file there is
    data; a module written there is still code (the negative control)."""
    body = """
    import pkgutil, nnlib
    open(os.path.join(sub, "nnlib", "weights.bin"), "wb").write(b"\\x00\\x01")
    print("DATA", len(pkgutil.get_data("nnlib", "weights.bin")))
    open(os.path.join(sub, "nnlib", "extra.py"), "w").write("print('RAN')\\n")
    try:
        pkgutil.get_data("nnlib", "extra.py")
        print("THROUGH")
    except ImportError as exc:
        print("REFUSED", exc)
    """
    out = _run(tmp_path, body, files={"nnlib/__init__.py": "x = 1\n"})
    assert "DATA 2" in out.stdout and "REFUSED" in out.stdout and "THROUGH" not in out.stdout, (
        out.stdout + out.stderr
    )


def test_profilers_and_doctest_run(tmp_path: Path) -> None:
    """cProfile at a module's top and doctest.testmod() were refused as an ImportError ("importing '?'
    failed ... sys.setprofile is refused"): an honest file lost 43 of 43."""
    body = '''
    import cProfile, doctest
    p = cProfile.Profile()
    p.enable()
    sum(range(10))
    p.disable()
    def double(x):
        """
        >>> double(2)
        4
        """
        return 2 * x
    print("DOCTEST", doctest.testmod())
    '''
    out = _run(tmp_path, body, bars_off=False)
    assert "DOCTEST TestResults(failed=0, attempted=1)" in out.stdout, out.stdout + out.stderr


CODE_FROM_DATA = """
import types
def backward():
    return "starter"
def correct():
    return "RAN"
for make in (
    lambda c: c.replace(co_consts=correct.__code__.co_consts),
    lambda c: types.CodeType(*[getattr(c, "co_" + n) for n in (
        "argcount", "posonlyargcount", "kwonlyargcount", "nlocals", "stacksize", "flags", "code")],
        correct.__code__.co_consts, *[getattr(c, "co_" + n) for n in (
        "names", "varnames", "filename", "name", "qualname", "firstlineno", "linetable", "exceptiontable",
        "freevars", "cellvars")]),
):
    try:
        backward.__code__ = make(backward.__code__)
    except RuntimeError as exc:
        print("REFUSED", type(exc).__name__, exc)
    print(backward())
"""


def test_code_made_from_data_is_refused(tmp_path: Path) -> None:
    """A handed-in function's code replaced by code made from data (code.replace, types.CodeType) keeps the
    handed-in file's name, which every check by file passes (review of s23-hunt,
    submissions/hostile/bytecode_code_replace.py: 43 / 43 and no flag): `code.__new__` is refused."""
    walled = _run(tmp_path, CODE_FROM_DATA)
    assert "RAN" not in walled.stdout, walled.stdout + walled.stderr
    assert walled.stdout.count("REFUSED Refused making a code object") == 2, walled.stdout + walled.stderr
    control = _run(tmp_path / "control", CODE_FROM_DATA, hook=False)
    assert control.stdout.split().count("RAN") == 2, control.stdout + control.stderr


# Each forgery of the review of s23-hunt that ran under the frame exemption (the last Python frame being
# types.py or the stand-in registry's, or no Python frame at all): it prints "RAN" if a code object made from
# data became a function's code, "REFUSED" if the hook refused the make.
FORGERY_SETUP = """
import functools, operator, time, types, _thread
def backward():
    return "starter"
def correct():
    return "RAN"
REAL = backward.__code__
PARTS = dict(co_consts=correct.__code__.co_consts)
def attempt(make):
    try:
        backward.__code__ = make(REAL)
        print(backward())
    except RuntimeError as exc:
        print("REFUSED", type(exc).__name__, exc)
"""
CODE_FIELDS = (
    '[getattr(c, "co_" + n) for n in ("argcount", "posonlyargcount", "kwonlyargcount", "nlocals", '
    '"stacksize", "flags", "code")] + [correct.__code__.co_consts] + [getattr(c, "co_" + n) for n in '
    '("names", "varnames", "filename", "name", "qualname", "firstlineno", "linetable", "exceptiontable", '
    '"freevars", "cellvars")]'
)
FORGERIES = {
    # types.coroutine with a non-function returns `wrapped`, defined in types.py, calling it
    "coroutine_replace": "attempt(lambda c: types.coroutine(c.replace)(**PARTS))",
    "coroutine_codetype": f"attempt(lambda c: types.coroutine(types.CodeType)(*{CODE_FIELDS}))",
    "dynamic_class_attribute": (
        'attempt(lambda c: types.DynamicClassAttribute(operator.methodcaller("replace", **PARTS)).__get__(c))'
    ),
    # types.py's globals swapped: types.coroutine calls a fake's replace, a partial of the real one
    "types_globals_swapped": """
class FakeCode:
    co_flags = 0x20
    replace = functools.partial(REAL.replace, **PARTS)
class FakeFn:
    __code__ = FakeCode()
    def __call__(self):
        pass
fake = FakeFn()
saved = types.FunctionType, types.CodeType
types.FunctionType, types.CodeType = FakeFn, FakeCode
try:
    attempt(lambda c: (types.coroutine(fake), vars(fake)["__code__"])[1])
finally:
    types.FunctionType, types.CodeType = saved
""",
    # a thread started on a C callable runs with no Python frame
    "thread_with_no_frame": """
box = []
def in_thread(c):
    _thread.start_new_thread(box.extend, (map(operator.methodcaller("replace", **PARTS), [c]),))
    for _ in range(300):
        if box:
            break
        time.sleep(0.01)
    return box[0] if box else c
attempt(in_thread)
""",
    # the stand-in registry reads a class attribute's __code__ in its own frame: a property's C getter
    "registry_property": """
from grader.inside import standins
box = []
class Gadget:
    __iter__ = functools.partial(map, operator.methodcaller("replace", **PARTS), [REAL])
    __code__ = property(box.extend)
    def __call__(self):
        pass
try:
    standins._codes(Gadget())
except RuntimeError as exc:
    print("REFUSED", type(exc).__name__, exc)
attempt(lambda c: box[0] if box else c)
""",
}


@pytest.mark.parametrize("forgery", sorted(FORGERIES))
def test_code_made_from_data_is_refused_whoever_calls_the_maker(tmp_path: Path, forgery: str) -> None:
    """No caller is exempt from the `code.__new__` refusal, and a make with no Python frame is refused too
    (review of s23-hunt: each of these ran, 43 / 43 on a sample, under the frame exemption)."""
    body = FORGERY_SETUP + textwrap.dedent(FORGERIES[forgery])
    walled = _run(tmp_path, body, bars_off=False)
    assert "RAN" not in walled.stdout, walled.stdout + walled.stderr
    # the thread's refusal is told on stderr (the thread's own exception), the others' by attempt()
    assert "Refused: making a code object" in walled.stderr or (
        "REFUSED Refused making a code object" in walled.stdout
    ), walled.stdout + walled.stderr
    control = _run(tmp_path / "control", body, hook=False)
    assert "RAN" in control.stdout.split(), control.stdout + control.stderr


def test_asyncio_and_an_honest_coroutine_are_as_before_the_hook(tmp_path: Path) -> None:
    """asyncio's own `@types.coroutine` ran before the hook (audit.py imports asyncio): importing it, and
    torch's import of it, is untouched, and a coroutine runs. A submission's own `@types.coroutine` on a
    generator makes a code object and is refused, with the rule named (a control: the same without the
    hook reflags it)."""
    body = """
    import asyncio, types
    async def main():
        await asyncio.sleep(0)
        return "ASYNC ok"
    print(asyncio.run(main()))
    try:
        @types.coroutine
        def gen():
            yield 1
        print("COROUTINE", gen.__code__.co_flags & 0x100 != 0)
    except RuntimeError as exc:
        print("REFUSED", type(exc).__name__, exc)
    """
    walled = _run(tmp_path, body, bars_off=False)
    assert "ASYNC ok" in walled.stdout, walled.stdout + walled.stderr
    assert (
        "REFUSED Refused making a code object (types.CodeType, code.replace, types.coroutine)"
        in walled.stdout
    )
    control = _run(tmp_path / "control", body, hook=False)
    assert "COROUTINE True" in control.stdout, control.stdout + control.stderr


def test_own_names_read_the_folders_the_worker_listed_and_decide_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker lists sys.path's folders once before it forks (audit.remember_paths): a child's own_names
    lists none of them again and decides as a listing of its own did; a folder the child cannot list (here
    gone since) holds no names for it, as before."""
    from grader.inside import audit

    site = tmp_path / "site"
    (site / "fancylib").mkdir(parents=True)
    sub = tmp_path / "sub"
    sub.mkdir()
    files = ["fancylib.py", "miniflow.py"]
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setattr(audit, "_REAL", {})
    monkeypatch.setattr(audit, "_LISTED", {})
    listing_of_its_own = audit.own_names(str(sub), files)
    assert "fancylib" not in listing_of_its_own and "miniflow" in listing_of_its_own
    audit.remember_paths()
    listed: list[str] = []
    real_listdir = os.listdir

    def counted(path: str) -> list[str]:
        listed.append(path)
        return real_listdir(path)

    monkeypatch.setattr(os, "listdir", counted)
    assert audit.own_names(str(sub), files) == listing_of_its_own
    assert str(site) in audit._LISTED and not set(listed) & set(audit._LISTED), listed
    (site / "fancylib").rmdir()
    site.rmdir()
    assert "fancylib" in audit.own_names(str(sub), files)


@pytest.mark.skipif(os.geteuid() != 0, reason="root lists a folder the child, uid 65534, may not")
def test_a_folder_the_worker_listed_and_the_child_may_not_holds_no_names_for_the_child(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The case `_listable` is for (review of s23-speed, finding 3): a folder the worker, before it drops, may
    list and the child may not (modes 0700). The child decides as it did listing for itself: that folder holds
    no names, so a handed-in file of a name it holds is the student's own. Control: the worker's own listing
    holds the name, and a child that trusted it would count the name as installed."""
    from grader.inside import audit

    private = tmp_path / "priv"
    (private / "fancylib").mkdir(parents=True)
    private.chmod(0o700)
    monkeypatch.syspath_prepend(str(private))
    monkeypatch.setattr(audit, "_REAL", {})
    monkeypatch.setattr(audit, "_LISTED", {})
    audit.remember_paths()
    assert "fancylib" in audit._LISTED[str(private)]  # the control: the worker's listing holds it
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: dropped as a student process is, then own_names with and without the memory
        try:
            os.close(read)
            os.setgroups([])
            os.setresgid(65534, 65534, 65534)
            os.setresuid(65534, 65534, 65534)
            remembered = "fancylib" in audit.own_names(str(tmp_path / "sub"), ["fancylib.py"])
            audit._LISTED.clear()
            audit._REAL.clear()
            listed = "fancylib" in audit.own_names(str(tmp_path / "sub"), ["fancylib.py"])
            os.write(write, f"{audit._listable(str(private))} {remembered} {listed}".encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        answer = pipe.read()
    os.waitpid(pid, 0)
    assert answer == "False True True", answer


# Objects bound to names of a handed-in module by anything but a class/def statement (grader/pickle_defs.py)
ALIASES = """
import builtins, functools, operator, os
from builtins import exec as run_text
from os import system
_run = exec
f = getattr
g = builtins.eval
h = os.system
p = functools.partial(print, "RAN")
m = operator.methodcaller("count", "RAN")  # ("__call__", ...) would leave out every class: pickle_defs.py
def later():
    pass
later = exec
def swapped():
    pass
globals()["swapped"] = exec
@functools.lru_cache
def cached(x):
    return x
def real(x):
    return ("REAL", x)
"""
ALIAS_ROUTES = """
import nn
names = ["run_text", "system", "_run", "f", "g", "h", "p", "m", "later", "swapped", "cached", "os"]
names.append("builtins")
class Checked(pickle.Unpickler):
    def find_class(self, module, name):
        return super().find_class(module, name)
loaders = {
    "C": pickle.loads,
    "python": pickle._loads,
    "subclass": lambda raw: Checked(io.BytesIO(raw)).load(),
}
for name in names:
    for proto, raw in (
        (0, b"cnn\\n" + name.encode() + b"\\n."),
        (4, b"\\x80\\x04\\x8c\\x02nn\\x8c" + bytes([len(name)]) + name.encode() + b"\\x93."),
    ):
        for label, load in loaders.items():
            try:
                load(raw)
                print("THROUGH", name, proto, label)
            except pickle.UnpicklingError as exc:
                print("REFUSED", name, proto, label, exc)
weights = pickle._loads(pickle.dumps(__import__("mine").Weights()))
print("DEFINED", pickle.loads(b"cnn\\nreal\\n(I3\\ntR."), type(weights).__name__)
"""


def test_a_pickle_never_names_an_object_bound_to_an_own_name(tmp_path: Path) -> None:
    """An own module's name a pickle may resolve is a class or def its source defines and nothing rebinds:
    `_run = exec`, an imported name, getattr, eval, os.system, a partial, a methodcaller, a def rebound by
    assignment, by `globals()[...]` or by a decorator are refused by every unpickler at protocols 0 and 4
    (any own attribute went through: own_attribute_exec_pickle.py, 43 / 43). Control: without the hook each
    loads."""
    files = {"nn.py": ALIASES}
    out = _run(tmp_path, ALIAS_ROUTES, files=files)
    assert "THROUGH" not in out.stdout, out.stdout + out.stderr
    assert out.stdout.count("REFUSED") == 13 * 2 * 3, out.stdout + out.stderr
    assert "DEFINED ('REAL', 3) Weights" in out.stdout, out.stdout + out.stderr
    control = _run(tmp_path / "control", ALIAS_ROUTES, hook=False, files=files)
    assert control.stdout.count("THROUGH") == 13 * 2 * 3, control.stdout + control.stderr


# A pickle naming nn._run: exec("print('RAN')") if `_run` is exec; and nn.Both, a class both files define
STEM_PICKLE = """
import nn
text = b"print('RAN')"
for name, raw in (
    ("_run", b"cnn\\n_run\\n(X" + len(text).to_bytes(4, "little") + text + b"tR."),
    ("Both", b"cnn\\nBoth\\n(tR."),
):
    try:
        print("THROUGH", name, type(pickle.loads(raw)).__name__)
    except pickle.UnpicklingError as exc:
        print("REFUSED", name, exc)
"""


def test_a_name_is_own_only_if_every_file_of_that_module_name_defines_it(tmp_path: Path) -> None:
    """pkg/nn.py may be imported as `nn` too: its `class _run` let "nn\\n_run" through where the root nn.py
    bound `_run = exec` (review of s23-walls finding 1: 43 / 43 in both modes). Refused now; a class both
    files define still loads, and without the hook the exec runs (the control)."""
    both = "class Both:\n    pass\n"
    files = {"nn.py": "_run = exec\n" + both, "pkg/nn.py": "class _run:\n    pass\n" + both}
    out = _run(tmp_path, STEM_PICKLE, files=files)
    assert "REFUSED _run" in out.stdout and "RAN" not in out.stdout, out.stdout + out.stderr
    assert "THROUGH Both Both" in out.stdout, out.stdout + out.stderr
    control = _run(tmp_path / "control", STEM_PICKLE, hook=False, files=files)
    assert "RAN" in control.stdout and "THROUGH _run" in control.stdout, control.stdout + control.stderr


def test_a_code_file_the_parent_did_not_read_leaves_no_name_own(tmp_path: Path) -> None:
    """helper.py past the parent's parse budget rebinds nn._run to exec (review of s23-walls finding 2:
    43 / 43 in both modes, and the same with a helper.pyc): no name of any file is own then. Control: the
    same files without the hook run the exec."""
    from grader import pyparse

    helper = "def rebind(g):\n    g['_run'] = exec\n" + "#" * pyparse.MAX_PARSED_BYTES + "\n"
    nn = "class _run:\n    pass\nclass Both:\n    pass\nimport helper\nhelper.rebind(globals())\n"
    files = {"nn.py": nn, "helper.py": helper}
    out = _run(tmp_path, STEM_PICKLE, files=files)
    assert "REFUSED _run" in out.stdout and "RAN" not in out.stdout, out.stdout + out.stderr
    assert "REFUSED Both" in out.stdout, out.stdout + out.stderr
    control = _run(tmp_path / "control", STEM_PICKLE, hook=False, files=files)
    assert "RAN" in control.stdout and "THROUGH _run" in control.stdout, control.stdout + control.stderr
