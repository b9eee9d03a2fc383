"""Loading as Python does: any file name, import-time stops, every failing module, stand-ins, hints."""

from __future__ import annotations

import json
import linecache
from pathlib import Path

import pytest
from inside_helpers import _DRIVER, APPLE, MUL, case, job, run_inside
from inside_helpers import students as S

from grader.inside import choice, loading
from grader.loaders import notebook_files
from grader.served_standins import BOOK_DIR, LAYERS, NETWORK_USES, served_files

LAYERS_JOB = {
    "modules": ["layers.py", "common/layers.py", "two_layer_net.py", "ch05/two_layer_net.py"],
    "required": ["MulLayer", "Relu", "Affine", "SoftmaxWithLoss"],
    "optional": ["TwoLayerNet"],
}
SUPPORT = {"common/functions.py": S.COMMON_FUNCTIONS, "common/__init__.py": ""}
WITH_SUPPORT = {**LAYERS_JOB, "support_files": {"common/functions.py": "", "common/__init__.py": ""}}
RELU = [
    {"do": "apply", "op": "Relu", "args": ["x"], "out": "y"},
    {"do": "backward", "of": "y"},
    {"do": "record", "key": "dx", "grad_of": "x"},
]
RELU_CLASS = (
    "class Relu:\n    def __init__(self):\n        self.mask = None\n\n"
    "    def forward(self, x):\n        self.mask = x <= 0\n        out = x.copy()\n"
    "        out[self.mask] = 0\n        return out\n\n"
    "    def backward(self, dout):\n        dout = dout.copy()\n"
    "        dout[self.mask] = 0\n        return dout\n"
)


def _warnings(ran: object) -> str:
    return "\n".join(ran.loaded["warnings"])  # type: ignore[attr-defined]


def test_dotted_file_name_is_one_module() -> None:
    """hw5.v2.py loads as one module (package parts come from folders only) and its classes are graded."""
    ran = run_inside(
        {"hw5.v2.py": S.LAYERS, **SUPPORT}, job("layers", [case("c", APPLE, MUL)], **WITH_SUPPORT)
    )
    assert ran.loaded["missing"] == []
    assert float(ran.record("dapple")) == 2.0  # dApple = apple_num (FACTS.md, buy apple)


def test_import_time_stop_shown_and_later_names_never_defined() -> None:
    """A module that raises at line N keeps the names above it; the warning cites file, line and source,
    and a name defined below line N is missing with "never defined: the module stopped at line N"."""
    head, tail = S.LAYERS.split("class Relu", 1)
    src = head + "boom = 1 / 0\n\n\nclass Relu" + tail
    stop = src.splitlines().index("boom = 1 / 0") + 1
    ran = run_inside(
        {"layers.py": src, **SUPPORT}, job("layers", [case("c", {"x": [1.0]}, RELU)], **WITH_SUPPORT)
    )
    assert "Relu" in ran.loaded["missing"]
    assert f"layers.py line {stop}: `boom = 1 / 0`: ZeroDivisionError" in _warnings(ran)
    message = ran.case()["failure"]["message"]
    assert ran.case()["failure"]["code"] == "missing_name"
    assert f"never defined: the module stopped at line {stop}" in message and "where class Relu is" in message


def test_every_failing_module_reported_with_did_you_mean() -> None:
    """In a folder, a syntax error, a misspelt keyword and a misspelt module are each reported with file,
    line and source, although every required name was found in layers.py."""
    files = {
        "layers.py": S.LAYERS,
        "common/layers.py": "class Relu\n    pass\n",
        "ch05/two_layer_net.py": "f = lamdba x: x\n",
        "ch05/layer_naive.py": "class MulLayer:\n    pass\n",
        "ch05/buy_apple.py": "import os\nfrom layer_navie import MulLayer\n",
        **SUPPORT,
    }
    ran = run_inside(files, job("layers", [], **WITH_SUPPORT))
    text = _warnings(ran)
    assert ran.loaded["missing"] == []
    assert "syntax error in common/layers.py line 1" in text and "`class Relu`" in text
    assert "ch05/two_layer_net.py line 1" in text and "(did you mean lambda instead of lamdba?)" in text
    assert "ch05/buy_apple.py line 2: `from layer_navie import MulLayer`" in text
    assert "(did you mean layer_naive?)" in text


def test_relative_import_names_the_module_and_names() -> None:
    """`from .layer import Relu` in a top-level file: the message quotes '.layer' and Relu, never '?'."""
    ran = run_inside(
        {"layers.py": "from .layer import Relu\n" + S.LAYERS, **SUPPORT}, job("layers", [], **WITH_SUPPORT)
    )
    failure = ran.frames[0]["failure"]
    assert failure["code"] == "import_error" and "'?'" not in failure["message"]
    assert "'.layer'" in failure["message"] and "from layer import Relu" in failure["message"]


def test_a_missing_module_is_never_said_to_be_the_file_importing_it() -> None:
    """`import memory_profiler` at the top of memory_profiler_top.py: no "did you mean memory_profiler_top?"
    (the file itself). Control: a misspelt sibling module is still suggested."""
    files = {"memory_profiler_top.py": "import memory_profiler\n" + S.LAYERS, **SUPPORT}
    ran = run_inside(files, job("layers", [], **WITH_SUPPORT))
    failure = ran.frames[0]["failure"]
    assert failure["code"] == "import_error" and "no module named 'memory_profiler'" in failure["message"]
    assert "did you mean" not in failure["message"]
    files = {"main.py": "import helpres\n" + S.LAYERS, "helpers.py": "", **SUPPORT}
    control = run_inside(files, job("layers", [], **WITH_SUPPORT))
    assert "(did you mean helpers?)" in control.frames[0]["failure"]["message"]


@pytest.mark.parametrize(
    ("head", "said"),
    [
        ("import cPickle as pickle\n", "cPickle is a module of Python 2"),
        ("import urllib2\n", "Python 3 names it urllib.request"),
        ("from itertools import izip\n", "itertools.izip is Python 2's, Python 3 has the builtin zip"),
    ],
)
def test_a_python2_module_is_said_to_be_python2s_not_missing_from_the_grader(head: str, said: str) -> None:
    """`import cPickle as pickle` atop a Python 2-era file: the load failure says the module is Python 2's and
    what Python 3 calls it, and drops "only numpy, the standard library ... are available" (read as a module
    the grader lacks). Control: memory_profiler, absent here, is still told so."""
    ran = run_inside({"layers.py": head + S.LAYERS, **SUPPORT}, job("layers", [], **WITH_SUPPORT))
    failure = ran.frames[0]["failure"]
    assert failure["code"] == "import_error" and said in failure["message"], failure["message"]
    assert "only numpy" not in failure["message"]
    control = run_inside(
        {"layers.py": "import memory_profiler\n" + S.LAYERS, **SUPPORT}, job("layers", [], **WITH_SUPPORT)
    )
    message = control.frames[0]["failure"]["message"]
    assert "only numpy" in message and "Python 2" not in message


@pytest.mark.parametrize(
    "module",
    ["common.trainer", "common.optimizer", "common.multi_layer_net", "common.multi_layer_net_extend"],
)
def test_the_books_own_helper_modules_are_named_as_the_books_not_as_typos(module: str) -> None:
    """ch07/train_convnet.py's `from common.trainer import Trainer` got "did you mean common.gradient?": the
    book's own common/ files are said to be the book's and absent. Control: a misspelt supplied module
    (common.layer) is still a typo of common.layers."""
    said = loading.missing_module(module, [])
    relfile = module.replace(".", "/") + ".py"
    assert f"is the book's {relfile}, which is not in the submission" in said and "did you mean" not in said
    assert "common/layers.py" in said  # what the grader does supply
    assert "(did you mean common.layers?)" in loading.missing_module("common.layer", [])


def test_a_notebook_exported_to_py_runs_its_magics_and_colab_helpers_as_nothing() -> None:
    """nbconvert writes `get_ipython().run_line_magic(...)` for every magic, and a Colab notebook opens with
    `from google.colab import drive`: both do nothing while grading, with a warning naming the line, and the
    classes are graded (dApple = apple_num = 2, FACTS.md). Control: a misspelt get_ipyton() still fails."""
    head = (
        "from google.colab import drive\ndrive.mount('/content/drive')\n"
        "get_ipython().run_line_magic('matplotlib', 'inline')\nget_ipython().system('pip install numpy')\n"
        "display('loaded')\n"
    )
    ran = run_inside(
        {"layers.py": head + S.LAYERS, **SUPPORT}, job("layers", [case("c", APPLE, MUL)], **WITH_SUPPORT)
    )
    assert float(ran.record("dapple")) == 2.0
    text = _warnings(ran)
    assert "get_ipython() (called at layers.py line 3) is the notebook's kernel" in text
    assert text.count("get_ipython()") == 1  # one warning, however many magics
    assert "google (imported at layers.py line 1) belongs to the notebook host" in text
    assert "display() (called at layers.py line 5) is Jupyter's display builtin" in text
    misspelt = run_inside(
        {"layers.py": "get_ipyton()\n" + S.LAYERS, **SUPPORT}, job("layers", [], **WITH_SUPPORT)
    )
    assert "get_ipyton" in misspelt.frames[0]["failure"]["message"]


def test_step_files_are_alternatives_never_mixed() -> None:
    """steps/step18.py without Exp next to steps/step09.py with one: with the manifest's one_of, only step 18
    is imported, Exp is missing, and a warning names the file set aside. Control: without one_of the loader
    takes Exp from step 9, a class of another program."""
    step09 = "class Exp:\n    pass\n"
    step18 = "class Variable:\n    pass\n"
    files = {"steps/step09.py": step09, "steps/step18.py": step18}
    modules = ["steps/step18.py", "steps/step09.py"]
    load = {"modules": modules, "required": ["Variable", "Exp"]}
    ran = run_inside(files, job("dezero", [], one_of=[modules], **load))
    assert ran.loaded["missing"] == ["Exp"]
    assert (
        "steps/step09.py: other steps of the course, each a program of its own, not run: steps/step18.py is "
        "graded" in _warnings(ran)
    )
    mixed = run_inside(files, job("dezero", [], **load))
    assert mixed.loaded["missing"] == [] and mixed.loaded["found"]["Exp"] == "steps.step09.Exp"


def test_other_copies_of_a_preferred_file_are_never_mixed() -> None:
    """A lesson kept quiz by quiz (1_add/miniflow.py, 6_sgd/miniflow.py): with the parent's `copies`, only the
    graded copy is imported and a warning names the one set aside. Control: without it the loader takes
    Input from the add quiz, a class of another program, under the last quiz's Linear."""
    files = {
        "1_add/miniflow.py": "class Input:\n    pass\n",
        "6_sgd/miniflow.py": "class Linear:\n    pass\n",
    }
    load = {"modules": ["miniflow.py"], "required": ["Input", "Linear"]}
    copies = {"1_add/miniflow.py": "6_sgd/miniflow.py"}
    ran = run_inside(files, job("miniflow", [], copies=copies, **load))
    assert ran.loaded["missing"] == ["Input"]
    assert (
        "1_add/miniflow.py: other copies of miniflow.py, each a program of its own, not run: "
        "6_sgd/miniflow.py is graded" in _warnings(ran)
    )
    mixed = run_inside(files, job("miniflow", [], **load))
    assert mixed.loaded["missing"] == [] and mixed.loaded["found"]["Input"].startswith("_submission_1_add")


