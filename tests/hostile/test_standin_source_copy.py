"""Code compiled under a name that is no file stays outside the audit hook (grader/inside/audit.py): checked
in session 23 for what it lets a student run that was never handed in. Of the sandbox's files only the
runtime holds correct math for a graded class: the stand-in of the book's common/layers.py
(grader/inside/standins/book/), readable by the student process (`common.layers.__file__`). Its source
compiled again one line down under `"<copied>"` gives code objects equal to none of the stand-in's
(standins.Registry compares them by value, line numbers included) and no file under standins/book/: the
copied Relu, Sigmoid, Affine and SoftmaxWithLoss are graded as the student's (46 / 62 in both modes,
against the starter's 8; flagged `dynamic_code` at the exec for staff). The sample
submissions/layers/standin_exec_source.py, compiled under its own file name at the stand-in's lines, is
refused (12 / 62). Not contained: a strict xfail until the stand-ins keep a job's required layer classes'
math out of the student process (docs/LOADING.md, stand-in layers guard)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hostile_harness import REPO, grade, make_plan

LAYERS = REPO / "submissions" / "layers"
SAME_NAME = 'exec(compile(open(_book.__file__).read(), __file__, "exec"))'
NO_FILE = 'exec(compile("\\n" + open(_book.__file__).read(), "<copied>", "exec"))'


@pytest.fixture(scope="module")
def layers_plan() -> Any:
    return make_plan("dlfs-layers")


@pytest.mark.xfail(
    strict=True,
    reason="the stand-in's source compiled under a name that is no file, one line down, is the student's own "
    "to the stand-in guard (a bar): 46 / 62 against 12 with the copy refused",
)
def test_stand_in_source_compiled_under_no_file_earns_no_more_than_the_copy_refused(
    pool: Any, layers_plan: Any, tmp_path: Path
) -> None:
    """The copied layers earn nothing: the score is at most the same file's with the copy refused (its own
    MulLayer and AddLayer: 12 / 62; the starter, every backward a TODO, 8)."""
    source = (LAYERS / "standin_exec_source.py").read_text()
    assert SAME_NAME in source  # the sample this variant is made from
    copied = tmp_path / "layers.py"
    copied.write_text(source.replace(SAME_NAME, NO_FILE))
    refused = grade(pool, layers_plan, LAYERS / "standin_exec_source.py")
    hostile = grade(pool, layers_plan, copied)
    assert hostile.report.score <= refused.report.score, (hostile.report.score, refused.report.score)
