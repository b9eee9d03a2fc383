"""`grader samples --per-assignment N`: which samples a share takes, and where an invalid count came from."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.cli import UsageError
from grader.sample_share import ENV, per_assignment, share_folder, spread


def test_a_share_is_spread_over_the_sorted_samples_from_the_first() -> None:
    """3 of 10 are the 1st, 4th and 7th (every 10/3-th from the first), not the first three names."""
    assert spread(list("abcdefghij"), 3) == ["a", "d", "g"]
    assert spread(list("abcdefghij"), 1) == ["a"]


def test_a_share_no_smaller_than_the_folder_takes_every_sample() -> None:
    """Asking for as many or more samples than there are grades them all, once each."""
    assert spread(list("abc"), 3) == ["a", "b", "c"]
    assert spread(list("abc"), 50) == ["a", "b", "c"]


def test_the_option_wins_over_the_variable_and_neither_means_every_sample() -> None:
    """Command line, then GRADER_SAMPLES_PER_ASSIGNMENT, then None (every sample), as for every setting."""
    assert per_assignment("4", {ENV: "9"}) == 4
    assert per_assignment(None, {ENV: "9"}) == 9
    assert per_assignment(None, {}) is None
    assert per_assignment(None, {ENV: ""}) is None


@pytest.mark.parametrize(
    ("given", "environ", "source"),
    [("0", {}, "--per-assignment"), ("two", {}, "--per-assignment"), (None, {ENV: "-1"}, ENV)],
)
def test_an_invalid_share_says_which_value_from_where(
    given: str | None, environ: dict[str, str], source: str
) -> None:
    """Not a positive integer: a usage error naming the value, the option or variable, and what is valid."""
    raw = given if given is not None else environ[ENV]
    said = rf"invalid per-assignment '{raw}' from {source}: expected a positive integer"
    with pytest.raises(UsageError, match=said):
        per_assignment(given, environ)


def test_the_share_folder_copies_the_chosen_submissions_and_no_other_file(tmp_path: Path) -> None:
    """Files and folders are copied under their names into a folder named as the samples' own; notes that
    are no submission (expected.json, a private helper) are not, and the count is of submissions only."""
    samples = tmp_path / "miniflow"
    samples.mkdir()
    for name in ("a.py", "b.py", "c.py", "d.py", "expected.json", "_make_zip.py"):
        (samples / name).write_text("x = 1\n", encoding="utf-8")
    (samples / "e").mkdir()
    (samples / "e" / "miniflow.py").write_text("y = 2\n", encoding="utf-8")
    folder, total = share_folder(samples, 2, tmp_path / "share")
    assert (folder, total) == (tmp_path / "share" / "miniflow", 5)
    assert sorted(p.name for p in folder.iterdir()) == ["a.py", "c.py"]
    folder, total = share_folder(samples, 5, tmp_path / "all")
    assert sorted(p.name for p in folder.iterdir()) == ["a.py", "b.py", "c.py", "d.py", "e"]
    assert (folder / "e" / "miniflow.py").read_text(encoding="utf-8") == "y = 2\n"
