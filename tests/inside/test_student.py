"""Loading submissions: layouts, failure codes and messages, demo code at import, near-miss names."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest
from inside_helpers import case, job, run_alone, run_inside
from inside_helpers import students as S

from grader.inside import student

LAYERS_JOB = {
    "modules": ["layers.py", "common/layers.py", "two_layer_net.py", "ch05/two_layer_net.py"],
    "required": ["MulLayer", "Relu", "Affine", "SoftmaxWithLoss"],
    "support_files": {"common/functions.py": "", "common/__init__.py": ""},
}
SUPPORT = {"common/functions.py": S.COMMON_FUNCTIONS, "common/__init__.py": ""}
MUL = [
    {"do": "apply", "op": "MulLayer", "args": ["apple", "apple_num"], "out": "p"},
    {"do": "backward", "of": "p"},
    {"do": "record", "key": "dapple", "grad_of": "apple"},
]
APPLE = {"apple": 100.0, "apple_num": 2.0}


def test_syntax_error_names_file_line_and_text() -> None:
    """Python 2 print fails the load as syntax_error with the file, line, column and the line itself."""
    src = S.LAYERS.replace("class Relu:", 'print "hello"\n\nclass Relu:')
    ran = run_inside({"layers.py": src, **SUPPORT}, job("layers", [], **LAYERS_JOB))
    failure = ran.frames[0]["failure"]
    assert ran.frames[0]["type"] == "load_failed" and failure["code"] == "syntax_error"
    line = src.splitlines().index('print "hello"') + 1
    assert f"layers.py line {line}, column" in failure["message"] and '`print "hello"`' in failure["message"]


def test_import_error_names_module_and_file() -> None:
    """A third-party import at the top fails the load as import_error naming the module and the file."""
    src = "import memory_profiler\n" + S.LAYERS
    ran = run_inside({"layers.py": src, **SUPPORT}, job("layers", [], **LAYERS_JOB))
    failure = ran.frames[0]["failure"]
    assert failure["code"] == "import_error"
    assert "'memory_profiler'" in failure["message"] and "layers.py line 1" in failure["message"]


def test_a_nul_byte_file_imported_by_another_is_not_blamed_on_the_importer() -> None:
    """layers.py imports helpers.py, saved as UTF-16 without a byte-order mark: Python refuses helpers.py
    with no file name. It said "layers.py cannot be read as Python", the file the student had to leave
    alone; now the message names the import that read the refused file."""
    helpers = "def helper():\n    return 1\n".encode("utf-16-le")  # no byte-order mark: left alone
    src = "from helpers import *\n" + S.LAYERS
    files = {"layers.py": src, "helpers.py": helpers, **SUPPORT}
    ran = run_inside(files, job("layers", [], **LAYERS_JOB))
    failure = ran.frames[0]["failure"]
    assert failure["code"] == "syntax_error"
    assert "layers.py cannot be read as Python" not in failure["message"]
    assert "layers.py line 1" in failure["message"] and "from helpers import *" in failure["message"]
    assert "null bytes" in failure["message"] and "save it as UTF-8" in failure["message"]


def test_demo_code_raising_after_definitions_keeps_names() -> None:
    """Missing data, a NumPy name that never existed or exit() after the classes: names kept, a staff note,
    cases still run."""
    tails = [
        "\nimport numpy as np\nnp.no_such_function(np.array([1.0]))\n",
        "\nload_mnist()\n",
        "\nimport sys\nsys.exit(1)\n",
    ]
    for tail in tails:
        ran = run_inside(
            {"layers.py": S.LAYERS + tail, **SUPPORT}, job("layers", [case("c", APPLE, MUL)], **LAYERS_JOB)
        )
        assert ran.loaded["missing"] == [] and len(ran.loaded["notes"]) == 1, tail
        assert "layers.py" in ran.loaded["notes"][0]
        assert float(ran.record("dapple")) == 2.0  # dApple = apple_num (hand-derived)


def test_student_code_using_removed_names_runs_in_the_student_process() -> None:
    """A submission using np.asscalar at import and np.float / np.float_ in a method: before, AttributeError
    at the import (every name after it undefined); now it loads with no failure and computes."""
    source = S.LAYERS.replace(
        "class MulLayer:", "SCALE = np.asscalar(np.array([1.0]))\n\n\nclass MulLayer:"
    ).replace(
        "        self.x = x\n        self.y = y\n",
        "        self.x = np.float(x) * SCALE\n        self.y = np.float_(y)\n",
    )
    assert "np.float(x)" in source and "np.asscalar" in source
    ran = run_inside({"layers.py": source, **SUPPORT}, job("layers", [case("c", APPLE, MUL)], **LAYERS_JOB))
    assert ran.loaded["missing"] == [] and ran.loaded["notes"] == []
    assert float(ran.record("dapple")) == 2.0  # dApple = apple_num (hand-derived)


def test_missing_name_with_near_miss() -> None:
    """A missing required class is listed with near misses; cases needing it fail with missing_name."""
    src = S.LAYERS.replace("class MulLayer", "class Mullayer")
    ran = run_inside({"layers.py": src, **SUPPORT}, job("layers", [case("c", APPLE, MUL)], **LAYERS_JOB))
    assert ran.loaded["missing"] == ["MulLayer"] and ran.loaded["near"]["MulLayer"][0] == "Mullayer"
    failure = ran.case()["failure"]
    assert failure["code"] == "missing_name"
    assert failure["message"].startswith("no class MulLayer in layers.py; found Mullayer")


def test_a_graded_name_is_never_offered_as_the_misspelling_of_another() -> None:
    """MulLayer missing beside AddLayer, which the assignment grades too: AddLayer is no typo of MulLayer
    (DeZero graded at step 40: "missing: Sum (you defined Sub, sub)"), so no near name is offered; control:
    the same file with a misspelt Mullayer offers it."""
    both = {**LAYERS_JOB, "required": [*LAYERS_JOB["required"], "AddLayer"]}
    src = S.LAYERS.replace("class MulLayer", "class Unrelated")
    assert "class AddLayer" in src
    ran = run_inside({"layers.py": src, **SUPPORT}, job("layers", [case("c", APPLE, MUL)], **both))
    assert ran.loaded["missing"] == ["MulLayer"] and "AddLayer" not in ran.loaded["near"]["MulLayer"]
    src = S.LAYERS.replace("class MulLayer", "class Mullayer")
    ran = run_inside({"layers.py": src, **SUPPORT}, job("layers", [case("c", APPLE, MUL)], **both))
    assert ran.loaded["near"]["MulLayer"][0] == "Mullayer"


def test_a_misspelt_class_is_meant_before_a_function_of_the_other_case() -> None:
    """`class Sigmiod` beside the book's helper `def sigmoid`: the class Sigmoid is "did you mean Sigmiod?"
    (it was "did you mean sigmoid?", the function of the same letters), and a missing function prefers the
    function (`sqaure` before the class Square)."""
    assert student.near_names("Sigmoid", ["sigmoid", "MulLayer", "Sigmiod"])[0] == "Sigmiod"
    assert student.near_names("square", ["Square", "sqaure"]) == ["sqaure", "Square"]
    assert student.near_names("MulLayer", ["Mullayer", "mullayer"]) == ["Mullayer", "mullayer"]
    failure = student.missing_failure("Sigmoid", ["layers.py"], ["sigmoid", "MulLayer", "Sigmiod"], None)
    assert (
        failure.message
        == "no class Sigmoid in layers.py; found Sigmiod, sigmoid, MulLayer (did you mean Sigmiod?)"
    )


def test_last_definition_wins() -> None:
    """A class redefined at the bottom of the file shadows the first one, as in Python itself."""
    wrong = (
        "\n\nclass MulLayer:\n    def forward(self, x, y):\n"
        "        self.x, self.y = x, y\n        return x * y\n\n"
        "    def backward(self, dout):\n        return dout * self.x, dout * self.y\n"
    )
    ran = run_inside(
        {"layers.py": S.LAYERS + wrong, **SUPPORT}, job("layers", [case("c", APPLE, MUL)], **LAYERS_JOB)
    )
    assert float(ran.record("dapple")) == 100.0  # the swapped version at the bottom is the one graded


def test_book_layout_with_pardir_and_relative_imports() -> None:
    """common/layers.py with a relative import and ch05/two_layer_net.py using os.pardir both load."""
    files = {
        "common/layers.py": S.LAYERS.replace("from common.functions import", "from .functions import"),
        "ch05/two_layer_net.py": S.TWO_LAYER_NET,
        **SUPPORT,
    }
    ran = run_inside(
        files, job("layers", [], **{**LAYERS_JOB, "required": [*LAYERS_JOB["required"], "TwoLayerNet"]})
    )
    assert ran.loaded["missing"] == []
    assert ran.loaded["found"]["TwoLayerNet"] == "ch05.two_layer_net.TwoLayerNet"
    assert ran.loaded["modules"] == {
        "common.layers": "common/layers.py",
        "ch05.two_layer_net": "ch05/two_layer_net.py",
    }


def test_other_files_searched_only_when_needed() -> None:
    """Names missing from the preferred module are found in other files; an unneeded script is not run."""
    files = {
        "layers.py": S.LAYERS.replace("class Relu", "class Unused"),
        "relu.py": "class Relu:\n    pass\n",
        "zz_train.py": "raise SystemExit('training script ran')\n",
        **SUPPORT,
    }
    ran = run_inside(files, job("layers", [], **LAYERS_JOB))
    assert ran.loaded["found"]["Relu"] == "relu.Relu"
    assert "zz_train" not in ran.loaded["modules"] and ran.loaded["notes"] == []


def test_support_file_shadowing_stdlib_name_and_support_not_graded() -> None:
    """A student module named like a stdlib module (code.py) still loads; support files are not candidates."""
    ran = run_inside({"code.py": S.LAYERS, **SUPPORT}, job("layers", [case("c", APPLE, MUL)], **LAYERS_JOB))
    assert "common.functions" not in ran.loaded["modules"]
    assert float(ran.record("dapple")) == 2.0


def test_missing_messages_offer_nothing_the_stop_explains_and_never_another_wanted_name() -> None:
    """When the load says why a name is missing (the module stopped before it), the names read from the
    source were never defined either and a close name is no typo: neither is offered. A name the assignment
    itself asks for (AddLayer) is never "meant" for another (MulLayer). Control: without a reason, a real
    near miss (Lineer for Linear) is still offered."""
    why = (
        "never defined: the module stopped at line 9 (ZeroDivisionError), before line 20, where class Relu is"
    )
    stopped = student.missing_failure("Relu", ["layers.py"], ["ReLU", "Sigmoid"], None, why)
    assert stopped.message == f"no class Relu in layers.py: {why}"
    other = student.missing_failure(
        "MulLayer", ["layers.py"], ["AddLayer"], None, None, {"MulLayer", "AddLayer"}
    )
    assert "did you mean" not in other.message and "found AddLayer" in other.message
    near = student.missing_failure("Linear", ["mf.py"], ["Lineer"], None, None, {"Linear"})
    assert near.message == "no class Linear in mf.py; found Lineer (did you mean Lineer?)"


def test_a_long_found_list_says_how_many_it_left_out() -> None:
    """Past six names the list says how many more there are, so that none looks absent (Convolution and
    Pooling were silently cut from a dlfs-advanced message). Control: six names are listed whole."""
    eight = ["Relu", "Sigmoid", "Affine", "SoftmaxWithLoss", "Dropout", "BatchNormalization", "Convolution"]
    eight.append("Pooling")
    cut = student.missing_failure("SimpleConvNet", ["layers.py"], eight, None)
    assert cut.message == (
        "no class SimpleConvNet in layers.py; found Relu, Sigmoid, Affine, SoftmaxWithLoss, Dropout, "
        "BatchNormalization and 2 more"
    )
    whole = student.missing_failure("SimpleConvNet", ["layers.py"], eight[:6], None)
    assert whole.message.endswith("found Relu, Sigmoid, Affine, SoftmaxWithLoss, Dropout, BatchNormalization")


def test_input_at_the_top_level_says_why_and_where_to_put_it() -> None:
    """A top-level input() finds nothing to read while grading: the failure says so and points at
    `if __name__ == "__main__":`. Control: another exception at the top level keeps its own words."""
    src = "answer = input('epochs? ')\n" + S.LAYERS
    failure = run_inside({"layers.py": src, **SUPPORT}, job("layers", [], **LAYERS_JOB)).frames[0]["failure"]
    assert "input() found nothing to read (EOFError)" in failure["message"]
    assert 'under `if __name__ == "__main__":`' in failure["message"]
    other = run_inside({"layers.py": "x = 1 / 0\n" + S.LAYERS, **SUPPORT}, job("layers", [], **LAYERS_JOB))
    assert "ZeroDivisionError" in other.frames[0]["failure"]["message"]
    assert "input()" not in other.frames[0]["failure"]["message"]


CORE_SIMPLE = """
class Variable:
    def __init__(self, data):
        self.data = data


