"""Type hints naming a class defined further down load as Python 3.14 runs them.

See grader/inside/lazy_annotations.py.
"""

from __future__ import annotations

import json

from inside_helpers import APPLE, MUL, MUL_JOB, case, job, run_inside
from inside_helpers import students as S

from grader.inside import lazy_annotations
from grader.loaders import notebook_files

# A hint naming a class defined below the def: NameError when the def runs on Python 3.13 and earlier.
HINTED = (
    "class Before:\n    def use(self, other: After) -> After:\n        return other\n\n\n"
    "class After:\n    pass\n\n\n"
)


def test_a_module_and_the_package_it_imports_run_with_forward_references() -> None:
    """layers.py and mynet/core.py (imported by layers.py through Python's own import) both hint a class
    defined below: both load, MulLayer is graded (dApple = apple_num, FACTS.md)."""
    files = {
        "layers.py": HINTED + "from mynet.core import *\n",
        "mynet/__init__.py": "",
        "mynet/core.py": HINTED + S.LAYERS,
    }
    ran = run_inside(files, job("layers", [case("c", APPLE, MUL)], **MUL_JOB))
    assert ran.loaded["missing"] == [], ran.loaded
    assert not any("NameError" in w for w in ran.loaded["warnings"]), ran.loaded["warnings"]
    assert float(ran.record("dapple")) == 2.0


def test_a_notebook_cell_runs_with_forward_references() -> None:
    """A notebook's cells are compiled one by one with the same flag: MulLayer, below the hinted class in the
    same cell, is defined (the cell stopped at the hint before)."""
    cells = ["import numpy as np", HINTED + S.LAYERS]
    nb = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {},
        "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "source": c} for c in cells],
    }
    files = {k: v.decode() for k, v in notebook_files(json.dumps(nb).encode(), "hw.ipynb").items()}
    ran = run_inside(files, job("layers", [case("c", APPLE, MUL)], modules=["hw.py"], required=["MulLayer"]))
    assert ran.loaded["missing"] == [], ran.loaded
    assert float(ran.record("dapple")) == 2.0


def test_a_zip_under_the_root_is_still_imported_by_zipimport() -> None:
    """Negative control of the path hook: a zip of the submission put on sys.path (`sys.path.insert(0,
    'plotting.zip')`, sample submissions/miniflow/zipped_module_import) is zipimport's, never a folder's
    finder: the layer inside it is graded (the hook took it, found nothing, the module was not found)."""
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("inner.py", S.LAYERS)
    files = {
        "layers.py": "import os, sys\n"
        "sys.path.insert(0, os.path.join(os.path.dirname(__file__), 'lib.zip'))\nfrom inner import *\n",
        "lib.zip": buf.getvalue(),
    }
    ran = run_inside(files, job("layers", [case("c", APPLE, MUL)], **MUL_JOB))
    assert ran.loaded["missing"] == [], ran.loaded
    assert float(ran.record("dapple")) == 2.0


def test_the_flag_defers_only_annotations() -> None:
    """Negative control: an annotation is never evaluated, but any other name still is (a real NameError
    stays one), and the annotation is kept as its text."""
    code = lazy_annotations.compile_source("def f(x: Later) -> None:\n    pass\n", "x.py")
    namespace: dict[str, object] = {}
    exec(code, namespace)
    assert namespace["f"].__annotations__ == {"x": "Later", "return": "None"}  # type: ignore[attr-defined]
    code = lazy_annotations.compile_source("y = Later\n", "x.py")
    try:
        exec(code, {})
    except NameError:
        pass
    else:
        raise AssertionError("a name outside an annotation must still be evaluated")


def test_a_sourceless_pyc_of_the_submission_still_imports(tmp_path) -> None:
    """The path hook keeps Python's other loaders for the submission's folders: a helper shipped as a .pyc
    alone (no .py beside it) imports as it did before the hook (it was "no module named 'helper' in the
    submission", 0 points: review). Negative control: without the .pyc the import fails."""
    import py_compile

    source = tmp_path / "helper.py"
    source.write_text("SCALE = 2.0\n")
    built = py_compile.compile(str(source), cfile=str(tmp_path / "out.pyc"), doraise=True)
    files = {"layers.py": "from helper import SCALE\n" + S.LAYERS}
    ran = run_inside(
        {**files, "helper.pyc": (tmp_path / "out.pyc").read_bytes()},
        job("layers", [case("c", APPLE, MUL)], **MUL_JOB),
    )
    assert built and ran.loaded["missing"] == [], ran.loaded
    assert ran.record("dapple", "c").item() == 2.0
    ran = run_inside(files, job("layers", [case("c", APPLE, MUL)], **MUL_JOB))
    first = ran.frames[0]
    assert first["type"] == "load_failed" and "no module named 'helper'" in first["failure"]["message"], first


# Run in a throwaway interpreter: `install` adds a path hook to the process for good.
INSTALL_AFTER_FORK = """
import json, os, posixpath, sys
from grader.inside import lazy_annotations

root, outside, link = sys.argv[1:4]
sys.path[:0] = [os.path.join(root, "early"), outside]
import early_mod, outside_mod  # noqa: the worker's cache: one entry under the root, one outside it
lazy_annotations.remember_resolved()  # the worker, before it forks
sys.path.insert(0, link)  # after the fork: a symlink outside the root that leads into it
import linked_mod  # noqa
resolved = []
real = posixpath.realpath
posixpath.realpath = os.path.realpath = lambda p, **kw: resolved.append(p) or real(p, **kw)
lazy_annotations.install(root)
posixpath.realpath = os.path.realpath = real
cache = sys.path_importer_cache
kept = [e for e in sys.path[:3] if e in cache]
print(json.dumps({"resolved": resolved, "kept": kept}))
"""


def test_install_resolves_only_the_import_paths_added_since_the_worker_forked(tmp_path) -> None:
    """The worker resolves its import cache's folders once (`remember_resolved`); a student process's
    `install` resolves only the entries added since, and still drops every cached finder of a folder under
    the submission's root, a remembered one (root/early) or a new one reached through a symlink from
    outside (link -> root/linked), and keeps one outside (26 realpaths, ~0.5 ms, a student process before)."""
    import os
    import subprocess
    import sys

    root, outside = tmp_path / "root", tmp_path / "outside"
    for folder, module in (
        (root / "early", "early_mod"),
        (outside, "outside_mod"),
        (root / "linked", "linked_mod"),
    ):
        folder.mkdir(parents=True)
        (folder / f"{module}.py").write_text("")
    link = tmp_path / "link"
    link.symlink_to(root / "linked")
    repo = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    env = {**os.environ, "PYTHONPATH": repo + os.pathsep + os.environ.get("PYTHONPATH", "")}
    args = [str(root), str(outside), str(link)]
    done = subprocess.run(
        [sys.executable, "-c", INSTALL_AFTER_FORK, *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["kept"] == [str(outside)], out  # the link's and root/early's finders dropped, outside's kept
    assert str(link) in out["resolved"], out  # resolved in the student process: added after the fork
    assert str(root / "early") not in out["resolved"] and str(outside) not in out["resolved"], out
