"""The parent's reading of what a pickle may name in each file: classes and functions a class/def statement
defines at module level, never a name the source binds any other way (grader/pickle_defs.py)."""

from __future__ import annotations

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
def h():
    local = 1
"""


def test_undecorated_module_level_definitions_are_named() -> None:
    """Classes and defs at the module's own level, in if/try blocks too; a method or a local binds nothing."""
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


def test_a_file_that_does_not_parse_defines_nothing() -> None:
    """No tree, no name: its classes are refused, never a wider door."""
    assert pickle_definitions({"m.py": b"class A:\n  pass\n)\n", "ok.py": b"class B: pass\n"}) == {
        "ok.py": ["B"]
    }


def test_a_class_assigned_to_an_object_leaves_out_every_name() -> None:
    """`me.__class__ = Swap` (a module subclass whose __getattribute__ answers `Linear` with exec) made
    `miniflow.Linear` exec through a pickle: any `__class__` store defines nothing anywhere."""
    swap = b"import miniflow as me\nclass Swap: pass\nme.__class__ = Swap\n"
    files = {"miniflow.py": b"class Linear: pass\n", "other.py": swap}
    assert pickle_definitions(files) == {}
    assert pickle_definitions({"miniflow.py": b"class Linear: pass\n"}) == {"miniflow.py": ["Linear"]}
