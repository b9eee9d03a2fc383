"""The batch journal: appended line by line, last entry per student wins, torn or garbled lines skipped."""

from __future__ import annotations

import json
from pathlib import Path

from grader.batch.journal import Journal


def _journal(tmp_path: Path, *entries: dict[str, object]) -> Journal:
    journal = Journal(tmp_path / "journal.jsonl")
    with journal:
        for entry in entries:
            journal.append(entry)
    return journal


def test_each_append_is_one_complete_line_on_disk(tmp_path: Path) -> None:
    """Every entry is a full JSON line, readable from the file while the journal is still open."""
    journal = Journal(tmp_path / "journal.jsonl")
    journal.append({"student": "a", "score": 1.5})
    assert (tmp_path / "journal.jsonl").read_text(encoding="utf-8") == '{"score":1.5,"student":"a"}\n'
    journal.append({"student": "b", "score": 0})
    journal.close()
    lines = (tmp_path / "journal.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["student"] for line in lines] == ["a", "b"]


def test_latest_offsets_keep_each_students_last_entry(tmp_path: Path) -> None:
    """A student journaled twice (a regrade) is listed once, with the later entry."""
    journal = _journal(
        tmp_path, {"student": "a", "score": 1}, {"student": "b", "score": 2}, {"student": "a", "score": 3}
    )
    offsets = journal.latest_offsets()
    assert sorted(offsets) == ["a", "b"]
    assert journal.entry_at(offsets["a"]) == {"student": "a", "score": 3}
    assert journal.entry_at(offsets["b"]) == {"student": "b", "score": 2}


def test_a_torn_last_line_is_ignored_and_cut_before_the_next_append(tmp_path: Path) -> None:
    """kill -9 mid-write leaves half a line: it is not a student, and the next append starts a clean line."""
    journal = _journal(tmp_path, {"student": "a", "score": 1})
    path = tmp_path / "journal.jsonl"
    with path.open("a", encoding="utf-8") as fh:
        fh.write('{"score":2,"student":"b"')  # no closing brace, no newline
    assert list(Journal(path).latest_offsets()) == ["a"]
    with Journal(path) as again:
        again.append({"student": "c", "score": 3})
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["student"] for line in lines] == ["a", "c"]
    assert sorted(journal.latest_offsets()) == ["a", "c"]


def test_a_torn_line_that_happens_to_parse_is_still_ignored(tmp_path: Path) -> None:
    """A write cut right before its newline holds valid JSON: without the newline it is still not trusted."""
    _journal(tmp_path, {"student": "a"})
    path = tmp_path / "journal.jsonl"
    with path.open("a", encoding="utf-8") as fh:
        fh.write('{"student":"b"}')
    assert list(Journal(path).latest_offsets()) == ["a"]


def test_garbled_and_foreign_lines_are_skipped(tmp_path: Path) -> None:
    """Lines that are not JSON objects with a string `student` are not entries; the good ones still count."""
    path = tmp_path / "journal.jsonl"
    path.write_text('not json\n[1, 2]\n{"student": 7}\n{"score": 1}\n{"student":"ok"}\n\n', encoding="utf-8")
    assert list(Journal(path).latest_offsets()) == ["ok"]


def test_a_missing_journal_has_no_entries(tmp_path: Path) -> None:
    """Before the first append there is nothing done, and no file is created by reading."""
    journal = Journal(tmp_path / "journal.jsonl")
    assert journal.latest_offsets() == {}
    assert not journal.path.exists()


def test_lines_are_fsynced_once_on_close(tmp_path: Path, monkeypatch) -> None:
    """Each line reaches the OS as it is appended (a killed batch loses none: read back before close), and
    the journal is fsynced once, when closed, before a batch builds its class files from it; a line lost to
    a power loss before then only means its student is graded again by --resume."""
    import os

    synced: list[int] = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real(fd))[1])
    journal = Journal(tmp_path / "journal.jsonl")
    for student in ("a", "b", "c"):
        journal.append({"student": student})
    assert synced == []
    assert sorted(Journal(tmp_path / "journal.jsonl").latest_offsets()) == ["a", "b", "c"]
    journal.close()
    assert len(synced) == 1
    journal.close()  # closing twice syncs nothing more
    assert len(synced) == 1
