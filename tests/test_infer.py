"""Inferring the assignment from the names a submission defines (source read as text, never run)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.assignments import load_assignment
from grader.infer import (
    Candidate,
    best_match,
    candidate,
    defined_names,
    graded_elsewhere,
    imported_family,
    no_match_reason,
    nothing_to_check,
    package_left_out,
    same_family,
)
from grader.loaders import load_submission

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "submissions"
# The required names of each shipped assignment, as docs/CASES.md and FACTS.md list them.
CANDIDATES = (
    Candidate("miniflow", ("Input", "Linear", "Sigmoid", "MSE", "topological_sort", "forward_and_backward")),
    Candidate("dezero", ("Variable", "Function", "Square", "Exp", "Add", "square", "exp", "add")),
    Candidate("dlfs-layers", ("MulLayer", "AddLayer", "Relu", "Sigmoid", "Affine", "SoftmaxWithLoss")),
    Candidate("dlfs-advanced", ("Dropout", "BatchNormalization", "Convolution", "Pooling")),
)
SHIPPED = ("miniflow", "dezero", "dlfs-layers", "dlfs-advanced")


def test_defined_names_finds_classes_and_functions_at_any_indent_only_in_python_files() -> None:
    """Top-level and nested `class`/`def` names count; names in strings mid-line and non-.py files do not."""
    files = {
        "a.py": b"class Linear(Node):\n    def backward(self):\n        pass\nx = 'class Fake'\n",
        "notes.txt": b"class Sigmoid:\n",
    }
    assert defined_names(files) == {"Linear", "backward"}


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        ("miniflow/correct.py", "miniflow"),
        ("miniflow/starter.py", "miniflow"),
        ("miniflow/layer_naming.py", "miniflow"),
        ("miniflow/notebook_magics.ipynb", "miniflow"),
        ("dezero/correct.py", "dezero"),
        ("dezero/starter.py", "dezero"),
        ("layers/correct.py", "dlfs-layers"),
        ("layers/book_layout", "dlfs-layers"),
        ("dlfs-advanced/correct.py", "dlfs-advanced"),  # also defines Relu, Affine, SoftmaxWithLoss
    ],
)
def test_the_bundled_samples_are_recognised(sample: str, expected: str) -> None:
    """Each family's correct file, starter file, odd layouts and notebooks map to their own assignment."""
    files = load_submission(SAMPLES / sample).files
    assert best_match(files, CANDIDATES) == expected
    assert best_match(files, _shipped()) == expected  # the manifests, their stages included


def _shipped() -> list[Candidate]:
    return [candidate(load_assignment(a, require_fixtures=False)) for a in SHIPPED]


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        # one book file, the whole of one stage: was "cannot tell" (0 of either assignment's required names)
        ("layers/two_layer_net_alone.py", "dlfs-layers"),
        ("dlfs-advanced/simple_convnet_alone", "dlfs-advanced"),
        # the book's common/layers.py at chapter 6: dlfs-layers' stage layers and dlfs-advanced's ch06 are
        # both complete; dlfs-advanced grades more of it (Dropout, BatchNormalization). It was dlfs-layers
        # (4 of 6 required names against 2 of 4), where Dropout is never run: the unmasked backward passed.
        ("dlfs-advanced/ch06_dropout_backward_unmasked", "dlfs-advanced"),
        ("dlfs-advanced/book_ch06_common_layers", "dlfs-advanced"),
        ("dlfs-advanced/book_ch07_common_layers", "dlfs-advanced"),
        # every layer named with MulLayer's suffix (DropoutLayer, AffineLayer): was "no assignment grades
        # any of them" for the chapter-6 file
        ("dlfs-advanced/ch06_suffix_names.py", "dlfs-advanced"),
        # one chapter-6 class alone, or BatchNormalization beside chapter 5's Relu, Affine, SoftmaxWithLoss
        # (the batch-norm experiment): stages dropout and batchnorm; the last was dlfs-layers' default, where
        # BatchNormalization never ran
        ("dlfs-advanced/ch06_dropout_alone.py", "dlfs-advanced"),
        ("dlfs-advanced/ch06_batchnorm_alone.py", "dlfs-advanced"),
        ("dlfs-advanced/ch06_bn_net_layers.py", "dlfs-advanced"),
        ("layers/layer_suffix_names.py", "dlfs-layers"),
        # controls: chapter-5 files stay dlfs-layers
        ("layers/layers_2d.py", "dlfs-layers"),
        ("layers/layer_naive.py", "dlfs-layers"),
        ("layers/book_layout", "dlfs-layers"),
        ("dezero/step14.py", "dezero"),
        ("miniflow/forward_stage.py", "miniflow"),
    ],
)
def test_a_file_that_completes_a_stage_is_that_stages_assignment(sample: str, expected: str) -> None:
    """A complete stage of one assignment beats a partial cover of another; between complete stages, the
    assignment grading more of the defined names wins."""
    files = load_submission(SAMPLES / sample).files
    assert best_match(files, _shipped()) == expected


def test_a_family_spelling_counts_as_the_name_it_stands_for() -> None:
    """A file naming every layer with MulLayer's suffix (ReluLayer, AffineLayer, ...) is dlfs-layers, as its
    grading finds the layers under those names (grader/inside/aliases.py); it was no guess. Control: the
    suffix on a name no assignment grades says nothing."""
    layers = b"".join(
        b"class %sLayer:\n    pass\n" % n for n in (b"Relu", b"Sigmoid", b"Affine", b"SoftmaxWithLoss")
    )
    assert best_match({"layers.py": layers}, _shipped()) == "dlfs-layers"
    assert best_match({"t.py": b"class TanhLayer:\n    pass\n"}, _shipped()) is None


def test_a_file_defining_none_of_the_names_gives_no_guess() -> None:
    """Nothing matches: None, so the command asks for --assignment instead of guessing."""
    assert best_match({"hello.py": b"def main():\n    print('hi')\n"}, CANDIDATES) is None
    assert best_match({"hello.py": b"def main():\n    print('hi')\n"}, _shipped()) is None


def test_a_tie_gives_no_guess() -> None:
    """Sigmoid alone is required by both MiniFlow and layers: a tie is refused, not broken arbitrarily."""
    assert best_match({"s.py": b"class Sigmoid:\n    pass\n"}, CANDIDATES) is None
    assert (
        best_match({"s.py": b"class Sigmoid:\n    pass\n"}, _shipped()) is None
    )  # no stage is Sigmoid alone
    # Control: one more MiniFlow name breaks the tie.
    assert best_match({"s.py": b"class Sigmoid:\n    pass\nclass MSE:\n    pass\n"}, CANDIDATES) == "miniflow"


def test_matching_ignores_case_of_the_defined_names() -> None:
    """`class ReLu` or `class mse` still count towards their assignment (students' spelling varies)."""
    files = {"l.py": b"class mullayer: pass\nclass ReLu: pass\nclass affine: pass\n"}
    assert best_match(files, CANDIDATES) == "dlfs-layers"


def test_no_candidates_gives_no_guess() -> None:
    """An empty list of assignments cannot be matched."""
    assert best_match({"a.py": b"class Linear: pass\n"}, []) is None


OPTIMIZER = b"""import numpy as np

class SGD:
    def __init__(self, lr=0.01):
        self.lr = lr

    def update(self, params, grads):
        for key in params.keys():
            params[key] -= self.lr * grads[key]

class Adam:
    def update(self, params, grads):
        pass
"""
UNGRADED = b"""import numpy as np

class WeightInit:
    def __init__(self, scale):
        self.scale = scale

def he_std(n):
    return np.sqrt(2.0 / n)
"""


