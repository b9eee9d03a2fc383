"""The parent's reading of what a pickle may name in each file: classes and functions a class/def statement
defines at module level, never a name the source binds any other way (grader/pickle_defs.py)."""

from __future__ import annotations

import ast
from pathlib import Path

from grader import parse_cost, pyparse
from grader.pickle_defs import pickle_definitions

DEFINES = b"""
class A: pass
def f(): pass
if True:
    class E: pass
try:
    def F(): pass
except ImportError:
    pass
class K:
    def A(self): pass
    f = 1
def h():
    A = None
    import os as K
    for E in []: pass
    (F := 1)
    return [h for h in ()]
g = [K for K in ()]
"""


def test_undecorated_module_level_definitions_are_named() -> None:
    """Classes and defs at the module's own level, in if/try blocks too; a method, a class attribute, a local
    or a comprehension's target of the same name binds nothing of the module (review of s23-walls, finding 5:
    any Name stored anywhere left the definition out, `Checkpoint = None` in a function refused the class)."""
    assert pickle_definitions({"m.py": DEFINES}) == {"m.py": ["A", "E", "F", "K", "f", "h"]}


REBINDS = {
    "assigned": b"def x(): pass\nx = exec\n",
    "augmented": b"def x(): pass\nx += 1\n",
    "annotated": b"def x(): pass\nx: object = exec\n",
    "imported": b"def x(): pass\nfrom builtins import exec as x\n",
    "global": b"def x(): pass\ndef g():\n    global x\n    x = exec\n",
    "decorated": b"@staticmethod\ndef x(): pass\n",
    "for target": b"def x(): pass\nfor x in [exec]: pass\n",
    "with target": b"def x(): pass\nwith open('f') as x: pass\n",
    "except name": b"def x(): pass\ntry: pass\nexcept Exception as x: pass\n",
    "walrus": b"def x(): pass\n(x := exec)\n",
    "deleted": b"def x(): pass\ndel x\n",
    "match capture": b"def x(): pass\nmatch 1:\n    case x: pass\n",
    "globals key": b"def x(): pass\nglobals()['x'] = exec\n",
    "setattr": b"import sys\ndef x(): pass\nsetattr(sys.modules[__name__], 'x', exec)\n",
    "update": b"def x(): pass\nglobals().update(x=exec)\n",
    "walrus in a default": b"def x(): pass\ndef g(a=(x := exec)): pass\n",
    "walrus in a comprehension": b"def x(): pass\n[(x := exec) for _ in [1]]\n",
    "decorated by a name bound again": (
        b"from dataclasses import dataclass\ndataclass = exec\n@dataclass\ndef x(): pass\n"
    ),
    "decorated by a look-alike": b"import functools as dataclasses\n@dataclasses.dataclass\nclass x: pass\n",
    "decorator patched": (
        b"import dataclasses\ndataclasses.dataclass = exec\n@dataclasses.dataclass\nclass x: pass\n"
    ),
    # Rebinding by a constant name, whatever call does it (review of s23-walls, finding 3: all 43 / 43)
    "update by a dict": b"def x(): pass\nglobals().update({'x': exec})\n",
    "operator.setitem": b"import operator\ndef x(): pass\noperator.setitem(globals(), 'x', exec)\n",
    "object.__setattr__": (
        b"import sys\ndef x(): pass\nobject.__setattr__(sys.modules[__name__], 'x', exec)\n"
    ),
    "update by dict()": b"def x(): pass\nglobals().update(dict(x=exec))\n",
    "in-place or": b"def x(): pass\ng = globals()\ng |= {'x': exec}\n",
    "bound __setattr__": b"import sys\ndef x(): pass\nsys.modules[__name__].__setattr__('x', exec)\n",
    "starred setattr": b"import sys\ndef x(): pass\nsetattr(sys.modules[__name__], *['x'], exec)\n",
    "map of setattr": (
        b"import sys\ndef x(): pass\nlist(map(setattr, [sys.modules[__name__]], ['x'], [exec]))\n"
    ),
    "bytes name": b"def x(): pass\nglobals()[b'x'.decode()] = exec\n",
}


def test_a_name_bound_any_other_way_is_left_out() -> None:
    """Each way of binding the name besides its def makes it no definition (the control: `y` is kept)."""
    for how, source in REBINDS.items():
        got = pickle_definitions({"m.py": source + b"def y(): pass\n"})
        names = got.get("m.py", [])
        assert "x" not in names and "y" in names, (how, got)