def test_a_folder_of_whole_programs_is_graded_on_the_most_complete_one() -> None:
    """quiz1_add.py and quiz7_sgd.py, no miniflow.py: the quiz defining the most required names runs first and
    every name comes from it; the other is not run and a warning names it. It ran first (alphabetical) and
    the add quiz's Input was graded under the last quiz's Linear."""
    both = "class Input:\n    pass\n\n\ndef topological_sort(feed_dict):\n    pass\n"
    files = {"quiz1_add.py": both, "quiz7_sgd.py": both + "\n\nclass Linear:\n    pass\n"}
    required = ["Input", "Linear", "topological_sort"]
    ran = run_inside(files, job("miniflow", [], modules=["miniflow.py"], required=required))
    assert set(ran.loaded["found"].values()) == {f"quiz7_sgd.{n}" for n in required}
    assert "quiz1_add.py also defines Input, topological_sort, graded from quiz7_sgd.py" in _warnings(ran)


def test_a_set_aside_quiz_names_what_only_it_defines_as_not_graded() -> None:
    """The Linear quiz graded at stage linear beside the add quiz (Add and Mul optional there): Input and
    topological_sort are graded from quiz2_linear.py, and Add and Mul, which only quiz1_add.py defines, are
    graded from nowhere; the warning said all four were "graded from quiz2_linear.py". Control (above): a
    copy defining nothing of its own keeps the plain wording."""
    both = "class Input:\n    pass\n\n\ndef topological_sort(feed_dict):\n    pass\n"
    files = {
        "quiz1_add.py": both + "\n\nclass Add:\n    pass\n\n\nclass Mul:\n    pass\n",
        "quiz2_linear.py": both + "\n\nclass Linear:\n    pass\n",
    }
    load = {"modules": ["miniflow.py"], "required": ["Input", "Linear", "topological_sort"]}
    ran = run_inside(files, job("miniflow", [], optional=["Add", "Mul"], **load))
    assert "Add" not in ran.loaded["found"]
    assert (
        "quiz1_add.py also defines Input, topological_sort, graded from quiz2_linear.py: it was not run (so "
        "Add, Mul, which only it defines, are not graded)" in _warnings(ran)
    )


def test_a_script_sees_its_own_name_in_sys_argv() -> None:
    """As `python layers.py` runs it: sys.argv is the file alone, so top-level argparse parses no arguments
    (it exited on the worker's command line before) and `sys.argv[1:]` is empty; dApple = 2 (FACTS.md)."""
    head = (
        "import argparse, sys\nargparse.ArgumentParser().parse_args()\n"
        "assert sys.argv == ['layers.py'], sys.argv\n"
    )
    ran = run_inside(
        {"layers.py": head + S.LAYERS, **SUPPORT}, job("layers", [case("c", APPLE, MUL)], **WITH_SUPPORT)
    )
    assert ran.loaded["missing"] == [] and float(ran.record("dapple")) == 2.0


def test_an_ungraded_copy_of_the_work_is_named() -> None:
    """`miniflow (1).py` beside `miniflow.py`: the expected name is graded and the copy is not run, but a
    warning names it (it may hold the finished version). Control: a helper file defining none of the
    assignment's names is not mentioned."""
    files = {
        "layers.py": S.LAYERS,
        "layers (1).py": S.LAYERS,
        "helpers.py": "def f():\n    return 1\n",
        **SUPPORT,
    }
    ran = run_inside(files, job("layers", [case("c", APPLE, MUL)], **WITH_SUPPORT))
    text = _warnings(ran)
    assert "layers (1).py also defines MulLayer" in text and "graded from layers.py: it was not run" in text
    assert "helpers.py" not in text


def test_a_file_the_graded_code_imported_is_not_called_unrun() -> None:
    """A student's own package (`net.py` doing `from mynet.nodes import *`, mynet/nodes.py defining the
    layers): the loader grades net.py, the shallowest file, and mynet/nodes.py, which that import ran, is part
    of the program, never "also defines MulLayer ...: it was not run". Control: a copy nobody imports is still
    named."""
    files = {
        "net.py": "from mynet.nodes import *\n",
        "mynet/__init__.py": "",
        "mynet/nodes.py": S.LAYERS,
        "old/mylayers_v1.py": S.LAYERS,
        **SUPPORT,
    }
    ran = run_inside(files, job("layers", [case("c", APPLE, MUL)], **WITH_SUPPORT))
    assert ran.loaded["missing"] == [] and float(ran.record("dapple")) == 2.0
    text = _warnings(ran)
    assert "mynet/nodes.py" not in text
    assert "old/mylayers_v1.py also defines MulLayer" in text and "graded from net.py: it was not run" in text


def test_a_module_the_package_chooses_against_is_not_called_a_copy() -> None:
    """The book's dezero/__init__.py: `if is_simple_core: from dezero.core_simple import ... else: from
    dezero.core import ...`. core_simple.py is not run, as the switch has it, but it is a module of the
    package that its own code names, not a copy to hand in instead: no "also defines ...: it was not run. If
    it holds the version to grade ..., remove the other one" (said of every book package from step 32 on).
    Control: a copy nobody imports is still named."""
    files = {
        "net.py": "from mynet import *\n",
        "mynet/__init__.py": (
            "use_simple = False\nif use_simple:\n    from mynet.simple import *\n"
            "else:\n    from mynet.full import *\n"
        ),
        "mynet/full.py": S.LAYERS,
        "mynet/simple.py": S.LAYERS,
        "old/mylayers_v1.py": S.LAYERS,
        **SUPPORT,
    }
    ran = run_inside(files, job("layers", [case("c", APPLE, MUL)], **WITH_SUPPORT))
    assert ran.loaded["missing"] == [] and float(ran.record("dapple")) == 2.0
    text = _warnings(ran)
    assert "mynet/simple.py" not in text
    assert "old/mylayers_v1.py also defines MulLayer" in text


# The default driver, with every reading of a file's imports counted and the count printed at the end.
_COUNTING_IMPORT_READS = (
    _DRIVER.replace(
        "from inside.runner import run_job",
        "import inside.loading as L\nreads = []\nread = L.imported_modules\n"
        "L.imported_modules = lambda *a: (reads.append(a), read(*a))[1]\nfrom inside.runner import run_job",
    )
    + "print('import reads', len(reads))\n"
)


def test_a_one_file_submission_is_not_parsed_again_for_its_imports() -> None:
    """The program's imports are read (every file parsed again, ~2 ms of each student process) only to tell a
    module of the program from a copy of the work: a lone file has no other file to tell apart, so they are
    not read. Control: an ungraded copy beside the graded file is still read for, and named."""
    one_case = job("layers", [case("c", APPLE, MUL)], **WITH_SUPPORT)
    lone = run_inside({"layers.py": S.LAYERS, **SUPPORT}, one_case, driver=_COUNTING_IMPORT_READS)
    assert float(lone.record("dapple")) == 2.0 and "import reads 0\n" in lone.stdout
    files = {"layers.py": S.LAYERS, "layers (1).py": S.LAYERS, **SUPPORT}
    copied = run_inside(files, one_case, driver=_COUNTING_IMPORT_READS)
    assert "import reads 0\n" not in copied.stdout and "import reads" in copied.stdout
    assert "layers (1).py also defines MulLayer" in _warnings(copied)


def test_a_syntax_error_the_package_import_met_is_said_once() -> None:
    """dezero/__init__.py imports dezero/optimizers.py, which has a syntax error (a file the graded classes do
    not need): the package's load stops on it and says so; the same error is not said again of optimizers.py
    as "(this file was not needed for grading and was not run)": it was run, by that import."""
    files = {
        "net.py": "from mynet import *\n",
        "mynet/__init__.py": "from mynet.full import *\nimport mynet.extra\n",
        "mynet/full.py": S.LAYERS,
        "mynet/extra.py": "def f(x):\n    return x)\n",
        **SUPPORT,
    }
    ran = run_inside(files, job("layers", [case("c", APPLE, MUL)], **WITH_SUPPORT))
    assert ran.loaded["missing"] == [] and float(ran.record("dapple")) == 2.0, ran.loaded
    said = [w for w in ran.loaded["warnings"] if "syntax error in mynet/extra.py line 2" in w]
    assert len(said) == 1, ran.loaded["warnings"]
    assert "was not run" not in said[0]
    # The same missing module met by every file importing the package: one line naming the files.
    files = {
        "net.py": "from mynet import *\n",
        "mynet/__init__.py": "from mynet.full import *\nimport mynet.gpu\n",
        "mynet/gpu.py": "import cudalib\n",
        "mynet/full.py": S.LAYERS,
        "mynet/more.py": "from mynet.gpu import *\nclass Relu:\n    pass\nclass Affine:\n    pass\n",
        **SUPPORT,
    }
    ran = run_inside(files, job("layers", [case("c", APPLE, MUL)], **WITH_SUPPORT))
    said = [w for w in ran.loaded["warnings"] if "importing 'cudalib' failed" in w]
    assert len(said) == 1, ran.loaded["warnings"]
    assert said[0].startswith("net.py, mynet/__init__.py could not be loaded: importing 'cudalib'")
    assert ran.loaded["missing"] == [] and float(ran.record("dapple")) == 2.0, ran.loaded


def test_a_package_whose_init_failed_still_lends_its_modules() -> None:
    """dezero/__init__.py imports a module the student never wrote (`from dezero.dataloaders import
    DataLoader`) before `import dezero.functions`: every later import of dezero.functions ran the failing
    __init__.py again, so Sin, Cos ... were missing and core.py's `dezero.cuda` was never set (9 of 105),
    while the same line below `import dezero.functions` graded 105 of 105. The package, as far as its
    __init__.py got, stays importable: its modules load, and the failure is said once. Control: the
    mynet/full.py's names are graded from it."""
    files = {
        "mynet/__init__.py": "import mynet.base\nimport mynet.missing_module\nimport mynet.full\n",
        # base.py holds the package object; full.py reaches mynet.ops through it, as core.py reaches
        # dezero.functions: loaded by the grader after the failure, ops must be an attribute of the package.
        "mynet/base.py": "import mynet\n",
        "mynet/ops.py": RELU_CLASS + "\n\ndef times(a, b):\n    return a * b\n",
        "mynet/full.py": "from mynet import base\n"
        + S.LAYERS.replace(
            "        dx = dout * self.y\n", "        dx = base.mynet.ops.times(dout, self.y)\n"
        ).replace("class Relu:", "class OldRelu:"),
        **SUPPORT,
    }
    ran = run_inside(files, job("layers", [case("c", APPLE, MUL)], **WITH_SUPPORT))
    assert ran.loaded["missing"] == [] and float(ran.record("dapple")) == 2.0, ran.loaded
    said = [w for w in ran.loaded["warnings"] if "mynet.missing_module" in w]
    assert len(said) == 1, ran.loaded["warnings"]