def test_a_refusal_names_what_the_code_defines_when_no_assignment_grades_it() -> None:
    """A file of chapter 6's weight initialisation (6.2), which no assignment grades: the refusal lists the
    file's own classes and functions (not their methods) so the student sees that the wrong file was handed
    in. (The book's common/optimizer.py was this example until dlfs-advanced graded it, session 21.)"""
    files = {"common/init.py": UNGRADED}
    assert best_match(files, _shipped()) is None
    assert (
        no_match_reason(files, _shipped())
        == "your code defines he_std, WeightInit, and no assignment grades any of them"
    )
    assert no_match_reason({"run.py": b"print(1)\n"}, _shipped()) == "your code defines no class or function"


def test_a_refusal_names_the_assignments_the_code_fits_equally() -> None:
    """The book's repository, ch05/ and the chapter-7 common/layers.py: dlfs-layers' default stage and
    dlfs-advanced's layers stage are both complete and grade seven of its names each: both are named."""
    files = {
        **load_submission(SAMPLES / "layers" / "layer_naive.py").files,
        **load_submission(SAMPLES / "layers" / "two_layer_net_alone.py").files,
        **load_submission(SAMPLES / "dlfs-advanced" / "book_ch07_common_layers").files,
    }
    assert best_match(files, _shipped()) is None
    assert no_match_reason(files, _shipped()) == "your code fits dlfs-layers and dlfs-advanced equally"


def test_a_refusal_for_a_file_of_nul_bytes_says_to_save_it_as_utf8() -> None:
    """UTF-16 without a byte-order mark: no name can be read; the refusal says why, not "defines nothing"."""
    files = {"layer_naive.py": "class MulLayer:\n    pass\n".encode("utf-16-le")}
    assert best_match(files, _shipped()) is None
    assert no_match_reason(files, _shipped()) == (
        "layer_naive.py holds NUL bytes (saved as UTF-16?) and cannot be read: save it as UTF-8"
    )


def test_a_refusal_names_the_file_that_does_not_parse() -> None:
    """A MiniFlow file cut short at line 3 (`def __init__(self`, never closed): only Node can be read, so no
    assignment is inferred, and the refusal said "pass --assignment" with no word of the syntax error that
    stops the file from running. It now names the file, the line and Python's words; a file with nothing
    readable says only that. Control: a file that parses gets no such words."""
    cut = b"import numpy as np\nclass Node:\n    def __init__(self\n"
    why = no_match_reason({"hw.py": cut}, _shipped())
    assert why == (
        "your code defines Node, which miniflow grades, but none of the names it requires (hw.py has a "
        "syntax error at line 3 ('(' was never closed): Python cannot run it)"
    )
    assert no_match_reason({"hw.py": b"x = (1,\n"}, _shipped()) == (
        "hw.py has a syntax error at line 1 ('(' was never closed)"
    )
    whole = b"import numpy as np\nclass Node:\n    def __init__(self):\n        pass\n"
    assert "syntax" not in no_match_reason({"hw.py": whole}, _shipped())
    # a coding line naming no codec: Python gives no line, and the refusal says none ("at line None")
    misspelt = b"# -*- coding: uft-8 -*-\n" + whole
    assert no_match_reason({"enc.py": misspelt}, _shipped()).endswith(
        "(enc.py has a syntax error (cannot decode the file: unknown encoding: uft-8): Python cannot run it)"
    )


def test_a_refusal_never_says_no_assignment_grades_names_one_does() -> None:
    """DeZero's Mul and mul (step 20) alone: they are none of an assignment's required names, so nothing is
    inferred, but dezero's stages grade them. The refusal said "no assignment grades any of them"; it now
    names dezero. Control: a weight-initialisation file's names are graded nowhere, and are still said to be.
    SGD and Adam alone (two of common/optimizer.py's classes): miniflow grades SGD (its optimizer classes)
    and dlfs-advanced both, neither requires just those two."""
    files = {"mul.py": b"class Mul:\n    pass\n\n\ndef mul(a, b):\n    return a\n"}
    assert best_match(files, _shipped()) is None
    why = no_match_reason(files, _shipped())
    assert "no assignment grades" not in why and "dezero" in why and "Mul, mul" in why
    assert no_match_reason({"common/init.py": UNGRADED}, _shipped()).endswith(
        "no assignment grades any of them"
    )
    assert no_match_reason({"common/optimizer.py": OPTIMIZER}, _shipped()) == (
        "your code defines Adam, SGD, which miniflow and dlfs-advanced grade, but none of the names it "
        "requires"
    )


@pytest.mark.parametrize(
    ("name", "source", "expected"),
    [
        # the lesson's nn.py: the script that trains with the classes of miniflow.py
        (
            "nn.py",
            b"import numpy as np\nfrom miniflow import *\n\nX = Input()\n",
            "check miniflow.py instead",
        ),
        # the book's ch05 demo
        (
            "buy_apple_orange.py",
            b"# coding: utf-8\nfrom layer_naive import *\n",
            "check layer_naive.py instead",
        ),
        (
            "train_neuralnet.py",
            b"import numpy as np\nfrom two_layer_net import TwoLayerNet\n",
            "check two_layer_net.py instead",
        ),
        # the book's later steps import the dezero package from inside `if '__file__' in globals():`; the
        # book's dezero is a folder, never a dezero.py (which is what the manifest lists)
        (
            "steps/step18.py",
            b"if True:\n    import sys\nfrom dezero import Variable\n",
            "hand in your dezero/ folder with it (the book's package from step 23 on; or dezero.py, if you "
            "keep it in one file), or the folder that holds both",
        ),
        ("ch05/x.py", b"from common.layers import Affine, Relu\n", "check common/layers.py instead"),
    ],
)
def test_a_file_using_the_course_module_names_the_file_to_hand_in(
    name: str, source: bytes, expected: str
) -> None:
    """Handed in alone, the file that imports the graded classes: the import, its line and the file that
    defines them, where "pass --assignment" would grade a file with no class (every name missing)."""
    why = nothing_to_check({name: source}, _shipped())
    assert why is not None and why.startswith("your code defines no class or function; ")
    assert f"which you did not hand in: {expected}" in why
    assert best_match({name: source}, _shipped()) is None


def test_a_test_file_names_the_classes_it_imports_and_their_file() -> None:
    files = {
        "test_layers.py": b"import unittest\nfrom layers import Relu, Affine\n\nclass TestRelu:\n    pass\n"
    }
    assert nothing_to_check(files, _shipped()) == (
        "your code defines TestRelu, and no assignment grades any of them; test_layers.py imports Relu, "
        "Affine from layers (line 2), which you did not hand in: check layers.py instead (or the folder that "
        "holds it)"
    )


def test_a_notebook_importing_the_course_module_names_its_cell_not_the_module_made_of_it() -> None:
    """A Colab notebook (`!pip install dezero`, then `from dezero import Variable, Function` in its second
    cell and a Sin of its own): the import is named by the notebook, its cell and the line in the cell, never
    `hw.py ... (line 6)`, the module the grader made of it, which the student never saw."""
    import json

    from grader.loaders import notebook_files

    cells = ["!pip install dezero", "import numpy as np\nfrom dezero import Variable, Function", "x = 1"]
    nb = {"cells": [{"cell_type": "code", "source": c} for c in cells]}
    files = notebook_files(json.dumps(nb).encode(), "hw.ipynb")
    why = nothing_to_check(files, _shipped())
    assert why is not None and "hw.ipynb, code cell 2 imports Variable, Function from dezero (line 2)" in why
    assert "hw.py" not in why, why


