"""The records where text from a submission enters the parent normalise it once (grader/untrusted.py)."""

from __future__ import annotations

import numpy as np

from grader import untrusted
from grader.model import Case, CaseOutput, Failure, LoadInfo, RunResult, Tolerance
from grader.untrusted import TRUNCATED

ESC = "\x1b"


def test_failure_fields_are_cleaned_and_capped() -> None:
    """A message with a fake PASS line, a title and a lone surrogate becomes inert text; detail is capped."""
    f = Failure("exception", f"boom{ESC}[2K\r{ESC}[32mPASS{ESC}[0m{ESC}]0;t\x07 \udcff", "x" * 100_000)
    assert f.message == "boom\nPASS \ufffd"
    assert len(f.detail) == untrusted.DETAIL.chars and f.detail.endswith(TRUNCATED)
    assert f.to_dict()["message"] == "boom\nPASS \ufffd"


def test_ordinary_failure_is_unchanged() -> None:
    """Negative control: a grader-written failure keeps every character."""
    f = Failure("timeout", "your code ran longer than 10 s (José's Linear.backward)", "killed after 10 s")
    assert (f.code, f.message, f.detail) == (
        "timeout",
        "your code ran longer than 10 s (José's Linear.backward)",
        "killed after 10 s",
    )


def test_load_info_caps_every_list_and_name() -> None:
    """A frame-size flood of names: lists and maps capped at MAX_ITEMS (near lists at MAX_NEAR), every name
    one clean line, the cut marked."""
    many = tuple(f"Name{i}\n{ESC}[1m" for i in range(100_000))
    info = LoadInfo(
        modules={f"m{i}": f"m{i}.py" for i in range(5000)},
        found={"Linear": "miniflow.Linear"},
        missing=many,
        near={f"Miss{i}": many for i in range(500)},
        notes=tuple("n\n" * 10_000 for _ in range(1000)),
    )
    assert len(info.missing) == untrusted.MAX_NAMES and info.missing[0] == "Name0<U+000A><U+001B>[1m"
    assert info.missing[-1] == f"{TRUNCATED} {100_000 - untrusted.MAX_NAMES + 1} more"
    assert len(info.modules) == untrusted.MAX_NAMES and len(info.near) == untrusted.MAX_NAMES
    assert all(len(v) == untrusted.MAX_NEAR for k, v in info.near.items() if not k.startswith(TRUNCATED))
    assert len(info.notes) == untrusted.MAX_ITEMS and info.notes[0].count("\n") < untrusted.MESSAGE.lines
    assert info.found == {"Linear": "miniflow.Linear"}


def test_load_info_keeps_every_name_a_late_stage_asks_for() -> None:
    """DeZero's step 42 asks for 33 required names and 2 optional classes; found was cut at 32, so Exp, the
    last, was never "found" and exp-unit said "Exp is optional at stage step42 and your code does not define
    it" of a dezero/functions.py defining it. Every stage's names fit (and the modules of a package)."""
    from grader.assignments import load_assignment

    names = [f"Name{i}" for i in range(40)]
    info = LoadInfo(
        modules={f"m{i}": f"m{i}.py" for i in range(40)},
        found={n: f"m.{n}" for n in names},
        missing=tuple(names),
        near={},
    )
    assert list(info.found) == names and list(info.missing) == names and len(info.modules) == 40
    for assignment in ("dezero", "miniflow", "dlfs-layers", "dlfs-advanced"):
        a = load_assignment(assignment)
        for stage in a.stages:
            assert (
                len({*a.required, *a.optional, *stage.requires, *stage.optional_classes})
                <= untrusted.MAX_NAMES
            )


def test_case_output_and_run_result_text() -> None:
    """Case ids and mutated names are names; captured output is capped per stream, CR LF becomes LF."""
    out = CaseOutput("case\x00-1", "ok", {"dx": np.ones(2)}, mutated=("x\x1b[1m",))
    assert (out.case_id, out.mutated) == ("case<U+0000>-1", ("x<U+001B>[1m",))  # controls shown, never run
    run = RunResult("bwrap", None, {}, None, "line\r\n" * 110_000, "err\x07", 0.1)
    assert run.stdout.count("\n") == untrusted.OUTPUT.lines - 1 and run.stdout.endswith(TRUNCATED)
    assert run.stderr == "err"


def test_a_cases_record_steps_are_read_once_a_run():
    """The judge asks each case for its record steps in every submission and again for each failing record:
    one dict a case, the record steps by key in the steps' order."""
    steps = ({"do": "apply", "op": "Linear"}, {"do": "record", "key": "dW"}, {"do": "record", "key": "cost"})
    case = Case("c", "c", "graph", None, {}, steps, {}, Tolerance(), 1.0)
    assert case.record_steps() is case.record_steps()
    assert case.record_steps() == {"dW": steps[1], "cost": steps[2]} and list(case.record_steps()) == [
        "dW",
        "cost",
    ]
