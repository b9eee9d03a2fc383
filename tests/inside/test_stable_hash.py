"""The submission's objects hash by serial (grader/inside/stable_hash.py) without changing what a dataclass
of the submission is: expected values are FACTS.md's documented quiz gradients and Python's own dataclass
rules, run without the grader."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
from inside_helpers import case, job, run_inside
from inside_helpers import students as S

MF = {"modules": ["miniflow.py"], "required": ["Input", "Linear", "Sigmoid", "MSE"]}
QUIZ = {"X": [[-1.0, -2.0], [-1, -2]], "W": [[2.0], [3.0]], "b": [-3.0], "y": [1, 2]}
GRAPH = [
    {"do": "apply", "op": "Linear", "args": ["X", "W", "b"], "out": "f"},
    {"do": "apply", "op": "Sigmoid", "args": ["f"], "out": "a"},
    {"do": "apply", "op": "MSE", "args": ["y", "a"], "out": "cost"},
    {"do": "backward", "of": "cost"},
    *({"do": "record", "key": "d" + n, "grad_of": n} for n in ("X", "y", "W", "b")),
]
# FACTS.md section 1, the Sigmoid backward quiz.
DOCUMENTED = {
    "dX": [[-3.34017280e-05, -5.01025919e-05], [-6.68040138e-05, -1.00206021e-04]],
    "dy": [[0.9999833], [1.9999833]],
    "dW": [[5.01028709e-05], [1.00205742e-04]],
    "db": [-5.01028709e-05],
}
# The course's sort keeping its graph under a frozen dataclass key of each node: a fresh Key(m) finds the
# entry of an equal one only if the key hashes by its fields, as Python's @dataclass(frozen=True) makes it.
FROZEN_KEYS = (
    S.MINIFLOW.replace(
        "import numpy as np\n",
        "import numpy as np\nfrom dataclasses import dataclass\n\n\n"
        "@dataclass(frozen=True)\nclass Key:\n    node: object\n",
        1,
    )
    .replace("G[n]", "G[Key(n)]")
    .replace("G[m]", "G[Key(m)]")
    .replace("n not in G", "Key(n) not in G")
    .replace("m not in G", "Key(m) not in G")
)
# A settings class the course never needed, written with unsafe_hash=True (hashable by its fields).
UNSAFE_HASH = S.MINIFLOW.replace(
    "import numpy as np\n",
    "import numpy as np\nfrom dataclasses import dataclass\n\n\n"
    "@dataclass(unsafe_hash=True)\nclass Settings:\n    learning_rate: float = 1e-2\n",
    1,
)


def _check_documented(ran) -> None:
    for key, expected in DOCUMENTED.items():
        got = ran.record(key)
        np.testing.assert_allclose(got, expected, rtol=1e-6, err_msg=key)


def test_a_sort_keyed_by_a_frozen_dataclass_gives_the_documented_gradients() -> None:
    """A frozen dataclass hashes by its fields, so a fresh equal key finds its entry: the course's sort
    keyed by one gives the quiz's documented gradients (it hashed by serial and raised KeyError, a correct
    file graded 18 / 43: review of s27-realmf)."""
    assert FROZEN_KEYS.count("Key(") == 9, FROZEN_KEYS
    ran = run_inside({"miniflow.py": FROZEN_KEYS}, job("miniflow", [case("c", QUIZ, GRAPH)], **MF))
    _check_documented(ran)


def test_a_dataclass_with_unsafe_hash_loads() -> None:
    """`@dataclass(unsafe_hash=True)` in the submission loads and the file is graded (it raised "Cannot
    overwrite attribute __hash__" at import: 0 / 43, review of s27-realmf)."""
    assert "unsafe_hash=True" in UNSAFE_HASH
    ran = run_inside({"miniflow.py": UNSAFE_HASH}, job("miniflow", [case("c", QUIZ, GRAPH)], **MF))
    _check_documented(ran)


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
    repo = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    env = {**os.environ, "PYTHONPATH": repo + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run(
        [sys.executable, "-c", HASHES], capture_output=True, text=True, env=env, cwd=tmp_path, check=False
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
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
