"""A load out of time names the submission's large files (grader/large_files.py, grader/pipeline.py)."""

from __future__ import annotations

import json
from pathlib import Path

from grader.large_files import LARGE_BYTES, large_files, size_note
from grader.loaders import SubmissionFiles
from grader.model import CaseOutput, Failure, LoadInfo, RunResult
from grader.pipeline import _size_note
from grader.sandbox.result import AT_IMPORT

# 7 MiB less a few bytes: data pasted into the code
BIG = b"DATA = [\n" + b"    0.1234567890,\n" * ((7 * LARGE_BYTES - 11) // 18) + b"]\n"
STOPPED = "note: loading stopped at data.py line 0, still running after 4 s of loading: code at the top ..."
# grader/sandbox/result.py's words for a phase stopped for time before its first case, and after it
IMPORTING = (
    f"Stopped after 10 s of wall-clock time, computing all along (9.8 s of CPU). Likely a demo {AT_IMPORT}"
)
LATER = (
    "Stopped after 10 s of wall-clock time, computing all along (9.8 s of CPU). Likely a loop that never ends"
)


def _files(**sizes: bytes) -> SubmissionFiles:
    return SubmissionFiles("s", Path("s"), "folder", dict(sizes), "0" * 64)  # type: ignore[arg-type]


def _run(
    warnings: tuple[str, ...] = (), failure: Failure | None = None, case: Failure | None = None
) -> RunResult:
    load = LoadInfo({}, {}, ("Variable",), {}, warnings=warnings)
    outputs = {"step14-x": CaseOutput("step14-x", "error", {}, failure=case)} if case else {}
    return RunResult("bwrap", load, outputs, failure, "", "", 1.0)


def _notebook(code: str, output_bytes: int) -> bytes:
    cell = {"cell_type": "code", "source": code, "metadata": {}, "execution_count": 1}
    cell["outputs"] = [
        {"output_type": "display_data", "metadata": {}, "data": {"image/png": "A" * output_bytes}}
    ]
    return json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode()


def test_a_large_file_is_named_with_its_size_when_the_load_ran_out_of_time():
    """A 7 MiB file of pasted data stopped the load at line 0, still compiling, and the student read only
    "a training loop, a demo" (s35): the parent's note names the file and its size as the likely cause, for
    the load's own stop and for a phase's timeout alike."""
    files = _files(**{"data.py": BIG, "core.py": b"class Variable: pass\n"})
    assert large_files(files.files) == (("data.py", len(BIG)),)
    note = _size_note(files, _run((STOPPED,)))
    assert note is not None and note.startswith("note: data.py is 7.0 MiB: Python compiles a whole file")
    assert "the likely reason the loading ran out of time" in note
    assert _size_note(files, _run(failure=Failure("timeout", IMPORTING))) == note


def test_no_size_note_for_a_timeout_after_the_load_or_a_notebooks_outputs():
    """Review of s35: the note fired on any timeout (one case's) and measured a notebook's raw bytes, so a
    3 MiB notebook of plots that loaded, with one case out of time, was told its size was the likely reason
    the loading ran out of time. Now: only a load out of time, a notebook measured by its code cells.
    Controls: the same large file with its load out of time gets the note; a notebook whose code cells hold
    the data is named."""
    files = _files(**{"data.py": BIG})
    assert _size_note(files, _run(case=Failure("timeout", "the case ran past its 10 s"))) is None
    assert _size_note(files, _run(failure=Failure("timeout", LATER))) is None
    assert _size_note(files, _run(failure=Failure("timeout", IMPORTING))) is not None
    plots = _notebook("class Variable: pass\n", 3 * LARGE_BYTES)
    assert large_files({"hw.ipynb": plots}) == ()
    assert _size_note(_files(**{"hw.ipynb": plots}), _run((STOPPED,))) is None
    data = "DATA = [" + "0.1234567890, " * (2 * LARGE_BYTES // 14) + "]\n"  # 2 MiB on one line
    pasted = _notebook(data, 0)
    ((name, size),) = large_files({"hw.ipynb": pasted})
    assert name == "hw.ipynb" and len(data) <= size < len(data) + 100


def test_no_size_note_without_a_large_file_or_a_load_out_of_time():
    """Controls: a small file whose load ran out of time (a loop: the loop's note says so), a large file
    that loaded in time, and a large data file that is no source file get no note."""
    small = _files(**{"core.py": b"while True:\n    pass\n"})
    assert _size_note(small, _run((STOPPED,))) is None
    big = _files(**{"data.py": BIG})
    assert _size_note(big, _run()) is None
    assert _size_note(big, _run(failure=Failure("exception", "boom"))) is None
    assert large_files({"weights.npy": BIG, "data.py": b"x = 1\n"}) == ()
    assert size_note(()) is None


# grader/sandbox/result.py's words for a phase stopped by its wall limit while loading, having computed less
# than half of it (a wall limit shorter than the load's 4 s budget, on a loaded machine): no AT_IMPORT
WAITED = (
    "Stopped after 3 s of wall-clock time while loading the submission. Likely an endless loop that waits "
    "(sleep, input(), a lock) or code that blocks."
)


def test_a_wall_limit_shorter_than_the_load_budget_still_gets_the_note():
    """A 7 MiB file still compiling when a 3 s wall limit (shorter than the load's 4 s) stopped its phase,
    with under half of it on the CPU (measured: the message WAITED, no size note, on main); the note is
    made for any phase stopped for time while loading. Control: a phase stopped by its wall limit after its
    load (a case's) gets none."""
    files = _files(**{"data.py": BIG, "core.py": b"class Variable: pass\n"})
    note = _size_note(files, _run(failure=Failure("timeout", WAITED)))
    assert note is not None and note.startswith("note: data.py is 7.0 MiB: Python compiles a whole file")
    running = WAITED.replace("while loading the submission", "while running case 'step14-x'")
    assert _size_note(files, _run(failure=Failure("timeout", running))) is None


def test_with_a_top_level_loop_the_note_blames_no_file_over_it():
    """A large file beside a file that loops at its top level (`while True:`): the loading may have run out
    of time in the loop, and the large file may never have been imported; the note says so (it said the
    size was the likely reason, "more than any loop"). Control: the same large file without the loop keeps
    that wording, and the loop is read from the parent's parse of the other files."""
    looping = _files(**{"data.py": BIG, "train.py": b"import numpy\nwhile True:\n    pass\n"})
    note = _size_note(looping, _run((STOPPED,)))
    assert note is not None and note.startswith("note: data.py is 7.0 MiB: Python compiles a whole file")
    assert "more than any loop" not in note and "likely reason" not in note
    assert "may be why the loading ran out of time if the loading imported it" in note
    assert "a loop at the top level of a file may be, too" in note
    quiet = _files(**{"data.py": BIG, "train.py": b"import numpy\nx = 1\n"})
    assert "the likely reason the loading ran out of time" in (_size_note(quiet, _run((STOPPED,))) or "")
