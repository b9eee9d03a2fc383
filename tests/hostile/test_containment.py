"""Every hostile sample is contained: the grader survives, reports the expected failure, scores it no higher
than the same math written honestly, and nothing leaks in or out of the sandbox."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hostile_harness import (
    BREACH,
    HOSTILE_DIR,
    SAMPLES,
    TEST_LIMITS,
    WALL_MARGIN_SECONDS,
    Graded,
    Sweep,
    as_bytes,
    grade,
    honest_twin,
    job_text,
    leaked_expected_values,
    read_sample,
)

# Attacks that currently get through, seen in both isolation modes: strict xfail, so the suite says the moment
# the sandbox is fixed. Remove an entry once its fix lands.
KNOWN_BREACHES: dict[str, str] = {}
# The same, seen in rlimits-unprivileged only (contained under bubblewrap and in the root fallback). Run the
# hostile tests as an ordinary user to see them: as root, `rlimits` is the root fallback.
KNOWN_RLIMITS_BREACHES: dict[str, str] = {}


def _marks(name: str, slow: bool = False) -> list[Any]:
    marks: list[Any] = [pytest.mark.slow] if slow else []
    if name in KNOWN_BREACHES:
        marks.append(pytest.mark.xfail(reason=KNOWN_BREACHES[name], strict=True))
    return marks


def _params() -> list[Any]:
    return [
        pytest.param(name, id=name.removesuffix(".py"), marks=_marks(name, bool(s.get("slow"))))
        for name, s in sorted(SAMPLES.items())
        if s["assignment"] == "miniflow"
    ]


def _twin(pool: Any, plan: Any, name: str, tmp_path: Path, cache: dict[tuple[str, str], Graded]) -> Graded:
    source = honest_twin(read_sample(HOSTILE_DIR / name))
    key = (pool.isolation, source)
    if key not in cache:
        path = tmp_path / "twin" / name
        path.parent.mkdir()
        path.write_bytes(as_bytes(source))
        cache[key] = grade(pool, plan, path)
    return cache[key]


def _describe(g: Graded) -> str:
    pf = g.run.process_failure
    cases = {c.case_id: (c.status, c.failure_code) for c in g.report.cases}
    return (
        f"process_failure={pf and (pf.code, pf.message)} score={g.report.score}/{g.report.max_score} "
        f"cases={cases} stdout[:600]={g.run.stdout[:600]!r} stderr[:600]={g.run.stderr[:600]!r}"
    )


@pytest.mark.parametrize("name", _params())
def test_hostile_sample_is_contained(
    name: str,
    pool: Any,
    miniflow_plan: Any,
    canary: str,
    tmp_path: Path,
    twin_scores: dict[tuple[str, str], Graded],
    sweep: Sweep,
    request: pytest.FixtureRequest,
) -> None:
    """The sample ends with its expected failure code (or none), within the limits, with no breach, no file
    outside the sandbox, no expected value or grader secret in its output, and a score no higher than
    its twin's. The samples that end only at a limit run under smaller ones (LIMIT_BOUND)."""
    if pool.isolation == "rlimits-unprivileged" and name in KNOWN_RLIMITS_BREACHES:
        request.applymarker(pytest.mark.xfail(reason=KNOWN_RLIMITS_BREACHES[name], strict=True))
    sample = SAMPLES[name]
    swept = sweep(pool, name)
    hostile, escaped = swept.graded, swept.escaped
    what = _describe(hostile)

    assert hostile.seconds <= TEST_LIMITS.wall_seconds + WALL_MARGIN_SECONDS, what
    assert not escaped, f"files outside the sandbox changed: {escaped}; {what}"
    breaches = [line for line in hostile.output.splitlines() if BREACH in line]
    assert not breaches, f"the attack got through: {breaches[:5]}; {what}"
    assert canary not in hostile.output, f"a secret of the grader's process reached the sample: {what}"
    assert not leaked_expected_values(miniflow_plan.cases, hostile.output), what

    codes = hostile.failure_codes()
    allowed = set(sample["failures"])
    assert codes <= allowed, f"expected failure codes within {sorted(allowed)}, got {sorted(codes)}; {what}"
    if sample["must_fail"]:
        assert codes & allowed, f"expected one of {sorted(allowed)}, got none; {what}"

    # The next submission on the same pool: the honest twin, graded normally.
    twin = _twin(pool, miniflow_plan, name, tmp_path, twin_scores)
    assert not twin.failure_codes(), f"the honest twin must grade normally: {_describe(twin)}"
    if sample["math"] == "correct":
        assert twin.report.score == twin.report.max_score, f"correct math earns full marks: {_describe(twin)}"
    rule = sample["score"]
    if rule == "honest":
        assert hostile.report.score == twin.report.score, f"twin {twin.report.score}; {what}"
    elif rule == "at_most_honest":
        assert hostile.report.score <= twin.report.score, f"twin {twin.report.score}; {what}"
    else:
        assert hostile.report.score == 0, what
    if sample["math"] == "absent":
        assert hostile.report.score < hostile.report.max_score, what


FORGERS = ("forged_frames_every_fd.py", "forged_stdout_report.py")


@pytest.mark.parametrize("name", [pytest.param(n, marks=_marks(n)) for n in FORGERS])
def test_forged_documented_answers_earn_nothing(
    name: str,
    pool: Any,
    miniflow_plan: Any,
    tmp_path: Path,
    twin_scores: dict[tuple[str, str], Graded],
    sweep: Sweep,
) -> None:
    """Forged frames or reports carrying the public quiz answers earn quiz-documented no point beyond what the
    starter math earns honestly."""
    hostile = sweep(pool, name).graded
    twin = _twin(pool, miniflow_plan, name, tmp_path, twin_scores)
    assert hostile.case_status("quiz-documented") != "passed", _describe(hostile)
    assert hostile.case_points("quiz-documented") <= twin.case_points("quiz-documented"), _describe(hostile)


def test_jobs_carry_no_expected_values(miniflow_plan: Any) -> None:
    """The job a hostile sample receives holds inputs and steps only: no expected value, no provenance."""
    from hostile_harness import load

    pytest.importorskip("grader.loaders", reason="grader.loaders is not built yet")
    from grader.pipeline import build_job

    job = build_job(miniflow_plan.run_plan, load(HOSTILE_DIR / "gc_frames_snoop.py"))
    text = job_text(job)
    assert '"expected"' not in text and '"provenance"' not in text and '"known_mistakes"' not in text
    assert not leaked_expected_values(miniflow_plan.cases, text)


def test_grader_survives_a_run_of_hostile_samples(pool: Any, miniflow_plan: Any, tmp_path: Path) -> None:
    """After the process-level attacks back to back, the same pool still grades a correct submission fully."""
    attacks = ("kill_parent.py", "os_exit_import.py", "close_fds.py", "ctypes_segfault.py", "huge_output.py")
    for name in attacks:
        grade(pool, miniflow_plan, HOSTILE_DIR / name)
    correct = tmp_path / "correct.py"
    correct.write_text(honest_twin((HOSTILE_DIR / "kill_parent.py").read_text()))
    after = grade(pool, miniflow_plan, correct)
    assert not after.failure_codes() and after.report.score == after.report.max_score, _describe(after)
    assert os.getpid() > 0  # still here: the attacks above aimed at this process
