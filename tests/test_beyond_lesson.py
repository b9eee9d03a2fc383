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


def _chain(length: int) -> dict[str, bytes]:
    """A file of `length` node classes, each one's base the one before (C0(Node), C1(C0) ...), and another."""
    chain = "".join(f"class C{i}(C{i - 1}): pass\n" for i in range(1, length))
    source = f"class Node:\n    pass\nclass Other:\n    pass\nclass C0(Node): pass\n{chain}"
    return {"miniflow.py": source.encode()}


def test_a_long_chain_of_node_classes_is_read_in_linear_time() -> None:
    """The parent reads the student's classes: a chain of 6000 (C1(C0), C2(C1) ...) cost a pass over every
    class per level, ~5 s of the parent's CPU (12 s for 8000, within one file's cap); one walk from the base
    class down reads it in milliseconds. A chain four times as long costs at most eight times the CPU (about
    four; a pass per level, sixteen), timed on the second read (its parse cached), the least of three: a ratio
    measured in one run, not a time (under 1 s of CPU, which a loaded machine can exceed). Control: every
    class of the chain is found, in the order defined, and a class outside it is not."""
    import time

    def cpu(files: dict[str, bytes]) -> float:
        spent = []
        for _ in range(3):  # the least of three: another process's slice only ever adds
            started = time.process_time()
            extra_nodes("miniflow", files, ["miniflow.py"])
            spent.append(time.process_time() - started)
        return min(spent)

    short, long = _chain(1500), _chain(6000)
    assert extra_nodes("miniflow", long, ["miniflow.py"]) == [f"C{i}" for i in range(6000)]
    extra_nodes("miniflow", short, ["miniflow.py"])  # both parses cached before either is timed
    small, large = cpu(short), cpu(long)
    assert large < 8 * max(small, 1e-3), f"{large:.3f} s of CPU for a chain 4x as long against {small:.3f} s"
