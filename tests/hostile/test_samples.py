"""The hostile samples and their expected.json are consistent, and the detectors the containment tests rely on
do fire on planted evidence (their negative controls). Nothing here runs student code in this process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hostile_harness import (
    BREACH,
    EXPECTED,
    HOSTILE_DIR,
    SAMPLES,
    SCORE_RULES,
    attack_blocks,
    changed,
    compilable,
    honest_twin,
    leaked_expected_values,
    read_sample,
    snapshot,
)

from grader.model import FAILURE_CODES, Case, Tolerance

# What every twin of an assignment's samples keeps: the student's own classes (the math, correct or TODO).
TWIN_KEEPS = {
    "miniflow": ("class Input", "class Linear", "class Sigmoid", "class MSE", "def topological_sort"),
    "dezero": ("class Variable", "class Function"),
}


def test_expected_json_lists_every_sample_and_nothing_else() -> None:
    """Every .py in submissions/hostile has an entry in expected.json, and every entry has a file."""
    files = sorted(p.name for p in HOSTILE_DIR.glob("*.py"))
    assert files == sorted(SAMPLES)
    assert EXPECTED["family"] == "hostile"


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_expected_entry_is_well_formed(name: str) -> None:
    """Each entry names real failure codes, a known score rule, and a must_fail consistent with its codes."""
    s = SAMPLES[name]
    assert set(s["failures"]) <= set(FAILURE_CODES), s["failures"]
    assert s["score"] in SCORE_RULES
    assert s["math"] in ("correct", "absent")
    assert not s["must_fail"] or s["failures"], "must_fail needs at least one allowed code"
    if not s["failures"]:
        assert s["score"] in ("honest", "at_most_honest"), "graded normally means judged on its math"


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_twin_is_the_sample_without_its_attack(name: str) -> None:
    """The honest twin drops every attack block, keeps the math, and still compiles (compiled, never run)."""
    source = read_sample(HOSTILE_DIR / name)
    twin = honest_twin(source)
    assert attack_blocks(source) >= 1
    assert attack_blocks(twin) == 0 and "# <<< attack" not in twin
    assert BREACH not in twin and len(twin) < len(source)
    compile(compilable(source), name, "exec")
    compile(compilable(twin), name, "exec")
    for required in TWIN_KEEPS[SAMPLES[name]["assignment"]]:
        assert required in twin


def test_twin_of_a_sample_without_markers_is_unchanged() -> None:
    """Negative control: code without attack blocks is its own twin."""
    code = "x = 1\n# a comment\ny = 2\n"
    assert honest_twin(code) == code and attack_blocks(code) == 0


def test_breach_marker_fires_outside_the_sandbox(tmp_path: Path) -> None:
    """Negative control for the breach check: the network sample, run unconfined in a plain subprocess, does
    print a breach line (socket creation succeeds without the sandbox)."""
    script = tmp_path / "network.py"
    script.write_text((HOSTILE_DIR / "network.py").read_text())
    cmd = [sys.executable, str(script)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert BREACH in out.stdout, out.stdout + out.stderr


def test_file_watch_sees_a_planted_file(tmp_path: Path) -> None:
    """Negative control for the outside-writes check: a file that appears in a watched dir is reported."""
    watched = tmp_path / "results.json"
    before = snapshot([watched, tmp_path])
    assert not changed(before)
    watched.write_text("{}")
    assert len(changed(before)) == 2


def test_leak_detector_finds_a_planted_expected_value() -> None:
    """Negative control for the leak check: a generated case's expected number printed in the output is
    found; the same text without it, or a stored (public) case, is clean."""
    value = 0.123456789012345
    case = Case(
        id="gen-x-1",
        name="x",
        kind="unit",
        target=None,
        inputs={"x": np.array([1.0])},
        steps=(),
        expected={"dx": np.array([value])},
        tolerance=Tolerance(),
        points=1.0,
        generated=True,
    )
    assert leaked_expected_values([case], f"garbage {value!r} garbage") == [f"gen-x-1:dx={value!r}"]
    assert leaked_expected_values([case], "garbage only") == []
    public = Case(**{**case.__dict__, "generated": False})
    assert leaked_expected_values([public], repr(value)) == []