def test_a_file_defining_only_a_missing_optional_class_is_run() -> None:
    """The required names are in layers.py, the optional TwoLayerNet in a file the manifest does not name
    (as the book's ch07/simple_convnet.py beside common/layers.py): that file is run and its class found.
    Controls: a copy that also defines a name already found, and a script defining nothing wanted, are not
    run."""
    net = "class TwoLayerNet:\n    pass\n"
    files = {
        "layers.py": S.LAYERS,
        "nets/my_net.py": "import sys\nsys.path.append('..')\nfrom layers import *\n\n\n" + net,
        "layers (1).py": S.LAYERS + "\n\n" + net + "raise SystemExit('copy ran')\n",
        "train.py": "raise SystemExit('training script ran')\n",
        **SUPPORT,
    }
    job_ = {**WITH_SUPPORT, "modules": ["layers.py", "common/layers.py"]}
    ran = run_inside(files, job("layers", [case("c", APPLE, MUL)], **job_))
    assert ran.loaded["found"]["TwoLayerNet"] == "nets.my_net.TwoLayerNet"
    assert ran.loaded["missing"] == []
    text = _warnings(ran)
    assert "copy ran" not in text and "training script ran" not in text
    assert "layers (1).py also defines MulLayer" in text


def test_duplicate_class_warns_with_both_lines() -> None:
    """A second class of the same name: a warning with both lines, and the last one is graded."""
    src = S.LAYERS + "\n\nclass MulLayer:\n    pass\n"
    first = src.splitlines().index("class MulLayer:") + 1
    last = len(src.splitlines()) - 1
    ran = run_inside({"layers.py": src, **SUPPORT}, job("layers", [], **WITH_SUPPORT))
    assert f"class MulLayer is defined twice in layers.py (lines {first} and {last})" in _warnings(ran)


def test_duplicate_class_after_the_stop_never_replaced_the_first() -> None:
    """The module stops (ZeroDivisionError) before its second MulLayer: Python kept the first, which is
    graded (dApple = apple_num = 2, FACTS.md), and the warning says so instead of "Python keeps the last one
    ..., and that is the one graded"."""
    src = S.LAYERS + "\n\nboom = 1 / 0\n\n\nclass MulLayer:\n    pass\n"
    first = src.splitlines().index("class MulLayer:") + 1
    last = len(src.splitlines()) - 1
    ran = run_inside({"layers.py": src, **SUPPORT}, job("layers", [case("c", APPLE, MUL)], **WITH_SUPPORT))
    assert float(ran.record("dapple")) == 2.0
    text = _warnings(ran)
    assert f"class MulLayer is defined twice in layers.py (lines {first} and {last})" in text
    assert f"the last one (line {last}) never ran" in text and f"kept the one at line {first}" in text
    assert "Python keeps the last one" not in text


def test_duplicate_class_bound_by_a_decorator_that_then_raises_is_named_as_graded() -> None:
    """A second MulLayer under a decorator that binds it and then raises a FileNotFoundError: the module
    stops on the decorator's line, above the `class` line, yet the second MulLayer is the one bound and
    graded (dApple 0). The warning named the first one to staff as graded ("the last one never ran"): it
    now follows the bound class's own methods."""
    src = S.LAYERS + (
        "\n\ndef _keep(cls):\n    globals()[cls.__name__] = cls\n"
        "    raise FileNotFoundError('train.csv')\n\n\n"
        "@_keep\nclass MulLayer:\n    def forward(self, x, y):\n        return x * y\n\n"
        "    def backward(self, dout):\n        return 0 * dout, 0 * dout\n"
    )
    lines = src.splitlines()
    first = lines.index("class MulLayer:") + 1
    last = len(lines) - lines[::-1].index("class MulLayer:")
    ran = run_inside({"layers.py": src, **SUPPORT}, job("layers", [case("c", APPLE, MUL)], **WITH_SUPPORT))
    assert float(ran.record("dapple")) == 0.0
    text = _warnings(ran)
    assert f"class MulLayer is defined twice in layers.py (lines {first} and {last})" in text
    assert f"Python keeps the last one (line {last}), and that is the one graded" in text, text
    assert "never ran" not in text, text


def test_duplicate_class_in_notebook_cells_cites_each_cell() -> None:
    """A notebook defines MulLayer in cell 2, again in cell 3 after a line that raises, and again in cell 4,
    which does not compile: cells 3 and 4 never defined theirs, so cell 2's is graded (dApple 2, FACTS.md);
    the warning cites each definition by its own cell. Control: when the cell that redefines it runs, the
    warning says that last one is kept, citing its cell."""
    code = lambda source: {"cell_type": "code", "source": source}  # noqa: E731
    at = S.LAYERS.split("\n").index("class MulLayer:") + 1
    nb = {
        "cells": [
            code("import numpy as np"),
            code(S.LAYERS),
            code("print(undefined_name)\nclass MulLayer:\n    pass"),
            code("class MulLayer\n    pass"),
        ]
    }
    files = {k: v.decode() for k, v in notebook_files(json.dumps(nb).encode(), "hw.ipynb").items()}
    ran = run_inside({**files, **SUPPORT}, job("layers", [case("c", APPLE, MUL)], **WITH_SUPPORT))
    assert float(ran.record("dapple")) == 2.0
    text = _warnings(ran)
    assert (
        f"class MulLayer is defined 3 times in hw.ipynb (code cell 2 line {at}, code cell 3 line 2 and code "
        "cell 4 line 1): the last one (code cell 4 line 1) never ran" in text
    ), text
    assert f"kept the one at code cell 2 line {at}, and that is the one graded" in text
    nb["cells"][2:] = [code("class MulLayer:\n    def forward(self, x, y):\n        return x * y")]
    files = {k: v.decode() for k, v in notebook_files(json.dumps(nb).encode(), "hw.ipynb").items()}
    ran = run_inside({**files, **SUPPORT}, job("layers", [], **WITH_SUPPORT))
    assert (
        f"class MulLayer is defined twice in hw.ipynb (code cell 2 line {at} and code cell 3 line 1): Python "
        "keeps the last one (code cell 3 line 1), and that is the one graded" in _warnings(ran)
    )


def test_misspelt_init_is_a_hint_not_a_refusal() -> None:
    """MulLayer with __int__ builds as in Python (no arguments) and is graded; a warning names the typo."""
    src = S.LAYERS.replace(
        "class MulLayer:\n    def __init__(self):", "class MulLayer:\n    def __int__(self):", 1
    )
    assert "__int__" in src
    ran = run_inside({"layers.py": src, **SUPPORT}, job("layers", [case("c", APPLE, MUL)], **WITH_SUPPORT))
    assert float(ran.record("dapple")) == 2.0
    assert "defines __int__" in _warnings(ran) and "did you mean __init__?" in _warnings(ran)


def test_lone_two_layer_net_uses_the_book_standin() -> None:
    """two_layer_net.py alone imports common.layers: the stand-in is used and named in the warnings, and
    its classes count as missing for the student."""
    ran = run_inside({"two_layer_net.py": S.TWO_LAYER_NET}, job("layers", [], **LAYERS_JOB))
    assert ran.frames[0]["type"] == "loaded"
    assert ran.loaded["found"] == {"TwoLayerNet": "two_layer_net.TwoLayerNet"}
    assert sorted(ran.loaded["missing"]) == sorted(LAYERS_JOB["required"])
    assert "common.layers" in ran.loaded["standins"]
    assert "common.layers is not in the submission (imported at two_layer_net.py line" in _warnings(ran)


def test_standin_reexport_and_subclass_count_as_missing() -> None:
    """Negative control: a re-exported, aliased or subclassed stand-in is never the student's class."""
    src = (
        "import common.layers\nfrom common.layers import *\nAffine = common.layers.Affine\n"
        "class SoftmaxWithLoss(common.layers.SoftmaxWithLoss):\n    pass\n"
        "class MulLayer:\n    def forward(self, x, y):\n        self.x, self.y = x, y\n        return x * y\n"
        "    def backward(self, d):\n        return d * self.y, d * self.x\n"
    )
    ran = run_inside({"layers.py": src}, job("layers", [case("c", {"x": [1.0]}, RELU)], **LAYERS_JOB))
    assert sorted(ran.loaded["missing"]) == ["Affine", "Relu", "SoftmaxWithLoss"]
    failure = ran.case()["failure"]
    assert failure["code"] == "missing_name" and "stand-in common.layers.Relu" in failure["message"]


def test_borrowed_or_recompiled_standin_methods_count_as_missing() -> None:
    """Negative control: a class of the student's whose methods are the stand-in's (assigned as class
    attributes, or compiled again from the stand-in's own source) is the grader's code under the student's
    name: missing, and the message names the borrowed method."""
    borrowed = (
        "import common.layers as book\n"
        "class Relu:\n    __init__ = book.Relu.__init__\n    forward = book.Relu.forward\n"
        "    backward = book.Relu.backward\n"
    )
    recompiled = (
        "import common.functions\nimport common.layers as book\n"
        "exec(compile(open(book.__file__).read(), 'mine.py', 'exec'))\n"
    )
    # an attribute that raises when looked at, before the borrowed ones, hides nothing
    poisoned = (
        "import common.layers as book\n"
        "class Boom:\n    def __call__(self, *a):\n        pass\n"
        "    def __getattr__(self, name):\n        raise RuntimeError(name)\n"
        "class Relu:\n    a_first = Boom()\n    __init__ = book.Relu.__init__\n"
        "    forward = book.Relu.forward\n    backward = book.Relu.backward\n"
    )
    for src in (borrowed, recompiled, poisoned):
        ran = run_inside({"layers.py": src}, job("layers", [case("c", {"x": [1.0]}, RELU)], **LAYERS_JOB))
        assert "Relu" in ran.loaded["missing"], src
        failure = ran.case()["failure"]
        assert failure["code"] == "missing_name"
        assert "stand-in Relu.__init__ (copied as Relu.__init__ in layers.py)" in failure["message"]
        assert "did you mean Relu" not in failure["message"]


def test_an_honest_method_on_the_standins_line_is_the_students() -> None:
    """Code objects equal by value ignore the file name: the book's one-line Relu.__init__ placed on the very
    line of the stand-in's compares equal to it. Compiled from the student's own file, where that line is its
    `def`, it is the student's: Relu is found, with the stand-in imported next to it (two_layer_net.py). The
    job serves the whole stand-in (as for a run that grades no layer), so that its Relu is the book's and
    the two code objects do compare equal: a run grading Relu serves a stub (grader/served_standins.py)."""
    book = (BOOK_DIR / LAYERS).read_text().splitlines()
    line = next(i for i, text in enumerate(book, 1) if text == "class Relu:") + 1
    assert book[line - 1] == "    def __init__(self):" and book[line] == "        self.mask = None"
    relu = RELU_CLASS.replace("class Relu:\n", "", 1)
    src = "\n" * (line - 2) + "class Relu:\n" + relu
    assert src.splitlines()[line - 1] == "    def __init__(self):"
    files = {"layers.py": src, "two_layer_net.py": "import common.layers\n"}
    whole = served_files(frozenset(NETWORK_USES))  # every class built by a graded network: served whole
    ran = run_inside(files, job("layers", [case("c", {"x": [1.0]}, RELU)], standins=whole, **LAYERS_JOB))
    assert "Relu" not in ran.loaded["missing"] and "common.layers" in ran.loaded["standins"]
    assert float(ran.record("dx")[0]) == 1.0  # dout (ones) where x > 0


