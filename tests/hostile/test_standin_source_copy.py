"""Code compiled under a name that is no file stays outside the audit hook (grader/inside/audit.py): checked
in session 23 for what it lets a student run that was never handed in. Of the sandbox's files only the
runtime held correct math for a graded class: the stand-in of the book's common/layers.py, readable by the
student process (`common.layers.__file__`). Its source compiled again one line down under `"<copied>"` gives
code objects equal to none of the stand-in's (standins.Registry compares them by value, line numbers
included) and no file under standins/book/: the copied Relu, Sigmoid, Affine and SoftmaxWithLoss were graded
as the student's (46 / 62 in both modes, against the starter's 8; flagged `dynamic_code` at the exec). The
sample submissions/layers/standin_exec_source.py, compiled under its own file name at the stand-in's lines, is
refused (12 / 62).

Contained now for the class, not the route: the full stand-in lives outside the runtime
(grader/standin_book/), and a job is served a common/layers.py whose graded classes have no math
(grader/served_standins.py), so no route of the student process finds any: its file, linecache, the loaded
functions, the runtime's folder and pyc, the parent's copy (submissions/layers/standin_math_routes.py). Each
test's control serves the same job the whole stand-in, and the copy scores 46 again: the job's text is what
holds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hostile_harness import REPO, grade, load, make_plan

from grader.judge import grade as judge
from grader.pipeline import build_job
from grader.served_standins import BOOK_DIR, served_files, served_layers
from grader.served_standins import LAYERS as BOOK_LAYERS

LAYERS = REPO / "submissions" / "layers"
ADVANCED = REPO / "submissions" / "dlfs-advanced"
# A graded set whose networks build every stand-in class and no layer graded: the whole stand-in served.
WHOLE = frozenset({"SimpleConvNet", "MultiLayerNetExtend"})
SAME_NAME = 'exec(compile(open(_book.__file__).read(), __file__, "exec"))'
NO_FILE = 'exec(compile("\\n" + open(_book.__file__).read(), "<copied>", "exec"))'


@pytest.fixture(scope="module")
def layers_plan() -> Any:
    return make_plan("dlfs-layers")


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


def _served_whole(pool: Any, plan: Any, path: Path) -> float:
    """The score of `path` when its job is served the whole stand-in (a run grading no layer would be): the
    control that the sample's route works wherever the math is there to be found."""
    job = build_job(plan.run_plan, load(path))
    job["standins"] = served_files(WHOLE)
    assert served_layers(WHOLE) == (BOOK_DIR / BOOK_LAYERS).read_text(encoding="utf-8")
    run = pool.run(job)
    meta = {
        "grader_version": "test",
        "assignment": plan.assignment,
        "submission_id": path.name,
        "submission_path": str(path),
        "sha256": None,
        "files": [path.name],
        "seed": 0,
        "wall_seconds": 0.0,
    }
    return float(judge(plan.cases, run, meta).score)


def test_the_copy_scores_again_when_the_whole_stand_in_is_served(
    pool: Any, layers_plan: Any, tmp_path: Path
) -> None:
    """Control: the same copy, served the whole stand-in, earns the copied layers (46 / 62)."""
    copied = tmp_path / "layers.py"
    copied.write_text((LAYERS / "standin_exec_source.py").read_text().replace(SAME_NAME, NO_FILE))
    assert _served_whole(pool, layers_plan, copied) == 46


def test_no_route_of_the_student_process_reaches_the_graded_layers_math(pool: Any, layers_plan: Any) -> None:
    """standin_math_routes.py tries every route to the stand-in's math it has (file, linecache, loaded
    functions, the runtime's folder, the pyc through marshal, the parent's copy): it earns no more than the
    copy refused (its own MulLayer and AddLayer: 12 / 62); served the whole stand-in, 46."""
    sample = LAYERS / "standin_math_routes.py"
    refused = grade(pool, layers_plan, LAYERS / "standin_exec_source.py")
    hostile = grade(pool, layers_plan, sample)
    assert hostile.report.score <= refused.report.score == 12, (hostile.report.score, refused.report.score)
    assert _served_whole(pool, layers_plan, sample) == 46


def test_the_served_folder_is_read_only_to_the_student_process(pool: Any, layers_plan: Any) -> None:
    """The served stand-in's folder is shared by a worker's jobs: standin_served_overwrite.py's Relu is right
    only if one of its writes there succeeds (append, unlink, rename, chmod, a new file or folder, a rename
    of the folder). None does: graded as relu_mask_from_dout.py, its Relu cases wrong_derivative."""
    hostile = grade(pool, layers_plan, LAYERS / "standin_served_overwrite.py")
    honest = grade(pool, layers_plan, LAYERS / "relu_mask_from_dout.py")
    assert hostile.case_status("relu-unit") == "failed"
    assert hostile.report.score == honest.report.score


