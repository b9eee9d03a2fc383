"""The step interpreter: defensive conversion of records, failure codes, input mutation reports."""

from __future__ import annotations

import base64
import json
import math
import struct
from collections.abc import Callable

import numpy as np
import pytest
from inside_helpers import _DRIVER, case, job, run_inside

from grader.inside import codec, program
from grader.inside.adapters.base import Reading
from grader.inside.failures import StudentFailure
from grader.inside.program import _Later, _record_form, _resolve
from grader.inside.remote import MAX_ELEMENTS, Pending, decode_array

RELU_JOB = {"modules": ["layers.py"], "required": ["Relu"]}
X = {"x": [[1.0, -2.0]], "dout": [[3.0, 4.0]]}
UNIT = [
    {"do": "apply", "op": "Relu", "args": ["x"], "out": "y"},
    {"do": "backward_local", "of": "y", "upstream": "dout"},
    {"do": "record", "key": "value", "value_of": "y"},
    {"do": "record", "key": "dx", "grad_of": "x", "via": "y", "method": "Relu.backward"},
]
EXPECTED_DX = [[3.0, 0.0]]  # hand-derived: dout where x > 0, else 0

HEADER = (
    "import numpy as np\n\nclass Relu:\n    def forward(self, x):\n        self.mask = x <= 0\n"
    "        out = x.copy()\n        out[self.mask] = 0\n        return out\n\n"
    "    def backward(self, dout):\n"
)


def _run(body: str, steps: list[dict] = UNIT) -> object:
    return run_inside({"layers.py": HEADER + body}, job("layers", [case("c", X, steps)], **RELU_JOB))


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("        return np.where(self.mask, 0.0, dout).view(np.matrix)\n", "ndarray subclass"),
        ("        return np.where(self.mask, 0.0, dout).tolist()\n", "nested list"),
        ("        return np.where(self.mask, 0, dout).astype(np.float32)\n", "float32"),
        ("        return np.where(self.mask, 0.0, dout).astype(object)\n", "object array"),
        (
            "        class V:\n            def __init__(s, d): s.data = d\n"
            "            def __eq__(s, o): return True\n"
            "            def __array__(s, *a, **k): raise RuntimeError('no')\n"
            "        return V(np.where(self.mask, 0.0, dout))\n",
            "Variable-like with odd __eq__/__array__",
        ),
    ],
)
def test_records_converted_to_plain_float64(body: str, why: str) -> None:
    """Whatever array-like comes back is read element by element into the right float64 values."""
    ran = _run(body)
    assert ran.record("dx").tolist() == EXPECTED_DX, why


def test_unconvertible_value_names_type_and_gradient() -> None:
    """A value that is not numbers fails the case, naming the type that came back and the gradient."""
    ran = _run("        return {'dx': dout}\n")
    failure = ran.case()["failure"]
    assert failure["code"] == "exception"
    assert (
        "dict" in failure["message"] and "Relu.backward" in failure["message"] and "dx" in failure["message"]
    )


def test_not_implemented_error_and_todo_body() -> None:
    """NotImplementedError and a body that returns nothing are both not_implemented."""
    for body in ("        raise NotImplementedError\n", "        pass  # TODO\n"):
        failure = _run(body).case()["failure"]
        assert failure["code"] == "not_implemented", body
        assert "Relu.backward" in failure["message"]


def test_exception_shows_only_student_frames() -> None:
    """An exception names type, message, file and line; the staff detail holds no grader frame."""
    failure = _run("        return dout @ np.ones((5, 5))\n").case()["failure"]
    assert failure["code"] == "exception"
    assert "ValueError" in failure["message"] and "layers.py line 11, in Relu.backward" in failure["message"]
    assert "inside" not in failure["detail"] and "program.py" not in failure["detail"]


def test_recursion_and_memory_errors() -> None:
    """RecursionError is an exception that says so; MemoryError is memory_limit."""
    rec = _run("        return self.backward(dout)\n").case()["failure"]
    assert rec["code"] == "exception" and "RecursionError" in rec["message"]
    mem = _run("        raise MemoryError\n").case()["failure"]
    assert mem["code"] == "memory_limit"


def test_records_kept_until_failure_and_mutation_reported() -> None:
    """A failing step keeps earlier records; the book's in-place Relu is reported as mutating dout."""
    steps = [*UNIT[:3], {"do": "record", "key": "dx", "grad_of": "x", "via": "y"}]
    ran = _run("        dout[self.mask] = 0\n        return dout\n", steps)
    assert ran.case()["mutated"] == ["dout"] and ran.record("dx").tolist() == EXPECTED_DX
    clean = _run("        return np.where(self.mask, 0.0, dout)\n", steps)
    assert clean.case()["mutated"] == []  # negative control
    value_first = [UNIT[0], UNIT[2], UNIT[1], UNIT[3]]
    partial = _run("        raise ValueError('boom')\n", value_first).case()
    assert partial["status"] == "error" and "value" in partial["records"] and "dx" not in partial["records"]


