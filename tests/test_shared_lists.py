"""A list written in a class body and filled through its objects (grader/shared_lists.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader import shared_lists

ROOT = Path(__file__).resolve().parents[1]

NODE = """
class Node:
    outbound_nodes = []

    def __init__(self, inbound_nodes=[]):
        self.inbound_nodes = inbound_nodes
        for n in inbound_nodes:
            n.outbound_nodes.append(self)
"""


def _notes(source: str) -> tuple[str, ...]:
    return shared_lists.notes({"miniflow.py": source.encode()})


def test_a_class_level_list_appended_through_objects_is_named_with_its_line_and_the_fix() -> None:
    (note,) = _notes(NODE)
    assert "Node.outbound_nodes is written in the class body (miniflow.py line 3)" in note
    assert "one list shared by every Node object" in note
    assert "self.outbound_nodes = [] in Node.__init__" in note


@pytest.mark.parametrize(
    ("body", "use", "kind"),
    [
        ("gradients = {}", "self.gradients[self] = 0", "dict"),
        ("seen = set()", "self.seen.add(x)", "set"),
        ("items: list = list()", "self.items.extend([x])", "list"),
        ("items = [0]", "self.items += [x]", "list"),
    ],
)
def test_each_container_and_each_change_in_place_is_named(body: str, use: str, kind: str) -> None:
    source = f"class A:\n    {body}\n\n    def f(self, x):\n        {use}\n"
    (note,) = _notes(source)
    assert f"one {kind} shared by every A object" in note


@pytest.mark.parametrize(
    "source",
    [
        # the control: each object gets its own in __init__ (the class-level one is only a default)
        NODE.replace("        self.inbound_nodes = inbound_nodes\n", "        self.outbound_nodes = []\n"),
        # a registry changed through the class's own name is shared on purpose
        "class Node:\n    registry = []\n\n    def __init__(self):\n        Node.registry.append(self)\n",
        # never changed in place
        "class A:\n    names = ['x', 'y']\n\n    def f(self):\n        return self.names[0]\n",
        # not a container
        "class Config:\n    on = True\n\n    def f(self):\n        self.on.add(1)\n",
        # a tuple cannot be changed in place
        "class A:\n    xs = ()\n\n    def f(self, x):\n        self.xs.append(x)\n",
        # dunders (__slots__, __all__-like bookkeeping) are Python's, not the student's state
        "class A:\n    __slots__ = []\n\n    def f(self, x):\n        self.__slots__.append(x)\n",
    ],
)
def test_no_note_where_nothing_is_shared_by_mistake(source: str) -> None:
    assert _notes(source) == ()


def test_a_file_that_does_not_parse_or_defines_no_class_gives_no_note() -> None:
    assert _notes("class A(:\n") == () and _notes("x = []\nx.append(1)\n") == ()


def test_no_sample_but_the_one_with_the_mistake_gets_the_note() -> None:
    """Zero false notes on every sample submission (honest ones, mistakes of other kinds, hostile ones)."""
    noted = sorted(
        str(path.relative_to(ROOT))
        for path in (ROOT / "submissions").rglob("*.py")
        if shared_lists.notes({path.name: path.read_bytes()})
    )
    assert noted == ["submissions/miniflow/typehints_outbound_class_attribute.py"]