def test_a_class_calling_the_standin_helper_functions_is_the_students() -> None:
    """The book's own SoftmaxWithLoss calls common.functions' softmax and cross_entropy_error: a class that
    uses the stand-in's helper functions, rather than being or borrowing a stand-in layer, is graded as the
    student's. Its Relu is graded too (dx = dout where x > 0: 1.0 for x = 1)."""
    src = (
        "import numpy as np\nfrom common.functions import softmax, cross_entropy_error\n"
        "class Relu:\n    def forward(self, x):\n        self.mask = x <= 0\n        out = x.copy()\n"
        "        out[self.mask] = 0\n        return out\n"
        "    def backward(self, dout):\n        dout = dout.copy()\n        dout[self.mask] = 0\n"
        "        return dout\n"
        "class SoftmaxWithLoss:\n    def forward(self, x, t):\n        self.t = t\n"
        "        self.y = softmax(x)\n        return cross_entropy_error(self.y, t)\n"
        "    def backward(self, dout=1):\n        return (self.y - self.t) / self.t.shape[0]\n"
    )
    ran = run_inside({"layers.py": src}, job("layers", [case("c", {"x": [1.0]}, RELU)], **LAYERS_JOB))
    assert "SoftmaxWithLoss" not in ran.loaded["missing"] and "Relu" not in ran.loaded["missing"]
    assert float(ran.record("dx")[0]) == 1.0


def test_own_common_layers_wins_over_the_standin() -> None:
    """A submission's own common/layers.py is always used, never the stand-in."""
    files = {"common/layers.py": S.LAYERS, "ch05/two_layer_net.py": S.TWO_LAYER_NET, **SUPPORT}
    ran = run_inside(files, job("layers", [], **WITH_SUPPORT))
    assert ran.loaded["missing"] == [] and ran.loaded["standins"] == []


def test_own_common_copied_into_a_chapter_folder_wins_over_the_standin() -> None:
    """The book's common/ copied into ch05/ (ch05/common/layers.py; ch05/two_layer_net.py imports
    common.layers without sys.path.append, as `python two_layer_net.py` in ch05/ runs it): common.layers is
    the student's, never the stand-in, and no warning says it is not in the submission. Control: with the
    student's own files in the root's common/, that package stays what `common` means (the test above)."""
    files = {
        "ch05/common/__init__.py": "",
        "ch05/common/layers.py": S.LAYERS,
        "ch05/two_layer_net.py": S.TWO_LAYER_NET,
        **SUPPORT,
    }
    ran = run_inside(files, job("layers", [], **WITH_SUPPORT))
    assert ran.loaded["missing"] == [] and ran.loaded["standins"] == []
    assert "not in the submission" not in _warnings(ran)


def test_a_chapter_copy_of_common_set_aside_is_not_what_common_means() -> None:
    """ch06/common/ and ch07/common/, each the book's common/ copied, ch06's layers.py an older copy set aside
    (the parent's `copies`): ch07/two_layer_net.py's `common.layers` is ch07's, never the copy set aside
    (which raises here if imported: TwoLayerNet would be missing)."""
    old = "raise RuntimeError('the older copy was imported')\n"
    files = {
        "ch06/common/__init__.py": "",
        "ch06/common/layers.py": old,
        "ch07/common/__init__.py": "",
        "ch07/common/layers.py": S.LAYERS,
        "ch07/two_layer_net.py": S.TWO_LAYER_NET,
        **SUPPORT,
    }
    copies = {"ch06/common/layers.py": "ch07/common/layers.py"}
    ran = run_inside(files, job("layers", [], copies=copies, **WITH_SUPPORT))
    assert ran.loaded["missing"] == [] and ran.loaded["standins"] == []
    assert ran.loaded["found"]["TwoLayerNet"] == "ch07.two_layer_net.TwoLayerNet"


def test_a_class_built_on_a_base_defined_again_later_is_named() -> None:
    """A DeZero notebook kept step by step: the step-9 cell's Exp subclasses the step-9 Function, which the
    step-18 cell defines again (with no Exp of its own). Python keeps the old Function under Exp, so Exp runs
    the old __call__; a warning says so and what to do. Control: Square, defined again below the new
    Function, gets none."""
    src = (
        "class Variable:\n    pass\n\n\nclass Function:\n    pass\n\n\nclass Exp(Function):\n    pass\n\n\n"
        "class Function:\n    generation = 0\n\n\nclass Square(Function):\n    pass\n"
    )
    load = {"modules": ["dezero.py"], "required": ["Variable", "Function", "Exp", "Square"]}
    ran = run_inside({"dezero.py": src}, job("dezero", [], **load))
    text = _warnings(ran)
    assert "class Exp is built on an earlier class Function, which a later definition of Function" in text
    assert "Define Exp again below the new Function" in text and "class Square is built" not in text


def test_data_set_script_is_a_note() -> None:
    """A script stopped by the missing MNIST data set gets a note (not an error) and blocks nothing."""
    script = "from dataset.mnist import load_mnist\n(x, t), _ = load_mnist(normalize=True)\n"
    files = {"layers.py": S.LAYERS.replace("class Relu", "class Unused"), "train.py": script, **SUPPORT}
    ran = run_inside(files, job("layers", [], **WITH_SUPPORT))
    text = _warnings(ran)
    assert "note: loading stopped at train.py line 2: `(x, t), _ = load_mnist(normalize=True)`" in text
    assert "needs a data set" in text and "not an error" in text and text.count("needs a data set") == 1
    assert ran.loaded["missing"] == ["Relu"]  # blocks nothing: Relu is missing for its own reason


def test_display_libraries_are_inert() -> None:
    """matplotlib, seaborn, tqdm, IPython.display and PIL imports work, draw nothing, and are warned about."""
    demo = (
        "import matplotlib.pyplot as plt\nimport seaborn as sns\nfrom tqdm import tqdm, trange\n"
        "from IPython.display import display\nfrom PIL import Image\n"
        "total = sum(tqdm([1, 2, 3])) + sum(trange(3))\nassert total == 9\n"
        "fig, ax = plt.subplots(2, 2)\nax[0, 0].plot([1, 2])\nplt.show()\nsns.heatmap([[1]])\n"
        "display(Image.fromarray([[0]]))\n"
    )
    ran = run_inside({"layers.py": demo + S.LAYERS, **SUPPORT}, job("layers", [], **WITH_SUPPORT))
    assert ran.loaded["missing"] == [] and ran.loaded["notes"] == []
    text = _warnings(ran)
    for library in ("matplotlib", "seaborn", "tqdm", "IPython", "PIL"):
        assert f"{library} (imported at layers.py line" in text


def test_an_unguarded_cupy_import_runs_on_numpy_and_a_guarded_one_fails_as_without_cupy() -> None:
    """The book's dezero/cuda.py guards `import cupy` with try/except ImportError; a student on Colab (cupy
    installed) often does not, and the whole package failed to load: every class missing. Unguarded, a
    GPU-less stand-in is used (get_array_module gives numpy, asnumpy converts, cupy.ndarray is a class no
    array is, moving data to the GPU raises) and the warning says to guard the import. Guarded, the import
    fails as on a machine without cupy (gpu_enable = False), with no warning."""
    cuda = (
        "import numpy as np\nimport cupy as cp\ngpu_enable = True\n"
        "array_types = (np.ndarray, cp.ndarray)\n"
        "def get_array_module(x):\n    return cp.get_array_module(x)\n"
        "def as_numpy(x):\n    return cp.asnumpy(x)\n"
        "def as_cupy(x):\n    return cp.asarray(x)\n"
    )
    check = (
        "import numpy as np\nfrom cuda import get_array_module, as_numpy, as_cupy\n"
        "assert get_array_module(np.ones(2)) is np and isinstance(as_numpy([1.0]), np.ndarray)\n"
        "assert not isinstance(np.ones(2), __import__('cuda').cp.ndarray)\n"
        "try:\n    as_cupy(np.ones(2))\nexcept RuntimeError as e:\n    assert 'GPU' in str(e)\n"
        "else:\n    raise AssertionError('as_cupy ran')\n"
    )
    files = {"layers.py": check + S.LAYERS, "cuda.py": cuda, **SUPPORT}
    ran = run_inside(files, job("layers", [case("c", APPLE, MUL)], **WITH_SUPPORT))
    assert ran.loaded["missing"] == [] and float(ran.record("dapple")) == 2.0, ran.loaded
    text = _warnings(ran)
    assert "cupy (imported at cuda.py line 2) needs a GPU" in text and "try:" in text
    guarded = (
        "gpu_enable = True\ntry:\n    import cupy as cp\nexcept ImportError:\n    gpu_enable = False\n"
        "assert not gpu_enable\n"
    )
    files = {"layers.py": "from cuda import gpu_enable\n" + S.LAYERS, "cuda.py": guarded, **SUPPORT}
    ran = run_inside(files, job("layers", [case("c", APPLE, MUL)], **WITH_SUPPORT))
    assert ran.loaded["missing"] == [] and float(ran.record("dapple")) == 2.0, ran.loaded
    assert "cupy" not in _warnings(ran)


def test_scipy_special_is_computed_with_numpy_and_the_rest_of_scipy_stops_when_used() -> None:
    """A Sigmoid written with `from scipy.special import expit`, and `import scipy` then
    `scipy.special.softmax`, run on the stand-in's NumPy formulas (the file failed to load: every class
    missing); any other SciPy name imports and raises ScipyNeeded when called, a numerical derivative among
    them, so SciPy computes no gradient while grading; one warning names scipy and where it was imported."""
    check = (
        "import numpy as np\nimport scipy\nfrom scipy.special import expit\n"
        "from scipy.optimize import approx_fprime\n"
        "assert float(expit(0.0)) == 0.5 and scipy.special.softmax(np.zeros(4))[0] == 0.25\n"
        "try:\n    approx_fprime(np.ones(2), np.sum, 1e-6)\nexcept RuntimeError as e:\n"
        "    assert 'scipy.optimize.approx_fprime' in str(e) and 'expit' in str(e)\n"
        "else:\n    raise AssertionError('approx_fprime ran')\n"
        "try:\n    scipy.special.erf(1.0)\nexcept RuntimeError as e:\n"
        "    assert 'scipy.special.erf' in str(e)\n"
        "else:\n    raise AssertionError('erf ran')\n"
    )
    files = {"layers.py": check + S.LAYERS, **SUPPORT}
    ran = run_inside(files, job("layers", [case("c", APPLE, MUL)], **WITH_SUPPORT))
    assert ran.loaded["missing"] == [] and float(ran.record("dapple")) == 2.0, ran.loaded
    assert ran.loaded["notes"] == [], ran.loaded
    text = _warnings(ran)
    assert "scipy (imported at layers.py line 2) is not available while grading" in text
    assert text.count("scipy (imported") == 1 and "expit" in text


def test_jupyter_widgets_are_inert() -> None:
    """A MiniFlow notebook's first cell `from ipywidgets import interact, FloatSlider` above `import numpy as
    np` (a learning-rate slider): ipywidgets is not installed while grading, the cell stopped at its first
    line, np was never imported and every case failed on NameError. Widgets only display, like matplotlib:
    the import works, `interact(...)` and `@interact` do nothing, and the warning names it."""
    demo = (
        "from ipywidgets import interact, FloatSlider\nimport ipywidgets as widgets\nimport numpy as np\n"
        "def show(lr=0.01):\n    return lr\ninteract(show, lr=FloatSlider(min=0.001, max=0.1))\n"
        "widgets.IntSlider(value=3)\n"
    )
    ran = run_inside({"layers.py": demo + S.LAYERS, **SUPPORT}, job("layers", [], **WITH_SUPPORT))
    assert ran.loaded["missing"] == [] and ran.loaded["notes"] == []
    assert "ipywidgets (imported at layers.py line 1" in _warnings(ran)


