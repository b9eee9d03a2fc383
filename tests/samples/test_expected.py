"""Every bundled sample gets the statuses, failed records, diagnoses, failures and score written beside it.

`submissions/<family>/expected.json` is the samples' author's own account of each bug (which cases and
record keys it breaks and why); the expected score is computed here from that account and the manifest's
points, never read from the grader. Both isolation modes are exercised where bubblewrap is available.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from grader.assignments import load_assignment
from grader.cases import cases_for_run
from grader.inside.loader_keys import recorded_keys
from grader.model import Case
from grader.pipeline import RunPlan, grade_paths
from grader.reports import validate
from grader.reports.views import as_dict
from grader.sandbox import SandboxPool, probe_bwrap

REPO = Path(__file__).resolve().parents[2]
FAMILIES = ("miniflow", "dezero", "layers", "dlfs-advanced")  # folders of submissions/
SEED = 20261122
ISOLATIONS = [
    "rlimits",
    pytest.param(
        "bwrap",
        marks=pytest.mark.skipif(not probe_bwrap().usable, reason=f"bwrap unusable: {probe_bwrap().reason}"),
    ),
]


def _expectations(family: str) -> dict[str, Any]:
    path = REPO / "submissions" / family / "expected.json"
    assert path.exists(), f"{path} is missing: every sample folder records its expected results"
    return json.loads(path.read_text(encoding="utf-8"))


def _case_expectation(sample: dict[str, Any], case_id: str) -> dict[str, Any]:
    for pattern, expect in sample.get("cases", {}).items():
        if fnmatch.fnmatchcase(case_id, pattern):
            return expect
    return {"status": sample.get("default", "passed")}


def _expected_points(case: Case, expect: dict[str, Any]) -> float:
    """Partial credit as documented in grader/judge: the fraction of a case's checks that pass."""
    status = expect["status"]
    if status == "passed":
        return case.points
    if status != "failed" or case.all_or_nothing:
        return 0.0
    # a dataloader step's records have no record step of their own (grader/inside/loader_keys.py)
    checks = len(recorded_keys(case.steps)) + (1 if expect.get("diagnosis") == "input_mutated" else 0)
    failed = len(expect.get("failed_keys", [])) + (1 if expect.get("diagnosis") == "input_mutated" else 0)
    return case.points * (checks - failed) / checks


def _graded(family: str, isolation: str) -> Iterator[tuple[str, dict[str, Any], dict[str, Any], list[Case]]]:
    """Each sample graded at its `stage` (docs/STAGES.md; none: the assignment's default stage), without the
    generated cases when it says `"generated": false` (a float32 sample: which fresh draws float32 tips past
    the tolerance depends on the draw and on the CPU's BLAS kernels)."""
    spec = _expectations(family)
    assignment = load_assignment(spec["assignment"])
    folder = REPO / "submissions" / family
    by_run: dict[tuple[str, bool], list[str]] = {}
    for name in sorted(spec["samples"]):
        sample = spec["samples"][name]
        by_run.setdefault((sample.get("stage") or "", sample.get("generated", True)), []).append(name)
    with SandboxPool(jobs=2, isolation=isolation) as pool:
        for (stage_name, generated), names in sorted(by_run.items()):
            stage = stage_name or None
            cases = [c for c in cases_for_run(assignment, SEED, stage=stage) if generated or not c.generated]
            plan = RunPlan.create(assignment, SEED, cases, stage=stage)
            entries = [(name, folder / name) for name in names]
            for graded in grade_paths(plan, entries, pool):
                yield graded.student, spec["samples"][graded.student], as_dict(graded.report), cases


