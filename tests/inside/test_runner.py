"""run_job end to end in a subprocess: frame order, isolation of failing cases, import guard, tampering."""

from __future__ import annotations

import pytest
from inside_helpers import case, job, run_inside
from inside_helpers import students as S

QUIZ_STEPS = [
    {"do": "apply", "op": "Linear", "args": ["X", "W", "b"], "out": "f"},
    {"do": "apply", "op": "Sigmoid", "args": ["f"], "out": "a"},
    {"do": "apply", "op": "MSE", "args": ["y", "a"], "out": "cost"},
    {"do": "backward", "of": "cost"},
    {"do": "record", "key": "dW", "grad_of": "W"},
]
QUIZ = {"X": [[-1.0, -2.0], [-1, -2]], "W": [[2.0], [3.0]], "b": [-3.0], "y": [1, 2]}
DOCUMENTED_DW = [5.01028709e-05, 1.00205742e-04]  # FACTS.md, MiniFlow quiz
MF = {"modules": ["miniflow.py"], "required": ["Input", "Linear", "Sigmoid", "MSE"]}


def test_frames_in_order_and_failing_case_isolated() -> None:
    """loaded, one case frame per case (a broken case in the middle does not stop the next), then done."""
    broken = [{"do": "apply", "op": "Linear", "args": ["X", "W"], "out": "f"}, {"do": "backward", "of": "f"}]
    cases = [case("one", QUIZ, QUIZ_STEPS), case("broken", QUIZ, broken), case("three", QUIZ, QUIZ_STEPS)]
    ran = run_inside({"miniflow.py": S.MINIFLOW}, job("miniflow", cases, **MF))
    assert [f["type"] for f in ran.frames] == ["loaded", "case", "case", "case", "done"]
    assert [f["id"] for f in ran.frames[1:4]] == ["one", "broken", "three"]
    assert ran.case("broken")["status"] == "error"
    assert ran.case("broken")["failure"]["code"] == "exception"
    assert "Linear" in ran.case("broken")["failure"]["message"]
    for cid in ("one", "three"):
        assert ran.record("dW", cid).ravel().tolist() == pytest.approx(DOCUMENTED_DW, rel=1e-6)


def test_forbidden_import_at_top_is_load_failed() -> None:
    """A forbidden import before any definition fails the load, naming the module and the file."""
    src = "import socket\n" + S.MINIFLOW
    ran = run_inside({"miniflow.py": src}, job("miniflow", [], forbidden_imports=["socket"], **MF))
    assert [f["type"] for f in ran.frames] == ["load_failed"]
    failure = ran.frames[0]["failure"]
    assert failure["code"] == "forbidden_import"
    assert "'socket'" in failure["message"] and "miniflow.py line 1" in failure["message"]
    control = run_inside({"miniflow.py": src}, job("miniflow", [], **MF))  # negative control: not forbidden
    assert control.frames[0]["type"] == "loaded"


def test_forbidden_import_inside_a_method_fails_that_case() -> None:
    """A forbidden import executed during a case fails that case only, with the forbidden_import code."""
    src = S.MINIFLOW.replace(
        "    def _sigmoid(self, x):\n", "    def _sigmoid(self, x):\n        import ctypes\n"
    )
    ran = run_inside(
        {"miniflow.py": src},
        job("miniflow", [case("c", QUIZ, QUIZ_STEPS)], forbidden_imports=["ctypes"], **MF),
    )
    assert ran.case()["failure"]["code"] == "forbidden_import"
    assert "Sigmoid._sigmoid" in ran.case()["failure"]["message"]


def test_monkeypatching_numpy_and_json_does_not_change_frames() -> None:
    """A submission that replaces numpy and json functions at import cannot change what is emitted."""
    tamper = (
        "import json, numpy\n"
        "json.dumps = lambda *a, **k: '{}'\n"
        "numpy.array_equal = lambda *a, **k: True\n"
        "numpy.asarray = lambda *a, **k: numpy.zeros(1)\n"
        "numpy.ndarray.tolist\n"
    )
    src = S.MINIFLOW + "\n" + tamper
    steps = [*QUIZ_STEPS, {"do": "record", "key": "dy", "grad_of": "y"}]
    # this Linear mutates X in place: the tampered array_equal must not hide it
    src = src.replace(
        "        X = self.inbound_nodes[0].value\n",
        "        X = self.inbound_nodes[0].value\n        X *= 1\n"
        "        X[0, 0] += 0.0\n        X.ravel()[0] = -1.0\n",
    )
    ran = run_inside({"miniflow.py": src}, job("miniflow", [case("c", QUIZ, steps)], **MF))
    assert ran.frames[-1] == {"type": "done"}
    assert ran.case()["mutated"] == []  # X[0,0] was already -1.0: nothing changed, and nothing is claimed
    src2 = src.replace("X.ravel()[0] = -1.0", "X.ravel()[0] = -7.0")
    ran2 = run_inside({"miniflow.py": src2}, job("miniflow", [case("c", QUIZ, steps)], **MF))
    assert ran2.case()["mutated"] == ["X"]


