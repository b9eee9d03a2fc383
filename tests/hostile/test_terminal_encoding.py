"""A student's text never crashes the grader's terminal output, whatever the terminal's encoding.

The terminal summary quotes a case's message: sample text_terminal_encoding.py raises with Greek letters
and a snowman, which neither ASCII nor Latin-1 can write. stdout's strict handler raised UnicodeEncodeError
there, after the reports were written: `grader check` and `grade` said "internal error, please report it"
and exited 1 (session 29, hostile hunt). The real command runs in a subprocess, in both isolation modes,
with PYTHONIOENCODING naming the terminal's encoding."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hostile_harness import HOSTILE_DIR, ISOLATIONS

REPO = Path(__file__).resolve().parents[2]
SAMPLE = HOSTILE_DIR / "text_terminal_encoding.py"
# The sample's message as an ASCII terminal now shows it: each character it lacks as a backslash escape.
ESCAPED = "ValueError: \\u03c3\\u2032(x) \\u2260 \\u03c3(x)"
INTERNAL = "internal error"


def _grader(encoding: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
    env |= {"PYTHONPATH": str(REPO), "PYTHONIOENCODING": encoding}
    argv = [sys.executable, "-m", "grader", *args]
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, timeout=300)


@pytest.mark.parametrize("isolation", ISOLATIONS)
@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_check_prints_a_message_its_terminal_cannot_write(
    isolation: str, encoding: str, tmp_path: Path
) -> None:
    """`grader check` prints every case, the failing ones with the message escaped where the encoding lacks
    a character, and exits 1 for the visible cases that failed, never as an internal error."""
    done = _grader(encoding, "check", str(SAMPLE), "--isolation", isolation, "--seed", "1", cwd=tmp_path)
    out, err = done.stdout.decode(encoding), done.stderr.decode(encoding)
    assert INTERNAL not in err, err[-2000:]
    assert done.returncode == 1, err[-2000:]
    assert ESCAPED in out, out[-2000:]
    assert "PASS" in out and "Sigmoid.backward" in out
    assert any(line.startswith("score ") for line in out.splitlines()), out[-600:]
    assert out.rstrip().endswith("some visible cases fail: see above"), out[-600:]


@pytest.mark.parametrize("isolation", ISOLATIONS)
def test_grade_prints_a_message_its_terminal_cannot_write(isolation: str, tmp_path: Path) -> None:
    """`grader grade` writes its report and its summary on an ASCII terminal and exits 0 (graded), the
    message escaped on the terminal and whole in report.json."""
    out_dir = tmp_path / "out"
    args = ("grade", "miniflow", str(SAMPLE), "--isolation", isolation, "--seed", "1", "--out", str(out_dir))
    done = _grader("ascii", *args, cwd=tmp_path)
    out, err = done.stdout.decode("ascii"), done.stderr.decode("ascii")
    assert INTERNAL not in err, err[-2000:]
    assert done.returncode == 0, err[-2000:]
    assert ESCAPED in out
    assert "σ′(x) ≠ σ(x)" in (out_dir / "report.json").read_text(encoding="utf-8")