def add(x0, x1):
    return Variable(x0.data + x1.data)


def setup_variable():
    Variable.__add__ = add
"""
DEZERO_JOB = {"modules": ["core_simple.py"], "required": ["Variable"]}


def test_setup_variable_never_called_is_called_as_the_package_would() -> None:
    """The book's dezero/core_simple.py leaves setup_variable() to dezero/__init__.py: handed in alone, it is
    called once and a warning says so. Controls: a file that calls it, one whose setup needs an argument,
    and one whose setup raises (said, not fatal)."""
    ran = run_inside({"core_simple.py": CORE_SIMPLE}, job("dezero", [], **DEZERO_JOB))
    said = [w for w in ran.loaded["warnings"] if "setup_variable() is defined but never called" in w]
    assert len(said) == 1 and "dezero/__init__.py" in said[0] and "the grader called it once" in said[0]
    for src in (
        CORE_SIMPLE + "\nsetup_variable()\n",
        CORE_SIMPLE.replace("setup_variable()", "setup_variable(v)"),
    ):
        quiet = run_inside({"core_simple.py": src}, job("dezero", [], **DEZERO_JOB))
        assert not any("setup_variable" in w for w in quiet.loaded["warnings"])
    for raised, said in (("RuntimeError('later')", "RuntimeError: later"), ("SystemExit(3)", "SystemExit")):
        raising = CORE_SIMPLE.replace("    Variable.__add__ = add", f"    raise {raised}")
        ran = run_inside({"core_simple.py": raising}, job("dezero", [], **DEZERO_JOB))
        assert ran.loaded["missing"] == [] and ran.loaded.get("failure") is None, ran.loaded
        assert any(f"calling it raised {said}" in w for w in ran.loaded["warnings"]), ran.loaded["warnings"]


def test_setup_variable_called_under_the_main_guard_is_not_said_never_called() -> None:
    """A self-contained step file calling setup_variable() only under `if __name__ == "__main__":` (sample
    submissions/dezero/step24_setup_under_main.py) was told "setup_variable() is defined but never called
    (the book calls it in dezero/__init__.py, which is not in the submission)": it is called, under a guard
    an import skips. Control: the same call in a function's body is still never called at import."""
    guarded = CORE_SIMPLE + '\nif __name__ == "__main__":\n    setup_variable()\n'
    ran = run_inside({"core_simple.py": guarded}, job("dezero", [], **DEZERO_JOB))
    said = [w for w in ran.loaded["warnings"] if "setup_variable()" in w]
    assert len(said) == 1 and "never called" not in said[0], ran.loaded["warnings"]
    assert "is called only under `if __name__ == '__main__':`" in said[0]
    assert "the grader called it once" in said[0] and said[0].endswith("at module level, above the guard")
    inside = CORE_SIMPLE + "\ndef demo():\n    setup_variable()\n"
    ran = run_inside({"core_simple.py": inside}, job("dezero", [], **DEZERO_JOB))
    assert any("setup_variable() is defined but never called" in w for w in ran.loaded["warnings"])


