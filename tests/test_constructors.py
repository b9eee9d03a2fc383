"""An op class built from one list of nodes where the lesson passes each node (grader/constructors.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader import constructors
from grader.inside.aliases import MINIFLOW

SAMPLES = Path(__file__).resolve().parents[1] / "submissions" / "miniflow"

NODE = """
class Node:
    def __init__(self, inbound_nodes=[]):
        self.inbound_nodes = inbound_nodes
        self.outbound_nodes = []
        for n in inbound_nodes:
            n.outbound_nodes.append(self)
"""


def _notes(source: str, family: str = "miniflow") -> tuple[str, ...]:
    return constructors.notes({"miniflow.py": (NODE + source).encode()}, family, MINIFLOW)


def test_the_sample_built_from_one_list_is_told_the_lessons_constructors_and_that_it_lost_nothing() -> None:
    """linear_one_list.py: one note naming Linear and MSE, their lines, the lesson's calls, no points lost."""
    data = (SAMPLES / "linear_one_list.py").read_bytes()
    (note,) = constructors.notes({"miniflow.py": data}, "miniflow", MINIFLOW)
    assert "Linear and MSE take their nodes as one list" in note
    assert "Linear: def __init__(self, inbound_nodes), miniflow.py line 89" in note
    assert "MSE: def __init__(self, inbound_nodes), miniflow.py line 161" in note
    assert "your code writes Linear([X, W, b]) and MSE([y, a])" in note
    assert "the lesson's are Linear(X, W, b) and MSE(y, a)" in note
    assert "no points lost" in note


@pytest.mark.parametrize(
    "sample", ["correct.py", "linear_no_init.py", "linear_quiz_node_lists.py", "add_quiz.py"]
)
def test_the_lessons_constructors_and_an_inherited_node_init_get_no_note(sample: str) -> None:
    """Linear(X, W, b), the list quiz's Linear(inputs, weights, bias), Add(x, y), and a Linear with no
    __init__ (Node's, which the adapter never packs for: linear_no_init.py errors) are not noted."""
    data = (SAMPLES / sample).read_bytes()
    assert constructors.notes({"miniflow.py": data}, "miniflow", MINIFLOW) == ()


def test_a_constructor_of_an_intermediate_base_is_the_classs_own() -> None:
    """class Op(Node) defining __init__(self, nodes), Linear(Op) with none: packed by the adapter, noted."""
    (note,) = _notes(
        "class Op(Node):\n    def __init__(self, nodes):\n        Node.__init__(self, nodes)\n"
        "class Linear(Op):\n    pass\n"
    )
    # the base's constructor, said to be the base's (review of s23-realmf, finding 7)
    assert note.startswith("Linear takes its nodes as one list (Linear: Op's def __init__(self, nodes)")
    assert "the lesson's is Linear(X, W, b), as the course's nn.py builds it" in note


@pytest.mark.parametrize(
    "init",
    [
        "def __init__(self, *inputs): Node.__init__(self, inputs)",  # the Add quiz's extra: *args
        "def __init__(self, nodes, name): Node.__init__(self, nodes)",  # two required: never packed
        "def __init__(self, x, y): Node.__init__(self, [x, y])",  # the lesson's
    ],
)
def test_what_the_adapter_does_not_pack_is_not_noted(init: str) -> None:
    assert _notes(f"class Add(Node):\n    {init}\n") == ()


def test_a_spelling_of_the_alias_table_is_named_as_written() -> None:
    (note,) = _notes("class Mse(Node):\n    def __init__(self, nodes): pass\n")
    assert "Mse: def __init__(self, nodes)" in note
    assert "your code writes Mse([y, a]); the lesson's is Mse(y, a)" in note


def test_an_optional_parameter_more_is_still_one_list_but_not_one_per_node() -> None:
    """Linear(nodes, name=None): fewer positional parameters than Linear's three nodes, one required: packed
    (noted); MSE(nodes, name=None) takes two, as many as MSE's nodes: built MSE(y, a), never packed."""
    (note,) = _notes("class Linear(Node):\n    def __init__(self, nodes, name=None): pass\n")
    assert "Linear: def __init__(self, nodes, name=None)" in note  # the default as written (finding 7)
    assert _notes("class MSE(Node):\n    def __init__(self, nodes, name=None): pass\n") == ()


def test_other_families_get_no_note() -> None:
    assert _notes("class Linear(Node):\n    def __init__(self, nodes): pass\n", family="dezero") == ()


@pytest.mark.parametrize(
    "bases",
    [
        "class Op(Linear):\n    pass\nclass Linear(Op):\n",  # a cycle: Python refuses it, no MRO
        "class A(Node):\n    pass\nclass B(A, Node):\n    pass\nclass Linear(Node, B):\n",  # C3 refuses
    ],
)
def test_classes_python_could_not_order_get_no_note(bases: str) -> None:
    """The note reads the file's classes in Python's C3 order; where Python raises (a cycle, an order
    C3 cannot merge), no class is built, so none is noted."""
    assert _notes(bases + "    def __init__(self, nodes):\n        Node.__init__(self, nodes)\n") == ()


def test_each_quoted_parameter_is_cut_so_the_advice_stays_in_the_note() -> None:
    """A parameter name of 100,000 characters filled the whole capped note (4,000 characters) and the
    lesson's constructors were lost (review of s23-realmf, finding 7): each quoted parameter is cut to 40
    characters, keyword-only and ** parameters are quoted as written."""
    long = "n" * 100_000
    (note,) = _notes(f"class Linear(Node):\n    def __init__(self, {long}, *, name='x', **kw): pass\n")
    assert len(note) < 1_000
    assert f"def __init__(self, {'n' * 37}..., *, name='x', **kw)" in note
    assert note.endswith("passes the list to Node.__init__")


def test_the_note_names_the_ops_the_adapter_reported_packing_and_only_those() -> None:
    """With the run's account (`packed`, the case frames'), the note says what the adapter did: nothing
    for linear_one_list.py when no case packed (its Linear never built), MSE alone when only MSE was, and
    a Linear whose base the source does not show (imported) named without a constructor to quote; ops
    that are not the lesson's are ignored (untrusted names)."""
    data = (SAMPLES / "linear_one_list.py").read_bytes()
    files = {"miniflow.py": data}
    assert constructors.notes(files, "miniflow", MINIFLOW, packed=()) == ()
    assert constructors.notes(files, "miniflow", MINIFLOW, packed={"Sigmoid", "Evil"}) == ()
    (note,) = constructors.notes(files, "miniflow", MINIFLOW, packed={"MSE"})
    assert note.startswith("MSE takes its nodes as one list (MSE: def __init__(self, inbound_nodes), ")
    imported = b"from lib import Op\nclass Linear(Op):\n    pass\n"
    (note,) = constructors.notes({"miniflow.py": imported}, "miniflow", MINIFLOW, packed={"Linear"})
    assert note.startswith("Linear takes its nodes as one list, so your code writes Linear([X, W, b])")
    (note,) = constructors.notes({"miniflow.py": b""}, "miniflow", MINIFLOW, packed={"Linear"})
    assert note.startswith("Linear takes its nodes as one list, so your code writes Linear([X, W, b])")
