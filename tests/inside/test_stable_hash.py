"""The submission's objects hash by serial (grader/inside/stable_hash.py) without changing what a class of
the submission that writes its own hash or equality, or a dataclass, is: expected values are Python's own
rules, run without the grader (a graded file: tests/inside/test_adapter_miniflow.py)."""

from __future__ import annotations

from inside_helpers import run_alone

# Run in a throwaway interpreter: `install` replaces builtins.__build_class__ for good.
HASHES = """
import json, os, sys
from grader.inside import stable_hash

stable_hash.install(os.getcwd())
source = '''
from dataclasses import dataclass

class Plain:
    pass

class Explicit:
    __hash__ = object.__hash__

class Equal:
    def __eq__(self, other):
        return True
    __hash__ = object.__hash__

class FromEqual(Equal):
    pass

@dataclass
class Data:
    x: int = 0

@dataclass(eq=False)
class Identity:
    x: int = 0

@dataclass(frozen=True)
class Frozen:
    x: int = 0

@dataclass(unsafe_hash=True)
class Unsafe:
    x: int = 0
'''
space = {"__name__": "student"}
exec(compile(source, "student.py", "exec"), space)
serial = {name: space[name].__hash__ is stable_hash.serial_hash for name in
          ("Plain", "Explicit", "Equal", "FromEqual", "Identity", "Frozen", "Unsafe")}
sizes = {name: len({space[name](1), space[name](1)}) for name in ("Frozen", "Unsafe")}
print(json.dumps({"serial": serial, "sizes": sizes, "data": space["Data"].__hash__ is None}))
"""


def test_only_a_class_that_keeps_objects_hash_and_equality_hashes_by_serial(tmp_path) -> None:
    """A class keeping object's hash and equality hashes by serial, a dataclass with eq=False too; a class
    writing its own `__hash__`, one with its own `__eq__` (and its subclass), and a dataclass comparing by
    its fields hash as Python makes them: a plain @dataclass unhashable, two equal frozen or unsafe_hash
    instances one set element."""
    out = run_alone(HASHES, tmp_path)
    assert out["serial"] == {
        "Plain": True,
        "Explicit": False,
        "Equal": False,
        "FromEqual": False,
        "Identity": True,
        "Frozen": False,
        "Unsafe": False,
    }, out
    assert out["sizes"] == {"Frozen": 1, "Unsafe": 1} and out["data"] is True, out


GUARDED = """
import json, os
from grader.inside import stable_hash

stable_hash.install(os.getcwd())
source = '''
import sys as _sys
ran = []

class Guarded(type):
    def __setattr__(cls, name, value):
        ran.append(name)
        if _sys._getframe(1).f_code.co_filename != __file__:
            raise RuntimeError("refused " + name)
        super().__setattr__(name, value)

    def __getattribute__(cls, name):
        if name in ("__hash__", "__eq__"):
            ran.append("get " + name)
        return super().__getattribute__(name)

class Config(metaclass=Guarded):
    enable_backprop = True
'''
space = {"__name__": "student"}
exec(compile(source, "student.py", "exec"), space)
ours = space["Config"].__dict__.get("__hash__") is stable_hash.serial_hash
print(json.dumps({"ran": space["ran"], "serial": ours}))
"""


def test_a_metaclass_of_the_students_neither_runs_nor_refuses_for_the_hash(tmp_path) -> None:
    """A class whose metaclass refuses sets from outside its own file (a DeZero Config guarding
    enable_backprop) loads as it does without the grader: the serial hash is set past the metaclass, whose
    `__setattr__` and `__getattribute__` never run for it (before, its RuntimeError stopped the module at the
    class statement: "no class Variable in dezero.py")."""
    out = run_alone(GUARDED, tmp_path)
    assert out == {"ran": [], "serial": True}, out


# An audit hook counting the events a serial hash raises: a student process runs the grader's own hook
# (audit.py, Python) on every event, so each one is a Python call per hash (address.py).
HASH_EVENTS = """
import json, os, sys
from grader.inside import stable_hash

stable_hash.install(os.getcwd())
space = {}
exec(compile("class Node:\\n    pass\\n", "node.py", "exec"), space)
nodes = [space["Node"]() for _ in range(5)]
events = []
sys.addaudithook(lambda event, args: events.append(event))
first = [hash(n) for n in nodes]
again = [hash(n) for n in nodes] + [len(set(nodes)), nodes[0] in {n: 1 for n in nodes}]
print(json.dumps({"serial": first == [(1 << 60) - k for k in range(1, 6)], "same": again[:5] == first,
                  "events": events}))
"""


def test_a_serial_hash_raises_no_audit_event(tmp_path) -> None:
    """Hashing a submission's instance by serial, the first time and after, raises no audit event (`id()`
    raised "builtins.id" on every hash, and the grader's audit hook ran for each)."""
    ran = run_alone(HASH_EVENTS, tmp_path)
    assert ran["serial"] and ran["same"]
    assert ran["events"] == []