def test_an_attribute_stored_in_another_file_is_left_out_everywhere_an_import_is_not() -> None:
    """`import m; m.Linear = exec` in another file rebinds m.Linear; `from m import Scaler` rebinds nothing of
    m (only the importer's own name)."""
    files = {
        "m.py": b"class Linear: pass\nclass Scaler: pass\n",
        "n.py": b"import m\nfrom m import Scaler\nm.Linear = exec\nclass Own: pass\n",
    }
    assert pickle_definitions(files) == {"m.py": ["Scaler"], "n.py": ["Own"]}


def test_a_code_file_not_read_leaves_out_every_name() -> None:
    """A file the import system may load and the parent did not read (one that does not parse, one past the
    parse budget, a .pyc, an extension module) may rebind any name of any file (`helper.rebind(globals())`
    from a 1.13 MB helper.py or a helper.pyc: 43 / 43, review of s23-walls finding 2): no name is defined.
    A data file beside the code changes nothing (the control)."""
    ok = {"ok.py": b"class B: pass\n"}
    assert pickle_definitions({**ok, "weights.pkl": b"\x80\x04N.", "notes.txt": b"B"}) == {"ok.py": ["B"]}
    big = b"def rebind(g):\n    g['C'] = exec\n" + b"#" * (pyparse.MAX_PARSED_BYTES + 1)
    for unread in (
        {"m.py": b"class A:\n  pass\n)\n"},
        {"helper.py": big},
        {"helper.pyc": b"\xa7\r\r\n"},
        {"helper.cpython-311-x86_64-linux-gnu.so": b"\x7fELF"},
        {"pkg/helper.abi3.so": b"\x7fELF"},
    ):
        assert pickle_definitions({**ok, **unread}) == {}, unread


def test_a_name_written_as_text_anywhere_is_left_out_a_docstring_or_all_is_not() -> None:
    """Rebinding is decided by the name's text, not by a list of calls (finding 3): the text as a string or
    bytes constant, a keyword or an attribute stored, in any file. A docstring naming the class and an
    `__all__` listing it leave it defined."""
    kept = b'"""Linear."""\n__all__ = ["Linear"]\nclass Linear:\n    """Linear"""\n'
    assert pickle_definitions({"m.py": kept}) == {"m.py": ["Linear"]}
    for other in (b"x = 'Linear'\n", b"x = b'Linear'\n", b"f(Linear=1)\n", b"import m\nm.Linear = 1\n"):
        assert pickle_definitions({"m.py": kept, "n.py": other}) == {}, other


def test_a_class_assigned_to_an_object_leaves_out_every_name() -> None:
    """`me.__class__ = Swap` (a module subclass whose __getattribute__ answers `Linear` with exec) made
    `miniflow.Linear` exec through a pickle: any `__class__` store defines nothing anywhere."""
    swap = b"import miniflow as me\nclass Swap: pass\nme.__class__ = Swap\n"
    files = {"miniflow.py": b"class Linear: pass\n", "other.py": swap}
    assert pickle_definitions(files) == {}
    assert pickle_definitions({"miniflow.py": b"class Linear: pass\n"}) == {"miniflow.py": ["Linear"]}
    named = b"import miniflow as me, builtins\nclass Swap: pass\nbuiltins.setattr(me, '__class__', Swap)\n"
    assert pickle_definitions({**files, "other.py": named}) == {}


def test_data_only_decorators_keep_the_class() -> None:
    """@dataclass (bare, called, through the module) and @functools.total_ordering return the class they are
    given: kept (finding 5: @dataclass refused an honest checkpoint). Controls: the same decorator from a
    handed-in dataclasses.py, or of another name, leaves the class out."""
    source = (
        b"import dataclasses, functools\nfrom dataclasses import dataclass\n"
        b"from functools import total_ordering\n"
        b"@dataclass\nclass A: pass\n@dataclass(frozen=True)\nclass B: pass\n"
        b"@dataclasses.dataclass\nclass C: pass\n"
        b"@total_ordering\nclass D:\n    def __lt__(self, o): return False\n"
        b"@functools.total_ordering\nclass E: pass\n"
        b"@functools.lru_cache\ndef F(): pass\n"
    )
    assert pickle_definitions({"m.py": source}) == {"m.py": ["A", "B", "C", "D", "E"]}
    for where in ("dataclasses.py", "src/dataclasses.py", "lib/dataclasses/__init__.py"):
        shadow = {"m.py": source, where: b"dataclass = exec\n"}
        assert pickle_definitions(shadow) == {"m.py": ["D", "E"]}, where