def test_setup_variable_called_under_the_else_of_a_negated_guard_quotes_that_guard() -> None:
    """Called in the `else` of `if __name__ != "__main__":` (which an import never runs), the warning said
    "is called only under `if __name__ == '__main__':`", a guard the file does not have (sample
    submissions/dezero/step24_setup_under_neq_else.py). It quotes the file's own guard now. Controls: the
    body of `!=` runs at import (no warning), and `==` is quoted as before (the test above)."""
    negated = CORE_SIMPLE + '\nif __name__ != "__main__":\n    pass\nelse:\n    setup_variable()\n'
    ran = run_inside({"core_simple.py": negated}, job("dezero", [], **DEZERO_JOB))
    said = [w for w in ran.loaded["warnings"] if "setup_variable()" in w]
    assert len(said) == 1 and "never called" not in said[0], ran.loaded["warnings"]
    assert "is called only under the `else` of `if __name__ != '__main__':`, which does not run" in said[0]
    assert "`if __name__ == '__main__':`" not in said[0]
    body = CORE_SIMPLE + '\nif __name__ != "__main__":\n    setup_variable()\n'
    ran = run_inside({"core_simple.py": body}, job("dezero", [], **DEZERO_JOB))
    assert not any("setup_variable" in w for w in ran.loaded["warnings"]), ran.loaded["warnings"]


