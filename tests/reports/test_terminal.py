"""Terminal summary: one line per case with its hint, blame, score, seed, warning; colour only on a TTY."""

from __future__ import annotations

import io

from report_builder import build_report

from grader.reports import print_summary


class FakeTTY(io.StringIO):
    def isatty(self):
        return True


def test_lines(report):
    """PASS/FAIL/ERROR/SKIP per case with points and name, the hint, blame, score and seed lines."""
    out = io.StringIO()
    print_summary(report, out)
    lines = out.getvalue().splitlines()
    words = [line.split()[0] for line in lines if line.split()[0] in ("PASS", "FAIL", "ERROR", "SKIP")]
    assert words == ["FAIL", "FAIL", "PASS", "ERROR", "ERROR", "SKIP"]
    text = out.getvalue()
    assert "1/2  affine-unit" in text
    assert "Affine.backward: gradient of W (dW) is transposed" in text
    assert "blame: The failing graph cases are explained by Affine.backward" in text
    assert "score 3 / 10" in text
    assert "seed 1234" in text
    assert "\033[" not in text  # a StringIO is not a terminal


def test_isolation_warning_shown():
    """A run without bwrap prints its isolation warning and names the isolation on the seed line."""
    out = io.StringIO()
    print_summary(build_report(isolation="rlimits-root-dropped"), out)
    assert "WARNING isolation: rlimits-root-dropped" in out.getvalue()
    assert "isolation rlimits-root-dropped" in out.getvalue()


def test_colour_on_tty_unless_no_color(report, monkeypatch):
    """ANSI colour on a TTY; none when NO_COLOR is set."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    tty = FakeTTY()
    print_summary(report, tty)
    assert "\033[31mFAIL" in tty.getvalue()
    monkeypatch.setenv("NO_COLOR", "1")
    plain = FakeTTY()
    print_summary(report, plain)
    assert "\033[" not in plain.getvalue()