def test_a_data_library_imported_but_never_called_is_noted_and_blocks_nothing() -> None:
    """`from sklearn.model_selection import train_test_split` at the top of a layers file: the stand-in
    imports, nothing calls it, every class loads, and one note says scikit-learn was stood in for."""
    head = "from sklearn.model_selection import train_test_split\nimport sklearn.datasets\n"
    ran = run_inside({"layers.py": head + S.LAYERS, **SUPPORT}, job("layers", [], **WITH_SUPPORT))
    assert ran.loaded["missing"] == [] and ran.loaded["notes"] == []
    notes = [w for w in _warnings(ran).splitlines() if "sklearn" in w]
    assert notes == [
        "note: sklearn (imported at layers.py line 1) is not available while grading: a stand-in was used, "
        "and code that calls it (to load, split or shuffle data) stops there (not an error)"
    ], notes


def test_notebook_messages_cite_cell_and_line() -> None:
    """A notebook's failure cites the code cell and the line in that cell, not the generated module's."""
    nb = {
        "cells": [
            {"cell_type": "markdown", "source": "# hw"},
            {"cell_type": "code", "source": "import numpy as np\n%matplotlib inline"},
            {
                "cell_type": "code",
                "source": S.LAYERS.replace("return dx, dy", "return dx / 0, dy", 1).replace(
                    "dx = dout * self.y", "dx = dout * self.y\n        raise ValueError('cell check')", 1
                ),
            },
        ]
    }
    files = {k: v.decode() for k, v in notebook_files(json.dumps(nb).encode(), "hw.ipynb").items()}
    cell = nb["cells"][2]["source"].splitlines()
    line = next(i for i, t in enumerate(cell, 1) if "cell check" in t)
    ran = run_inside({**files, **SUPPORT}, job("layers", [case("c", APPLE, MUL)], **WITH_SUPPORT))
    message = ran.case()["failure"]["message"]
    assert f"hw.ipynb, code cell 2 line {line}" in message, message


def test_a_notebook_runs_cell_by_cell_as_jupyter_does() -> None:
    """A scratch cell with a syntax error and a cell that raises cost themselves alone: the layers defined
    in the cells after them are graded (dApple = 2, FACTS.md), and a warning names each failing cell.
    Control: a forbidden import in a cell still ends the load (forbidden_import)."""
    code = lambda source: {"cell_type": "code", "source": source}  # noqa: E731
    nb = {
        "cells": [
            code("import numpy as np"),
            code("for i in range(3)\n    print(i)"),
            code("print(undefined_name)"),
            code(S.LAYERS),
        ]
    }
    files = {k: v.decode() for k, v in notebook_files(json.dumps(nb).encode(), "hw.ipynb").items()}
    ran = run_inside({**files, **SUPPORT}, job("layers", [case("c", APPLE, MUL)], **WITH_SUPPORT))
    assert ran.loaded["missing"] == [] and float(ran.record("dapple")) == 2.0
    text = _warnings(ran)
    assert "syntax error in hw.ipynb, code cell 2 line 1" in text and "this cell was skipped" in text
    assert "hw.ipynb, code cell 3 line 1: `print(undefined_name)`: NameError" in text
    nb["cells"].insert(1, code("import torch"))
    files = {k: v.decode() for k, v in notebook_files(json.dumps(nb).encode(), "hw.ipynb").items()}
    guarded = {**WITH_SUPPORT, "forbidden_imports": ["torch"]}
    refused = run_inside({**files, **SUPPORT}, job("layers", [case("c", APPLE, MUL)], **guarded))
    assert refused.frames[0]["failure"]["code"] == "forbidden_import"


def test_cells_that_need_what_the_data_set_cell_would_have_made_are_notes() -> None:
    """A notebook that trains on MNIST after its layers: the load_mnist cell is a note, and so are the cells
    that then stop on x_train (and on losses, made after x_train in a cell that stopped): one note for them
    all, "not an error", and no second data-set note from the dataset.mnist stand-in. Control: a cell
    stopping on a name no data-set cell would have made stays a warning of its own."""
    code = lambda source: {"cell_type": "code", "source": source}  # noqa: E731
    nb = {
        "cells": [
            code("import numpy as np\nfrom dataset.mnist import load_mnist"),
            code(S.LAYERS),
            code("(x_train, t_train), (x_test, t_test) = load_mnist(one_hot_label=True)"),
            code("n = 3\nx_batch = x_train[:n]\nlosses = []\nfor i in range(2):\n    losses.append(i)"),
            code("print(len(losses))"),
            code("print(undefined_name)"),
        ]
    }
    files = {k: v.decode() for k, v in notebook_files(json.dumps(nb).encode(), "hw.ipynb").items()}
    ran = run_inside({**files, **SUPPORT}, job("layers", [case("c", APPLE, MUL)], **WITH_SUPPORT))
    assert float(ran.record("dapple")) == 2.0
    text = _warnings(ran)
    assert (
        "note: hw.ipynb, code cells 4 and 5 stopped on x_train, losses, which the cell that loads" in text
    ), text
    assert "hw.ipynb, code cell 6 line 1: `print(undefined_name)`: NameError" in text
    assert "note: hw.ipynb, code cell 6" not in text and "undefined_name, which" not in text
    assert text.count("needs a data set") == 1, text  # the cell's note; the stand-in's own is left out


def test_guarded_and_main_imports_are_not_problems(tmp_path: Path) -> None:
    """An import inside `try/except ImportError` or under `if __name__ == "__main__"` is not reported for
    a file the loader did not run; the same import unguarded is (negative control)."""
    (tmp_path / "layer_naive.py").write_text("class MulLayer:\n    pass\n")
    guarded = (
        "try:\n    import cupy as xp\nexcept ImportError:\n    import numpy as xp\n"
        "if __name__ == '__main__':\n    import matplotlib_nonexistent\n"
    )
    (tmp_path / "guarded.py").write_text(guarded)
    (tmp_path / "bare.py").write_text("import cupy_nonexistent\n")
    importable = loading.Importable(str(tmp_path), loading.module_names(["layer_naive.py"]))
    assert loading.static_problem("guarded.py", str(tmp_path), importable) is None
    problem = loading.static_problem("bare.py", str(tmp_path), importable)
    assert problem is not None and "bare.py line 1: `import cupy_nonexistent`" in problem


def test_a_negated_main_guard_is_read_as_python_runs_it_on_import(tmp_path: Path) -> None:
    """The body of `if __name__ != "__main__":` runs on import, so its missing import is a problem; its `else`
    never does, so that one is not (session 36: `!=` was read as `==`, the other way round). A call of
    setup_variable() in that `else` is a call only under the main block; in the body it is not."""
    (tmp_path / "body.py").write_text(
        "if __name__ != '__main__':\n    import cupy_nonexistent\nelse:\n    import matplotlib_nonexistent\n"
    )
    (tmp_path / "other.py").write_text(
        "if __name__ != '__main__':\n    pass\n"
        "else:\n    import matplotlib_nonexistent\n    setup_variable()\n"
    )
    importable = loading.Importable(str(tmp_path), loading.module_names(["body.py", "other.py"]))
    problem = loading.static_problem("body.py", str(tmp_path), importable)
    assert problem is not None and "body.py line 2: `import cupy_nonexistent`" in problem, problem
    assert loading.static_problem("other.py", str(tmp_path), importable) is None
    said = "the `else` of `if __name__ != '__main__':`"  # as the file writes it, never `==` (s38)
    assert loading.called_under_main(str(tmp_path / "other.py"), "setup_variable") == said
    (tmp_path / "called.py").write_text("if __name__ != '__main__':\n    setup_variable()\n")
    assert loading.called_under_main(str(tmp_path / "called.py"), "setup_variable") is None
    (tmp_path / "main.py").write_text("if __name__ == '__main__':\n    setup_variable()\n")
    assert (
        loading.called_under_main(str(tmp_path / "main.py"), "setup_variable")
        == "`if __name__ == '__main__':`"
    )


def test_outline_reads_classes_and_their_own_methods(tmp_path: Path) -> None:
    """Top-level classes and functions with their lines; a class's methods at its first indentation only
    (a function nested in a method is not a method); a file that does not compile is still outlined."""
    src = (
        "import numpy as np\n"  # 1
        "class A:\n"  # 2
        '    """doc"""\n'  # 3
        "    def __int__(self):\n"  # 4
        "        def helper():\n"  # 5
        "            pass\n"  # 6
        "    def forward(self, x):\n"  # 7
        "        return x +\n"  # 8: a syntax error
        "x = 1\n"  # 9
        "    def stray(self):\n"  # 10: after top-level code, not a method of A
        "class A:\n"  # 11
        "    pass\n"  # 12
        "def f():\n"  # 13
        "    pass\n"
    )
    path = tmp_path / "m.py"
    path.write_text(src)
    shape = loading.outline(str(path))
    assert shape.defs == {"A": [("class", 2), ("class", 11)], "f": [("function", 13)]}
    assert shape.classes[0] == ("A", 2, {"__int__": 4, "forward": 7})
    assert (
        "class A is defined twice in m.py (lines 2 and 11)"
        in loading.duplicate_warnings(shape, "m.py", str(path), ())[0]
    )


def test_a_files_outline_is_read_once_until_its_lines_are_read_again(tmp_path: Path) -> None:
    """A load outlines each file twice (the choice of files, then the review): the second is the first's
    outline, not the lines scanned again (~0.8 million instructions a bench file, session 30). Once
    linecache reads the file again (checkcache after it changed on disk), the outline is the new lines'."""
    path = tmp_path / "m.py"
    path.write_text("class A:\n    def forward(self):\n        pass\n")
    first = loading.outline(str(path))
    assert loading.outline(str(path)) is first
    assert first.defs == {"A": [("class", 1)]}
    path.write_text("# moved down\nclass B:\n    pass\ndef f():\n    pass\n")
    linecache.checkcache(str(path))
    again = loading.outline(str(path))
    assert again is not first and again.defs == {"B": [("class", 2)], "f": [("function", 4)]}
    assert loading.outline(str(path)) is again


def test_outline_sees_definitions_that_run_on_import_inside_top_level_blocks(tmp_path: Path) -> None:
    """A definition inside a top-level if/elif/else, try/except/else/finally, with or match block runs on
    import and is in `run_names` (at any depth of such blocks); one under `if __name__ == "__main__":`, in a
    function, a class or a loop is not; the unindented `defs` (duplicate warnings) are unchanged."""
    src = (
        "try:\n"
        "    from dezero import Variable\n"
        "except ImportError:\n"
        "    class Variable:\n"
        "        def backward(self):\n"
        "            class Inner:\n"  # a method's own class: not the module's
        "                pass\n"
        "USE_4D = True\n"
        "if USE_4D:\n"
        "    class Affine:\n"
        "        pass\n"
        "elif USE_4D is None:\n"
        "    def relu(x):\n"
        "        def helper():\n"  # a function's own: not the module's
        "            pass\n"
        "else:\n"
        "    if True:\n"
        "        class Deep:\n"
        "            pass\n"
        "    class Affine:\n"
        "        pass\n"
        "with open(__file__) as f:\n"
        "    class InWith:\n"
        "        pass\n"
        "match USE_4D:\n"
        "    case True:\n"
        "        async def in_case():\n"
        "            pass\n"
        "for i in range(2):\n"
        "    class InLoop:\n"
        "        pass\n"
        "def top():\n"
        "    if True:\n"
        "        class InFunction:\n"
        "            pass\n"
        "class Top:\n"
        "    try:\n"
        "        def method(self):\n"
        "            pass\n"
        "    finally:\n"
        "        pass\n"
        'if __name__ == "__main__":\n'
        "    class Demo:\n"
        "        pass\n"
        "    if True:\n"
        "        class DemoDeep:\n"
        "            pass\n"
        "else:\n"
        "    class Imported:\n"  # the guard's else runs on import
        "        pass\n"
    )
    path = tmp_path / "m.py"
    path.write_text(src)
    shape = loading.outline(str(path))
    assert shape.defs == {"top": [("function", 32)], "Top": [("class", 36)]}
    assert set(shape.nested) == {"Variable", "Affine", "relu", "Deep", "InWith", "in_case", "Imported"}
    assert shape.nested["Affine"] == [("class", 10), ("class", 20)]
    assert shape.run_names == set(shape.nested) | {"top", "Top"}
    assert loading.duplicate_warnings(shape, "m.py", str(path), ()) == []  # if/else Affine: no duplicate


