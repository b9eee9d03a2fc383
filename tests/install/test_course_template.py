"""docs/course-template/ end to end: its CI run reproduced in a temporary course repository.

The workflow's grader step (GitHub Classroom's command grader) runs `setup-command`, then `command`, and
gives the points when `command` exits 0. This test reads both from the workflow file and runs them as that
step would, in a venv holding the built wheel (so the plugin is found through its pytest11 entry point, with
no conftest.py), once with the course's correct MiniFlow file and once with a buggy one.
"""

from __future__ import annotations

import fnmatch
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from install_helpers import REPO, ok, run, venv_env

pytestmark = pytest.mark.slow
TEMPLATE = REPO / "docs" / "course-template"
WORKFLOW = TEMPLATE / ".github" / "workflows" / "classroom.yml"
SAMPLES = REPO / "submissions" / "miniflow"


def _step_value(key: str) -> str:
    """The value of `key:` in the workflow's grader step (one line each, as the template writes them)."""
    values = re.findall(rf"^\s+{key}: (.+)$", WORKFLOW.read_text(encoding="utf-8"), re.MULTILINE)
    assert len(values) == 1, f"{key}: {values}"
    return values[0].strip()


def _junit(path: Path) -> dict[str, tuple[bool, dict[str, str | None]]]:
    cases = {}
    for tc in ET.parse(path).getroot().iter("testcase"):
        props = {p.get("name", ""): p.get("value") for p in tc.iter("property")}
        cases[tc.get("name", "")] = (tc.find("failure") is None, props)
    return cases


def _failing_in_expected_json(sample: str, ids: set[str]) -> set[str]:
    doc = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))["samples"][sample]
    patterns = [p for p, c in doc["cases"].items() if c["status"] != "passed"]
    return {cid for cid in ids if any(fnmatch.fnmatch(cid, p) for p in patterns)}


def test_the_template_has_no_conftest_and_the_workflow_runs_tox() -> None:
    """The course repository needs no conftest.py; the grader step's command is the template's tox env."""
    assert not list(TEMPLATE.rglob("conftest.py"))
    assert _step_value("command") == "python -m tox -e grade"
    assert "uses: classroom-resources/autograding-command-grader@v1" in WORKFLOW.read_text(encoding="utf-8")


def test_the_classroom_step_grades_a_correct_and_a_buggy_submission(
    wheel: Path, wheel_venv: Path, tmp_path: Path
) -> None:
    """Correct file: the step's command exits 0 (full marks), every case passed in grader-junit.xml. Buggy
    file (Sigmoid derivative from the input): non-zero exit (no marks), the failing cases are those
    expected.json lists, and every case carries points and max_points."""
    course = shutil.copytree(TEMPLATE, tmp_path / "course")
    env = venv_env(wheel_venv, {"GRADER_PACKAGE": str(wheel)})
    ok(run(_step_value("setup-command").split(), course, env))
    command = _step_value("command").split()

    shutil.copyfile(SAMPLES / "correct.py", course / "miniflow.py")
    good = run(command, course, env)
    assert good.returncode == 0, good.stdout + good.stderr
    cases = _junit(course / "grader-junit.xml")
    assert cases and all(passed for passed, _ in cases.values())
    assert all(props["points"] == props["max_points"] for _, props in cases.values())

    shutil.copyfile(SAMPLES / "sigmoid_from_input.py", course / "miniflow.py")
    bad = run(command, course, env)
    assert bad.returncode != 0, bad.stdout + bad.stderr
    assert "Sigmoid.backward" in bad.stdout
    cases = _junit(course / "grader-junit.xml")
    failed = {cid for cid, (passed, _) in cases.items() if not passed}
    assert failed == _failing_in_expected_json("sigmoid_from_input.py", set(cases))
    assert all(set(props) >= {"points", "max_points"} for _, props in cases.values())