def test_nothing_to_check_leaves_alone_what_can_be_graded_or_has_the_module() -> None:
    """Controls: the module beside the script (the folder handed in) is graded; an import of numpy alone or
    of a module no assignment has gives the usual refusal (None here)."""
    beside = {
        "nn.py": b"from miniflow import *\n",
        "miniflow.py": (SAMPLES / "miniflow/correct.py").read_bytes(),
    }
    assert nothing_to_check(beside, _shipped()) is None
    assert best_match(beside, _shipped()) == "miniflow"
    assert nothing_to_check({"run.py": b"import numpy as np\nprint(np.pi)\n"}, _shipped()) is None
    assert nothing_to_check({"run.py": b"from helpers import *\n"}, _shipped()) is None


@pytest.mark.parametrize(
    ("source", "what"),
    [
        (b"", "is empty"),
        (b"\xef\xbb\xbf\r\n  \r\n", "is empty"),
        (b"# TODO: MulLayer\r\n\n# AddLayer\n", "holds only comments"),
    ],
)
def test_an_empty_or_comments_only_file_is_said_so(source: bytes, what: str) -> None:
    assert nothing_to_check({"layers.py": source}, _shipped()) == (
        f"layers.py {what}: was it saved, and is it the file you meant to hand in?"
    )
    assert no_match_reason({"layers.py": source}, _shipped()).startswith(f"layers.py {what}")


# The book's common/functions.py (abridged): lower-case helpers, two of them spelt as dlfs-layers' classes.
BOOK_FUNCTIONS = b"""import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def relu(x):
    return np.maximum(0, x)


def softmax(x):
    x = x - np.max(x, axis=-1, keepdims=True)
    return np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True)


def mean_squared_error(y, t):
    return 0.5 * np.sum((y - t) ** 2)


def cross_entropy_error(y, t):
    batch_size = y.shape[0]
    return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size
"""


def test_the_books_helper_functions_are_no_assignment_and_the_refusal_says_what_is_graded() -> None:
    """common/functions.py alone: its `relu` and `sigmoid`, compared without case, made it dlfs-layers, graded
    at the default stage with every class missing (0 of 43, "no class Relu ... did you mean relu?"). The
    functions of a support file the grader ships itself say nothing of the assignment; the refusal names the
    file, says it is not graded and which classes are."""
    files = {"common/functions.py": BOOK_FUNCTIONS}
    assert best_match(files, _shipped()) is None
    why = nothing_to_check(files, _shipped())
    assert why is not None
    assert "the book's common/functions.py (helper functions the grader supplies itself)" in why
    assert "dlfs-layers and dlfs-advanced do not grade" in why
    assert "dlfs-layers grades MulLayer, AddLayer, Relu, Sigmoid, Affine, SoftmaxWithLoss" in why


def test_the_books_optimizer_file_is_dlfs_advanced() -> None:
    """The book's common/optimizer.py (chapter 6), graded since session 21 (stage `optimizers`): it is
    dlfs-advanced, and nothing_to_check has nothing to say. It was "nothing to check here: ... which
    dlfs-advanced does not grade". Control: two of its classes alone (SGD, Adam) fit no stage."""
    book = load_submission(SAMPLES / "dlfs-advanced" / "book_common_optimizer").files
    assert best_match(book, _shipped()) == "dlfs-advanced"
    assert nothing_to_check(book, _shipped()) is None
    assert best_match({"common/optimizer.py": OPTIMIZER}, _shipped()) is None


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        # a layers file keeping its own sigmoid and softmax helpers is still dlfs-layers
        (
            {
                "layers.py": BOOK_FUNCTIONS + b"\n\nclass Relu:\n    pass\n\n\nclass Sigmoid:\n    pass\n\n\n"
                b"class Affine:\n    pass\n\n\nclass SoftmaxWithLoss:\n    pass\n"
            },
            "dlfs-layers",
        ),
        # DeZero's mean_squared_error is graded (step 42): a name a support file shares still counts
        (
            {"step42.py": b"class Variable:\n    pass\n\n\ndef mean_squared_error(x0, x1):\n    pass\n"},
            "dezero",
        ),
    ],
)
def test_helper_names_are_left_out_only_where_no_assignment_grades_them(
    files: dict[str, bytes], expected: str
) -> None:
    assert best_match(files, _shipped()) == expected


def test_a_script_using_the_optimizers_names_the_import_and_what_is_graded() -> None:
    """The book's ch06/optimizer_compare_naive.py alone (`from common.optimizer import *`, defines f and df):
    it was "cannot tell which assignment this is ...; pass --assignment", then "nothing to check here" naming
    the import as a file dlfs-advanced does not grade. Since session 21 dlfs-advanced grades the optimizers:
    the script is told to check common/optimizer.py, the file it imports them from. Control: a script
    importing no course file is unchanged."""
    script = b"import numpy as np\nfrom common.optimizer import *\n\n\ndef f(x, y):\n    return x**2 + y**2\n"
    why = nothing_to_check({"optimizer_compare_naive.py": script}, _shipped())
    assert why == (
        "your code defines f, and no assignment grades any of them; optimizer_compare_naive.py imports them "
        "from common.optimizer (line 2), which you did not hand in: check common/optimizer.py instead (or "
        "the folder that holds it)"
    )
    assert (
        nothing_to_check({"run.py": b"import numpy as np\n\n\ndef f(x):\n    return x\n"}, _shipped()) is None
    )


@pytest.mark.parametrize(
    ("files", "start"),
    [
        (
            {"gradient_1d.py": (SAMPLES / "layers/book_ch04_gradient_files/gradient_1d.py").read_bytes()},
            "your code defines function_1, numerical_diff, tangent_line: the book's ch04/gradient_1d.py "
            "(chapter 4's numerical differentiation",
        ),
        (
            {"gradient_2d.py": (SAMPLES / "layers/book_ch04_gradient_files/gradient_2d.py").read_bytes()},
            "your code defines function_2, numerical_gradient, tangent_line: the book's ch04/gradient_2d.py "
            "(chapter 4's numerical differentiation",
        ),
        (
            {"gd.py": (SAMPLES / "miniflow/gd_quiz.py").read_bytes()},
            "your code defines gradient_descent_update: the course's gd.py (the lesson's gradient-descent "
            "quiz, which is handed a gradient and computes none), which miniflow does not grade",
        ),
    ],
)
def test_a_lone_chapter4_or_gradient_descent_file_is_told_what_is_graded(files, start) -> None:
    """The book's chapter-4 files (numerical derivatives, gradient descent) and MiniFlow's gradient-descent
    quiz, alone: "cannot tell which assignment this is: ...; pass --assignment", which would grade every
    class missing. Now "nothing to check here", naming the one file each is (the chapter-4 files share
    tangent_line and function_2, and numerical_gradient is common/gradient.py's too: each was named) and
    what is graded instead."""
    assert best_match(files, _shipped()) is None
    why = nothing_to_check(files, _shipped())
    assert why is not None and why.startswith(start), why
    assert "common/gradient.py" not in why and why.count("(chapter 4's") <= 1
    # the chapter's folder: the three files, one clause each for what they are, no file named twice
    folder = load_submission(SAMPLES / "layers" / "book_ch04_gradient_files").files
    told = nothing_to_check(folder, _shipped()) or ""
    assert "ch04/gradient_1d.py and ch04/gradient_2d.py (chapter 4's numerical differentiation" in told
    assert "ch04/gradient_method.py (chapter 4's gradient descent" in told and told.count("gradient_2d") == 1