@pytest.mark.slow
@pytest.mark.parametrize("isolation", ISOLATIONS)
@pytest.mark.parametrize("family", FAMILIES)
def test_every_sample_gets_its_expected_result(family: str, isolation: str) -> None:
    """Each sample, graded at its stage, gets the statuses, failed keys, diagnosis and failure codes, score
    and staff flags (code -> lines; none unless listed) written in expected.json, and its report names the
    stage."""
    problems: list[str] = []
    seen = 0
    for name, sample, report, cases in _graded(family, isolation):
        seen += 1
        validate(report, "report")
        stage = sample.get("stage") or load_assignment(_expectations(family)["assignment"]).default_stage
        if report["stage"]["name"] != stage:
            problems.append(f"{name}: report names stage {report['stage']['name']}, expected {stage}")
        if report["status"] == "error":  # the grader's own failure: its traceback, or the next CI cannot say
            problems.append(f"{name}: the grader failed; staff details: {json.dumps(report['staff'])[:4000]}")
        load = sample.get("load", "ok")
        if (report["status"] == "load_failed") != (load != "ok"):
            problems.append(f"{name}: report status {report['status']}, expected load {load}")
        by_id = {c["id"]: c for c in report["cases"]}
        expected_score = 0.0
        for case in cases:
            expect = _case_expectation(sample, case.id)
            got = by_id[case.id]
            expected_score += _expected_points(case, expect)
            where = f"{name} / {case.id}"
            if got["status"] != expect["status"]:
                status = f"status {got['status']}, expected {expect['status']}"
                problems.append(f"{where}: {status}: {got['message']}")
                continue
            if expect["status"] == "failed":
                failed = sorted(
                    c["key"] for c in got["checks"] if not c["passed"] and c["key"] != "inputs_unchanged"
                )
                want = sorted(expect["failed_keys"])  # required: test_expected_entries.py
                if failed != want:
                    problems.append(f"{where}: failed keys {failed}, expected {want}")
            code = (got.get("diagnosis") or {}).get("code")
            if expect.get("diagnosis") is not None and code != expect["diagnosis"]:
                problems.append(f"{where}: diagnosis {code}, expected {expect['diagnosis']}")
            hint = (got.get("diagnosis") or {}).get("hint", "")
            for phrase in expect.get("hint_has", []):  # the class and method the hint must name
                if phrase not in hint:
                    problems.append(f"{where}: hint lacks {phrase!r}: {hint}")
            for phrase in expect.get("hint_lacks", []):  # names of another family, case titles
                if phrase in hint:
                    problems.append(f"{where}: hint has {phrase!r}: {hint}")
            for phrase in expect.get("message_has", []):  # an error explained, not only Python's words
                if phrase not in got["message"]:
                    problems.append(f"{where}: message lacks {phrase!r}: {got['message']}")
            for phrase in expect.get("message_lacks", []):  # a wrong suggestion (another file's encoding)
                if phrase in got["message"]:
                    problems.append(f"{where}: message has {phrase!r}: {got['message']}")
            if expect.get("hint") is not None and expect["hint"] not in hint:
                problems.append(f"{where}: hint {hint!r} does not say {expect['hint']!r}")
            if expect.get("failure") is not None and got.get("failure_code") != expect["failure"]:
                problems.append(f"{where}: failure {got.get('failure_code')}, expected {expect['failure']}")
        for phrase in sample.get("warnings_have", []):
            if not any(phrase in w for w in report["warnings"]):
                problems.append(f"{name}: no warning has {phrase!r}: {report['warnings']}")
        for phrase in sample.get("warnings_lack", []):  # a false hint (a typo where there is none)
            if any(phrase in w for w in report["warnings"]):
                problems.append(f"{name}: a warning has {phrase!r}: {report['warnings']}")
        if "missing" in sample and (report.get("load") or {}).get("missing") != sample["missing"]:
            problems.append(
                f"{name}: missing {(report.get('load') or {}).get('missing')}, expected {sample['missing']}"
            )
        for phrase in sample.get("blame_has", []):  # e.g. the entry naming where the cases stopped
            if not any(phrase in b["message"] for b in report["blame"]):
                problems.append(f"{name}: no blame entry has {phrase!r}: {report['blame']}")
        for phrase in sample.get("blame_lacks", []):  # e.g. gradient advice for a missing name
            if any(phrase in b["message"] for b in report["blame"]):
                problems.append(f"{name}: a blame entry has {phrase!r}: {report['blame']}")
        if report["score"] != pytest.approx(expected_score, abs=1e-3):
            problems.append(f"{name}: score {report['score']}, expected {expected_score:.4f}")
        flags: dict[str, list[int]] = {}
        for flag in report["staff"]["flags"]:
            flags.setdefault(flag["code"], []).append(flag["line"])
        if flags != sample.get("flags", {}):  # honest samples list none: zero false flags
            problems.append(f"{name}: flags {flags}, expected {sample.get('flags', {})}")
    assert seen == len(_expectations(family)["samples"])
    assert not problems, "\n".join(problems)