def test_an_elif_main_guard_body_is_not_run_on_import() -> None:
    """`elif __name__ == "__main__":` guards its body as `if` does (a script's demo classes there are not
    the module's); its `else:` and a plain `elif` still run on import."""
    lines = [
        "if USE_GPU:\n",
        "    class OnGpu: pass\n",
        "elif __name__ == '__main__':\n",
        "    class Demo: pass\n",
        'elif ("__main__" == __name__):\n',
        "    class DemoToo: pass\n",
        "else:\n",
        "    class Imported: pass\n",
    ]
    assert set(choice.nested_defs(lines)) == {"OnGpu", "Imported"}


def test_a_missing_class_defined_inside_if_in_another_file_is_found(tmp_path: Path) -> None:
    """A file not preferred that defines a found name at the top level and the missing AddLayer inside an
    `if` (or an `except ImportError:`) is a part of the program, not a copy: it runs and AddLayer is found
    (it was set aside unrun, `missing=['AddLayer']`, when only unindented names counted)."""
    start = S.LAYERS.index("class AddLayer")
    end = S.LAYERS.index("\nclass ", start + 1)
    add = S.LAYERS[start:end]
    main = S.LAYERS[:start] + S.LAYERS[end:]
    indented = "".join("    " + line + "\n" for line in add.splitlines())
    spec = {**WITH_SUPPORT, "modules": ["layers.py"], "required": ["MulLayer", "AddLayer"], "optional": []}
    for block in ("if True:\n", "try:\n    from layers_lib import AddLayer\nexcept ImportError:\n"):
        more = "class MulLayer:\n    pass\n\n\n" + block + indented
        ran = run_inside({"layers.py": main, "more.py": more, **SUPPORT}, job("layers", [], **spec))
        assert ran.loaded["missing"] == [], block


def test_a_fallback_copy_of_a_found_class_in_a_block_makes_no_copy(tmp_path: Path) -> None:
    """A file defining the missing optional AddLayer at the top level, and MulLayer (found) only in an
    `except ImportError:` fallback for `from layers import MulLayer`, is a part of the program: it runs and
    AddLayer is found (it was set aside unrun when nested names counted as found ones, session 30)."""
    start = S.LAYERS.index("class AddLayer")
    end = S.LAYERS.index("\nclass ", start + 1)
    add = S.LAYERS[start:end]
    main = S.LAYERS[:start] + S.LAYERS[end:]
    spec = {**WITH_SUPPORT, "modules": ["layers.py"], "required": ["MulLayer"], "optional": ["AddLayer"]}
    fallback = (
        "try:\n    from layers import MulLayer\nexcept ImportError:\n    class MulLayer:\n        pass\n\n\n"
    )
    ran = run_inside({"layers.py": main, "more.py": fallback + add, **SUPPORT}, job("layers", [], **spec))
    assert ran.loaded["found"]["AddLayer"] == "more.AddLayer"
    copy = "class MulLayer:\n    pass\n\n\n"  # control: a found class at the top level is a copy, unrun
    ran = run_inside({"layers.py": main, "more.py": copy + add, **SUPPORT}, job("layers", [], **spec))
    assert "AddLayer" not in ran.loaded["found"]


def _relu_notebook(sources: list[str]) -> object:
    """The notebook of these code cells, graded on one Relu case (x = [[1, -1]])."""
    nb = {"cells": [{"cell_type": "code", "source": source} for source in sources]}
    files = {k: v.decode() for k, v in notebook_files(json.dumps(nb).encode(), "hw.ipynb").items()}
    relu = case("c", {"x": [[1.0, -1.0]]}, RELU)
    return run_inside({**files, **SUPPORT}, job("layers", [relu], **WITH_SUPPORT))


def test_a_class_below_the_data_set_line_of_its_cell_is_never_defined_and_told_so() -> None:
    """A cell that loads MNIST and then defines Relu: the load stops at load_mnist, so Relu never exists.
    That is no mere note: the warning names Relu and says to move it to a cell of its own, and the missing
    name says where Relu is and why it never ran (not "no class Relu; found ..."). Controls: a data-set cell
    that defines nothing below that line keeps its note; a class below a line that raised for another
    reason says where the cell stopped and why; a class in a cell skipped for its syntax error says so."""
    imports = "import numpy as np\nfrom dataset.mnist import load_mnist"
    head = [imports, S.LAYERS.replace("class Relu", "class R0")]
    load = "(x_train, t_train), (x_test, t_test) = load_mnist(one_hot_label=True)\n\n\n"
    ran = _relu_notebook([*head, load + RELU_CLASS, "relu = Relu()\nx_batch = x_train[:3]"])
    text = _warnings(ran)
    assert "hw.ipynb, code cell 3 line 1: `(x_train, t_train), (x_test, t_test) = load_mnist(" in text, text
    assert "so class Relu below it in that cell never ran: move it to a cell of its own" in text, text
    assert "note: hw.ipynb, code cell 3" not in text  # it costs a class: not "not an error"
    failure = ran.case()["failure"]
    assert failure["code"] == "missing_name" and "found" not in failure["message"]
    at = "never defined: class Relu is at hw.ipynb, code cell 3 line 4, below line 1 of that cell"
    move = "move class Relu to a cell of its own, above the one that loads the data"
    assert at in failure["message"] and move in failure["message"], failure["message"]
    # Control: the class in a cell of its own, below the data-set cell: a note, and Relu is graded.
    ran = _relu_notebook([*head, load, RELU_CLASS])
    assert "note: hw.ipynb, code cell 3 line 1" in _warnings(ran)
    assert ran.record("dx").tolist() == [[1.0, 0.0]]
    # Controls: another exception, and a syntax error, before the class in its cell.
    for before, told in (
        ("relu = Relu()\n", "below line 1 of that cell (`relu = Relu()`), where the cell stopped (NameError"),
        ("for i in range(3)\n    print(i)\n", "in a cell skipped for its syntax error (syntax error in hw"),
    ):
        message = _relu_notebook([*head, before + RELU_CLASS]).case()["failure"]["message"]
        assert "never defined: class Relu is at hw.ipynb, code cell 3 line" in message, message
        assert told in message, message


def test_a_file_python_refuses_whole_is_named_with_the_reason() -> None:
    """A .py holding NUL bytes (UTF-16 without a byte-order mark) is reported by its own name and told to be
    saved as UTF-8; it was "syntax error in ? line 0, column None"."""
    raw = "class MulLayer:\n    pass\n".encode("utf-16-le")  # no byte-order mark: the parent leaves it alone
    ran = run_inside({"layer_naive.py": raw}, job("layers", [], **LAYERS_JOB))
    failure = ran.frames[0]["failure"]
    assert failure["code"] == "syntax_error"
    text = failure["message"]
    assert text.startswith(
        "layer_naive.py cannot be read as Python: source code string cannot contain null bytes"
    )
    assert "save it as UTF-8" in text and "column None" not in text


def test_a_syntax_error_python_explains_gets_no_keyword_guess() -> None:
    """A Python 2 print: Python's own "Did you mean print(...)?" stands, with no "did you mean raise
    instead of price?" from a word of the line; a misspelt keyword is still named (control)."""
    try:
        compile('print "price:", int(price)\n', "x.py", "exec")
    except SyntaxError as exc:
        message = loading.syntax_message(exc, "x.py", "x.py")
    assert "Did you mean print(...)?" in message and "raise" not in message
    assert "(Python 2 code? this grader runs Python 3)" in message
    try:
        compile("f = lamdba x: x\n", "y.py", "exec")
    except SyntaxError as exc:
        assert "(did you mean lambda instead of lamdba?)" in loading.syntax_message(exc, "y.py", "y.py")


@pytest.mark.parametrize(
    ("char", "said"),
    [
        (
            "\u3000",
            "holds U+3000, a full-width space, which an input method for Japanese, Chinese or Korean types",
        ),
        ("\u00a0", "holds U+00A0, a no-break space"),
        ("\u200b", "holds U+200B, an invisible zero-width space"),
        ("\u201c", "holds U+201C, a typographic quote"),
        ("\u2212", "holds U+2212, a minus sign"),
        (
            "\uff08",
            "holds U+FF08, a full-width '（', which an input method types in full-width mode: type `(`",
        ),
    ],
)
def test_a_lookalike_character_is_named_with_the_one_to_type(char: str, said: str) -> None:
    """A full-width space typed by an input method, or a quote or minus sign copied from the book's PDF: the
    message names the character and what to type instead, with no "Python 2 code?" (Python's "invalid
    non-printable character" holds the word "print") and no keyword guess from the line's words."""
    source = "def f(x):\n    y = x ** 2" + char + " # comment\n    return y\n"
    try:
        compile(source, "x.py", "exec")
    except SyntaxError as exc:
        message = loading.syntax_message(exc, "x.py", "x.py")
    assert f"(the line {said}" in message, message  # the line the message names: x.py line 2
    assert "Python 2" not in message and "did you mean" not in message, message


@pytest.mark.parametrize(
    ("line", "held"),
    [
        ("    return f\"variable({str(x).replace('\\n', '\\n' + ' ' * 9)})\"\n", "a backslash"),
        ('    return f"variable({str(x).replace("\\n", " ")})"\n', "the string's own quotes"),
        ('    return f"{d["a"]}"\n', "the string's own quotes"),
    ],
)
def test_an_f_string_of_python_3_12_is_said_so(line: str, held: str) -> None:
    """DeZero's step-19 __repr__ as an f-string holding a backslash or its own quotes (PEP 701, Python 3.12):
    the message says the student's Python accepts it and the grader's does not, with no keyword guess."""
    try:
        compile("def r(x, d):\n" + line, "x.py", "exec")
    except SyntaxError as exc:
        message = loading.syntax_message(exc, "x.py", "x.py")
    assert f"the f-string holds {held} inside its braces, which Python 3.12 and later accept" in message
    assert "did you mean" not in message, message


def test_an_f_string_error_of_any_python_gets_no_newer_syntax_hint() -> None:
    """Control: an f-string refused by every Python (an empty expression) keeps Python's words alone."""
    try:
        compile("y = f'{}'\n", "x.py", "exec")
    except SyntaxError as exc:
        message = loading.syntax_message(exc, "x.py", "x.py")
    assert "f-string" in message and "3.12" not in message, message