def test_setup_variable_left_uncalled_by_an_init_that_failed_says_so() -> None:
    """dezero/__init__.py is in the submission but stopped before its setup_variable() line (an import of a
    module the student never wrote: `from dezero.dataloaders import DataLoader`): the grader calls it, and
    the warning says the __init__.py stopped before that line, never that it "is not in the submission"."""
    init = "from dezero.core_simple import Variable\nimport dezero.dataloaders\nsetup_variable()\n"
    files = {"dezero/__init__.py": init, "dezero/core_simple.py": CORE_SIMPLE}
    ran = run_inside(files, job("dezero", [], **{**DEZERO_JOB, "modules": ["dezero.py"]}))
    said = [w for w in ran.loaded["warnings"] if "setup_variable() is defined but never called" in w]
    assert len(said) == 1 and "the grader called it once" in said[0], ran.loaded["warnings"]
    assert "not in the submission" not in said[0]
    assert "and dezero/__init__.py stopped before that line" in said[0]


def test_setup_variable_of_the_other_core_that_init_calls_is_named() -> None:
    """dezero/__init__.py left at is_simple_core = True imports and calls core_simple.py's setup_variable():
    core.py's is never called, and the warning says whose __init__.py calls and why, never that it "does not"
    call one. Control: an __init__.py that calls none is still said not to."""
    core = CORE_SIMPLE
    init = (
        "is_simple_core = True\nif is_simple_core:\n    from dezero.core_simple import setup_variable\n"
        "else:\n    from dezero.core import setup_variable\nsetup_variable()\nimport dezero.core\n"
    )
    files = {"dezero/__init__.py": init, "dezero/core_simple.py": CORE_SIMPLE, "dezero/core.py": core}
    ran = run_inside(files, job("dezero", [], **{**DEZERO_JOB, "modules": ["dezero.py"]}))
    said = [w for w in ran.loaded["warnings"] if "setup_variable() is defined but never called" in w]
    assert len(said) == 1 and said[0].startswith("dezero/core.py"), ran.loaded["warnings"]
    assert "dezero/__init__.py calls dezero/core_simple.py's setup_variable()" in said[0]
    assert "which is_simple_core = True imports" in said[0] and "does not" not in said[0]
    silent = {**files, "dezero/__init__.py": "import dezero.core\n"}
    ran = run_inside(silent, job("dezero", [], **{**DEZERO_JOB, "modules": ["dezero.py"]}))
    said = [w for w in ran.loaded["warnings"] if "setup_variable() is defined but never called" in w]
    assert len(said) == 1 and "and dezero/__init__.py does not" in said[0], ran.loaded["warnings"]


