"""grader/flags/source.py PRELOADED: the modules the student's process has imported when a submission's first
line runs, measured in the worker's own student process (bubblewrap), so the list the flags read as never
the submission's own is what Python really finds first."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.flags.scan import scan_submission
from grader.flags.source import NEVER_LOCAL, PRELOADED, flagged_local_names

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    'import sys\nprint("PRELOADED", " ".join(sorted({m.split(".")[0] for m in sys.modules})), flush=True)\n'
)


@pytest.mark.skipif(shutil.which("bwrap") is None, reason="needs bubblewrap (the worker's sandbox)")
def test_preloaded_is_what_the_student_process_has_imported(tmp_path: Path) -> None:
    """A probe graded as a miniflow submission prints the top-level modules loaded before its first line;
    PRELOADED must be exactly those (but __main__ and the probe itself)."""
    probe = tmp_path / "probe.py"
    probe.write_text(PROBE, encoding="utf-8")
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = ["grade", "miniflow", str(probe), "--isolation", "bwrap", "--seed", "1", "--out", str(out)]
    done = subprocess.run(
        [sys.executable, "-m", "grader", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    details = json.loads((out / "report.json").read_text(encoding="utf-8"))["staff"]["details"]
    printed = [
        line for text in details.values() for line in text.splitlines() if line.startswith("PRELOADED ")
    ]
    assert printed, details
    measured = frozenset(printed[0].split()[1:]) - {"__main__", "probe"}
    assert measured == PRELOADED, (
        f"not in PRELOADED: {sorted(measured - PRELOADED)}; no longer loaded: {sorted(PRELOADED - measured)}"
    )


@pytest.mark.parametrize("name", ["code", "profile", "trace", "random", "queue", "string", "graphlib"])
def test_a_standard_name_not_yet_imported_is_still_read_as_the_library(name: str) -> None:
    """None of these is imported in the student process before the submission (the review's probe2.py), so
    `import NAME` finds a NAME.py of the submission first, but only while its folder is first on sys.path:
    read as the submission's own, a decoy `code.py` let the library's code.InteractiveInterpreter run a
    hidden backward with no flag (review of session 19). Every standard module's name is the library's.
    Control: a name no module of the library has is the submission's own."""
    assert name in NEVER_LOCAL
    assert name not in flagged_local_names([f"{name}/__init__.py", f"{name}.py"])
    assert "layers" in flagged_local_names(["layers.py"])


# a call each library module's rule flags (grader/flags/runners.py, runtime.py), and a stand-in of that name
CALLS = {
    "code": "code.interact()",
    "profile": "profile.run('x = 1')",
    "trace": "trace.Trace().runctx('x = 1')",
}


DECOY = b"""import os, sys
_here = os.path.realpath(os.path.dirname(os.path.abspath(__file__)))
_saved = sys.path[:]
sys.path[:] = [p for p in sys.path if os.path.realpath(p) != _here]
import code
sys.path[:] = _saved
code.InteractiveInterpreter({}).runcode("x = 1")
"""


@pytest.mark.parametrize("name", sorted(CALLS))
def test_a_module_named_like_the_library_does_not_hide_the_librarys_calls(name: str) -> None:
    """A submission's own `code.py` (or `profile.py`, `trace.py`) beside a call the library's module would
    make is flagged as with no such file: the file may be a decoy, the library reached past it (the review's
    codeshadow: an empty code.py, sys.path without the submission's folder for one import, a backward run
    by code.InteractiveInterpreter, 43 of 43 and no flag). The price: an honest repo's own module of that
    name calling a function of the same name is flagged too (a prompt for staff)."""
    main = f"import {name}\n{CALLS[name]}\n".encode()
    alone = [f.code for f in scan_submission({"m.py": main})]
    assert alone == ["dynamic_code"]
    own = b"def interact():\n    pass\ndef run(s):\n    pass\n"
    own += b"class Trace:\n    def runctx(self, s):\n        pass\n"
    assert [f.code for f in scan_submission({"m.py": main, f"{name}.py": own})] == alone
    assert [f.code for f in scan_submission({"m.py": main, f"{name}/__init__.py": own})] == alone


def test_the_reviews_decoy_code_module_is_flagged() -> None:
    """The review's reproducer itself: an empty code.py of notes beside the import past it."""
    files = {"miniflow.py": DECOY, "code.py": b"# scratch notes for the homework\n"}
    assert "dynamic_code" in {f.code for f in scan_submission(files)}


def test_the_names_found_before_the_submission_stay_the_librarys() -> None:
    """Negative control: preloaded (pickle, inspect), builtin (gc, marshal), frozen (site, runpy) and numpy
    are never the submission's, whatever files it has."""
    for name in ("pickle", "inspect", "gc", "marshal", "site", "runpy", "numpy"):
        assert name in NEVER_LOCAL, name
        assert name not in flagged_local_names([f"{name}.py"]), name


GUARD_CLEARED = b"from inside import shipped\nshipped._ROOTS.clear()\n"


@pytest.mark.parametrize(
    "line",
    [
        b"from inside import shipped\n",
        b"import inside.shipped as s\n",
        b"from inside.lazy_annotations import install\n",
    ],
)
def test_an_import_of_the_graders_runtime_is_flagged_whatever_files_the_submission_has(line: bytes) -> None:
    """The guard runs in the student's process (review's guard_cleared.py: `shipped._ROOTS.clear()` turned it
    off, 43/43 and no flag): reaching the grader's runtime by name is flagged, even beside a folder
    `inside/` or a `grader.py` of the submission's."""
    alone = [f.code for f in scan_submission({"m.py": line})]
    assert alone == ["runtime_introspection"], alone
    decoys = {"inside/__init__.py": b"", "inside/shipped.py": b"", "grader.py": b""}
    assert [f.code for f in scan_submission({"m.py": line, **decoys})] == alone


@pytest.mark.parametrize("line", [b"import grader\n", b"from grader.inside import shipped\n"])
def test_the_parents_package_is_flagged_unless_the_submission_has_its_own(line: bytes) -> None:
    """`grader` is on no sys.path of the student's process: alone it is flagged (the parent's package by
    name), beside the submission's own grader.py it is that file, an honest repo's (review of s19)."""
    assert [f.code for f in scan_submission({"m.py": line})] == ["runtime_introspection"]
    assert scan_submission({"m.py": line, "grader.py": b"def check():\n    pass\n"}) == ()
    assert scan_submission({"m.py": line, "grader/__init__.py": b"", "grader/inside.py": b""}) == ()


def test_names_like_the_runtimes_are_not_flagged() -> None:
    """Negative control: another module (`insider`), and `inside` imported from the submission's own
    package, are not the grader's runtime."""
    files = {"m.py": b"import insider\nfrom helpers import inside\n", "insider.py": b"", "helpers.py": b""}
    assert scan_submission(files) == ()
    assert scan_submission({"m.py": b"import insider\n"}) == ()