def test_unknown_family_is_load_failed() -> None:
    """A job for a family without an adapter fails the load with a message naming the family."""
    ran = run_inside({"a.py": "x = 1\n"}, job("tensorflow", []))
    assert ran.frames[0]["type"] == "load_failed" and "tensorflow" in ran.frames[0]["failure"]["message"]


def test_no_python_file_is_load_failed() -> None:
    """A submission without any .py file fails the load, naming the expected module."""
    ran = run_inside({"README.txt": "hello"}, job("miniflow", [], **MF))
    assert ran.frames[0]["type"] == "load_failed" and "miniflow.py" in ran.frames[0]["failure"]["message"]


def _without_method(src: str, cls: str, method: str) -> str:
    lines = src.splitlines(keepends=True)
    start = next(i for i, ln in enumerate(lines) if ln.startswith(f"class {cls}"))
    first = next(i for i in range(start, len(lines)) if lines[i].strip().startswith(f"def {method}("))
    end = next(
        i for i in range(first + 1, len(lines)) if lines[i].strip() and not lines[i].startswith(" " * 8)
    )
    return "".join(lines[:first] + lines[end:])


def test_a_class_without_backward_is_not_implemented() -> None:
    """A class that stops at forward (early lesson stage) is `not_implemented` naming the class and method;
    an unrelated AttributeError stays an `exception` (control)."""
    forward_only = _without_method(_without_method(S.MINIFLOW, "MSE", "backward"), "Node", "backward")
    ran = run_inside({"miniflow.py": forward_only}, job("miniflow", [case("c", QUIZ, QUIZ_STEPS)], **MF))
    failure = ran.case()["failure"]
    assert failure["code"] == "not_implemented"
    assert "class MSE has no backward() method" in failure["message"]
    typo = S.MINIFLOW.replace("self.inbound_nodes[0].value", "self.inbound_nodes[0].valeu", 1)
    other = run_inside({"miniflow.py": typo}, job("miniflow", [case("c", QUIZ, QUIZ_STEPS)], **MF))
    assert other.case()["failure"]["code"] == "exception"


def test_a_misnamed_backward_is_named_with_the_fix() -> None:
    """`def backwards` in MSE: the message names the method the class does define and the rename, not
    "the forward-only stage of the lesson?" (the student wrote the backward, under another name). Node's
    backward is removed, as in the test above: the course's raises NotImplementedError instead."""
    src = _without_method(S.MINIFLOW, "Node", "backward")
    at = src.index("def backward(self", src.index("class MSE"))
    misnamed = src[:at] + "def backwards(self" + src[at + len("def backward(self") :]
    ran = run_inside({"miniflow.py": misnamed}, job("miniflow", [case("c", QUIZ, QUIZ_STEPS)], **MF))
    failure = ran.case()["failure"]
    assert failure["code"] == "not_implemented"
    assert "class MSE has no backward() method but defines backwards(): rename it" in failure["message"]
    assert "forward-only" not in failure["message"]


def test_a_misnamed_backward_under_the_courses_node_stub_is_named_with_the_fix() -> None:
    """The course's Node.backward raises NotImplementedError: MSE's `def backwards` ran that stub, and the
    message said "in Node.backward ...; is it still a TODO?". It now names MSE, backwards and the rename.
    Control: the starter's own TODO (MSE.backward raising) keeps "is it still a TODO?"."""
    at = S.MINIFLOW.index("def backward(self", S.MINIFLOW.index("class MSE"))
    assert "raise NotImplementedError" in S.MINIFLOW[: S.MINIFLOW.index("class MSE")]  # the course's stub
    misnamed = S.MINIFLOW[:at] + "def backwards(self" + S.MINIFLOW[at + len("def backward(self") :]
    ran = run_inside({"miniflow.py": misnamed}, job("miniflow", [case("c", QUIZ, QUIZ_STEPS)], **MF))
    message = ran.case()["failure"]["message"]
    assert "class MSE defines backwards() but not backward(), so the inherited one ran" in message
    assert message.endswith("rename backwards to backward") and "still a TODO" not in message
    body = S.MINIFLOW.index("\n", at) + 1
    todo = S.MINIFLOW[:body] + "        raise NotImplementedError\n" + S.MINIFLOW[body:]
    ran = run_inside({"miniflow.py": todo}, job("miniflow", [case("c", QUIZ, QUIZ_STEPS)], **MF))
    assert "is it still a TODO?" in ran.case()["failure"]["message"]