def test_an_unknown_invalid_character_gets_no_lookalike_hint() -> None:
    """Control: a character no table names (a snowman) keeps Python's words alone."""
    try:
        compile("y = 2 \u2603 3\n", "x.py", "exec")
    except SyntaxError as exc:
        message = loading.syntax_message(exc, "x.py", "x.py")
    assert "invalid character" in message and "holds U+" not in message, message


def test_tabs_mixed_with_spaces_are_said_so_with_no_keyword_guess() -> None:
    """A MiniFlow file whose one line is indented with a tab among lines indented with spaces (an editor set
    to tabs, a line pasted from elsewhere): Python's TabError stands with how to fix it, and no "did you mean
    False instead of value?" from a word of the line (an indentation error is about whitespace, not words).
    Control: a line indented too far says nothing of tabs."""
    source = "class Sigmoid:\n    def backward(self):\n        g = 1\n\tsigmoid = self.value\n"
    try:
        compile(source, "m.py", "exec")
    except SyntaxError as exc:
        message = loading.syntax_message(exc, "m.py", "m.py")
    assert "inconsistent use of tabs and spaces in indentation" in message
    assert "instead of" not in message
    assert "line 4 is indented with a tab" in message and "indent with spaces only" in message
    try:
        compile("def f():\n    x = 1\n        y = 2\n", "n.py", "exec")
    except SyntaxError as exc:
        message = loading.syntax_message(exc, "n.py", "n.py")
    assert "unexpected indent" in message and "tab" not in message


def _undecodable_message(tmp_path: Path, source: bytes) -> str:
    path = tmp_path / "z.py"
    path.write_bytes(source)
    try:
        compile(source, "z.py", "exec")
    except SyntaxError as exc:
        return loading.syntax_message(exc, "z.py", str(path))
    raise AssertionError("Python decoded it")


def test_a_string_in_another_encoding_is_told_to_be_saved_as_utf8(tmp_path: Path) -> None:
    """A Shift_JIS string literal without a coding line: Python cannot decode it; the message says the file is
    not UTF-8 and how to fix it, not a keyword typo."""
    source = 'price = 220\nprint("価格の合計:", int(price))\n'.encode("shift_jis")
    message = _undecodable_message(tmp_path, source)
    assert "the file is not UTF-8" in message and "# -*- coding: shift_jis -*-" in message
    assert "instead of" not in message


def test_the_coding_line_suggested_is_the_encoding_the_bytes_read_as(tmp_path: Path) -> None:
    """A cp1252 literal ("précis") was told to declare shift_jis, which reads é and the next letter as one
    kanji: the hint names cp1252; GBK's Chinese names gbk. Bytes no encoding reads plausibly get no coding
    line, only the instruction to save as UTF-8."""
    latin = _undecodable_message(tmp_path, 'NOTE = "précis"\n'.encode("cp1252"))
    assert "# -*- coding: cp1252 -*-" in latin and "shift_jis" not in latin
    chinese = _undecodable_message(tmp_path, 'print("计算神经网络的梯度")\n'.encode("gbk"))
    assert "# -*- coding: gbk -*-" in chinese and "shift_jis" not in chinese
    # GBK's common hanzi are valid EUC-KR Hangul too: both are offered, each for its language
    either = _undecodable_message(tmp_path, 'print("计算梯度")\n'.encode("gbk"))
    assert "`# -*- coding: gbk -*-` if it is Chinese" in either and "if it is Korean" in either
    neither = _undecodable_message(tmp_path, b'x = "\xff\xfe\x80\x81"\n')
    assert "save it as UTF-8" in neither and "coding:" not in neither


def test_a_name_the_load_explains_offers_no_near_name() -> None:
    """Relu's class is in a cell skipped for its syntax error, beside a helper function `relu`: the load says
    where Relu is and why it never ran, and offers no near name (the report's "missing: Relu (you defined
    relu)" pointed at the helper). Control: a class misspelt `Reluu` (no reason known) still offers it."""
    helper = "def relu(x):\n    return np.maximum(0, x)\n"
    head = ["import numpy as np\n" + helper, S.LAYERS.replace("class Relu", "class R0")]
    skipped = _relu_notebook([*head, "for i in range(3)\n    print(i)\n" + RELU_CLASS])
    loaded = next(f for f in skipped.frames if f.get("type") == "loaded")
    assert loaded["missing"] == ["Relu"] and loaded["near"] == {"Relu": []}
    typo = _relu_notebook([*head, RELU_CLASS.replace("class Relu", "class Reluu")])
    loaded = next(f for f in typo.frames if f.get("type") == "loaded")
    assert "Reluu" in loaded["near"]["Relu"]


def _without_lines(code):
    """`code` with every instruction's location "none" (kind 15), as Python 3.11 reports some instructions."""
    units, table = len(code.co_code) // 2, bytearray()
    while units > 0:
        n = min(units, 8)
        table.append(0x80 | (15 << 3) | (n - 1))
        units -= n
    return code.replace(co_linetable=bytes(table))


def test_a_module_stopped_where_python_has_no_line_number(tmp_path) -> None:
    """A module frame whose tb_lineno is None (Python 3.11, a signal between two bytecodes: the load budget
    stopping the book's step-43 training loop) is placed at the module's first line: linecache.getline(
    filename, None) raised TypeError ('<=' not supported between instances of 'int' and 'NoneType') and the
    whole load failed."""
    path = tmp_path / "step43.py"
    path.write_text("for i in range(3):\n    raise ValueError('stopped')\n", encoding="utf-8")
    code = _without_lines(compile(path.read_text(encoding="utf-8"), str(path), "exec"))
    stop = None
    try:
        exec(code, {"__name__": "step43"})
    except ValueError as exc:
        try:
            stop = loading.stop_of(exc, str(path), "step43.py", str(tmp_path))
        except TypeError as err:  # reported without the lineless frame, which pytest cannot show either
            raise AssertionError(f"stop_of raised TypeError: {err}") from None
    assert stop is not None and stop.line == 1
    assert stop.where == "step43.py line 1: `for i in range(3):`" and stop.error == "ValueError: stopped"


def test_a_module_in_a_folder_of_its_own_name_is_that_module() -> None:
    """A course repository keeps the lesson in `miniflow/miniflow.py` (nn.py beside it: `from
    miniflow import *`). The file is the module `miniflow`, as `python nn.py` run in that folder has
    it: imported as `miniflow.miniflow`, whose parent Python found as the file itself (its folder is on
    the path), it failed to load and every case with it. Control: `hw/miniflow.py` stays `hw.miniflow`."""
    src = "class Input:\n    pass\n\n\nclass Linear:\n    pass\n"
    load = {"modules": ["miniflow.py"], "required": ["Input", "Linear"]}
    files = {"miniflow/miniflow.py": src, "miniflow/nn.py": "from miniflow import *\n"}
    nested = run_inside(files, job("miniflow", [], **load))
    assert nested.loaded["missing"] == []
    assert nested.loaded["found"]["Input"] == "miniflow.Input"
    other = run_inside({"hw/miniflow.py": src}, job("miniflow", [], **load))
    assert other.loaded["found"]["Input"] == "hw.miniflow.Input"


def test_a_bare_book_module_name_is_importable_only_where_the_root_holds_common(tmp_path: Path) -> None:
    """`from functions import *` and `from layers import *` in a flattened copy of the book's files are fine
    where the root holds the `common` package (the file the loader did not run is not reported); without it
    they are missing modules, and a name that is no book module (`net`) never is one."""
    (tmp_path / "flat.py").write_text("from functions import *\nfrom layers import Relu\n")
    (tmp_path / "other.py").write_text("from net import Net\n")
    importable = loading.Importable(str(tmp_path), loading.module_names(["flat.py", "other.py"]))
    problem = loading.static_problem("flat.py", str(tmp_path), importable)
    assert problem is not None and "no module named 'functions'" in problem  # no common/: nothing answers
    (tmp_path / "common").mkdir()
    for name in ("__init__", "functions"):
        (tmp_path / "common" / f"{name}.py").write_text("")
    assert loading.static_problem("flat.py", str(tmp_path), importable) is None
    missing = loading.static_problem("other.py", str(tmp_path), importable)
    assert missing is not None and "no module named 'net'" in missing


@pytest.mark.parametrize("line", ["%matplotlib inline", "%%time", "!pip install tqdm", "    %timeit f()"])
def test_a_notebook_line_in_a_py_file_is_said_to_be_ipython_syntax(line: str) -> None:
    """A magic or shell line pasted from a notebook into a .py file: the message names it as IPython's and
    says what to do, with no keyword guess from its words; a plain syntax error says nothing of IPython."""
    source = f"import numpy as np\nif True:\n{line}\n" if line.startswith(" ") else f"{line}\nimport numpy\n"
    try:
        compile(source, "nb.py", "exec")
    except SyntaxError as exc:
        message = loading.syntax_message(exc, "nb.py", "nb.py")
    word = line.split()[0]
    assert f"`{word}` is IPython syntax" in message and "hand in the notebook (.ipynb)" in message, message
    assert "instead of" not in message
    try:
        compile("x = = 1\n", "p.py", "exec")
    except SyntaxError as exc:
        assert "IPython" not in loading.syntax_message(exc, "p.py", "p.py")


def test_a_script_exported_from_a_notebook_runs_as_its_cells() -> None:
    """`jupyter nbconvert --to script` output (`# In[2]:` before each cell) whose data-set cell comes before
    the layers: that cell is a note, the layers' cell after it runs and is graded, the cell using x_train
    is one note, and messages cite the file's own lines. Control: the same text without the markers is one
    script, stopped at the load, its layers never defined."""
    exported = (
        "#!/usr/bin/env python\n# coding: utf-8\n\n# # 5章\n\n# In[1]:\n\n\n"
        "import numpy as np\nfrom dataset.mnist import load_mnist\n\n\n# In[2]:\n\n\n"
        "(x_train, t_train), (x_test, t_test) = load_mnist(one_hot_label=True)\n\n\n# In[3]:\n\n\n"
        + S.LAYERS
        + "\n\n# In[ ]:\n\n\nx_batch = x_train[:3]\n"
    )
    ran = run_inside({"hw.py": exported, **SUPPORT}, job("layers", [case("c", APPLE, MUL)], **WITH_SUPPORT))
    assert ran.loaded["missing"] == [] and float(ran.record("dapple")) == 2.0
    text = _warnings(ran)
    batch_line = exported.splitlines().index("x_batch = x_train[:3]") + 1
    assert "note: hw.py line 16: `(x_train, t_train), (x_test, t_test) = load_mnist(" in text, text
    assert f"note: hw.py line {batch_line} stopped on x_train, which the cell that loads" in text, text
    plain = "\n".join(ln for ln in exported.splitlines() if not ln.startswith("# In["))
    ran = run_inside({"hw.py": plain, **SUPPORT}, job("layers", [case("c", APPLE, MUL)], **WITH_SUPPORT))
    assert "MulLayer" in ran.loaded["missing"]