PLAIN = b"class Plain:\n    __slots__ = ('w',)\n    __hash__ = None\n    def __init__(self, w): self.w = w\n"
DEF = b"def y(t, ns):\n    return exec(t, ns)\n"  # a def calling exec: kept, the same power as exec itself
NOT_PLAIN = {
    "metaclass": b"class _Meta(type):\n    __call__ = exec\nclass x(metaclass=_Meta):\n    pass\n",
    "static __init__": b"class x:\n    __init__ = staticmethod(exec)\n",
    "__init__ stored later": b"class x:\n    pass\nx.__init__ = staticmethod(exec)\n",
    "__call__ imported": b"class x:\n    from builtins import exec as __call__\n",
    "dunder by a decorator": b"class x:\n    @lambda f: exec\n    def __init__(self): pass\n",
    "__reduce__ stored by setattr": b"class x: pass\nsetattr(x, '__reduce__', exec)\n",
}


def test_a_class_not_plain_when_called_is_left_out() -> None:
    """A class whose calling may run what it was given (review of s23-walls finding 4: each 43 / 43): a
    metaclass, a dunder bound in the body but by a def, a dunder of calling or unpickling stored on any
    object. The controls: a def is kept (one calling exec is exec in plain code, flagged `dynamic_code`, which
    no reading of names contains), and so is a class with __slots__, `__hash__ = None` and a def __init__."""
    for how, source in NOT_PLAIN.items():
        got = pickle_definitions({"m.py": source + DEF})
        assert "x" not in got.get("m.py", []) and "y" in got.get("m.py", []), (how, got)
    assert pickle_definitions({"m.py": PLAIN + DEF}) == {"m.py": ["Plain", "y"]}


def _named_by_walk(tree: ast.Module) -> set[str]:
    """The texts that may name an attribute, read as the rule says by one pass over every node in walk order
    (the oracle for the index's reading: each docstring's and `__all__`'s statement met before its
    constants)."""
    aside: set[int] = set()
    named: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in aside:
            named.add(node.value)
        elif isinstance(node, ast.Constant) and isinstance(node.value, bytes):
            named.add(node.value.decode("latin-1"))
        elif isinstance(node, ast.keyword) and node.arg:
            named.add(node.arg)
        elif isinstance(node, ast.Attribute) and not isinstance(node.ctx, ast.Load):
            named.add(node.attr)
        elif isinstance(node, ast.Global):
            named.update(node.names)
        elif isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                aside.add(id(body[0].value))
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if isinstance(node.value, ast.List | ast.Tuple) and all(
                isinstance(t, ast.Name) and t.id == "__all__" for t in targets
            ):
                aside.update(id(e) for e in node.value.elts)
    return named


def test_the_texts_read_from_the_index_are_a_walks_over_every_file() -> None:
    """`_named_anywhere` reads the constants, keywords, stored attributes and globals from the parse's index
    of node types (pyparse.kinds), not a pass over every node: the same texts as a walk testing each node,
    over every sample, fixture, reference and grader file (and a docstring or `__all__` string that is
    read as a name fails it)."""
    from grader.pickle_defs import _named_anywhere

    root = Path(__file__).resolve().parents[1]
    files = 0
    every = sorted(
        p for d in ("submissions", "fixtures", "reference", "grader") for p in (root / d).rglob("*.py")
    )
    # one file a distinct text (its first path): the texts are read off the tree alone, and the samples copy
    # the book's files into many folders (1,480 of 2,857 files were distinct in session 38)
    for path in sorted({p.read_bytes(): p for p in reversed(every)}.values()):
        try:
            tree = pyparse.parse_module(path.read_bytes(), path.name)
        except (SyntaxError, ValueError, RecursionError, parse_cost.CostlyToParse):
            continue
        assert _named_anywhere(tree) == _named_by_walk(tree), path
        files += 1
    assert files > 1000
    documented = pyparse.parse_module(
        b'"""Doc."""\n__all__ = ["A", "B"]\nclass A:\n    """A."""\nx = "C"\n', "d.py"
    )
    assert _named_anywhere(documented) == {"C"}


def test_the_index_of_node_types_is_the_walk_sorted_by_type() -> None:
    """pyparse.kinds: every position of the walk under its node's exact type, in walk order, kept on the
    tree (a second reader gets the same index)."""
    tree = ast.parse((Path(__file__).resolve().parents[1] / "reference" / "miniflow.py").read_text())
    nodes, kinds = pyparse.walked(tree), pyparse.kinds(tree)
    assert sorted(i for at in kinds.values() for i in at) == list(range(len(nodes)))
    for kind, at in kinds.items():
        assert list(at) == sorted(at) and all(type(nodes[i]) is kind for i in at)
    assert pyparse.kinds(tree) is kinds
