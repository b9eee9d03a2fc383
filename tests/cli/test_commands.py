"""The real `grader` command: exit codes, files written, settings provenance, determinism, no torch."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from grader.reports import validate
from grader.reports.jsonio import dumps, without_timing

REPO = Path(__file__).resolve().parents[2]
MINIFLOW = REPO / "submissions" / "miniflow"
LAYERS = REPO / "submissions" / "layers"


def grader(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "grader", *args], capture_output=True, text=True, timeout=300, env=env, cwd=cwd
    )


def test_grade_writes_every_format_and_exits_0_whatever_the_score(tmp_path: Path) -> None:
    """A buggy submission is graded (exit 0) and report.json, results.json and junit.xml are written."""
    done = grader(
        "grade",
        "miniflow",
        str(MINIFLOW / "mse_sign_flipped.py"),
        "--out",
        str(tmp_path),
        "--format",
        "json,gradescope,junit",
        "--seed",
        "3",
    )
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    validate(report, "report")
    assert 0 < report["score"] < report["max_score"]
    assert json.loads((tmp_path / "results.json").read_text())["score"] == report["score"]
    assert (tmp_path / "junit.xml").read_text().startswith("<?xml")
    assert "sign_flipped" in done.stdout and "seed 3" in done.stdout


def test_same_seed_gives_identical_reports_apart_from_timing(tmp_path: Path) -> None:
    """Same seed: report.json bytes identical once `timing` is dropped; another seed differs."""
    docs = []
    for run, seed in (("a", "11"), ("b", "11"), ("c", "12")):
        out = tmp_path / run
        assert (
            grader(
                "grade",
                "miniflow",
                str(MINIFLOW / "correct.py"),
                "--out",
                str(out),
                "--seed",
                seed,
            ).returncode
            == 0
        )
        text = (out / "report.json").read_text()
        assert text == dumps(json.loads(text))  # the file is the canonical serialization of its content
        docs.append(json.loads(text))
    assert dumps(without_timing(docs[0])) == dumps(without_timing(docs[1]))
    assert without_timing(docs[0]) != without_timing(docs[2])  # control: the generated cases changed


def test_usage_and_configuration_errors_exit_2_with_their_source(tmp_path: Path) -> None:
    """Unknown assignment, missing submission, and an invalid setting from the environment each exit 2."""
    unknown = grader("grade", "no-such-assignment", str(MINIFLOW / "correct.py"), "--out", str(tmp_path))
    assert unknown.returncode == 2 and "miniflow" in unknown.stderr  # lists the valid ids
    missing = grader("grade", "miniflow", str(tmp_path / "nope.py"), "--out", str(tmp_path))
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    env = {**__import__("os").environ, "GRADER_JOBS": "x"}
    bad_env = grader("batch", "miniflow", str(MINIFLOW), "--out", str(tmp_path / "o"), env=env)
    assert bad_env.returncode == 2
    assert "invalid jobs 'x' from GRADER_JOBS: expected a positive integer" in bad_env.stderr
    (tmp_path / "grader.toml").write_text('isolation = "docker"\n')
    bad_file = grader("check", str(MINIFLOW / "correct.py"), cwd=tmp_path)
    assert bad_file.returncode == 2
    assert "invalid isolation 'docker' from grader.toml" in bad_file.stderr and "bwrap" in bad_file.stderr


def test_check_infers_the_assignment_and_exits_by_the_visible_cases() -> None:
    """check: 0 for a correct layers file (assignment inferred), non-zero for a buggy one."""
    good = grader("check", str(LAYERS / "correct.py"))
    assert good.returncode == 0, good.stdout + good.stderr
    assert "against dlfs-layers" in good.stdout and "all visible cases pass" in good.stdout
    bad = grader("check", str(LAYERS / "mul_swapped.py"))
    assert bad.returncode == 1
    assert "MulLayer" in bad.stdout


def test_assignments_lists_the_three_shipped_ones() -> None:
    """`grader assignments` prints one line per shipped assignment with its family."""
    done = grader("assignments")
    assert done.returncode == 0
    for ident, family in (("miniflow", "miniflow"), ("dezero", "dezero"), ("dlfs-layers", "layers")):
        assert any(line.split()[:2] == [ident, family] for line in done.stdout.splitlines())


@pytest.mark.parametrize("command", ["check", "grade", "batch"])
def test_the_grading_path_never_imports_torch(tmp_path: Path, command: str) -> None:
    """check, grade and batch finish without torch in sys.modules (it costs ~2.5 s and 220 MB)."""
    args = {
        "check": ["check", str(MINIFLOW / "correct.py")],
        "grade": ["grade", "miniflow", str(MINIFLOW / "correct.py"), "--out", str(tmp_path / "g")],
        "batch": ["batch", "miniflow", str(MINIFLOW), "--out", str(tmp_path / "b"), "--jobs", "2"],
    }[command]
    probe = (
        "import sys, atexit\n"
        "atexit.register(lambda: print('TORCH-LOADED' if 'torch' in sys.modules else 'TORCH-ABSENT'))\n"
        "from grader.cli import main\n"
        f"code = main({args!r})\n"
        "sys.exit(code)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300)
    assert "TORCH-ABSENT" in done.stdout, done.stdout[-2000:] + done.stderr[-2000:]
    control = subprocess.run(  # the probe can see torch when it is imported
        [
            sys.executable,
            "-c",
            probe.replace("from grader.cli import main\n", "import torch\nmain = lambda a: 0\n"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "TORCH-LOADED" in control.stdout