def test_a_copy_set_aside_is_told_why_the_other_one_is_graded() -> None:
    """`backup/miniflow.py` set aside for `lesson/miniflow.py`, which defines the same names: the warning
    says the backup is named as an old copy, not "it defines the most" (untrue of two equal copies).
    Control: a copy set aside for one defining more required names keeps that reason."""
    same = "class Input:\n    pass\n\n\nclass Linear:\n    pass\n"
    files = {"backup/miniflow.py": same, "lesson/miniflow.py": same}
    load = {"modules": ["miniflow.py"], "required": ["Input", "Linear"]}
    ran = run_inside(files, job("miniflow", [], copies={"backup/miniflow.py": "lesson/miniflow.py"}, **load))
    (warning,) = [w for w in ran.loaded["warnings"] if "other copies of miniflow.py" in w]
    assert "lesson/miniflow.py is graded (the others are named as old copies or backups" in warning
    files["backup/miniflow.py"] = "class Input:\n    pass\n"
    ran = run_inside(files, job("miniflow", [], copies={"backup/miniflow.py": "lesson/miniflow.py"}, **load))
    (warning,) = [w for w in ran.loaded["warnings"] if "other copies of miniflow.py" in w]
    assert "(it defines the most of what the assignment grades)" in warning


def test_a_missing_name_is_blamed_only_on_a_failing_file_that_could_have_held_it() -> None:
    """A repository without MulLayer, with a plotting script of another chapter that fails to load (an import
    of a module nobody has): MulLayer is missing_name, its message never naming that script; it was blamed
    on it (code import_error, "...; ch04/plot.py could not be loaded"). Controls: a failing file that names
    MulLayer (buy_apple.py using it after `from layer_naive import *`), or star-imports a module that may
    have held it, is still the cause, with its own code."""
    script = "import numpy as np\nfrom gradient_2d import numerical_gradient\nprint(np.zeros(2))\n"
    without_mul = S.LAYERS.replace("class MulLayer", "class MulLayerDraft")
    files = {"layers.py": without_mul, "ch04/plot.py": script, **SUPPORT}
    ran = run_inside(files, job("layers", [case("c", APPLE, MUL)], **WITH_SUPPORT))
    assert "MulLayer" in ran.loaded["missing"]
    failure = ran.case()["failure"]
    assert failure["code"] == "missing_name" and "plot.py" not in failure["message"], failure
    user = "from layer_naive import *\n\nmul = MulLayer()\nprint(mul.forward(100, 2))\n"
    star = "from my_layers import *\n\nprint('chapter 5')\n"
    for name, source in (("ch05/buy_apple.py", user), ("ch05/demo.py", star)):
        ran = run_inside({**files, name: source}, job("layers", [case("c", APPLE, MUL)], **WITH_SUPPORT))
        failure = ran.case()["failure"]
        assert failure["code"] == "import_error" and name in failure["message"], (name, failure)


def test_a_later_step_graded_for_a_stage_whose_step_is_missing_is_told_so() -> None:
    """Stage step18, a repository with step14, step19 and step22: step19 is graded (for_stage: the next step
    up), and the warning said "(the step the stage grades ...)", untrue. Control: with step 18 itself graded,
    that wording stays; without a stage step, the latest step is graded as before."""
    aside = {"steps/step14.py": "steps/step19.py", "steps/step22.py": "steps/step19.py"}
    (said,) = loading.set_aside_warnings(aside, stage_step="18")
    assert "steps/step19.py is graded (the submission has no step 18, which the stage grades" in said, said
    (said,) = loading.set_aside_warnings(aside, stage_step="19")
    assert "steps/step19.py is graded (the step the stage grades; later steps are set aside)" in said, said
    (said,) = loading.set_aside_warnings({"steps/step14.py": "steps/step19.py"})
    assert "(the latest step the submission has)" in said, said


@pytest.mark.parametrize("package", ["mynet", "layers"])
def test_a_src_layout_package_is_imported_as_installed(package: str) -> None:
    """A repository in the src layout (`src/mynet/__init__.py` doing `from mynet.layers import *`, the package
    its pyproject installs from src/): its own absolute imports find the package, as after `pip install -e .`,
    and the graded file is the module `mynet.layers` (one module, never also `src.mynet.layers`). It was "no
    module named 'mynet' in the submission", every required name missing. A package named as its module
    (`src/layers/layers.py`) too: with the file's own folder first on the path, `layers` was that file, never
    the package."""
    files = {
        "pyproject.toml": '[tool.setuptools.packages.find]\nwhere = ["src"]\n',
        f"src/{package}/__init__.py": f"from {package}.layers import *\n",
        f"src/{package}/layers.py": S.LAYERS,
        **SUPPORT,
    }
    ran = run_inside(files, job("layers", [case("c", APPLE, MUL)], **WITH_SUPPORT))
    assert ran.loaded["missing"] == [] and float(ran.record("dapple")) == 2.0, ran.loaded
    assert ran.loaded["modules"] == {f"{package}.layers": f"src/{package}/layers.py"}, ran.loaded
    assert f"no module named '{package}" not in _warnings(ran)


def test_a_src_folder_without_a_package_is_no_source_root() -> None:
    """Negative control: `src/` holding only modules (no folder with an `__init__.py`) is no src layout; an
    import of a package that is nowhere in the submission is still missing, and said."""
    assert loading_roots(["src/layers.py", "src/util/helpers.py", "app/src/x.py"]) == []
    assert loading_roots(["src/mynet/__init__.py", "lib/src/pkg/__init__.py", "src/__init__.py"]) == [
        "src",
        "lib/src",
    ]
    files = {"src/layers.py": "from mynet.layers import *\n", **SUPPORT}
    ran = run_inside(files, job("layers", [case("c", APPLE, MUL)], **WITH_SUPPORT))
    assert "no module named 'mynet' in the submission" in json.dumps(ran.frames), ran.frames


def loading_roots(files: list[str]) -> list[str]:
    from grader.inside.student import source_roots

    return source_roots(files)


@pytest.mark.parametrize(
    "tool", ["setup.py", "conftest.py", "noxfile.py", "tests/test_layers.py", "layers_test.py"]
)
def test_a_tools_file_missing_its_tool_is_no_warning(tool: str) -> None:
    """A repository's packaging and tests (setup.py importing setuptools, test files importing pytest), never
    run for grading: "no module named 'setuptools' ... (this file was not needed for grading and was not run)"
    told the student nothing to do. Control: an unrun script of the program missing a module is still said."""
    # (a module absent from this test's environment too, where pytest and setuptools are installed)
    files = {"layers.py": S.LAYERS, tool: "import numpy\nfrom build_tool_absent import setup\n", **SUPPORT}
    ran = run_inside(files, job("layers", [case("c", APPLE, MUL)], **WITH_SUPPORT))
    assert float(ran.record("dapple")) == 2.0 and "was not needed for grading" not in _warnings(ran), (
        ran.loaded
    )
    files = {
        "layers.py": S.LAYERS,
        "train.py": "import numpy\nfrom build_tool_absent import setup\n",
        **SUPPORT,
    }
    ran = run_inside(files, job("layers", [case("c", APPLE, MUL)], **WITH_SUPPORT))
    assert "train.py line 2: `from build_tool_absent import setup`: no module named" in _warnings(ran), (
        ran.loaded
    )


@pytest.mark.parametrize("package", [False, True])
def test_a_folder_under_src_that_is_no_package_keeps_its_own_folder_on_the_path(package: bool) -> None:
    """Review of s21-repo, finding 2: once src/ held any package (src/tools/__init__.py), every file two
    folders down got src/ on the path instead of its own folder, and src/hw/layers.py's `from activations
    import ONE` (its sibling src/hw/activations.py) was "no module named 'activations'": 0 points. src/hw/
    without an __init__.py is no package: the file's folder is first, as `python src/hw/layers.py` has it.
    Control: with src/hw/__init__.py it is the installed package hw, imported as `hw.layers`."""
    sibling = "from hw.activations import ONE\n" if package else "from activations import ONE\n"
    files = {
        "src/tools/__init__.py": "",
        "src/tools/util.py": "TWO = 2\n",
        "src/hw/activations.py": "ONE = 1.0\n",
        "src/hw/layers.py": sibling + S.LAYERS,
        **({"src/hw/__init__.py": ""} if package else {}),
        **SUPPORT,
    }
    ran = run_inside(files, job("layers", [case("c", APPLE, MUL)], **WITH_SUPPORT))
    assert ran.loaded["missing"] == [] and float(ran.record("dapple")) == 2.0, ran.loaded
    name = "hw.layers" if package else "src.hw.layers"  # named from the root, as any folder of modules
    assert ran.loaded["modules"] == {name: "src/hw/layers.py"}, ran.loaded


def test_a_src_layout_file_its_package_imported_is_run_once() -> None:
    """Review of s21-repo, finding 3: src/mf/__init__.py's `from mf.layers import *` ran src/mf/layers.py as
    `mf.layers`, and the loader ran it a second time (it looked for `src.mf.layers`): its top-level code
    twice against the load budget, mf.MulLayer another class than mf.layers.MulLayer. The module the package
    imported is the one graded."""
    files = {
        "src/mf/__init__.py": "from mf.layers import *\n",
        "src/mf/layers.py": "print('RUN OF', __name__)\n" + S.LAYERS,
        **SUPPORT,
    }
    ran = run_inside(files, job("layers", [case("c", APPLE, MUL)], **WITH_SUPPORT))
    assert float(ran.record("dapple")) == 2.0, ran.loaded
    assert ran.loaded["modules"] == {"mf.layers": "src/mf/layers.py"}, ran.loaded
    runs = ran.stdout.count("RUN OF") + ran.stderr.count("RUN OF")
    assert runs == 1, (ran.stdout, ran.stderr)


def test_a_root_module_named_as_the_src_package_is_blamed_on_the_students_files() -> None:
    """Review of s21-repo, finding 8: a root mf.py beside src/mf/ (the package) was imported as the package
    and the load failed "(<frozen importlib.util> line 98, in find_spec)", blaming the grader's internals.
    The name `mf` imports the root module first, as Python run from the repository has it: the failure
    names the student's own file."""
    files = {
        "mf.py": "X = 1\n",
        "src/mf/__init__.py": "from mf.layers import *\n",
        "src/mf/layers.py": S.LAYERS,
        **SUPPORT,
    }
    ran = run_inside(files, job("layers", [case("c", APPLE, MUL)], **WITH_SUPPORT))
    (failed,) = [f for f in ran.frames if f.get("type") == "load_failed"]
    said = failed["failure"]["message"]
    assert "<frozen" not in said and "importlib" not in said, said
    assert "(src/mf/__init__.py line 1, in <module>: `from mf.layers import *`)" in said, said


def test_a_class_line_inside_a_string_under_a_top_level_if_is_not_run_for(tmp_path: Path) -> None:
    """notes.py keeps the Mul quiz quoted out in a string under `if SHOW:`: its `    class Mul(Node):` line
    is text, so the file is no part defining the missing Mul and is not run for it (it was: `run_names`
    held Mul). The outline's lines skip the string's; the review's names (`bound`) are what Python binds,
    nested ones with their lines. Control: the same class unquoted under the `if` is bound, at its line."""
    quoted = (
        "SHOW = True\nif SHOW:\n"
        + '    TODO = """\n    class Mul(Node):\n        pass\n    """\n    print(TODO)\n'
    )
    path = tmp_path / "notes.py"
    path.write_text(quoted)
    shape = loading.outline(str(path))
    assert "Mul" not in shape.run_names and shape.bound == {}
    plain = tmp_path / "plain.py"
    plain.write_text(quoted.replace('    TODO = """\n', "").replace('    """\n', ""))
    again = loading.outline(str(plain))
    assert again.run_names == {"Mul"} and again.bound == {"Mul": [("class", 3)]} and again.defs == {}