def test_graded_classes_built_on_another_definition_of_a_graded_class_are_named() -> None:
    """The book's dezero/__init__.py left at is_simple_core = True past step 32: dezero.Variable is
    core_simple's, while Add (core.py) makes and checks core's Variable, and every case raised
    "<class 'dezero.core_simple.Variable'> is not supported" with nothing saying why. The load says which
    Variable is graded, which classes use another, and the switch. Control: one Variable, no warning."""
    simple = "class Variable:\n    def __init__(self, data):\n        self.data = data\n"
    add = "class Add:\n    def __call__(self, a, b):\n        return Variable(a.data + b.data)\n"
    core = simple + "\n\n" + add
    init = (
        "is_simple_core = True\nif is_simple_core:\n    from dezero.core_simple import Variable\n"
        "else:\n    from dezero.core import Variable\nimport dezero.core\n"
    )
    files = {"dezero/__init__.py": init, "dezero/core_simple.py": simple, "dezero/core.py": core}
    dezero_job = {"modules": ["dezero/__init__.py"], "required": ["Variable", "Add"]}
    ran = run_inside(files, job("dezero", [], **dezero_job))
    said = [w for w in ran.loaded["warnings"] if "mix two versions" in w]
    assert len(said) == 1, ran.loaded["warnings"]
    assert "Variable is graded from dezero/__init__.py" in said[0] and "another Variable" in said[0]
    assert "dezero.core_simple" in said[0] and "Add" in said[0] and "is_simple_core = False" in said[0]
    files["dezero/__init__.py"] = init.replace("= True", "= False")
    ran = run_inside(files, job("dezero", [], **dezero_job))
    assert not any("mix two versions" in w for w in ran.loaded["warnings"]), ran.loaded["warnings"]


def _module_at(name: str, path: str) -> ModuleType:
    module = ModuleType(name)
    module.__file__ = path
    return module


