"""Every bundled sample gets the statuses, failed records, diagnoses, failures and score written beside it.

`submissions/<family>/expected.json` is the samples' author's own account of each bug (which cases and
record keys it breaks and why); the expected score is computed here from that account and the manifest's
points, never read from the grader. Both isolation modes are exercised where bubblewrap is available: every
sample in the mode `auto` picks; in the other, a share of each family's: the first of each stage group,
every refused load and every flagged file (FULL_MODE below).

In the full mode the README's main job grades them: `grader samples ASSIGNMENT --validate`, the real command,
one run a family. Its reports of the samples graded at the default stage are the ones read here; the samples
of another stage (or without the generated cases) are graded again at theirs, in this process. So each
sample is graded once at its own stage, and the command's run over every sample is proven with it (tox had
a `samples` env running it again, after the tests, until session 36).
"""

from __future__ import annotations

import csv
import fnmatch
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from batch.students import grader
from calibration import hang_guard

from grader.assignments import load_assignment
from grader.cases import cases_for_run
from grader.inside.loader_keys import recorded_keys
from grader.model import Case
from grader.pipeline import RunPlan, grade_runs
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
# Every sample is graded in the mode `auto` picks (bubblewrap where usable, else the fallback). Where both
# run, the fallback grades a share of each family's: the first sample by name of each stage group (so every
# stage's cases run in it), and every sample the loader refuses or whose code is flagged. The two modes share
# the loader, the harness, the adapters and the judge; what differs is the confinement around the student's
# process, which a stage group's first sample meets with every case of its stage. All of them took ~300 s of
# a CI run; one in four of each stage group (until session 37) 356 samples, this share 169.
FULL_MODE = "bwrap" if probe_bwrap().usable else "rlimits"
# The run `grader samples` makes of a family's folder: every sample at the default stage, the generated cases
# drawn. The samples whose expected.json entry asks for that run are read from its reports.
CLI_RUN = ("", True)


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


# a sample's name, its expected.json entry, its report, the cases of the run that graded it
Graded = tuple[str, dict[str, Any], dict[str, Any], list[Case]]


def _graded(family: str, isolation: str, out: Path) -> Iterator[Graded]:
    """Each sample graded at its `stage` (docs/STAGES.md; none: the assignment's default stage), without the
    generated cases when it says `"generated": false` (a float32 sample: which fresh draws float32 tips past
    the tolerance depends on the draw and on the CPU's BLAS kernels). In the full mode the default run's
    samples are graded by `grader samples` into `out` (_graded_by_the_command)."""
    by_run = _runs(family, isolation)
    if isolation == FULL_MODE:
        yield from _graded_by_the_command(family, out)
        by_run.pop(CLI_RUN, None)
    yield from _graded_here(family, isolation, by_run)


def _graded_by_the_command(family: str, out: Path) -> Iterator[Graded]:
    """`grader samples ASSIGNMENT` over the family's whole folder, as the README runs it, in FULL_MODE and
    with --validate (every report.json schema-checked before it is written, so not again here): exit 0, the
    gradebook and class report named on the terminal, one gradebook row per sample and no other, a
    results.json with tests and a junit.xml with test cases beside each report, and no report of the
    grader's own failure (status error), whatever the sample's stage. Then CLI_RUN's samples' reports."""
    spec = _expectations(family)
    assignment = load_assignment(spec["assignment"])
    samples = spec["samples"]
    done = grader(
        "samples",
        assignment.id,
        "--out",
        str(out),
        "--validate",
        "--seed",
        str(SEED),
        "--isolation",
        FULL_MODE,
        "--jobs",
        "2",
        timeout=hang_guard(600),
    )
    assert done.returncode == 0, done.stdout + done.stderr[-4000:]
    batch = out / assignment.id
    assert [p.name for p in out.iterdir()] == [assignment.id]  # that assignment's samples alone
    assert f"{assignment.id}: {len(samples)} submissions; gradebook {batch / 'gradebook.csv'}" in done.stdout
    assert f"{assignment.id}: class report {batch / 'index.html'} (open it in a browser)" in done.stdout
    with (batch / "gradebook.csv").open(encoding="utf-8", newline="") as fh:
        students = {row["file"]: row["student"] for row in csv.DictReader(fh)}
    # a folder's entry may be written with a trailing slash (dlfs-advanced's); the gradebook names it without
    by_file = {name.rstrip("/"): name for name in samples}
    assert sorted(students) == sorted(by_file)
    students = {by_file[file]: student for file, student in students.items()}
    read_here = _by_run(samples).get(CLI_RUN, [])
    failed = []
    reports = {}
    for name, student in students.items():
        graded = batch / student
        report = json.loads((graded / "report.json").read_text(encoding="utf-8"))
        assert json.loads((graded / "results.json").read_text(encoding="utf-8"))["tests"], name
        assert list(ET.parse(graded / "junit.xml").getroot().iter("testcase")), name
        if report["status"] == "error":  # a sample of another stage too: what `grader samples` shows
            failed.append(f"{name}: the grader failed; staff details: {json.dumps(report['staff'])[:4000]}")
        if name in read_here:
            reports[name] = report
    assert not failed, "\n".join(failed)
    cases = cases_for_run(assignment, SEED)
    for name in read_here:
        yield name, samples[name], reports[name], cases


