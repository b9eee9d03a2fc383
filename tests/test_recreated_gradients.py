"""MiniFlow backward methods that re-create their gradients dict per outbound node, read from the source."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from grader.judge.diagnose import Finding
from grader.judge.mutations import mutation_info
from grader.judge.recreated import told
from grader.judge.results import CaseResult
from grader.recreated_gradients import assigned_lines, recreated

MINIFLOW = Path(__file__).resolve().parents[1] / "submissions" / "miniflow"
IN_LOOP = b"""
class Sigmoid(Node):
    def backward(self):
        for n in self.outbound_nodes:
            self.gradients = {n: np.zeros_like(n.value) for n in self.inbound_nodes}
            self.gradients[self.inbound_nodes[0]] += self.value * (1 - self.value) * n.gradients[self]
"""


def _read(name: str) -> dict[str, bytes]:
    return {name: (MINIFLOW / name).read_bytes()}


def test_a_dict_made_inside_the_loop_over_outbound_nodes_is_found_with_its_line() -> None:
    """The class (by the lesson's name, Input for Placeholder), the file and line, the statement and the loop.
    Controls: the lesson's dict made before the loop (correct.py), a dict made in a loop over something else,
    in another method, in a class not the lesson's, or once under an `if` reading it, are none; a real `=`
    (overwrite_in_sigmoid.py) is found as an assignment, not a dict made again."""
    (found,) = recreated({"mf.py": IN_LOOP})
    assert (found.cls, found.spelt, found.where, found.loop) == (
        "Sigmoid",
        "Sigmoid",
        "mf.py line 5",
        "outbound_nodes",
    )
    assert found.statement.startswith("self.gradients = {n: np.zeros_like(n.value)")
    placeholder = IN_LOOP.replace(b"class Sigmoid", b"class Placeholder")
    assert [(f.cls, f.spelt) for f in recreated({"mf.py": placeholder})] == [("Input", "Placeholder")]
    assert recreated(_read("correct.py")) == ()
    (assigned,) = recreated(_read("overwrite_in_sigmoid.py"))
    assert (assigned.cls, assigned.whole, assigned.assigned) == ("Sigmoid", False, True)
    assert recreated({"mf.py": IN_LOOP.replace(b"self.outbound_nodes", b"self.inbound_nodes")}) == ()
    assert recreated({"mf.py": IN_LOOP.replace(b"def backward", b"def forward")}) == ()
    assert recreated({"mf.py": IN_LOOP.replace(b"class Sigmoid", b"class Tanh")}) == ()
    once = IN_LOOP.replace(
        b"            self.gradients = {",
        b"            if not self.gradients:\n                self.gradients = {",
    )
    assert recreated({"mf.py": once}) == ()
    each = IN_LOOP.replace(
        b"            self.gradients = {",
        b"            if n is not None:\n                self.gradients = {",
    )
    assert len(recreated({"mf.py": each})) == 1
    enumerated = IN_LOOP.replace(
        b"for n in self.outbound_nodes", b"for i, n in enumerate(self.outbound_nodes)"
    )
    assert [f.loop for f in recreated({"mf.py": enumerated})] == ["outbound_nodes"]
    fixed_below = IN_LOOP + b"\n\nclass Sigmoid(Node):\n    def backward(self):\n        pass\n"
    assert recreated({"mf.py": fixed_below}) == ()  # the module keeps the last class of a name
    everywhere = recreated(_read("dict_in_loop_everywhere.py"))
    assert [f.cls for f in everywhere] == ["Input", "Linear", "Sigmoid"]


def _result(mistake: str, hint: str) -> CaseResult:
    return CaseResult(
        "accumulate-two-consumers",
        "two consumers",
        "graph",
        None,
        "failed",
        0.0,
        3.0,
        "visible",
        "",
        diagnosis=Finding("missing_accumulation", f"dX matches a known mistake: {hint}", mistake=mistake),
    )


def test_the_overwrite_hint_of_a_class_that_re_creates_its_dict_tells_that_mistake() -> None:
    """overwrite_in_sigmoid's 'assigns (=)' becomes the re-created dict, named with its line; a mistake of a
    class the source shows adding properly, or another mistake, keeps its own words."""
    (found,) = recreated({"mf.py": IN_LOOP})
    sigmoid = mutation_info("overwrite_in_sigmoid")[1]
    linear = mutation_info("overwrite_in_linear")[1]
    assert sigmoid and linear
    (result,) = told([_result("overwrite_in_sigmoid", sigmoid)], [found])
    assert result.diagnosis is not None
    assert "assigns (=)" not in result.diagnosis.hint
    assert "Sigmoid.backward (mf.py line 5: `self.gradients = {n: np.zeros_like" in result.diagnosis.hint
    assert "only the last node's contribution survives" in result.diagnosis.hint
    kept = _result("overwrite_in_linear", linear)
    assert told([kept], [found]) == (kept,)
    assert told([kept], []) == (kept,)
    throughout = mutation_info("overwrite_throughout")[1]
    assert throughout
    (mixed,) = told([_result("overwrite_throughout", throughout)], [found])
    assert mixed.diagnosis is not None
    assert "Input.backward and Linear.backward assign (=) the gradient" in mixed.diagnosis.hint
    assert dataclasses.replace(mixed, diagnosis=None) == dataclasses.replace(kept, diagnosis=None)


ENTRY_IN_LOOP = b"""
class Linear(Node):
    def backward(self):
        X, W, b = self.inbound_nodes
        for n in self.outbound_nodes:
            grad_cost = n.gradients[self]
            self.gradients[X] = np.zeros_like(X.value)
            self.gradients[X] += np.dot(grad_cost, W.value.T)
            self.gradients[W] = np.dot(X.value.T, grad_cost)
"""


def test_an_entry_set_again_in_the_loop_then_added_to_is_found() -> None:
    """`self.gradients[X] = np.zeros_like(...)` in a loop adding (+=) into the dict: found, not a whole
    dict; in a loop that never adds to X the zero is not, the `=` of X's gradient below it is (an
    assignment: "assigns (=)" is right, with its line)."""
    (found,) = recreated({"mf.py": ENTRY_IN_LOOP})
    never_adds = ENTRY_IN_LOOP.replace(b"self.gradients[X] += ", b"self.gradients[X] = ")
    (assigned,) = recreated({"mf.py": never_adds})
    assert (assigned.where, assigned.assigned) == ("mf.py line 8", True)
    assert (found.cls, found.where, found.whole, found.assigned) == ("Linear", "mf.py line 7", False, False)
    assert found.statement == "self.gradients[X] = np.zeros_like(X.value)"
    linear = mutation_info("overwrite_in_linear")[1]
    assert linear
    (result,) = told([_result("overwrite_in_linear", linear)], [found])
    assert result.diagnosis is not None
    assert (
        "Linear.backward (mf.py line 7: `self.gradients[X] = np.zeros_like(X.value)`) sets its gradients "
        "afresh inside the loop over self.outbound_nodes" in result.diagnosis.hint
    )


ZERO_UNDER_ANOTHER_KEY = b"""
class Linear(Node):
    def backward(self):
        self.gradients = {n: np.zeros_like(n.value) for n in self.inbound_nodes}
        for n in self.outbound_nodes:
            grad_cost = n.gradients[self]
            self.gradients[n] = np.zeros_like(n.value)
            self.gradients[self.inbound_nodes[0]] = np.dot(grad_cost, self.inbound_nodes[1].value.T)
            self.gradients[self.inbound_nodes[1]] += np.dot(self.inbound_nodes[0].value.T, grad_cost)
