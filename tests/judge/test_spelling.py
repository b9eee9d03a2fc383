"""A report's text names each class as the student spelt it (grader/judge/spelling.py)."""

from __future__ import annotations

from grader.judge.diagnose import Finding
from grader.judge.results import Blame, CaseResult, Check
from grader.judge.spelling import beside_namesake, blame, case, respeller, spellings, title_note


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
    """Message, labels, hints and blame say Placeholder; the case title (the assignment's, the same for every
    student: the lead's decision on review of s22-real, finding 7), target, method, blame class say Input."""
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
        "Input.backward sums",
        "Placeholder.backward: wrong",
        "Input",
    )
    assert got.checks[0].label == "after Placeholder.backward" and got.checks[0].method == "Input.backward"
    assert got.diagnosis is not None and got.diagnosis.hint == "Placeholder.backward assigns (=)"
    assert got.checks[0].diagnosis == got.diagnosis
    b = blame(Blame("Input", "The unit cases of Input fail", ("input-unit",), (), ()), respell)
    assert (b.class_name, b.message) == ("Input", "The unit cases of Placeholder fail")


def test_words_the_grader_did_not_write_are_kept() -> None:
    """Negative controls of review of s22-real, finding 3: an exception's text (numpy's "matmul: Input operand
    1", the student's own raise), a backtick-quoted line of the student's source, and what the course, lesson
    or book writes keep their words; the grader's own words around them are respelt."""
    respell = respeller({"Input": "Placeholder", "MSE": "MeanSquaredError", "sgd_update": "SGD"})
    assert respell is not None
    numpy = (
        "Linear applied to X, W, b: ValueError: matmul: Input operand 1 has a mismatch in its core "
        "dimension 0 "
        "(ph_matmul.py line 97, in Linear.forward: `self.value = X @ W.T + b  # Input X (rows) times W`); "
        "an Input of shape (2,)"
    )
    assert respell(numpy) == numpy.replace("an Input of", "a Placeholder of")
    raised = (
        "backward from cost: RuntimeError: an Input must be fed (hw.py line 3, in f: `x`): Input.backward"
    )
    assert respell(raised) == raised.replace(": Input.backward", ": Placeholder.backward")
    no_where = "KeyError: <Input object at 0x1>\nInput.backward"
    assert respell(no_where) == "KeyError: <Input object at 0x1>\nPlaceholder.backward"
    course = (
        "SGD(trainables) takes no learning rate: the course's signature is sgd_update(trainables, "
        "learning_rate=1e-2): keep the rate a parameter; sgd_update here"
    )
    assert respell(course) == course.replace("; sgd_update here", "; SGD here")
    lesson = "one number; the lesson's MSE.backward keeps diff's shape: MSE here; The book's MSE. MSE"
    assert (
        respell(lesson)
        == "one number; the lesson's MSE.backward keeps diff's shape: MeanSquaredError here; The book's MSE. "
        "MeanSquaredError"
    )
    assert respell("`Input` Input `Input`") == "`Input` Placeholder `Input`"


def test_a_composed_helper_graded_for_a_missing_class_names_itself() -> None:
    """Review of s23-dz47 (finding 4): code with only softmax_simple (graded for softmax) read
    "Softmax.forward" and "re-derive Softmax.backward", a class it does not have; the methods are now worded
    as the helper and what it is built from. With a class Softmax defined (graded instead), or without the
    parent's reading of the names (`defined` None), the class keeps its name (negative controls)."""
    found = {"softmax": "dezero.functions.softmax_simple"}
    respell = respeller(spellings("dezero", found, ["Variable", "softmax_simple"]))
    assert respell is not None
    said = respell(
        "Softmax.forward: value wrong; re-derive Softmax.backward step by step (an overflowing np.exp)"
    )
    assert said == (
        "softmax_simple: value wrong; re-derive the backward of softmax_simple's exp, sum and / step by step "
        "(an overflowing np.exp)"
    )
    assert spellings("dezero", found, ["Softmax", "softmax_simple"]) == {"softmax": "softmax_simple"}
    assert spellings("dezero", found) == {"softmax": "softmax_simple"}
    sce = {"softmax_cross_entropy": "dezero.functions.softmax_cross_entropy_simple"}
    words = spellings("dezero", sce, ["softmax_cross_entropy_simple"])
    assert words["SoftmaxCrossEntropy.forward"] == "softmax_cross_entropy_simple"
    assert "Softmax.forward" not in words  # only the class the helper stands for


def test_a_helper_beside_a_namesake_of_another_kind_names_itself_in_its_class_entries_only() -> None:
    """Step 43's composed `linear` beside dezero/layers.py's Linear (a Layer, its own messages saying
    Linear.forward): Linear's wording as the helper, for Linear's own cases and blame only; controls: the
    program's own Function Linear found, no namesake (spellings() rewords everything), another family."""
    found = {"linear": "dezero.functions.linear", "layers.Linear": "dezero.layers.Linear"}
    defined = ("linear", "Linear", "Layer")
    words = {
        "Linear": "linear",
        "Linear.forward": "linear",
        "Linear.backward": "the backward of linear's matmul and +",
    }
    assert beside_namesake("dezero", found, defined) == {"Linear": words}
    assert "Linear.forward" not in spellings("dezero", found, defined)  # the Layer's messages stay
    assert beside_namesake("dezero", found | {"Linear": "dezero.functions.Linear"}, defined) == {}
    alone = ("linear", "Layer")
    assert beside_namesake("dezero", found, alone) == {} and spellings("dezero", found, alone) == words
    assert beside_namesake("dezero", found, None) == {} and beside_namesake("miniflow", found, defined) == {}


def test_a_title_holding_a_respelt_name_gets_one_note_and_keeps_its_words() -> None:
    """fc.cleargrads() in a failing case's title, the Layer's method being cleargrad: one note names both;
    the title itself is never respelt. Controls: no title holding the name (or a longer word), no note."""
    names = {"cleargrads": "cleargrad", "Square": "二乗"}
    note = title_note(names, ["fc.cleargrads() after y = fc(x)", "y = square(x)"])
    assert note is not None and "(cleargrads is your cleargrad)" in note and "Square" not in note
    assert title_note(names, ["y = square(x)", "Squared error"]) is None
    assert title_note({}, ["fc.cleargrads()"]) is None