def _graded_here(family: str, isolation: str, by_run: dict[tuple[str, bool], list[str]]) -> Iterator[Graded]:
    """The samples of `by_run` graded in this process, every run in one pass of the pool (grade_runs: run
    after run, each stage's run left a lane of the two idle at its end, and for the whole run in the second
    mode's share, where most runs are one sample), their reports schema-checked."""
    spec = _expectations(family)
    assignment = load_assignment(spec["assignment"])
    folder = REPO / "submissions" / family
    cases_of: dict[str, list[Case]] = {}

    def runs() -> Iterator[tuple[RunPlan, list[tuple[str, Path]]]]:
        for (stage_name, generated), names in sorted(by_run.items()):
            stage = stage_name or None
            cases = [c for c in cases_for_run(assignment, SEED, stage=stage) if generated or not c.generated]
            cases_of.update(dict.fromkeys(names, cases))
            yield (
                RunPlan.create(assignment, SEED, cases, stage=stage),
                [(name, folder / name) for name in names],
            )

    with SandboxPool(jobs=2, isolation=isolation) as pool:
        for graded in grade_runs(runs(), pool):
            report = as_dict(graded.report)
            validate(report, "report")
            yield graded.student, spec["samples"][graded.student], report, cases_of[graded.student]


def _by_run(samples: dict[str, dict[str, Any]]) -> dict[tuple[str, bool], list[str]]:
    """Sample names by the run that grades them: (stage, with the generated cases), each list sorted."""
    by_run: dict[tuple[str, bool], list[str]] = {}
    for name in sorted(samples):
        sample = samples[name]
        by_run.setdefault((sample.get("stage") or "", sample.get("generated", True)), []).append(name)
    return by_run


def _second_mode_share(samples: dict[str, dict[str, Any]], names: list[str]) -> list[str]:
    return [
        name
        for i, name in enumerate(names)
        if i == 0 or samples[name].get("load", "ok") != "ok" or samples[name].get("flags")
    ]


def _runs(family: str, isolation: str) -> dict[tuple[str, bool], list[str]]:
    """The samples `isolation` grades, by run."""
    samples = _expectations(family)["samples"]
    by_run = _by_run(samples)
    if isolation != FULL_MODE:
        by_run = {run: _second_mode_share(samples, names) for run, names in by_run.items()}
    return by_run


def _graded_names(family: str, isolation: str) -> list[str]:
    return sorted(name for names in _runs(family, isolation).values() for name in names)


@pytest.mark.slow
@pytest.mark.parametrize("isolation", ISOLATIONS)
@pytest.mark.parametrize("family", FAMILIES)
def test_every_sample_gets_its_expected_result(family: str, isolation: str, tmp_path: Path) -> None:
    """Each sample, graded at its stage, gets the statuses, failed keys, diagnosis and failure codes, score
    and staff flags (code -> lines; none unless listed) written in expected.json, and its schema-valid report
    names the stage; in the full mode `grader samples` grades the family's folder (_graded_by_the_command)."""
    problems: list[str] = []
    seen = 0
    # once a family: read a sample at a time, the manifest and expected.json cost ~0.1 s of CPU a sample
    default_stage = load_assignment(_expectations(family)["assignment"]).default_stage
    for name, sample, report, cases in _graded(family, isolation, tmp_path / "samples"):
        seen += 1
        stage = sample.get("stage") or default_stage
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
    assert seen == len(_graded_names(family, isolation))
    assert not problems, "\n".join(problems)


def test_every_sample_is_graded_in_the_full_mode_and_every_stage_in_both() -> None:
    """The full mode grades every sample; the other grades a share of each family's that still reaches every
    stage group, every refused load and every flagged file."""
    for family in FAMILIES:
        samples = _expectations(family)["samples"]
        assert _graded_names(family, FULL_MODE) == sorted(samples)
        other = set(_graded_names(family, "rlimits" if FULL_MODE == "bwrap" else "bwrap"))
        for names in _by_run(samples).values():
            assert other & set(names)
        assert {n for n, s in samples.items() if s.get("load", "ok") != "ok" or s.get("flags")} <= other
        assert len(other) < len(samples), f"{family}: the second mode grades every sample, not a share"
