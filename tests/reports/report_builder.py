"""Builds a small complete report: visible, hidden and after-due-date cases; failure, error, not-run cases."""

from __future__ import annotations

import numpy as np

from grader.flags import Flag
from grader.judge import grade
from grader.model import Case, CaseOutput, Failure, LoadInfo, RunResult, Tolerance

# Distinctive numbers: if any of them (in any formatting) shows up in a student view, a hidden value leaked.
HIDDEN_EXPECTED = np.array([[7.31415926, -8.27182818], [9.16180339, 6.05772156]])
HIDDEN_GOT = np.array([[7.31415926, -8.27182818], [9.16180339, 16.05772156]])
HIDDEN_INPUT = np.array([[3.33333777, 4.44444888], [5.55555999, 6.66666111]])


def _case(
    cid, *, target="Affine", kind="unit", visibility="visible", expected, inputs=None, points=2.0, **kw
):
    steps = [{"do": "apply", "op": target or "Affine", "args": ["x"], "out": "f"}]
    steps += [{"do": "record", "key": k, "grad_of": k[1:], "via": "f"} for k in expected]
    return Case(
        id=cid,
        name=cid.replace("-", " "),
        kind=kind,
        target=target,
        inputs=inputs or {"x": np.ones((2, 2))},
        steps=tuple(steps),
        expected=expected,
        tolerance=Tolerance(),
        points=points,
        visibility=visibility,
        **kw,
    )


# A staff-only flag with distinctive text: a student-facing output that contains any of it leaked a flag.
FLAG_NEEDLE = "FLAG-NEEDLE"
FLAGS = (
    Flag.make("numerical_gradient", "layers.py", 42, f"Affine.backward calls forward() {FLAG_NEEDLE}",
              "dx = numerical(self.forward)"),
    Flag.make("network", "layers.py", 3, f"imports socket {FLAG_NEEDLE}", "import socket"),
)  # fmt: skip


def build_report(
    *,
    wall=1.5,
    sandbox=0.75,
    stdout="hello\x01\x1b[31m world\n",
    isolation="bwrap",
    flags=(),
    late_dx=(0.5, 1.5),
    load_failure=None,
    published_dx=None,
):
    """`published_dx`: also an after_published Relu case (expected dx 0.5, 1.5) that got these values."""
    dw = np.array([[1.0, 2.0], [3.0, 4.0]])
    cases = [
        _case("affine-unit", expected={"dW": dw, "db": np.array([1.0, -1.0])}),
        _case(
            "affine-hidden", visibility="hidden", expected={"dW": HIDDEN_EXPECTED}, inputs={"x": HIDDEN_INPUT}
        ),
        _case("relu-late", target="Relu", visibility="after_due_date", expected={"dx": np.array([0.5, 1.5])}),
        _case("two-layer-graph", target=None, kind="graph", expected={"dx": np.array([2.0, 3.0])}),
        _case("sigmoid-unit", target="Sigmoid", expected={"dx": np.array([1.0])}, points=1.0),
        _case("softmax-unit", target="SoftmaxWithLoss", expected={"dx": np.array([1.0])}, points=1.0),
    ]
    if published_dx is not None:
        published = {"dx": np.array([0.5, 1.5])}
        cases.append(_case("relu-published", target="Relu", visibility="after_published", expected=published))
    outputs = {
        "affine-unit": CaseOutput("affine-unit", "ok", {"dW": dw.T.copy(), "db": np.array([1.0, -1.0])}),
        "affine-hidden": CaseOutput("affine-hidden", "ok", {"dW": HIDDEN_GOT}),
        "relu-late": CaseOutput("relu-late", "ok", {"dx": np.array(late_dx)}),
        **(
            {"relu-published": CaseOutput("relu-published", "ok", {"dx": np.array(published_dx)})}
            if published_dx is not None
            else {}
        ),
        "two-layer-graph": CaseOutput(
            "two-layer-graph",
            "error",
            {},
            failure=Failure(
                "exception",
                "Affine.backward raised <boom> & ]]>",
                "Traceback (most recent call last): secret",
            ),
        ),
    }
    load = LoadInfo(
        {"layers": "layers.py"}, {"Affine": "layers.Affine"}, ("Sigmoid",), {"Sigmoid": ("sigmoid",)}
    )
    run = RunResult(
        isolation,
        None if load_failure else load,  # load_failure: the Failure that stopped the submission loading
        outputs,
        load_failure or Failure("timeout", "your code ran longer than 10 s", "killed after 10 s"),
        stdout,
        "warn\x00ing",
        sandbox,
    )
    meta = {
        "grader_version": "0.1.0",
        "assignment": {"id": "dlfs-layers", "title": "DLFS layers", "family": "layers"},
        "submission_id": "alice",
        "submission_path": "/subs/alice",
        "sha256": "0" * 64,
        "files": ["layers.py"],
        "seed": 1234,
        "wall_seconds": wall,
        "flags": flags,
    }
    return grade(cases, run, meta)
