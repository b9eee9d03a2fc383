"""The load's time budget: top-level code still running when it is spent (a training loop pasted below the
classes, with no `if __name__ == "__main__":`) is stopped, and the names defined above it are graded."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import pytest
from inside_helpers import case, job, run_inside
from inside_helpers import students as S

from grader.inside import budget, loading, student

LOOP = "\nsteps = 0\nwhile True:\n    try:\n        steps += 1\n    except Exception:\n        pass\n"


def test_arm_stops_a_loop_and_leaves_no_timer_behind() -> None:
    """The stop is a BaseException (a loop's `except Exception` does not swallow it); afterwards no timer
    is armed and SIGALRM's handler is what it was."""
    before = signal.getsignal(signal.SIGALRM)
    with (
        pytest.raises(budget.LoadTooLong, match=r"still running after 0\.2 s of loading"),
        budget.Budget(0.2).arm(),
    ):
        exec(compile(LOOP, "<loop>", "exec"), {})
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is before


def test_a_file_that_finishes_in_time_is_not_stopped() -> None:
    with budget.Budget(5.0).arm():
        total = sum(range(1000))
    assert total == 499500 and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_import_file_keeps_the_names_above_the_loop(tmp_path: Path) -> None:
    """Before the budget such a file ran until the phase's wall clock ran out: every case timed out."""
    src = "class Linear:\n    pass\n" + LOOP + "\nclass MSE:\n    pass\n"
    (tmp_path / "mf_budget_probe.py").write_text(src)
    try:
        loaded = student.import_file("mf_budget_probe.py", str(tmp_path), time=budget.Budget(0.3))
    finally:
        sys.modules.pop("mf_budget_probe", None)
    assert loaded.module is not None and loaded.failure is None
    assert hasattr(loaded.module, "Linear") and not hasattr(loaded.module, "MSE")
    assert loaded.stop is not None and loaded.stop.too_long and not loaded.stop.data_set
    assert loaded.stop.line in range(5, 10)  # inside the loop, never "raised in" some library
    assert "raised in" not in loaded.stop.error
    # the staff note in the budget's words, never the grader's class name (it read "LoadTooLong: ...")
    assert loaded.note is not None and "LoadTooLong" not in loaded.note
    assert loaded.note.startswith("mf_budget_probe.py was stopped at import after defining its names")
    assert "still running after 0.3 s of loading" in loaded.note


def test_a_training_loop_at_import_is_a_note_and_a_class_below_it_is_never_defined() -> None:
    """End to end in the student's process (budget.LOAD_SECONDS of loop): Relu, Affine and SoftmaxWithLoss
    above the loop are found; MulLayer below it is missing, told where the module stopped."""
    mul, add = S.LAYERS.index("class MulLayer"), S.LAYERS.index("class AddLayer")
    src = S.LAYERS[:mul] + S.LAYERS[add:] + LOOP + "\n\n" + S.LAYERS[mul:add]
    files = {"layers.py": src, "common/functions.py": S.COMMON_FUNCTIONS, "common/__init__.py": ""}
    load = {
        "modules": ["layers.py"],
        "required": ["MulLayer", "Relu", "Affine", "SoftmaxWithLoss"],
        "support_files": {"common/functions.py": "", "common/__init__.py": ""},
    }
    mul_case = [
        {"do": "apply", "op": "MulLayer", "args": ["apple", "apple_num"], "out": "p"},
        {"do": "backward", "of": "p"},
        {"do": "record", "key": "dapple", "grad_of": "apple"},
    ]
    ran = run_inside(files, job("layers", [case("c", {"apple": 100.0, "apple_num": 2.0}, mul_case)], **load))
    assert ran.loaded["missing"] == ["MulLayer"]
    text = "\n".join(ran.loaded["warnings"])
    assert "note: loading stopped at layers.py line" in text and "still running after 4 s of loading" in text
    assert 'Put that code under `if __name__ == "__main__":`' in text
    message = ran.case()["failure"]["message"]
    assert "never defined: the module stopped at line" in message and "where class MulLayer is" in message


def test_a_stop_inside_a_compiled_extension_is_not_placed_in_the_submission(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """np.random.choice raising at import: its frame is NumPy's Cython file, whose name is relative
    ("numpy/random/mtrand.pyx"); resolved against the submission's folder (the student process's working
    directory) it read as the student's own file: "(raised in ..., numpy/random/mtrand.pyx line 1006)"."""
    monkeypatch.chdir(tmp_path)
    src = "import numpy as np\n\n\nclass Linear:\n    pass\n\n\nidx = np.random.choice(0, 3)\n"
    (tmp_path / "mf_choice_probe.py").write_text(src)
    try:
        loaded = student.import_file("mf_choice_probe.py", str(tmp_path))
    finally:
        sys.modules.pop("mf_choice_probe", None)
    assert loaded.stop is not None and loaded.stop.line == 8 and not loaded.stop.too_long
    assert loaded.stop.error.startswith("ValueError") and "mtrand" not in loaded.stop.error


def test_a_notebook_cell_stopped_is_not_told_to_use_a_main_guard() -> None:
    """In Jupyter `__name__` is "__main__" and every cell runs when graded: a file's advice is wrong there."""
    where = "hw.ipynb, code cell 13 line 13: `train()`"
    stop = loading.Stop(13, where, "still running after 4 s of loading", data_set=False, too_long=True)
    cell = loading.cell_error(stop)
    assert (
        cell.startswith("note: loading stopped at hw.ipynb, code cell 13 line 13") and "__main__" not in cell
    )
    assert "every cell runs when the notebook is graded" in cell and "not an error" in cell
    assert "__main__" in loading.too_long_note(stop)