def test_the_books_and_the_courses_files_are_each_named_as_whose_they_are() -> None:
    """One file of the book's chapter 4 and the course's gd.py quiz together: each named as whose it is (the
    first one's owner named both: "the book's ... and gd.py", which is the course's; review)."""
    files = {
        "mix.py": (SAMPLES / "miniflow/gd_quiz.py").read_bytes()
        + b"\n\n"
        + (SAMPLES / "layers/book_ch04_gradient_files/gradient_1d.py").read_bytes()
    }
    why = nothing_to_check(files, _shipped()) or ""
    assert "the book's ch04/gradient_1d.py (chapter 4's" in why, why
    assert "and the course's gd.py (the lesson's gradient-descent quiz" in why, why


def test_a_graded_class_beside_chapter4_files_is_still_graded() -> None:
    """Negative control: chapter 4's files beside a file defining a graded class (chapter 5's layers, MiniFlow
    beside gd.py) leave the assignment inferred from that class."""
    folder = dict(load_submission(SAMPLES / "layers" / "book_ch04_gradient_files").files)
    folder["layers.py"] = (SAMPLES / "layers" / "layers_2d.py").read_bytes()
    assert best_match(folder, _shipped()) == "dlfs-layers"
    lesson = {"gd.py": (SAMPLES / "miniflow/gd_quiz.py").read_bytes()}
    lesson["miniflow.py"] = (SAMPLES / "miniflow/correct.py").read_bytes()
    assert best_match(lesson, _shipped()) == "miniflow"


def test_the_books_chapter_6_and_7_training_scripts_alone_name_the_file_to_check() -> None:
    """ch06/overfit_dropout.py (MultiLayerNetExtend and Trainer from common/) and ch07/train_convnet.py
    (`from simple_convnet import SimpleConvNet`) define nothing: "cannot tell which assignment this is: your
    code defines no class or function; pass --assignment", which grades every layer missing. They now name the
    import and the file to check: simple_convnet.py is dlfs-advanced's (its `modules`), and so is
    common/multi_layer_net_extend.py since session 23 (stage multi-layer-net-extend; before, a course file
    it did not grade, as common/trainer.py still is) (sample
    submissions/dlfs-advanced/book_ch06_ch07_scripts)."""
    folder = load_submission(SAMPLES / "dlfs-advanced" / "book_ch06_ch07_scripts").files
    convnet = {"ch07/train_convnet.py": folder["ch07/train_convnet.py"]}
    assert (nothing_to_check(convnet, _shipped()) or "").endswith(
        "train_convnet.py imports SimpleConvNet from simple_convnet (line 7), which you did not hand in: "
        "check simple_convnet.py instead (or the folder that holds it)"
    )
    dropout = {"ch06/overfit_dropout.py": folder["ch06/overfit_dropout.py"]}
    why = nothing_to_check(dropout, _shipped()) or ""
    assert why.endswith(
        "overfit_dropout.py imports MultiLayerNetExtend from common.multi_layer_net_extend (line 8), which "
        "you did not hand in: check common/multi_layer_net_extend.py instead (or the folder that holds it)"
    )
    trainer = {"trainer_demo.py": b"from common.trainer import Trainer\n"}
    told = nothing_to_check(trainer, _shipped()) or ""  # control: a file dlfs-advanced still does not grade
    assert "which dlfs-advanced does not grade; dlfs-advanced grades Dropout, BatchNormalization" in told
    assert "pass --assignment" not in why and best_match(folder, _shipped()) is None


def test_layers_named_the_pytorch_way_are_dlfs_advanceds() -> None:
    """A chapter-7 file defining Conv2d and MaxPool (sample dlfs-advanced/maxpool_conv2d_names.py) was "no
    assignment grades any of them": the spellings dlfs-advanced grades are read by inference too. Control:
    names no table holds (AvgPool, Dense) still say nothing is graded."""
    sample = load_submission(SAMPLES / "dlfs-advanced" / "maxpool_conv2d_names.py").files
    assert best_match(sample, _shipped()) == "dlfs-advanced"
    other = {"pool.py": b"class AvgPool:\n    pass\n\n\nclass Dense:\n    pass\n"}
    assert best_match(other, _shipped()) is None


_BOOK_OPTIMIZER = SAMPLES / "dlfs-advanced" / "book_common_optimizer" / "common" / "optimizer.py"


def _book_optimizers(*dropped: str) -> bytes:
    """The book's common/optimizer.py without the classes `dropped` (each class runs to the next one)."""
    text = _BOOK_OPTIMIZER.read_bytes()
    head, *classes = text.split(b"\nclass ")
    kept = [c for c in classes if c.split(b":")[0].split(b"(")[0].strip().decode() not in dropped]
    return b"\nclass ".join([head, *kept])


def _with(sample: str, extra: dict[str, bytes]) -> dict[str, bytes]:
    return {**load_submission(SAMPLES / sample).files, **extra}


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        # review of s21-adv, finding 1: chapter 5's files beside the book's optimizers were dlfs-advanced's
        # stage `optimizers` (grading none of chapter 5's layers: an unsummed bias gradient passed 14/14),
        # or a tie. dlfs-layers' default grades seven of the names, `optimizers` six (or four).
        (_with("layers/affine_db_not_summed.py", {"common/optimizer.py": _book_optimizers()}), "dlfs-layers"),
        (_with("layers/book_layout", {"common/optimizer.py": _book_optimizers()}), "dlfs-layers"),
        (
            _with("layers/correct.py", {"common/optimizer.py": _book_optimizers("Nesterov", "RMSprop")}),
            "dlfs-layers",
        ),
        # controls: the optimizers alone, or beside chapter 6's layers, are dlfs-advanced's
        ({"common/optimizer.py": _book_optimizers()}, "dlfs-advanced"),
        (
            _with("dlfs-advanced/ch06_dropout_alone.py", {"common/optimizer.py": _book_optimizers()}),
            "dlfs-advanced",
        ),
    ],
)
def test_a_chapter5_file_beside_the_optimizers_stays_dlfs_layers(
    files: dict[str, bytes], expected: str
) -> None:
    assert best_match(files, _shipped()) == expected


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        # chapter 5's common/layers.py beside the book's common/optimizer.py, no ch05/ (s22-real3): it was
        # dlfs-advanced's `optimizers` (six names against four), whose layers never ran (the unsummed bias
        # gradient passed 14 of 14); `optimizers` leaves Relu, Affine and SoftmaxWithLoss, which
        # dlfs-advanced grades at `ch06` and dlfs-layers' `layers` grades here, unchecked: 6 - 3 against 4
        ("layers/ch05_common_with_optimizer", "dlfs-layers"),
        ("layers/ch05_common_with_optimizer_affine_db_unsummed", "dlfs-layers"),
        # controls: the book's common/ at chapters 6 and 7 (optimizer.py beside Dropout, BatchNormalization,
        # Convolution, Pooling) and the optimizers alone stay dlfs-advanced's
        ("dlfs-advanced/late_dlfs_repo", "dlfs-advanced"),
        ("dlfs-advanced/late_dlfs_ch06_repo", "dlfs-advanced"),
        ("dlfs-advanced/book_common_optimizer", "dlfs-advanced"),
    ],
)
def test_chapter5_layers_beside_the_books_optimizers_are_dlfs_layers(sample: str, expected: str) -> None:
    """A stage leaving names its own assignment grades unchecked, which another assignment's complete stage
    grades, loses them from its score."""
    assert best_match(load_submission(SAMPLES / sample).files, _shipped()) == expected


