"""Node classes beyond the lesson's (a miniflow repo's Tanh, ReLU) are named on the stage line, not graded."""

from __future__ import annotations

from pathlib import Path

from grader.beyond_lesson import extra_nodes, note
from grader.commands import _infer_stage, _source

ROOT = Path(__file__).resolve().parents[1]
EXTENDED = b"""
class Layer:
    pass
class Input(Layer):
    pass
class Linear(Layer):
    pass
class Activation(Layer):
    pass
class Tanh(Activation):
    pass
class ReLU(Activation):
    pass
class Graph:
    pass
class Placeholder(Input):
    pass
"""


def test_node_classes_no_graded_name_takes_are_beyond_the_lesson() -> None:
    """A subclass of the base node class (by a course spelling, Layer), directly or through the file's own
    classes, that is no spelling of a graded name. Controls: a Graph wrapping topological_sort is no node;
    Placeholder is Input's spelling; another family, or a file not graded, names nothing."""
    files = {"miniflow.py": EXTENDED}
    assert extra_nodes("miniflow", files, ["miniflow.py"]) == ["Activation", "Tanh", "ReLU"]
    assert extra_nodes("miniflow", files, []) == []
    assert extra_nodes("dlfs-layers", files, ["miniflow.py"]) == []
    said = note(["Tanh", "ReLU"])
    assert said == (
        "; your code also defines Tanh, ReLU, node classes beyond the lesson's: not graded (no case here "
        "builds them, so a mistake in them goes unreported)"
    )
    assert note([]) == ""


def test_grader_check_names_a_submissions_extra_nodes_and_none_for_the_lessons() -> None:
    """The stage line of the sample that adds Tanh and ReLU (and a Graph class) to the lesson's nodes says
    they are not graded; correct.py's says nothing of the kind."""
    samples = ROOT / "submissions" / "miniflow"
    extended = _infer_stage("miniflow", _source(str(samples / "notebook_export_tanh_relu.py")))
    said = "your code also defines Tanh, ReLU, node classes beyond the lesson's: not graded"
    assert said in extended.reason, extended.reason
    plain = _infer_stage("miniflow", _source(str(samples / "correct.py")))
    assert "beyond the lesson" not in plain.reason
