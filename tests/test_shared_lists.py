"""A list written in a class body and filled through its objects (grader/shared_lists.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from grader import pyparse, shared_lists
from grader.flags import source as flags_source

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
    assert noted == [
        "submissions/miniflow/default_outbound_list.py",
        "submissions/miniflow/typehints_outbound_class_attribute.py",
    ]


@pytest.mark.parametrize(
    "source",
    [
        # shared on purpose, changed through the class (review, session 16)
        "class A:\n    registry = []\n\n    @classmethod\n    def register(cls, f):\n"
        "        cls.registry.append(f)\n",
        "class A:\n    instances = []\n\n    def __init__(self):\n"
        "        type(self).instances.append(self)\n",
        "class A:\n    count = []\n\n    def __init__(self):\n        self.__class__.count.append(1)\n",
        "class Base:\n    registry = []\n\nclass Sub(Base):\n    pass\n\nSub.registry.append(1)\n",
        # declared shared, or fields rather than defaults
        "from typing import ClassVar\n\nclass A:\n    seen: ClassVar[list] = []\n\n    def f(self, x):\n"
        "        self.seen.append(x)\n",
        "class P(NamedTuple):\n    items: list = []\n\ndef f(p):\n    p.items.append(1)\n",
        "@dataclass\nclass D:\n    items: list = []\n\n    def f(self):\n        self.items.append(1)\n",
        # another class's attribute of the same name
        "class Layer:\n    params = []\n\nclass Optimizer:\n    def __init__(self):\n"
        "        self.params = []\n\n    def add(self, p):\n        self.params.append(p)\n",
        # each object given its own by setattr or vars() in __init__
        "class Node:\n    outs = []\n\n    def __init__(self, ins):\n        setattr(self, 'outs', [])\n"
        "        for n in ins:\n            n.outs.append(self)\n",
        "class Node:\n    outs = []\n\n    def __init__(self, ins):\n        vars(self)['outs'] = []\n"
        "        for n in ins:\n            n.outs.append(self)\n",
    ],
)
def test_no_note_for_what_is_shared_on_purpose_or_not_shared(source: str) -> None:
    assert _notes(source) == ()


def test_a_subclass_giving_its_objects_their_own_leaves_the_others_sharing() -> None:
    """Input assigns its own list; Linear objects still share Node's (review, session 16: no note before)."""
    source = NODE + "\n\nclass Input(Node):\n    def __init__(self):\n        self.outbound_nodes = []\n"
    source += "\n\nclass Linear(Node):\n    pass\n"
    (note,) = _notes(source)
    assert "Node.outbound_nodes" in note


def test_a_change_in_a_module_function_counts() -> None:
    source = "class Node:\n    outs = []\n\ndef connect(a, b):\n    a.outs.append(b)\n"
    (note,) = _notes(source)
    assert "Node.outs" in note


def test_a_hostile_file_of_thousands_of_candidates_is_bounded() -> None:
    """3,000 class-level lists each appended to: the first four are placed (each placing decodes the file:
    placing all cost 8.5 s, review), at most MAX_CANDIDATES considered; 300 classes: not read at all."""
    many = "class A:\n" + "".join(f"    a{i} = []\n" for i in range(3000))
    many += "".join(f"x.a{i}.append(1)\n" for i in range(3000))
    (note,) = _notes(many)
    assert note.count("is written in the class body") == shared_lists.MAX_NAMED
    assert f"{shared_lists.MAX_CANDIDATES - shared_lists.MAX_NAMED} more" in note
    classes = "".join(f"class C{i}:\n    a = []\n\n" for i in range(shared_lists.MAX_CLASSES + 1))
    assert _notes(classes + "x.a.append(1)\n") == ()


def test_subclasses_that_give_their_objects_their_own_get_no_note() -> None:
    """correct.py with `gradients = {}` in Node's body and `self.gradients = {...}` at the top of every
    backward that fills it (review, session 16: a false WARNING on correct code)."""
    source = (
        "class Node:\n    gradients = {}\n\n"
        "class Linear(Node):\n    def backward(self):\n        self.gradients = {}\n"
        "        self.gradients[self] = 1\n\n"
        "class MSE(Node):\n    def backward(self):\n        self.gradients = {}\n"
        "        self.gradients[self] = 2\n"
    )
    assert _notes(source) == ()
    # the control: one subclass that fills it without giving its objects their own
    (note,) = _notes(
        source + "\nclass Sigmoid(Node):\n    def backward(self):\n        self.gradients[self] = 3\n"
    )
    assert "Node.gradients" in note


def test_each_node_is_visited_once_however_deep_classes_nest(monkeypatch) -> None:
    """98 nested classes around a long line of appends cost 23.9 s when each class's subtree was walked
    again (review, session 16); the owners are now carried down one walk: no node walked twice."""
    depth = 98
    source = "".join(f"{'    ' * i}class C{i}:\n" for i in range(depth))
    source += "    " * depth + "a = []\n" + "    " * depth + "; ".join(["o.a.append(1)"] * 200) + "\n"
    parsed = flags_source.parse("deep.py", source.encode(), frozenset())
    assert parsed is not None
    nodes = parsed.nodes  # walked once by the parse, before the count starts
    walked: list[int] = []
    real_walk = pyparse.walk

    def counted(node: ast.AST) -> list[ast.AST]:
        found = real_walk(node)
        walked.append(len(found))
        return found

    monkeypatch.setattr(pyparse, "walk", counted)
    owners = list(shared_lists._owned(nodes[0]))
    assert [c.attr for c in shared_lists.shared(parsed)] == ["a"]
    assert sum(walked) + len(owners) <= 2 * len(nodes)
    assert {owner for owner, node in owners if isinstance(node, ast.Call)} == {f"C{depth - 1}"}