def test_chapter5_layers_without_sigmoid_beside_the_books_optimizers_are_no_tie() -> None:
    """The same repository whose layers.py has no Sigmoid and no copied functions.py: three names against
    the six optimizers less the three layers left unchecked was a tie ("cannot tell which assignment this
    is"); a stage leaving a contested name unchecked ranks below every stage that leaves none."""
    files = load_submission(SAMPLES / "layers" / "ch05_common_with_optimizer").files
    layers = files["common/layers.py"]
    start = layers.index(b"class Sigmoid:")
    kept = layers[:start] + layers[layers.index(b"\nclass ", start) + 1 :]
    assert b"Sigmoid" not in kept
    no_sigmoid = {"common/layers.py": kept, "common/optimizer.py": files["common/optimizer.py"]}
    assert best_match(no_sigmoid, _shipped()) == "dlfs-layers"


def test_the_names_the_inferred_assignment_does_not_grade_are_named_with_who_grades_them() -> None:
    """Chapter 5's layers graded as dlfs-layers: the optimizers beside them are named, with the assignment
    and stage that grade them. Controls: no note where the assignment grades every name another's stage
    would (the book's repository at chapter 7: dlfs-layers' `activations` grades its Sigmoid, but also the
    Relu dlfs-advanced grades), nor for a copied common/functions.py (its sigmoid: a helper, not work)."""
    ch05 = load_submission(SAMPLES / "layers" / "ch05_common_with_optimizer").files
    assert graded_elsewhere(ch05, _shipped(), "dlfs-layers") == (
        "your code also defines AdaGrad, Adam, Momentum, Nesterov, RMSprop, SGD (common/optimizer.py), which "
        "dlfs-layers does not grade: dlfs-advanced grades them (grader check --assignment dlfs-advanced "
        "--stage optimizers)"
    )
    late = load_submission(SAMPLES / "dlfs-advanced" / "late_dlfs_repo").files
    assert graded_elsewhere(late, _shipped(), "dlfs-advanced") is None
    copied = load_submission(SAMPLES / "layers" / "ch05_common_copied").files
    assert graded_elsewhere(copied, _shipped(), "dlfs-layers") is None


def test_every_piece_another_assignment_grades_is_named_with_one_combined_stage() -> None:
    """The same folder with the book's common/multi_layer_net.py too: MultiLayerNet was left unnamed (the
    note named `optimizers` alone); both pieces are named now, with the stage grading them together."""
    files = _with(
        "layers/ch05_common_with_optimizer",
        {"common/multi_layer_net.py": (BOOK_MLN / "common" / "multi_layer_net.py").read_bytes()},
    )
    assert graded_elsewhere(files, _shipped(), "dlfs-layers") == (
        "your code also defines AdaGrad, Adam, Momentum, MultiLayerNet, Nesterov, RMSprop, SGD "
        "(common/multi_layer_net.py, common/optimizer.py), which dlfs-layers does not grade: dlfs-advanced "
        "grades them (grader check --assignment dlfs-advanced --stage optimizers+multi-layer-net)"
    )


BOOK_MLN = SAMPLES / "dlfs-advanced" / "book_common_multi_layer_net"


_DEZERO_ACTIVATIONS = b"""import numpy as np
from dezero.function import Function


class Sigmoid(Function):
    def forward(self, x):
        return 1 / (1 + np.exp(-x))

    def backward(self, gy):
        (y,) = [ref() for ref in self.outputs]
        return gy * y * (1 - y)


def sigmoid(x):
    return Sigmoid()(x)


class ReLU(Function):
    def forward(self, x):
        return np.maximum(x, 0.0)

    def backward(self, gy):
        (x,) = self.inputs
        return gy * (x.data > 0)


def relu(x):
    return ReLU()(x)
"""

_MINIFLOW_ACTIVATIONS = b"""

class Sigmoid(Node):
    def forward(self):
        self.value = 1.0 / (1.0 + np.exp(-self.inbound_nodes[0].value))


class ReLU(Node):
    def forward(self):
        self.value = np.maximum(self.inbound_nodes[0].value, 0.0)
"""


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        # a DeZero package with Sigmoid and ReLU Functions of its own (review of s22-real3, finding 1): with
        # names contested across families it was dlfs-layers' `activations`, every case an error
        (_with("dezero/own_package_step41", {"dezero/activation.py": _DEZERO_ACTIVATIONS}), "dezero"),
        # the first MiniFlow quiz with a Sigmoid and a ReLU node added: still MiniFlow
        (
            {"add_quiz.py": (SAMPLES / "miniflow" / "add_quiz.py").read_bytes() + _MINIFLOW_ACTIVATIONS},
            "miniflow",
        ),
        # control: the same contest inside one family still decides (chapter 5's layers beside the book's
        # optimizers are dlfs-layers)
        (load_submission(SAMPLES / "layers" / "ch05_common_with_optimizer").files, "dlfs-layers"),
    ],
)
def test_a_name_is_contested_only_within_a_family(files: dict[str, bytes], expected: str) -> None:
    """One spelling in two families is two APIs: DeZero's Sigmoid is a Function, dlfs-layers' a layer."""
    assert best_match(files, _shipped()) == expected


@pytest.mark.parametrize("sample", ["dezero/book_step45", "dezero/late_book_step60"])
def test_no_note_sends_a_student_to_another_family(sample: str) -> None:
    """The book's DeZero TwoLayerNet(Model) (step 45) and its F.dropout (step 60) were named as graded by
    dlfs-layers and dlfs-advanced, whose suggested commands errored on every case (review of s22-real3,
    findings 2 and 3). Control: chapter 5's layers beside the optimizers keep their note (same family)."""
    assert graded_elsewhere(load_submission(SAMPLES / sample).files, _shipped(), "dezero") is None
    ch05 = load_submission(SAMPLES / "layers" / "ch05_common_with_optimizer").files
    assert graded_elsewhere(ch05, _shipped(), "dlfs-layers") is not None


def test_a_tie_on_the_contest_is_told_apart_as_before_it() -> None:
    """Chapter 6's BatchNormalization appended to chapter 5's common/layers.py beside the book's optimizers:
    4 to 4 on the contest read "cannot tell which assignment this is", where it was dlfs-advanced (which
    grades all of it: the layers, BatchNormalization and the optimizers; review of s22-real3, finding 4)."""
    files = load_submission(SAMPLES / "layers" / "ch05_common_with_optimizer").files
    bn = (SAMPLES / "dlfs-advanced" / "ch06_batchnorm_alone.py").read_bytes()
    start = bn.index(b"class BatchNormalization")
    layers = files["common/layers.py"] + b"\n\n" + bn[start:]
    assert best_match({**files, "common/layers.py": layers}, _shipped()) == "dlfs-advanced"


def test_the_note_names_a_few_files_and_counts_the_rest() -> None:
    """189 files defining SGD made the note one line of 15,422 characters (review of s22-real3, finding 5):
    it names three and counts the rest, the command that checks them still at its end."""
    files = dict(load_submission(SAMPLES / "layers" / "ch05_common_with_optimizer").files)
    for i in range(189):
        files[f"more/optimizer_copy_number_{i:03}_with_a_long_name.py"] = b"class SGD:\n    pass\n"
    note = graded_elsewhere(files, _shipped(), "dlfs-layers")
    assert note is not None and "and 187 more)" in note and len(note) < 600
    assert note.endswith("(grader check --assignment dlfs-advanced --stage optimizers)")