def test_imported_files_finds_modules_added_or_replaced_since_the_worker_forked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A module the submission's code imported is found under the root, even one put in place of a module the
    worker held; a module the worker held is passed over without its attributes read (the fork's pages)."""
    root = os.path.realpath(tmp_path)
    held = _module_at("held_by_worker", os.path.join(root, "held.py"))  # no worker module is there: a probe
    monkeypatch.setitem(sys.modules, "held_by_worker", held)
    monkeypatch.setitem(sys.modules, "json", sys.modules["json"])
    monkeypatch.setattr(student, "_PRELOADED", {})
    student.remember_preloaded()
    assert os.path.join(root, "held.py") not in student.imported_files(root)

    monkeypatch.setitem(sys.modules, "core", _module_at("core", os.path.join(root, "dezero", "core.py")))
    monkeypatch.setitem(sys.modules, "json", _module_at("json", os.path.join(root, "json.py")))
    found = student.imported_files(root)
    assert found == {os.path.join(root, "dezero", "core.py"), os.path.join(root, "json.py")}


def test_imported_files_reads_every_module_before_the_worker_remembers_any(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Control: with nothing remembered, a module under the root is found whoever imported it."""
    root = os.path.realpath(tmp_path)
    monkeypatch.setattr(student, "_PRELOADED", {})
    held = _module_at("held_by_worker", os.path.join(root, "h.py"))
    monkeypatch.setitem(sys.modules, "held_by_worker", held)
    assert student.imported_files(root) == {os.path.join(root, "h.py")}


# Run in a throwaway interpreter: an audit hook cannot be removed (grader/inside/address.py).
PASS_EVENTS = """
import json, sys
from grader.inside import student

student.remember_preloaded()
events = []
sys.addaudithook(lambda event, args: events.append(event))
found = student.imported_files("/nonexistent-root")
print(json.dumps({"found": sorted(found), "events": events}))
"""


def test_the_pass_over_the_workers_modules_raises_no_audit_event(tmp_path: Path) -> None:
    """A student process's pass over the modules the worker held (`imported_files`) raises no audit event:
    `id()` of each raised "builtins.id", and the grader's audit hook ran ~280 times a process."""
    ran = run_alone(PASS_EVENTS, tmp_path)
    assert ran == {"found": [], "events": []}


def _defining(name: str, source: str, **known: object) -> ModuleType:
    module = ModuleType(name)
    module.__dict__.update(known)
    exec(source, module.__dict__)  # a stand-in module of the student's, defined here
    return module


def test_a_name_qualified_by_layers_is_the_layer_class_of_that_name() -> None:
    """DeZero step 44: dezero/functions.py's Linear (a Function, step 43) and dezero/layers.py's Linear (a
    Layer) share the name; "layers.Linear" is the Layer and "Linear" the function, whichever module was loaded
    first. Before, one lookup answered both with the function and every layer case called it; and "Linear"
    was the Layer when layers.py loaded first or no function Linear existed (step 43's composed `linear`
    beside the book's Layer: step43-linear-unit ran the Layer, review of s28-realdz)."""
    functions = _defining("dezero.functions", "class Function: pass\nclass Linear(Function): pass\n")
    layers = _defining("dezero.layers", "class Layer: pass\nclass Linear(Layer): pass\n")
    aliases = {"layers.Linear": ("Linear",), "Linear": ("Linear",)}
    for order in ([functions, layers], [layers, functions]):
        loaded = [student.LoadedModule(f"{m.__name__}.py", m.__name__, m) for m in order]
        names = student.Names(loaded, aliases)
        assert names.get("layers.Linear") is layers.Linear
        assert names.get("Linear") is functions.Linear
    only = student.Names([student.LoadedModule("f.py", "dezero.functions", functions)], aliases)
    assert only.get("layers.Linear") is None and only.get("Linear") is functions.Linear
    layer_only = student.Names([student.LoadedModule("l.py", "dezero.layers", layers)], aliases)
    assert layer_only.get("layers.Linear") is layers.Linear and layer_only.get("Linear") is None
    # control: a family that qualifies no Linear (MiniFlow's Linear may be built on a base named Layer)
    unqualified = student.Names([student.LoadedModule("l.py", "miniflow", layers)], {"Linear": ("Linear",)})
    assert unqualified.get("Linear") is layers.Linear


def test_two_graded_classes_of_one_name_are_no_mixed_versions() -> None:
    """The step-44 package grades the function Linear (dezero/functions.py) and the Layer Linear
    (dezero/layers.py): layers.py's own Linear is the graded layers.Linear, not another version of the
    function, and no 'mix two versions' warning is given (one was, naming Layer and layers.Linear)."""
    functions = "class Function:\n    pass\n\n\nclass Linear(Function):\n    pass\n"
    layers = "from dezero.functions import Function\n\n\nclass Layer:\n    pass\n\n\n"
    layers += "class Linear(Layer):\n    pass\n"
    init = "import dezero.functions\nimport dezero.layers\nfrom dezero.functions import Function, Linear\n"
    init += "from dezero.layers import Layer\n"
    files = {"dezero/__init__.py": init, "dezero/functions.py": functions, "dezero/layers.py": layers}
    required = ["Function", "Linear", "Layer", "layers.Linear"]
    ran = run_inside(files, job("dezero", [], modules=["dezero/__init__.py"], required=required))
    assert ran.loaded["missing"] == [], ran.loaded
    assert not any("mix two versions" in w for w in ran.loaded["warnings"]), ran.loaded["warnings"]


def test_two_lessons_of_one_program_with_their_bases_named_apart_are_mixed_versions() -> None:
    """Udacity's MiniFlow lessons: 01_add's miniflow.py builds Add on Neuron, 07_sgd's (handed in beside it as
    miniflow_final.py) builds every class on Node. Input is graded from miniflow.py, while Linear, Sigmoid,
    MSE were made with miniflow_final's Input: the warning names them though the two versions' bases have
    different names (it was lost when it required the same base names). Control: the later lesson alone."""
    lessons = Path(__file__).resolve().parents[2] / "submissions" / "miniflow" / "lesson_quiz_folders"
    first = (lessons / "01_add" / "miniflow.py").read_text()
    final = (lessons / "07_sgd" / "miniflow.py").read_text()
    required = ["Input", "Linear", "Sigmoid", "MSE", "topological_sort", "forward_and_backward"]
    mixed = job("miniflow", [], modules=["miniflow.py", "miniflow_final.py"], required=required)
    ran = run_inside({"miniflow.py": first, "miniflow_final.py": final}, mixed)
    said = [w for w in ran.loaded["warnings"] if "mix two versions" in w]
    assert len(said) == 1, ran.loaded["warnings"]
    assert "Input is graded from miniflow.py (miniflow's)" in said[0], said[0]
    assert "Linear, Sigmoid, MSE were made with another Input, miniflow_final's" in said[0], said[0]
    alone = job("miniflow", [], modules=["miniflow_final.py"], required=required)
    ran = run_inside({"miniflow_final.py": final}, alone)
    assert not any("mix two versions" in w for w in ran.loaded["warnings"]), ran.loaded["warnings"]


def test_a_stand_in_borrowed_by_an_imported_module_is_never_the_programs_definition(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """layers.py (MulLayer, AddLayer) imports mine.py, whose Relu borrows the grader's stand-in methods;
    an old draft old.py, loaded too, has another MulLayer and a wrong Relu. old.py's Relu contradicts the
    program, so the imported modules were read, and mine.py's Relu was graded: the grader's code, which
    the load's own lookups refuse. Now it is refused there too (old.py's Relu stays graded); control: a
    Relu of the student's own in mine.py is found there."""
    from grader.inside import standins

    root = os.path.realpath(tmp_path)
    grader_layers = _defining("t_standins", "class Relu:\n    def forward(self, x):\n        return x\n")
    registry = standins.Registry(root)
    registry.register(grader_layers)
    mul = "class MulLayer:\n    def forward(self, x, y):\n        return x * y\n"
    layers = _defining("layers", mul + "class AddLayer:\n    pass\n")
    old = _defining("old", mul + "class Relu:\n    pass\n")
    borrowed = _defining("mine", "class Relu:\n    forward = _R.forward\n", _R=grader_layers.Relu)
    own = _defining("mine", "class Relu:\n    def forward(self, x):\n        return x * (x > 0)\n")
    aliases = {n: (n,) for n in ("MulLayer", "AddLayer", "Relu")}
    for module in (layers, old):
        module.__file__ = os.path.join(root, f"{module.__name__}.py")
        monkeypatch.setitem(sys.modules, module.__name__, module)
    for mine, graded in ((borrowed, old.Relu), (own, own.Relu)):
        mine.__file__ = os.path.join(root, "mine.py")
        monkeypatch.setitem(sys.modules, "mine", mine)
        loaded = [student.LoadedModule(f"{m.__name__}.py", m.__name__, m) for m in (layers, old)]
        names = student.Names(loaded, aliases, root=root, standins=registry)
        assert names.get("Relu") is graded, names.locate("Relu")


def test_names_imported_modules_pass_over_the_workers_modules_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Names._imported resolved the file of every module in sys.modules, numpy's included (6 to 16 ms a scan
    of the book's step-46 package, in-process). It now filters as imported_files does: the worker's own
    modules are passed over, and only a file named under the root is resolved; a module the submission's code
    imported since is found (control)."""
    root = os.path.realpath(tmp_path)
    held = _module_at("held_by_worker", os.path.join(root, "held.py"))  # no worker module is there: a probe
    monkeypatch.setitem(sys.modules, "held_by_worker", held)
    monkeypatch.setattr(student, "_PRELOADED", {})
    student.remember_preloaded()
    monkeypatch.setitem(sys.modules, "t_core", _module_at("t_core", os.path.join(root, "dezero", "core.py")))
    names = student.Names([], {}, root=root)
    assert [name for name, _ in names._imported()] == ["t_core"]


def test_a_missing_function_written_in_a_nested_class_is_named_where_it_is() -> None:
    """`missing: topological_sort (you defined ...)`: a method of a class nested in a class
    (`Network.Graph.topological_sort`) or of a class defined inside a module function (`Graph.topological_sort
    inside the function build_graph`, read from the function's code), in the stage line's words (samples
    graph_class_nested.py, graph_class_in_function.py; both were named nowhere). Controls: a top-level class's
    method as before, a function nested in a function (no class) and another method's name are not named."""
    source = (
        "class Graph:\n    def topological_sort(self): pass\n"
        "class Network:\n    class Graph:\n        def topological_sort(self): pass\n"
        "def build_graph():\n    class Graph:\n        def topological_sort(self): pass\n"
        "        def other(self): pass\n    return Graph\n"
        "def helper():\n    def topological_sort(): pass\n"
    )
    module = ModuleType("mf")
    exec(compile(source, "mf.py", "exec"), module.__dict__)
    loaded = SimpleNamespace(module=module)
    assert student._methods_named([loaded], "topological_sort") == [
        "Graph.topological_sort",
        "Network.Graph.topological_sort",
        "Graph.topological_sort inside the function build_graph",
    ]
    assert student._methods_named([loaded], "forward_and_backward") == []


def test_an_object_posing_as_a_function_or_class_is_passed_over_by_the_missing_line() -> None:
    """An object whose `__class__` says FunctionType (its `__code__` None) or `type`, and a class whose
    metaclass's `__module__` raises, are passed over: the load of graph_class_nested.py with such an object
    beside it failed every case with "AttributeError: 'NoneType' object has no attribute 'co_flags'" (s31).
    Control: the nested class's method is still named."""
    source = (
        "import types\n"
        "class Network:\n    class Graph:\n        def topological_sort(self): pass\n"
        "class _AsFunction:\n    __class__ = property(lambda self: types.FunctionType)\n    __code__ = None\n"
        "class _AsClass:\n    __class__ = property(lambda self: type)\n"
        "    __name__ = 'Posed'\n    def __init__(self): self.__dict__['x'] = type('X', (), {})\n"
        "class _Raises(type):\n    @property\n    def __module__(cls): raise RuntimeError('no')\n"
        "as_function, as_class = _AsFunction(), _AsClass()\n"
        "class Odd(metaclass=_Raises): pass\n"
    )
    module = ModuleType("mf")
    exec(compile(source, "mf.py", "exec"), module.__dict__)
    loaded = SimpleNamespace(module=module)
    assert student._methods_named([loaded], "topological_sort") == ["Network.Graph.topological_sort"]


FIRST_USE = r"""
import json, os, sys
from grader.inside import student

root = os.path.realpath(sys.argv[1])
lib = os.path.dirname(os.__file__)
# the standard library's machinery whose first use writes caches and new objects, not the load's own work
watched = {
    ("<frozen abc>", "__instancecheck__"): "abc",
    (os.path.join(lib, "enum.py"), "__call__"): "enum",
    (os.path.join(lib, "signal.py"), "_int_to_enum"): "enum",
}
seen = set()


def profile(frame, event, arg):
    if event == "call":
        what = watched.get((frame.f_code.co_filename, frame.f_code.co_name))
        if what:
            seen.add(what)


sys.setprofile(profile)
loaded = student.load(root, preferred=["miniflow.py"], required=["Linear", "MSE"], aliases={})
sys.setprofile(None)
seen_load, seen = seen, set()
# the control: what a Counter of a generator and signal.signal do run the watched machinery here
sys.setprofile(profile)
from collections import Counter
import signal
Counter(w for w in (1, 2))
signal.signal(signal.SIGALRM, signal.signal(signal.SIGALRM, signal.SIG_DFL))
sys.setprofile(None)
print(json.dumps({"failure": loaded.failure is not None, "load": sorted(seen_load), "control": sorted(seen)}))
"""


def test_a_load_runs_no_first_use_machinery_of_the_standard_librarys(tmp_path: Path) -> None:
    """A student process's load counted the files' ties in a Counter (whose generator argument is first asked
    `isinstance(it, Mapping)`: an ABC check writing its caches) and armed its budget with signal.signal
    (which builds an enum of the handler it returns): in a forked student process each first use wrote ~30
    and ~12 of the worker's pages copy-on-write (session 37: 1,711 -> 1,655 faults a visible process).
    Counted by a profiler in a subprocess (a load installs its hooks for good); the control runs the same
    two standard-library calls after it and sees both."""
    (tmp_path / "miniflow.py").write_text("class Linear:\n    pass\n\nclass MSE:\n    pass\n")
    (tmp_path / "other.py").write_text("class Linear:\n    pass\n")
    out = subprocess.run(
        [sys.executable, "-c", FIRST_USE, str(tmp_path)], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout.splitlines()[-1])
    assert got["failure"] is False, got
    assert got["control"] == ["abc", "enum"], got  # the watch sees them when they run
    assert got["load"] == [], got


def test_a_class_one_file_imports_from_another_is_credited_to_the_file_that_defines_it() -> None:
    """two_layer_net.py (a listed module, loaded) imports the layers from nn_layers.py (not listed): the load
    credited Relu, Affine, SoftmaxWithLoss and MulLayer to two_layer_net.py, and the report's "graded from"
    line named it for them, nn_layers.py among the "other .py files not graded". Now they are credited to
    nn_layers.py, which the load's modules name. Control: TwoLayerNet, defined in two_layer_net.py, stays
    there; the same layers in a listed layers.py were credited to it already."""
    net = (
        "from nn_layers import MulLayer, Relu, Affine, SoftmaxWithLoss\n\n\n"
        "class TwoLayerNet:\n    def __init__(self):\n        self.last = SoftmaxWithLoss()\n"
    )
    files = {"two_layer_net.py": net, "nn_layers.py": S.LAYERS, **SUPPORT}
    layers_job = {**LAYERS_JOB, "optional": ["TwoLayerNet"]}
    ran = run_inside(files, job("layers", [], **layers_job))
    found, modules = ran.loaded["found"], ran.loaded["modules"]
    assert {n: found[n] for n in ("Relu", "Affine", "TwoLayerNet")} == {
        "Relu": "nn_layers.Relu",
        "Affine": "nn_layers.Affine",
        "TwoLayerNet": "two_layer_net.TwoLayerNet",
    }, found
    assert modules.get("nn_layers") == "nn_layers.py" and modules.get("two_layer_net") == "two_layer_net.py"
    listed = run_inside(
        {"two_layer_net.py": net.replace("nn_layers", "layers"), "layers.py": S.LAYERS, **SUPPORT},
        job("layers", [], **layers_job),
    )
    assert listed.loaded["found"]["Affine"] == "layers.Affine", listed.loaded["found"]


def test_a_class_of_a_module_loaded_under_a_name_of_its_own_stays_where_the_parent_keeps_it() -> None:
    """two_layer_net.py loads nn_layers.py as `mylayers` (importlib's recipe: spec_from_file_location, put
    in sys.modules): the layers' `__module__` names no file, and the parent drops a module whose name its
    file's path does not give (grader/sandbox/frames.py `_module_names`), and with it each name credited
    there: Affine left the load's found names (judge/stages.py reads them). Credited to the loaded file
    instead, as before s38-realcode. Control: nn_layers.py imported by its own name is credited to it (the
    test above)."""
    from grader.sandbox.frames import _module_names

    net = (
        "import importlib.util, os, sys\n"
        "_spec = importlib.util.spec_from_file_location(\n"
        "    'mylayers', os.path.join(os.path.dirname(os.path.abspath(__file__)), 'nn_layers.py'))\n"
        "mylayers = importlib.util.module_from_spec(_spec)\n"
        "sys.modules['mylayers'] = mylayers\n_spec.loader.exec_module(mylayers)\n"
        "Relu, Affine = mylayers.Relu, mylayers.Affine\n\n\n"
        "class TwoLayerNet:\n    pass\n"
    )
    files = {"two_layer_net.py": net, "nn_layers.py": S.LAYERS, **SUPPORT}
    ran = run_inside(files, job("layers", [], **{**LAYERS_JOB, "optional": ["TwoLayerNet"]}))
    found, modules = ran.loaded["found"], ran.loaded["modules"]
    for name in ("Relu", "Affine", "TwoLayerNet"):
        module = found[name].rpartition(".")[0]
        assert module in modules and module in _module_names(modules[module]), (name, found, modules)
