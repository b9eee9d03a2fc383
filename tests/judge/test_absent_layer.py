"""A DLFS hint naming a layer class the program lacks names the network's method (judge/absent_layer.py)."""

from __future__ import annotations

from grader.judge.absent_layer import told
from grader.judge.diagnose import Finding
from grader.judge.results import CaseResult, Check

HINT = "TwoLayerNet.gradient: db1 is one number: the bias's sum in Affine.backward ran over every axis"


def _case(method: str = "TwoLayerNet.gradient") -> CaseResult:
    finding = Finding("over_reduced", HINT)
    check = Check("db1", "gradient of b1", method, False, "shape", "m", finding)
    return CaseResult("c", "c", "graph", "TwoLayerNet", "failed", 2.4, 3.0, "visible", "m", (check,), finding)


def test_a_bias_hint_names_the_networks_method_when_the_file_has_no_affine():
    """Session 34 (sample layers/ch05_net_without_layers_bias_summed.py): a chapter-5 TwoLayerNet written
    without layer classes was told "the bias's sum in Affine.backward"; with the parent's reading of the
    file's classes (no Affine) it names TwoLayerNet.gradient, in the check and in the case's diagnosis.
    Controls: a file defining Affine, another family, no reading, and a check of Affine.backward itself keep
    the hint."""
    (result,) = told([_case()], "layers", ("TwoLayerNet",))
    want = HINT.replace("in Affine.backward", "in TwoLayerNet.gradient")
    assert result.checks[0].diagnosis is not None and result.checks[0].diagnosis.hint == want
    assert result.diagnosis is not None and result.diagnosis.hint == want
    for family, classes in (
        ("layers", ("TwoLayerNet", "Affine")),
        ("miniflow", ("Linear",)),
        ("layers", None),
    ):
        assert told([_case()], family, classes) == (_case(),)
    own = _case("Affine.backward")
    assert told([own], "layers", ("TwoLayerNet",)) == (own,)