# The default driver, with the read-back inputs the harness decodes counted and the count printed at the end.
_COUNTING_DECODED_INPUTS = (
    _DRIVER.replace(
        "from inside.runner import run_job",
        "import inside.program as P\ndecoded = []\ndecode = P.decode_array\n"
        "P.decode_array = lambda raw, what: (decoded.append(what), decode(raw, what))[1]\n"
        "from inside.runner import run_job",
    )
    + "print('inputs decoded', sum(w.startswith('input ') for w in decoded))\n"
)


def test_inputs_read_back_as_they_were_sent_are_not_decoded() -> None:
    """Every input of every case is read back to see whether the student's code changed it: one that comes
    back in the very form it was sent in (shape and bytes) is unchanged without being decoded and compared
    (x and dout were both, ~90 inputs a MiniFlow job). Control: the book's in-place Relu still has dout
    reported, decoded, and x not."""
    steps = [*UNIT[:3], {"do": "record", "key": "dx", "grad_of": "x", "via": "y"}]
    clean_body = HEADER + "        return np.where(self.mask, 0.0, dout)\n"
    clean = run_inside({"layers.py": clean_body}, job("layers", [case("c", X, steps)], **RELU_JOB),
                       driver=_COUNTING_DECODED_INPUTS)  # fmt: skip
    assert clean.case()["mutated"] == [] and "inputs decoded 0\n" in clean.stdout
    in_place = HEADER + "        dout[self.mask] = 0\n        return dout\n"
    ran = run_inside({"layers.py": in_place}, job("layers", [case("c", X, steps)], **RELU_JOB),
                     driver=_COUNTING_DECODED_INPUTS)  # fmt: skip
    assert ran.case()["mutated"] == ["dout"] and "inputs decoded 1\n" in ran.stdout


def test_system_exit_in_a_case_is_caught() -> None:
    """exit() during a case fails that case; the run still ends with done."""
    ran = _run("        import sys\n        sys.exit(0)\n")
    assert ran.case()["failure"]["code"] == "exception" and "exit()" in ran.case()["failure"]["message"]
    assert ran.frames[-1] == {"type": "done"}


def test_a_reading_without_an_unset_failure_records_none_and_one_with_it_fails() -> None:
    """A record whose Reading has no `unset` (DeZero's x.grad: None is its value, compared by the judge, a
    gradient never set) resolves to None; one with `unset` (a value left None: a TODO) fails the case with
    it. grad_of carried an `unset` it could never say, beside a flag saying so (review of s22-real2,
    finding 4)."""
    todo = StudentFailure("not_implemented", "the Variable y has no data: forward left it unset")

    def answered_none(unset: Callable[[], StudentFailure] | None) -> _Later:
        pending = Pending(None)  # answered already: never sends a batch
        pending.fill(None)
        return _Later(pending, "x.grad", Reading(None, unset))

    assert _resolve({"dx": answered_none(None)}) == ({"dx": None}, None)
    out, failure = _resolve({"dx": answered_none(lambda: todo)})
    assert out == {} and failure is todo


def test_a_failure_context_names_the_class_not_the_op_driving_it() -> None:
    """`TwoLayerNet.chapter4` is the grader's name for the student's TwoLayerNet driven as chapter 4's
    network: a constructor's TypeError said "TwoLayerNet.chapter4 applied to x, t, ..." (review of
    s24-dlfsreal, finding 4). Control: an op naming a method the student wrote keeps it."""
    from grader.inside.program import _context

    apply = {"do": "apply", "args": ["x", "t"]}
    assert _context({**apply, "op": "TwoLayerNet.chapter4"}) == "TwoLayerNet applied to x, t"
    assert _context({**apply, "op": "TwoLayerNet.predict"}) == "TwoLayerNet.predict applied to x, t"


def _b64(values: list[float]) -> str:
    return base64.b64encode(struct.pack(f"<{len(values)}d", *values)).decode()