def test_dezero_step_57_functions_conv_is_dezeros_not_dlfs_advanced_conv() -> None:
    """DeZero's dezero/functions_conv.py (Function subclasses Conv2d, Pooling, Im2col; `from dezero import
    cuda`) completes dlfs-advanced's stage conv by its class names (Conv2d spells Convolution) and was graded
    there, every case an import error (0 / 14). Every file defining a name imports dezero: only DeZero is
    inferred, which grades its im2col, conv2d and pooling since session 30 (stage step57), but not alone
    (sample submissions/dezero/book_step57_functions_conv)."""
    folder = load_submission(SAMPLES / "dezero" / "book_step57_functions_conv").files
    assert best_match(folder, _shipped()) is None
    why = nothing_to_check(folder, _shipped()) or ""
    assert why.startswith("your code defines average_pooling, AveragePooling, Col2im")
    assert why.endswith(
        "dezero grades Conv2d, conv2d, conv2d_simple, Im2col, im2col, Pooling and 2 more, but none of the "
        "names it requires: hand in the whole dezero/ package (dezero grades it up to stage step60)"
    )
    lone = {"functions_conv.py": folder["dezero/functions_conv.py"]}
    assert best_match(lone, _shipped()) is None
    # the book's package has no dezero.py: "check dezero.py" sent the student to a file it has not
    assert (nothing_to_check(lone, _shipped()) or "").endswith(
        "functions_conv.py imports cuda from dezero (line 2), which you did not hand in: hand in the whole "
        "dezero/ package instead (or the folder that holds it)"
    )


def test_a_later_step_module_of_dezero_alone_is_told_what_to_hand_in() -> None:
    """The book's step-50 dezero/dataloaders.py in its folder (DataLoader using `from dezero import cuda`)
    was "no assignment grades any of them; pass --assignment", where --assignment dezero grades nothing of
    it: it is told, as functions_conv.py is, that dezero does not grade that step yet and what to hand in
    (sample submissions/dezero/book_step50_dataloaders_alone). Control: the same classes importing no
    course package keep "no assignment grades any of them"."""
    folder = load_submission(SAMPLES / "dezero" / "book_step50_dataloaders_alone").files
    assert best_match(folder, _shipped()) is None
    why = nothing_to_check(folder, _shipped()) or ""
    # since session 32 stage step50 grades DataLoader (its dataloader cases): "does not grade yet" was untrue
    assert why == (
        "your code defines DataLoader, SeqDataLoader; dezero grades DataLoader at stage step50, not on its "
        "own: hand in the whole dezero/ package (dezero grades it up to stage step60)"
    ), why
    source = folder["dezero/dataloaders.py"].replace(b"from dezero import cuda\n", b"")
    assert nothing_to_check({"dezero/dataloaders.py": source}, _shipped()) is None
    # since session 32 dezero grades DataLoader (step50's dataloader cases): the reason says so
    assert "dezero grades DataLoader, but none of the names it requires" in no_match_reason(
        {"dezero/dataloaders.py": source}, _shipped()
    )


def test_a_lone_later_module_is_told_which_of_its_names_a_stage_grades() -> None:
    """Generally, for any lone later module built on the package: each name a stage grades is told with that
    stage (LSTM at step60, graded by its required name), each no case runs (Spiral: later_steps.NO_CASE) or
    no stage has (get_array_module, step 52: cuda) is told not graded yet; a module of only such names keeps
    "does not grade yet"."""
    lstm = b"from dezero import Layer\n\n\nclass LSTM(Layer):\n    pass\n"
    assert nothing_to_check({"dezero/layers.py": lstm}, _shipped()) == (
        "your code defines LSTM; dezero grades LSTM at stage step60, not on its own: hand in the whole "
        "dezero/ package (dezero grades it up to stage step60)"
    )
    mixed = (
        b"from dezero import cuda\n\n\nclass DataLoader:\n    xp = cuda.np\n\n\n"
        b"class Spiral:\n    xp = cuda.np\n\n\ndef get_array_module(x):\n    return cuda\n"
    )
    assert nothing_to_check({"dezero/dataloaders.py": mixed}, _shipped()) == (
        "your code defines DataLoader, get_array_module, Spiral; dezero grades DataLoader at stage step50, "
        "not on its own, and does not grade Spiral (step 49), get_array_module (step 52) yet: hand in the "
        "whole dezero/ package (dezero grades it up to stage step60)"
    )
    unrun = (
        b"from dezero import cuda\n\n\nclass Spiral:\n    xp = cuda.np\n\n\nclass MNIST:\n    xp = cuda.np\n"
    )
    assert nothing_to_check({"dezero/datasets.py": unrun}, _shipped()) == (
        "your code defines MNIST, Spiral, which dezero does not grade yet (code of steps 49 and 51: Spiral, "
        "MNIST): hand in the whole dezero/ package (dezero grades it up to stage step60)"
    )


def test_a_dezero_import_does_not_hide_another_familys_file_beside_it() -> None:
    """Controls of the above: the whole step-58 package (functions_conv.py beside core.py) is dezero; the
    same Conv2d and Pooling written as DLFS layers, importing no course package, stay dlfs-advanced; and a
    repository holding MiniFlow's miniflow.py (no course import) beside the DLFS book's files (importing
    `common`) is inferred as before, by its names, not by the book's imports."""
    package = load_submission(SAMPLES / "dezero" / "book_step58").files
    assert best_match(package, _shipped()) == "dezero"
    layers = {
        "layers.py": b"import numpy as np\nfrom dezero import cuda\n\nclass Conv2d:\n    pass\n\n"
        b"class Pooling:\n    pass\n",
        "conv.py": b"import numpy as np\n\nclass Convolution:\n    pass\n",
    }
    assert best_match(layers, _shipped()) == "dlfs-advanced"  # conv.py imports no course package
    alone = {"layers.py": layers["layers.py"].replace(b"from dezero import cuda\n", b"")}
    assert best_match(alone, _shipped()) == "dlfs-advanced"  # the DLFS spellings, no DeZero import
    repo = load_submission(SAMPLES / "layers" / "repo_miniflow_beside_book").files
    assert best_match(repo, _shipped()) == "miniflow"


def test_the_books_later_dezero_files_alone_stay_dezeros() -> None:
    """The step-60 package's layers.py alone (Layer, Linear, Conv2d, RNN, LSTM; `from dezero import cuda`)
    was inferred dlfs-advanced, and its functions.py alone (Sigmoid, ReLU, Softmax ... Functions; `import
    dezero`) dlfs-layers, whose layer cases ran DeZero's Functions. Both import dezero: layers.py is told to
    check the dezero package, functions.py is graded as dezero (its load names the missing package)."""
    package = load_submission(SAMPLES / "dezero" / "book_step58").files
    layers = {"layers.py": package["dezero/layers.py"]}
    assert best_match(layers, _shipped()) is None
    assert (nothing_to_check(layers, _shipped()) or "").endswith(
        "layers.py imports cuda from dezero (line 5), which you did not hand in: hand in the whole dezero/ "
        "package instead (or the folder that holds it)"
    )
    assert best_match({"functions.py": package["dezero/functions.py"]}, _shipped()) == "dezero"


