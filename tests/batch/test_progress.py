"""Batch progress: a redrawn bar on a terminal, plain periodic lines otherwise; count, rate and ETA."""

from __future__ import annotations

import io
import re

from grader.batch.progress import Progress, _duration

STATUS = re.compile(r"^(\d+)/(\d+) graded, \d+\.\d/s, elapsed \d+:\d\d, ETA (\d+:\d\d|\?)$")


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_not_a_terminal_prints_plain_lines_without_carriage_returns() -> None:
    """Piped output (CI logs): whole lines with count, rate, elapsed and ETA; the last one always printed."""
    stream = io.StringIO()
    progress = Progress(3, stream, line_every=0.0)
    for _ in range(3):
        progress.advance()
    progress.finish()
    text = stream.getvalue()
    assert "\r" not in text
    lines = text.splitlines()
    assert [STATUS.match(line).group(1, 2) for line in lines] == [("1", "3"), ("2", "3"), ("3", "3")]  # type: ignore[union-attr]


def test_plain_lines_are_periodic_not_one_per_submission() -> None:
    """With a long period only the final line appears: a class of thousands does not flood the log."""
    stream = io.StringIO()
    progress = Progress(50, stream, line_every=3600.0)
    for _ in range(50):
        progress.advance()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    assert STATUS.match(lines[0]).group(1, 2) == ("50", "50")  # type: ignore[union-attr]


def test_a_terminal_gets_a_redrawn_bar_and_a_final_newline() -> None:
    """On a TTY each update rewrites one line (carriage return, bar, status); finish ends the line."""
    stream = FakeTerminal()
    progress = Progress(4, stream, columns=100)  # padded to 99 columns: a shorter line erases a longer one
    progress.advance()
    progress.advance()
    assert stream.getvalue().count("\r") == 2
    assert stream.getvalue().endswith("  ") and "\n" not in stream.getvalue()
    assert "[" + "#" * 15 + "-" * 15 + "] 2/4 graded" in stream.getvalue()
    progress.finish()
    assert stream.getvalue().endswith("\n")


def test_a_redrawn_line_never_wraps_in_a_narrow_terminal() -> None:
    """Each redrawn line is one column short of the terminal's width, padded to it (a wrapped line made
    every carriage return start a new line: a 40-column window filled with bars): at 100 columns the bar
    is whole, at 70 narrower, at 40 the status alone, cut."""
    for columns, bar in ((100, 30), (70, None), (40, 0)):
        stream = FakeTerminal()
        progress = Progress(2000, stream, columns=columns)
        progress.done = 1998
        progress.advance()
        line = stream.getvalue()
        assert line.startswith("\r") and "\n" not in line and len(line) == columns  # "\r" + columns - 1
        text = line[1:].rstrip()
        if bar == 0:
            assert text.startswith("1999/2000 graded") and "[" not in text
            # the ETA kept whole, the elapsed time left out first (it was cut mid-word: review)
            assert "ETA " in text and "elapsed" not in text, text
        else:
            shown = len(text.split("]")[0]) - 1
            assert shown == bar if bar is not None else 10 <= shown < 30


def test_eta_is_unknown_before_the_first_result() -> None:
    """Nothing graded yet: the ETA is '?', not a division by zero or a made-up number."""
    match = STATUS.match(Progress(10, io.StringIO()).status())
    assert match is not None and match.group(3) == "?"


def test_durations_read_as_minutes_and_seconds_then_hours() -> None:
    """59 s, 61 s and 3,725 s read as 0:59, 1:01 and 1:02:05."""
    assert [_duration(s) for s in (59, 61, 3725, -3)] == ["0:59", "1:01", "1:02:05", "0:00"]