_FAST_FORMS = [  # bytes of at least one number, as decoding takes them: read without an array built
    {"shape": [2], "b64": _b64([1.5, -0.0])},
    {"shape": [1], "b64": _b64([3.0])},
    {"shape": [1, 1], "b64": _b64([3.0])},
    {"shape": [], "b64": _b64([2.0])},
    {"shape": [2, 2], "b64": _b64([float("nan"), float("inf"), -float("inf"), 1.0])},
    {"shape": [2], "b64": _b64([1e308, 1e308])},
    {"shape": [1], "b64": _b64([-0.0])},  # a zero's sign, a scalar's too
    {"shape": [3], "b64": _b64([5e-324, -2.2250738585072014e-308, -0.0])},  # subnormals
    {
        "shape": [1],
        "b64": base64.b64encode(struct.pack("<Q", 0xFFF8000000000001)).decode(),
    },  # a nan's payload
    {"shape": [1] * 32, "b64": _b64([7.0])},  # as many dimensions as a shape may have
]
_FORMS = [
    *_FAST_FORMS,
    {"shape": [0], "b64": ""},
    {"shape": [0, 10**30], "b64": ""},  # numpy refuses the shape
    {"shape": [3], "b64": _b64([1.0])},  # too few bytes
    {"shape": [1], "b64": _b64([1.0]) + "AA=="},  # bytes not a multiple of 8
    {"shape": [1], "b64": "not base64!"},
    {"shape": [1], "b64": 5},
    {"shape": [-1], "b64": ""},
    {"shape": [1.0], "b64": _b64([1.0])},
    {"shape": [True], "b64": _b64([1.0])},  # a bool is no size
    {"shape": [1] * 33, "b64": _b64([7.0])},  # one dimension past the bound
    {"shape": [2000, 1000], "b64": ""},  # more numbers than a record may hold, refused from its shape
    {"shape": [1], "data": [4.0]},
    {"shape": [1], "b64": _b64([1.0]), "x": 1},
]


def _frames_text(array: np.ndarray) -> str:
    """The frames' form of an array by its documented rule (a finite float as it is, nan and the infinities
    by name), as the worker's JSON text: independent of `codec.encode`, whose shortcut is under test too."""
    names = {math.inf: "inf", -math.inf: "-inf"}
    data = [
        x if math.isfinite(x) else ("nan" if math.isnan(x) else names[x]) for x in map(float, array.ravel())
    ]
    return json.dumps({"shape": list(array.shape), "data": data})


@pytest.mark.parametrize("form", _FORMS)
@pytest.mark.parametrize("scalar", [False, True])
def test_a_record_reads_as_decoding_and_encoding_it_reads(form: dict, scalar: bool) -> None:
    """A record answered as bytes goes to the frames without an array built (`codec.bytes_as_plain`): the
    same form, or the same refusal, as decoding it and encoding the array (the oracle, as it was done)."""
    try:
        array = decode_array(form, "dx")
        want: object = _frames_text(array.reshape(()) if scalar and array.size == 1 else array)
    except StudentFailure as failure:
        want = failure.message
    try:
        got: object = json.dumps(_record_form(form, "dx", scalar))  # the text: -0.0 is not 0.0 there
    except StudentFailure as failure:
        got = failure.message
    assert got == want
    fast = codec.bytes_as_plain(form, MAX_ELEMENTS)
    assert (fast is not None) == (form in _FAST_FORMS)  # the shortcut taken where it applies, and only there


def test_a_view_is_read_as_its_own_when_another_died_at_its_address(monkeypatch: pytest.MonkeyPatch) -> None:
    """What is kept of a view (`program._prepared`, found by the view's identity) is that view's only: views
    made one after another, each dropped before the next is made (which CPython then builds at the dead one's
    address), are each read with their own inputs and steps' words, never a dead view's."""
    monkeypatch.setattr(program, "_views_kept", {})
    for n in range(32):
        label = f"x{n}"
        view = case(
            f"c{n}", {"x": [[float(n)]]}, [{"do": "record", "key": "v", "value_of": "x", "label": label}]
        )
        prepared = program._prepared(view)
        assert prepared.originals["x"].tolist() == [[float(n)]]
        assert prepared.steps is not None and prepared.steps[0].context == f"reading {label}"
        del view, prepared


def test_a_malformed_step_is_refused_when_reached_not_when_its_view_is_read() -> None:
    """A step malformed past what `_apply_args` refuses by name (a 'plain' that is no mapping: a ValueError)
    is the grader's error only once the steps before it ran: a student's failure there (no class Relu) is
    the case's failure, as before the steps were planned ahead; the plan raised it, and said "the grader
    failed on this case" for the student's missing class."""
    steps = [*UNIT[:1], {"do": "apply", "op": "Relu", "args": ["y"], "out": "z", "plain": "ab"}]
    ran = run_inside({"layers.py": "import numpy as np\n"}, job("layers", [case("c", X, steps)], **RELU_JOB))
    failure = ran.case()["failure"]
    assert (failure["code"], failure["message"]) == ("missing_name", "no class Relu in layers.py")
    ran = _run("        return dout\n", steps)  # the control: with a Relu, the malformed step is reached
    assert ran.case()["failure"]["message"] == "the grader failed on this case"