def test_the_books_chapter_8_deep_convnet_alone_is_named_as_a_file_no_assignment_grades() -> None:
    """ch08/deep_convnet.py alone (sample dlfs-advanced/book_ch08_deep_convnet) said "your code defines
    DeepConvNet, and no assignment grades any of them; deep_convnet.py imports them from common.layers": it
    imports the layers, not DeepConvNet. dlfs-advanced's `ungraded_modules` names the book's file and what is
    graded instead (session 24). Control: the same file beside the book's chapter-7 repository is graded as
    that repository, dlfs-advanced's default."""
    folder = load_submission(SAMPLES / "dlfs-advanced" / "book_ch08_deep_convnet").files
    told = nothing_to_check(folder, _shipped()) or ""
    assert "your code defines DeepConvNet: the book's ch08/deep_convnet.py (chapter 8's DeepConvNet" in told
    assert "which dlfs-advanced does not grade; dlfs-advanced grades Dropout, BatchNormalization" in told
    assert "imports them from common.layers" not in told
    repo = {**load_submission(SAMPLES / "dlfs-advanced" / "late_dlfs_repo").files, **folder}
    assert nothing_to_check(repo, _shipped()) is None and best_match(repo, _shipped()) == "dlfs-advanced"


def _sample(path: str) -> bytes:
    return (SAMPLES / path).read_bytes()


_MAIN = b'\n\nif __name__ == "__main__":\n    '


def _notebook(*cells: tuple[str, str]) -> bytes:
    return json.dumps(
        {
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
            "cells": [
                {"cell_type": kind, "metadata": {}, "source": text}
                | ({"outputs": [], "execution_count": None} if kind == "code" else {})
                for kind, text in cells
            ],
        }
    ).encode()


# A shipped correct file and a line naming another course's package where it binds nothing the classes are
# built on (review of s24-dz48, finding 1: each was turned away or graded as the other course). Expected:
# the file's own course, as inferred before session 24 (fff4d736), and nothing_to_check None.
_NAMING_ANOTHER_COURSE = {
    "A1 layers, __main__ imports dezero": (
        "layers/correct.py",
        lambda src: src + _MAIN + b"import dezero\n    print(dezero.__version__)\n",
        "dlfs-layers",
    ),
    "A6 layers, docstring line `import dezero`": (
        "layers/correct.py",
        lambda src: b'"""My chapter 5 layers. To compare with DeZero run:\n\nimport dezero\n"""\n' + src,
        "dlfs-layers",
    ),
    "A11 layers, __main__ imports miniflow": (
        "layers/correct.py",
        lambda src: src + _MAIN + b"import miniflow  # compare with the Udacity lesson\n",
        "dlfs-layers",
    ),
    "A8b miniflow, __main__ imports layers": (
        "miniflow/correct.py",
        lambda src: src + _MAIN + b"from layers import draw_graph  # my plotting helper\n",
        "miniflow",
    ),
    "A10 miniflow, __main__ imports steps": (
        "miniflow/correct.py",
        lambda src: src + _MAIN + b"from steps import plot  # my training steps helper\n",
        "miniflow",
    ),
    "B1 dezero, imports common.gradient at the top": (
        "dezero/correct.py",
        lambda src: b"from common.gradient import numerical_gradient  # check my grads like in DLFS\n" + src,
        "dezero",
    ),
    "A2 layers, imports dezero's Variable at the top, never uses it": (
        "layers/correct.py",
        lambda src: b"from dezero import Variable  # to compare my gradients with DeZero\n" + src,
        "dlfs-layers",
    ),
}


@pytest.mark.parametrize("case", sorted(_NAMING_ANOTHER_COURSE))
def test_a_file_naming_another_courses_package_stays_its_own_courses(case: str) -> None:
    """`import dezero` in a chapter-5 file's `__main__` block or docstring, a MiniFlow file's `__main__`
    importing `layers` or `steps`, a DeZero step importing DLFS's common.gradient: none of its classes is
    built on that package, and the file is inferred by its names, as before session 24 (review of s24-dz48,
    finding 1: "nothing to check here", or checked as miniflow 0/15, or dlfs-layers 0/32)."""
    path, edit, expected = _NAMING_ANOTHER_COURSE[case]
    files = {"hw.py": edit(_sample(path))}
    assert best_match(files, _shipped()) == expected
    assert nothing_to_check(files, _shipped()) is None


def test_a_notebook_cell_importing_another_course_leaves_the_notebook_its_own_courses(tmp_path: Path) -> None:
    """C1: chapter 5's layers in one Colab cell, and a later cell `!pip install dezero` / `import dezero`
    (module level in a notebook, but no class is built on it): dlfs-layers, as before session 24."""
    nb = tmp_path / "dlfs_colab.ipynb"
    nb.write_bytes(
        _notebook(
            ("code", _sample("layers/correct.py").decode()),
            ("markdown", "DLFS 3 is DeZero: compare with its autograd"),
            ("code", "!pip install dezero\nimport dezero\nx = dezero.Variable(np.array(2.0))"),
        )
    )
    files = load_submission(nb).files
    assert best_match(files, _shipped()) == "dlfs-layers"
    assert nothing_to_check(files, _shipped()) is None


def test_dezero_functions_conv_with_relative_imports_is_dezeros() -> None:
    """The book's functions_conv.py written with relative imports (`from .core import Function`, `from .
    import cuda`) in its dezero/ folder: its Function subclasses are DeZero's, as with `from dezero.core
    import Function` (it was dlfs-advanced: review of s24-dz48, finding 5). Alone, with no folder, a relative
    import says nothing: inferred by its names (dlfs-advanced's Conv2d spelling), as before session 24."""
    source = _sample("dezero/book_step57_functions_conv/dezero/functions_conv.py")
    relative = source.replace(b"from dezero import cuda\n", b"from . import cuda\n").replace(
        b"from dezero.", b"from ."
    )
    assert b"from .core import Function" in relative and b"dezero" not in relative.split(b"\n\n")[0]
    folder = {"dezero/functions_conv.py": relative}
    assert best_match(folder, _shipped()) is None
    assert (nothing_to_check(folder, _shipped()) or "").endswith(
        "dezero grades Conv2d, conv2d, conv2d_simple, Im2col, im2col, Pooling and 2 more, but none of the "
        "names it requires: hand in the whole dezero/ package (dezero grades it up to stage step60)"
    )
    assert best_match({"mine/dezero/functions_conv.py": relative}, _shipped()) is None  # deeper: still dezero
    assert best_match({"functions_conv.py": relative}, _shipped()) == "dlfs-advanced"


def test_a_class_built_on_another_course_names_only_that_course() -> None:
    """The evidence itself (grader/infer.py imported_family): a Conv2d subclassing DeZero's Function is
    DeZero's; the same class beside a DLFS-named class built on nothing, or built on both packages, or
    with the import only inside a function, is no evidence."""
    conv = b"\n\nclass Conv2d(Function):\n    pass\n"
    built = b"from dezero.core import Function" + conv + b"\nclass Pooling(Function):\n    pass\n"
    assert imported_family({"f.py": built}, _shipped()) == "dezero"
    assert imported_family({"f.py": built.replace(b"(Function)", b"(object)")}, _shipped()) is None
    beside = built + b"\nclass Convolution:\n    pass\n"
    assert imported_family({"f.py": beside}, _shipped()) is None
    both = built.replace(
        b"class Pooling(Function)", b"from common.layers import Pooling as P\n\nclass Pooling(P)"
    )
    assert imported_family({"f.py": both}, _shipped()) is None
    inner = b"def f():\n    from dezero.core import Function" + conv
    assert imported_family({"f.py": inner}, _shipped()) is None
    guarded = b'if __name__ == "__main__":\n    from dezero.core import Function' + conv
    assert imported_family({"f.py": guarded}, _shipped()) is None
    booked = b"if '__file__' in globals():\n    from dezero.core import Function" + conv
    assert imported_family({"f.py": booked}, _shipped()) == "dezero"  # the book's steps import in an `if`
    assert [c.family for c in same_family({"f.py": built}, _shipped())] == ["dezero"]
    assert len(same_family({"f.py": beside}, _shipped())) == len(SHIPPED)


