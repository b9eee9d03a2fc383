"""An accuracy taking np.argmax along axis 0 is told so (grader/judge/argmax_axis.py)."""

from __future__ import annotations

from grader.judge.argmax_axis import axis0_methods, told
from grader.judge.diagnose import Finding
from grader.judge.results import CaseResult, Check

SOURCE = b"""import numpy as np
class TwoLayerNet:
    def accuracy(self, x, t):
        y = np.argmax(self.predict(x), axis=0)
        return np.sum(y == np.argmax(t, 0)) / float(x.shape[0])
class Right:
    def accuracy(self, x, t):
        return np.mean(np.argmax(self.predict(x), axis=1) == t)
"""
SAID = (
    "TwoLayerNet.accuracy: accuracy with class labels t (accuracy) is wrong: got 0, expected 0.666667 "
    "(absolute difference 0.666667, relative 1)"
)


def _case(hint: str) -> CaseResult:
    finding = Finding("zero_or_missing", hint)
    check = Check(
        "accuracy", "accuracy with class labels t", "TwoLayerNet.accuracy", False, "values", SAID, finding
    )
    return CaseResult(
        "a", "a", "graph", "TwoLayerNet", "failed", 0.0, 2.0, "visible", SAID, (check,), finding
    )


def test_an_accuracy_over_axis_0_is_said_with_got_and_expected_not_all_zeros():
    """Session 34 (sample layers/ch04_accuracy_argmax_axis0.py): the book's chapter-4 accuracy with
    argmax(axis=0) read "is all zeros: TwoLayerNet.accuracy never computes it"; the parent's parse finds the
    call in that method and the hint says the axis mistake with the record's got and expected. Controls: a
    method with axis=1 is not found, and a hint that says axis 0 already (the known mistake) is kept."""
    assert axis0_methods({"two_layer_net.py": SOURCE}) == ("TwoLayerNet.accuracy",)
    (result,) = told(
        [_case("... is all zeros: TwoLayerNet.accuracy never computes it")], ["TwoLayerNet.accuracy"]
    )
    assert result.diagnosis is not None and result.diagnosis.code == "wrong_forward"
    hint = result.diagnosis.hint
    assert hint.startswith(
        SAID.split(" (absolute")[0] + ": TwoLayerNet.accuracy calls np.argmax with axis=0, "
    )
    assert "all zeros" not in hint and "over the batch" in hint
    known = _case("matches a known mistake: TwoLayerNet.accuracy takes np.argmax along axis 0")
    assert told([known], ["TwoLayerNet.accuracy"]) == (known,)
    assert told([known], []) == (known,)


def test_the_array_method_argmax_reads_its_first_argument_as_the_axis():
    """`y.argmax(0)` is the array method: its first argument is the axis (main read only a second one, as
    np.argmax(y, 0) has, and missed it). Controls: `y.argmax(1)` and `np.argmax(y, 1)` are not axis 0, and
    NumPy bound to another name (`import numpy as xp`) is still the module function."""
    net = b"class Net:\n    def accuracy(self, x, t):\n"
    method = net + b"        return (self.predict(x).argmax(0) == t).mean()\n"
    alias = b"import numpy as xp\n" + net + b"        return xp.argmax(x, 0)\n"
    assert axis0_methods({"net.py": method}) == ("Net.accuracy",)
    assert axis0_methods({"net.py": alias}) == ("Net.accuracy",)
    assert axis0_methods({"net.py": method.replace(b"argmax(0)", b"argmax(1)")}) == ()
    assert axis0_methods({"net.py": alias.replace(b"x, 0)", b"x, 1)")}) == ()
    assert axis0_methods({"net.py": alias.replace(b"xp.argmax(x, 0)", b"xp.argmax(0)")}) == ()


def test_dezeros_array_module_is_numpys_argmax():
    """Review of s35: DeZero's `xp = cuda.get_array_module(y)` binds NumPy without importing it as xp, and
    `xp.argmax(y, 0)` was read as the array method (axis from y) and missed. A name bound by
    get_array_module, with or without `cuda.`, is NumPy's module. Controls: `xp.argmax(y, 1)`, and an xp
    bound otherwise, whose `xp.argmax(0)` is still the array method's axis 0."""
    net = b"class Net:\n    def accuracy(self, x, t):\n        y = self.predict(x)\n"
    dezero = net + b"        xp = cuda.get_array_module(y)\n        return (xp.argmax(y, 0) == t).mean()\n"
    plain = dezero.replace(b"cuda.get_array_module", b"get_array_module")
    assert axis0_methods({"net.py": dezero}) == ("Net.accuracy",)
    assert axis0_methods({"net.py": plain}) == ("Net.accuracy",)
    assert axis0_methods({"net.py": dezero.replace(b"y, 0)", b"y, 1)")}) == ()
    other = dezero.replace(b"cuda.get_array_module(y)", b"y").replace(b"argmax(y, 0)", b"argmax(0)")
    assert axis0_methods({"net.py": other}) == ("Net.accuracy",)
