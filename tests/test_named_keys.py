"""Where a MiniFlow submission keys its gradients by a node's name, read from the source for the warning."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader import named_keys as named_keys_module
from grader.inside.contexts import KEYED_BY_NAME
from grader.judge.recreated import keyed_by_name
from grader.judge.results import CaseResult
from grader.named_keys import MAX_FOUND, named_keys, warning
from grader.numpy_notes import place

MINIFLOW = Path(__file__).resolve().parents[1] / "submissions" / "miniflow"
KEYED = b"""
class Linear(Node):
    def backward(self):
        self.gradients = {n.name: np.zeros_like(n.value) for n in self.inbound_nodes}
        for n in self.outbound_nodes:
            grad_cost = n.gradients[self.name]
            self.gradients[self.inbound_nodes[0].name] += grad_cost @ self.inbound_nodes[1].value.T


class Input(Node):
    def backward(self):
        self.gradients = {self.label: 0}
        self.shape = self.gradients[self.value.shape]
"""


def test_every_key_that_is_a_nodes_name_is_found_with_its_line_and_fix() -> None:
    """A dict comprehension, a subscript read and written, a dict literal: each with its line and the node
    to write. Controls: `self.value.shape` (no name) and correct.py, which keys by the node, give none."""
    found = named_keys({"mf.py": KEYED})
    assert [(k.where, k.key, k.node) for k in found] == [
        ("mf.py line 4", "n.name", "n"),
        ("mf.py line 6", "self.name", "self"),
        ("mf.py line 7", "self.inbound_nodes[0].name", "self.inbound_nodes[0]"),
        ("mf.py line 12", "self.label", "self"),
    ]
    assert named_keys({"correct.py": (MINIFLOW / "correct.py").read_bytes()}) == ()
    said = warning(found)
    assert "(mf.py lines 4, 6, 7, 12)" in said
    assert (
        "`n` for `n.name`, `self` for `self.name`, `self.inbound_nodes[0]` for" in said and ", ...)" in said
    )


def _case(visibility: str, message: str) -> CaseResult:
    return CaseResult("c", "c", "graph", None, "error", 0.0, 2.0, visibility, message)  # type: ignore[arg-type]


def test_the_warning_is_given_only_when_a_visible_case_was_told_its_keys_are_names() -> None:
    """Given with a visible case saying so; not for a hidden case's alone, nor without a line found."""
    found = named_keys({"mf.py": KEYED})
    told = f"Input.backward of X keyed gradients by a str (a name for the node): {KEYED_BY_NAME}"
    assert keyed_by_name([_case("visible", told)], found) == warning(found)
    assert keyed_by_name([_case("hidden", told)], found) is None
    assert keyed_by_name([_case("visible", "KeyError: 'a'")], found) is None
    assert keyed_by_name([_case("visible", told)], ()) is None


def test_only_the_lines_shown_are_placed_however_many_key_by_a_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """`place` reads the whole file: a file keying by a name on 4,000 lines placed each (4,000 reads of
    112 KB; a 1 MiB file's ~36,000 took the parent 80 s of CPU). Now the first MAX_FOUND, in line order,
    are placed (counted, never timed). Control: a file of three keys places three."""
    calls: list[int] = []

    def counted(rel: str, data: bytes, line: int) -> str:
        calls.append(line)
        return place(rel, data, line)

    monkeypatch.setattr(named_keys_module, "place", counted)
    many = b"class Linear(Node):\n    def backward(self):\n" + b"        g.gradients[a.name] += 1\n" * 4000
    found = named_keys({"mf.py": many})
    assert len(calls) == MAX_FOUND == len(found)
    assert [k.where for k in found[:2]] == ["mf.py line 3", "mf.py line 4"]
    calls.clear()
    assert len(named_keys({"mf.py": KEYED})) == 4 and len(calls) == 4


def test_the_files_the_students_process_loaded_are_listed_first() -> None:
    """Two scratch copies keying by a name, sorted before the graded miniflow.py: their keys took every
    place shown and the warning named files never run alone. Control: with no file known loaded, path
    order."""
    copy = (MINIFLOW / "gradients_by_name.py").read_bytes()
    files = {"a_old.py": copy, "b_old.py": copy, "miniflow.py": KEYED}
    first = named_keys(files, loaded={"miniflow.py"})
    assert [k.where for k in first[:4]] == [f"miniflow.py line {n}" for n in (4, 6, 7, 12)]
    assert not any(k.where.startswith("miniflow.py") for k in named_keys(files))