def test_the_refusals_say_only_what_is_true_and_what_to_do() -> None:
    """Review of s24-dz48, finding 4. Classes built on DeZero's Function that no later DeZero step names
    are not "not graded yet": the refusal says what they are built on. A file of which an assignment grades
    one name is not said to define names "which miniflow grades" (Foo is graded nowhere); a file all of whose
    names it grades still is. A bare `import dezero` is not "imports them from dezero"; a DeZero step file
    importing names from dezero (no submodule, no dezero/ folder) is still sent to dezero.py."""
    built = {
        "dezero/mine.py": b"from dezero.core import Function\n\nclass Convolution(Function):\n    pass\n\n"
        b"class MaxPool(Function):\n    pass\n"
    }
    assert best_match(built, _shipped()) is None
    told = nothing_to_check(built, _shipped()) or ""
    assert told == (
        "your code defines Convolution, MaxPool, which dezero does not grade (Convolution, MaxPool are built "
        "on the dezero package, not dlfs-advanced's)"
    )
    # a class Pooling(Function) is graded since stage step57 (session 30): the book's pooling class,
    # built as Pooling(kernel_size, stride, pad)(x) where the code has no pooling helper
    pooling = {"dezero/mine.py": built["dezero/mine.py"].replace(b"MaxPool", b"Pooling")}
    assert nothing_to_check(pooling, _shipped()) == (
        "your code defines Convolution, Pooling; dezero grades Pooling, but none of the names it requires"
    )
    some = {"hw.py": b"class Node:\n    pass\n\nclass Foo:\n    pass\n"}
    assert no_match_reason(some, _shipped()) == (
        "your code defines Foo, Node; miniflow grades Node, but none of the names it requires"
    )
    every = {"hw.py": b"class Node:\n    pass\n"}
    assert no_match_reason(every, _shipped()) == (
        "your code defines Node, which miniflow grades, but none of the names it requires"
    )
    bare = {"hw.py": b"import numpy as np, dezero\n\ndef f(x):\n    return dezero.Variable(x)\n"}
    assert (nothing_to_check(bare, _shipped()) or "").endswith(
        "hw.py imports dezero (line 1), which you did not hand in: hand in your dezero/ folder with it (the "
        "book's package from step 23 on; or dezero.py, if you keep it in one file), or the folder that "
        "holds both"
    )
    step = {"step24.py": b"from dezero import Variable\n\ndef goldstein(x, y):\n    return x + y\n"}
    assert (nothing_to_check(step, _shipped()) or "").endswith(
        "step24.py imports Variable from dezero (line 1), which you did not hand in: hand in your dezero/ "
        "folder with it (the book's package from step 23 on; or dezero.py, if you keep it in one file), or "
        "the folder that holds both"
    )


def test_a_lone_module_of_the_dezero_package_says_to_hand_in_the_package() -> None:
    """The book's step-60 dezero/functions.py alone defines Exp, Sin, ... but no Variable, which it imports
    from dezero.core: guessed dezero, graded at the default stage, every case an error of `import dezero`.
    `grader check` now refuses, naming the import of Variable and the package to hand in (sample
    submissions/dezero/book_step60_functions_alone). Controls: the whole package and core.py alone (which
    defines Variable: its load says what is missing) are not refused."""
    lone = load_submission(SAMPLES / "dezero" / "book_step60_functions_alone").files
    assert best_match(lone, _shipped()) == "dezero"
    why = package_left_out(lone, _shipped(), "dezero") or ""
    assert why.startswith("your code defines accuracy, average, binary_cross_entropy")
    assert why.endswith(
        "but not Variable, the name every stage of dezero needs; functions.py imports Function, Variable, "
        "as_variable, as_array from dezero.core (line 4), which you did not hand in: hand in the whole "
        "dezero/ package instead (or the folder that holds it)"
    )
    core = load_submission(SAMPLES / "dezero" / "book_step60_core_alone").files
    assert package_left_out(core, _shipped(), "dezero") is None
    package = load_submission(SAMPLES / "dezero" / "late_book_step60").files
    assert package_left_out(package, _shipped(), "dezero") is None


def test_a_lone_module_of_the_dezero_package_imported_by_name_is_sent_to_the_package() -> None:
    """The book's step-60 optimizers.py, cuda.py and datasets.py alone: "check dezero.py instead" sent the
    student to a file the book's package has not (optimizers.py imports `from dezero import cuda,
    Parameter`: the module names no submodule), and datasets.py, importing only `dezero.utils` and
    `dezero.transforms`, was "cannot tell which assignment this is ...; pass --assignment", which would grade
    every name missing. Each is a module of the book's dezero/ package by its name
    (grader/inside/left_out.py): "hand in the whole dezero/ package" (sample
    submissions/dezero/book_step60_optimizers_alone). The assignments that grade some of optimizers.py's
    names are said in the plural ("grade"). Control: a step file is told to hand the folder in with it (test
    above)."""
    package = load_submission(SAMPLES / "dezero" / "late_book_step60").files
    whole = "which you did not hand in: hand in the whole dezero/ package instead (or the folder that holds"
    lines = (
        ("optimizers.py", "imports cuda, Parameter from dezero (line 2)"),
        ("cuda.py", "imports Variable from dezero (line 8)"),
        ("datasets.py", "imports get_file, cache_dir from dezero.utils (line 7)"),
    )
    for name, line in lines:
        lone = {name: package[f"dezero/{name}"]}
        assert best_match(lone, _shipped()) is None
        why = nothing_to_check(lone, _shipped()) or ""
        assert why.endswith(f"; {name} {line}, {whole} it)"), why
    lone = load_submission(SAMPLES / "dezero" / "book_step60_optimizers_alone").files
    assert "miniflow and dezero and dlfs-advanced grade AdaGrad" in (nothing_to_check(lone, _shipped()) or "")


def test_a_lone_book_step_file_is_told_to_hand_in_the_dezero_folder_with_it() -> None:
    """The book's steps/step24.py and steps/step45.py without the dezero/ folder they import: `check` said
    "check dezero.py instead", a file the book never has (its dezero is a folder from step 23 on), and
    step45.py, importing dezero.layers, "hand in the whole dezero/ package instead", as if the step file were
    a module of the package (samples submissions/dezero/book_step24_step_alone, book_step45_step_alone).
    Control: a module of the package by its name is still sent to the whole package (tests above)."""
    step24 = load_submission(SAMPLES / "dezero" / "book_step24_step_alone").files
    assert best_match(step24, _shipped()) is None
    assert (nothing_to_check(step24, _shipped()) or "").endswith(
        "steps/step24.py imports Variable from dezero (line 6), which you did not hand in: hand in your "
        "dezero/ folder with it (the book's package from step 23 on; or dezero.py, if you keep it in one "
        "file), or the folder that holds both"
    )
    step45 = load_submission(SAMPLES / "dezero" / "book_step45_step_alone").files
    told = nothing_to_check(step45, _shipped()) or ""
    assert told.startswith("your code defines TwoLayerNet, which dezero does not grade")
    assert told.endswith(
        "steps/step45.py imports Variable, Model from dezero (line 6), which you did not hand in: hand in "
        "your dezero/ folder with it (the book's package from step 23 on), or the folder that holds both"
    )
