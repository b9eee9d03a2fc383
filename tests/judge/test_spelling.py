"""A report's text names each class as the student spelt it (grader/judge/spelling.py)."""

from __future__ import annotations

from grader.judge.diagnose import Finding
from grader.judge.results import Blame, CaseResult, Check
from grader.judge.spelling import blame, case, respeller, spellings


def test_only_a_spelling_of_the_familys_table_is_taken() -> None:
    """Placeholder is a name of Input; a name the table does not hold (or the canonical one) is not taken."""
    found = {"Input": "m.Placeholder", "Linear": "m.Linear", "Sigmoid": "m.YourCodeIsFine", "Node": "m.Layer"}
    assert spellings("miniflow", found) == {"Input": "Placeholder", "Node": "Layer"}
    assert spellings("layers", {"Relu": "common.layers.ReLU", "Affine": "x.Affine"}) == {"Relu": "ReLU"}
    assert spellings("no-such-family", {"Input": "m.Placeholder"}) == {}


def test_whole_words_are_replaced_and_their_article_follows() -> None:
    """`Input` as a word (and its article) is respelt; `input`, `InputLayer`, `Inputs` are left alone."""
    respell = respeller({"Input": "Placeholder", "MSE": "MeanSquaredError"})
    assert respell is not None
    text = "An Input feeds; Input.backward; an Input; InputLayer, input, Inputs; a MSE; MSE.forward"
    assert respell(text) == (
        "A Placeholder feeds; Placeholder.backward; a Placeholder; InputLayer, input, Inputs; "
        "a MeanSquaredError; MeanSquaredError.forward"
    )
    assert respeller({"Relu": "ReLU"})("a Relu") == "a ReLU"  # type: ignore[misc]
    assert respeller({}) is None


def test_text_fields_change_and_structured_ones_keep_the_canonical_name() -> None:
    """Case title, message, labels, hints and blame say Placeholder; target, method, blame class say Input."""
    respell = respeller({"Input": "Placeholder"})
    assert respell is not None
    hint = Finding("missing_accumulation", "Input.backward assigns (=)")
    check = Check(
        "dX", "after Input.backward", "Input.backward", False, "values", "Input.backward: wrong", hint
    )
    result = CaseResult(
        "input-unit", "Input.backward sums", "unit", "Input", "failed", 0.0, 2.0, "visible",
        "Input.backward: wrong", (check,), hint,
    )  # fmt: skip
    got = case(result, respell)
    assert (got.name, got.message, got.target) == (
        "Placeholder.backward sums",
        "Placeholder.backward: wrong",
        "Input",
    )
    assert got.checks[0].label == "after Placeholder.backward" and got.checks[0].method == "Input.backward"
    assert got.diagnosis is not None and got.diagnosis.hint == "Placeholder.backward assigns (=)"
    assert got.checks[0].diagnosis == got.diagnosis
    b = blame(Blame("Input", "The unit cases of Input fail", ("input-unit",), (), ()), respell)
    assert (b.class_name, b.message) == ("Input", "The unit cases of Placeholder fail")