"""


def test_the_line_quoted_is_the_assignment_that_loses_the_gradients() -> None:
    """A zero under a key the loop never adds to (`self.gradients[n]`, the outbound node) loses nothing: the
    `=` of X's gradient below it is quoted, after the known mistake's own "assigns (=)" (it quoted the zero
    and said the gradients were set afresh; sample linear_zeros_outbound_assigns_x.py). Controls: the zero
    under a key the loop adds to, spelt `X` from `X, W, b = self.inbound_nodes` or as the entry itself, is
    the one quoted; `self.gradients[k] = self.gradients[k] + ...` adds."""
    (found,) = recreated({"mf.py": ZERO_UNDER_ANOTHER_KEY})
    assert (found.where, found.assigned) == ("mf.py line 8", True)
    linear = mutation_info("overwrite_in_linear")[1]
    assert linear
    (result,) = told([_result("overwrite_in_linear", linear)], [found])
    assert result.diagnosis is not None
    assert linear in result.diagnosis.hint and "afresh" not in result.diagnosis.hint
    assert (
        "The `=` is in Linear.backward, mf.py line 8: `self.gradients[self.inbound_nodes[0]] = np.dot("
        in (result.diagnosis.hint)
    )
    own_key = ZERO_UNDER_ANOTHER_KEY.replace(
        b"self.gradients[n] = ", b"self.gradients[self.inbound_nodes[1]] = "
    )
    (reset,) = recreated({"mf.py": own_key})
    assert (reset.where, reset.assigned, reset.whole) == ("mf.py line 7", False, False)
    named = own_key.replace(
        b"        for n in", b"        X, W, b = self.inbound_nodes\n        for n in"
    ).replace(b"self.gradients[self.inbound_nodes[1]] = np", b"self.gradients[W] = np")
    assert [(f.where, f.assigned) for f in recreated({"mf.py": named})] == [("mf.py line 8", False)]
    adds = ZERO_UNDER_ANOTHER_KEY.replace(
        b"self.gradients[self.inbound_nodes[0]] = np.dot",
        b"self.gradients[self.inbound_nodes[0]] = self.gradients[self.inbound_nodes[0]] + np.dot",
    )
    assert recreated({"mf.py": adds}) == ()


def test_a_class_is_read_where_the_students_process_loaded_it() -> None:
    """A folder whose graded miniflow.py assigns (=) in Sigmoid.backward (overwrite_in_sigmoid.py) beside a
    scratch copy that re-creates the dict (sigmoid_dict_in_loop.py, never run): the hint quoted the scratch
    file's line 149 for the graded file's `=`. Control: with no file known loaded, the last path's class is
    read (the scratch copy's). A backward defined twice in a class is read as its last def, the one kept."""
    files = {
        "miniflow.py": (MINIFLOW / "overwrite_in_sigmoid.py").read_bytes(),
        "scratch_old.py": (MINIFLOW / "sigmoid_dict_in_loop.py").read_bytes(),
    }
    # the graded file's own `=` (line 61), never the scratch copy's dict
    assert [(f.where, f.assigned) for f in recreated(files, loaded={"miniflow.py"})] == [
        ("miniflow.py line 61", True)
    ]
    assert [f.where for f in recreated(files)] == ["scratch_old.py line 149"]
    swapped = {"miniflow.py": files["scratch_old.py"], "scratch_old.py": files["miniflow.py"]}
    assert [f.where for f in recreated(swapped, loaded={"miniflow.py"})] == ["miniflow.py line 149"]
    redefined = IN_LOOP + b"\n    def backward(self):\n        pass\n"
    assert recreated({"mf.py": redefined}) == ()
    assert len(recreated({"mf.py": IN_LOOP + b"\n    def forward(self):\n        pass\n"})) == 1


def test_every_equals_of_a_class_loop_is_quoted_not_the_first_alone() -> None:
    """overwrite_not_accumulate.py's Linear assigns X's, W's and b's gradients with `=` (lines 108, 110,
    112): a dW hint quoted line 108 alone, X's, which loses nothing of W. All three are quoted, in order."""
    by_class = {f.cls: f for f in recreated(_read("overwrite_not_accumulate.py"))}
    linear = by_class["Linear"]
    assert (linear.where, linear.assigned) == ("overwrite_not_accumulate.py line 108", True)
    assert [w for w, _ in linear.also] == [
        "overwrite_not_accumulate.py line 110",
        "overwrite_not_accumulate.py line 112",
    ]
    assert linear.also[0][1].startswith("self.gradients[self.inbound_nodes[1]] = np.dot(")
    words = assigned_lines([linear])
    assert "line 108" in words and "line 110" in words and "line 112" in words
    assert by_class["Sigmoid"].also == ()  # control: one `=` in its loop, quoted alone
    assert assigned_lines([by_class["Sigmoid"]]).startswith("The `=` is in Sigmoid.backward")


GET_ADDS = b"""
class Linear(Node):
    def backward(self):
        X, W, b = self.inbound_nodes
        for n in self.outbound_nodes:
            g = n.gradients[self]
            self.gradients[X] = self.gradients.get(X, 0) + np.dot(g, W.value.T)
            self.gradients[W] = np.dot(X.value.T, g)
"""


def test_an_equals_that_adds_to_the_entry_through_get_is_not_quoted() -> None:
    """`self.gradients[X] = self.gradients.get(X, 0) + ...` adds to X's entry: the `=` that loses W's
    gradients (line 8) is quoted, not X's (line 7). Control: `.get` of another key loses X's."""
    (found,) = recreated({"mf.py": GET_ADDS})
    assert (found.where, found.assigned, found.also) == ("mf.py line 8", True, ())
    other = GET_ADDS.replace(b"self.gradients.get(X, 0)", b"self.gradients.get(b, 0)")
    (lost,) = recreated({"mf.py": other})
    assert (lost.where, [w for w, _ in lost.also]) == ("mf.py line 7", ["mf.py line 8"])


ZERO_THEN_PLUS = b"""
class Sigmoid(Node):
    def backward(self):
        for n in self.outbound_nodes:
            self.gradients[self.inbound_nodes[0]] = np.zeros_like(self.inbound_nodes[0].value)
            grad = self.value * (1 - self.value) * n.gradients[self]
            self.gradients[self.inbound_nodes[0]] = self.gradients[self.inbound_nodes[0]] + grad
"""


def test_a_zero_the_loop_then_adds_to_with_equals_plus_is_found() -> None:
    """`self.gradients[k] = self.gradients[k] + g` adds, as `+=` does: the zero set above it in the loop is
    the mistake, quoted with "sets its gradients afresh" (nothing was found, and the hint said Sigmoid
    "assigns (=)" to code whose lines add). Control: the same spelt `+=`."""
    (found,) = recreated({"mf.py": ZERO_THEN_PLUS})
    assert (found.where, found.whole, found.assigned) == ("mf.py line 5", False, False)
    plus = ZERO_THEN_PLUS.replace(b"] = self.gradients[self.inbound_nodes[0]] + grad", b"] += grad")
    assert [(f.where, f.assigned) for f in recreated({"mf.py": plus})] == [("mf.py line 5", False)]
    sigmoid = mutation_info("overwrite_in_sigmoid")[1]
    assert sigmoid
    (result,) = told([_result("overwrite_in_sigmoid", sigmoid)], [found])
    assert result.diagnosis is not None
    assert "sets its gradients afresh inside the loop over self.outbound_nodes" in result.diagnosis.hint
    assert "assigns (=)" not in result.diagnosis.hint