DEFAULTED = """
class Node:
    def __init__(self, inbound_nodes=[], outbound_nodes=[]):
        self.inbound_nodes = inbound_nodes
        self.outbound_nodes = outbound_nodes
        for n in inbound_nodes:
            n.outbound_nodes.append(self)
"""


def test_a_container_default_kept_on_self_and_changed_in_place_is_named_with_its_line_and_the_fix() -> None:
    """Every Node built without outbound_nodes holds the one list made at the def (sample
    default_outbound_list.py): named, with the None idiom."""
    (note,) = _notes(DEFAULTED)
    assert "the default outbound_nodes=[] of Node.__init__ (miniflow.py line 3)" in note
    assert "every Node object built without that argument holds the same list" in note
    assert "write outbound_nodes=None and self.outbound_nodes = [] if outbound_nodes is None" in note
    assert "inbound_nodes=[]" not in note  # the course's own default, never changed in place


@pytest.mark.parametrize(
    "source",
    [
        # the course's own constructor: inbound_nodes=[] kept, never changed in place
        NODE.replace("    outbound_nodes = []\n", "").replace(
            "        self.inbound_nodes = inbound_nodes\n",
            "        self.inbound_nodes = inbound_nodes\n        self.outbound_nodes = []\n",
        ),
        # None as the default, each object its own list
        DEFAULTED.replace("outbound_nodes=[]", "outbound_nodes=None").replace(
            "self.outbound_nodes = outbound_nodes", "self.outbound_nodes = outbound_nodes or []"
        ),
        # the default copied, not kept
        DEFAULTED.replace(
            "self.outbound_nodes = outbound_nodes", "self.outbound_nodes = list(outbound_nodes)"
        ),
        # a container default that is read, never kept on the object
        "class A:\n    def f(self, xs=[]):\n        return len(xs)\n",
        # kept on the object, never changed in place
        "class A:\n    def __init__(self, names={}):\n        self.names = names\n\n"
        "    def get(self, k):\n        return self.names.get(k)\n",
    ],
)
def test_no_note_for_a_container_default_that_is_never_shared_and_changed(source: str) -> None:
    assert _notes(source) == ()


@pytest.mark.parametrize(
    ("signature", "use"),
    [
        ("def __init__(self, *, seen=set())", "self.seen.add(1)"),
        ("def __init__(me, grads={})", "me.grads['x'] = 1"),
        ("def __init__(self, items=list())", "self.items += [1]"),
    ],
)
def test_every_kind_of_default_and_change_is_named(signature: str, use: str) -> None:
    target = use.split(".")[0]
    attr = use.split(".")[1].split("[")[0].split(" ")[0]
    param = signature.split("(", 1)[1].split("=")[0].split(",")[-1].strip(" *")
    source = f"class A:\n    {signature}:\n        {target}.{attr} = {param}\n        {use}\n"
    (note,) = _notes(source)
    assert "of A.__init__ (miniflow.py line 2)" in note


LAYER = """
class Layer:
    def __init__(self, params=[]):
        self.params = params
"""


@pytest.mark.parametrize(
    "source",
    [
        # another class's own self.params, filled through its own self: nothing of Layer's
        LAYER + "\n\nclass Optimizer:\n    def __init__(self):\n        self.params = []\n\n"
        "    def setup(self, p):\n        self.params.append(p)\n",
        # bound to the default, then to a copy of it (what Python keeps)
        DEFAULTED.replace(
            "self.outbound_nodes = outbound_nodes\n",
            "self.outbound_nodes = outbound_nodes\n        self.outbound_nodes = list(self.outbound_nodes)\n",
        ),
        # a copy of the default under a condition the default always meets
        DEFAULTED.replace(
            "self.outbound_nodes = outbound_nodes\n",
            "self.outbound_nodes = outbound_nodes\n        if outbound_nodes is not None:\n"
            "            self.outbound_nodes = outbound_nodes[:]\n",
        ),
    ],
)
def test_no_note_for_another_class_attribute_or_a_default_copied_afterwards(source: str) -> None:
    """The walk asks whose code changes the attribute, and whether the method copies the default after
    keeping it (review of s19-real: both were named)."""
    assert _notes(source) == ()


@pytest.mark.parametrize(
    "source",
    [
        # the layer's own subclass fills it through self: the default is shared
        LAYER + "\n\nclass Dense(Layer):\n    def add(self, p):\n        self.params.append(p)\n",
        # a base class's method fills it through self, run on the subclass that keeps the default
        # (review of s19, base_method.py)
        "class Node:\n    def add_consumer(self, node):\n        self.outbound_nodes.append(node)\n\n\n"
        "class Input(Node):\n    def __init__(self, outbound_nodes=[]):\n"
        "        self.outbound_nodes = outbound_nodes\n",
        # another class fills a layer's list through the layer
        LAYER + "\n\nclass Optimizer:\n    def setup(self, layer, p):\n        layer.params.append(p)\n",
        # a new list only when the argument is None: never so for the default
        DEFAULTED.replace(
            "self.outbound_nodes = outbound_nodes\n",
            "self.outbound_nodes = outbound_nodes\n        if outbound_nodes is None:\n"
            "            self.outbound_nodes = []\n",
        ),
    ],
)
def test_the_default_is_still_named_where_it_is_shared(source: str) -> None:
    """Negative controls of the two exceptions above: each still shares the default list."""
    (note,) = _notes(source)
    assert "is one list, made once when Python reads the def" in note