def test_the_served_folder_access_times_carry_no_bit_to_the_next_student(pool: Any, layers_plan: Any) -> None:
    """standin_atime_pair.py graded twice in turn on one worker: its Relu is right only if the served
    stand-in's file or folder has an access time past its modification time when it starts (an earlier
    process read it), and it reads both. The worker sets them back before each student process
    (confine.unread): no breach line, and both runs score what relu_mask_from_dout.py scores. (Without it:
    the second run 62 / 62 in both modes.)"""
    sample = LAYERS / "standin_atime_pair.py"
    first, second = grade(pool, layers_plan, sample), grade(pool, layers_plan, sample)
    honest = grade(pool, layers_plan, LAYERS / "relu_mask_from_dout.py")
    assert "HOSTILE-BREACH" not in first.output + second.output, second.output[:600]
    assert first.report.score == second.report.score == honest.report.score < honest.report.max_score


def test_the_served_folder_probe_sees_a_folder_it_may_write(tmp_path: Path, monkeypatch: Any) -> None:
    """Control for the probe of standin_served_overwrite.py: given a stand-in in a folder it may write, it
    reports the change (so its Relu would be right)."""
    import sys
    import types

    served = tmp_path / "served" / "common"
    served.mkdir(parents=True)
    (served / "layers.py").write_text("# the served stand-in\n")
    fake = types.ModuleType("common.layers")
    fake.__file__ = str(served / "layers.py")
    package = types.ModuleType("common")
    package.layers = fake  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "common", package)
    monkeypatch.setitem(sys.modules, "common.layers", fake)
    source = (LAYERS / "standin_served_overwrite.py").read_text()
    namespace: dict[str, Any] = {"__name__": "probe"}
    exec(compile(source, "standin_served_overwrite.py", "exec"), namespace)
    assert namespace["_CHANGED"] is True


@pytest.fixture(scope="module")
def conv_plan() -> Any:
    from hostile_harness import SEED, Plan, tight

    from grader.assignments import load_assignment
    from grader.cases import cases_for_run
    from grader.pipeline import RunPlan

    assignment = tight(load_assignment("dlfs-advanced"))
    cases = tuple(cases_for_run(assignment, SEED, stage="conv"))
    return Plan(assignment, cases, RunPlan.create(assignment, SEED, cases, stage="conv"))


@pytest.mark.parametrize(
    ("sample", "plan_name", "own", "whole", "layers"),
    [
        # Relu on a max-Pooling over [x, 0] pairs, Affine on a 1x1 Convolution
        (LAYERS / "standin_other_layers_math.py", "layers_plan", 12, 26, ("affine-unit", "relu-unit")),
        # Affine on BatchNormalization.backward's dgamma (a contraction), Relu on Dropout.backward
        (LAYERS / "standin_bn_affine.py", "layers_plan", 12, 26, ("affine-unit", "relu-unit")),
        # Convolution and Affine on BatchNormalization.backward, with the shipped im2col
        (ADVANCED / "standin_bn_conv.py", "conv_plan", 0, 10, ("convolution-unit",)),
    ],
)
def test_no_served_class_computes_a_graded_layer(
    pool: Any, request: Any, sample: Path, plan_name: str, own: float, whole: float, layers: tuple[str, ...]
) -> None:
    """Each sample's graded layers hand their work to copies of served classes that are not graded (compiled
    from the served text under '<copied>'): a run serves a class's math only where a network it grades
    builds it (served_standins.served_with_math), so each earns no more than its own classes' points (the
    own MulLayer and AddLayer's 12 / 62 at dlfs-layers' default stage; nothing at dlfs-advanced's conv).
    The control: served the whole stand-in, each scores what the review measured (26 and 10)."""
    plan = request.getfixturevalue(plan_name)
    hostile = grade(pool, plan, sample)
    assert hostile.report.score <= own, (sample.name, hostile.report.score)
    for case in layers:
        assert hostile.case_status(case) == "error", (sample.name, case)
    assert _served_whole(pool, plan, sample) == whole


def test_the_own_classes_score_is_what_the_refused_copy_scores(pool: Any, layers_plan: Any) -> None:
    """The 12 above is the same file's with the copy refused (standin_exec_source.py): its own MulLayer and
    AddLayer."""
    assert grade(pool, layers_plan, LAYERS / "standin_exec_source.py").report.score == 12
