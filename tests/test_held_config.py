"""grader.held_config: whether the code graded lists a config file of its own, read from names alone."""

from __future__ import annotations

import zipfile
from pathlib import Path

from grader.held_config import held


def _zip(path: Path, names: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in names.items():
            archive.writestr(name, text)
    return path


def test_a_zip_entry_is_found_at_any_depth_and_with_windows_separators(tmp_path: Path) -> None:
    """A zip lists grader.toml at its top, deep in a folder, or after a Windows tool's '\\': each is found,
    named as the loader names it ('/' between folders); a zip with none, or a name only ending so, is not."""
    for inner, shown in (
        ("grader.toml", "grader.toml"),
        ("kim/hw/grader.toml", "kim/hw/grader.toml"),
        ("kim\\grader.toml", "kim/grader.toml"),
    ):
        zipped = _zip(tmp_path / "kim.zip", {"kim/miniflow.py": "x = 1\n", inner: "seed = 7\n"})
        assert held("grader.toml", [zipped], []) == (str(zipped), shown)
    clean = _zip(tmp_path / "lee.zip", {"miniflow.py": "x = 1\n", "old_grader.toml": "seed = 7\n"})
    assert held("grader.toml", [clean], []) is None


def test_what_the_loader_never_grades_is_not_looked_into(tmp_path: Path) -> None:
    """Not the code graded, so not counted: a damaged zip (refused by the loader), a linked zip in a folder
    and a linked folder (never followed), a .git or venv/ folder (never read for code), a .py file. Control:
    the same file at the folder's top is found."""
    (tmp_path / "bad.zip").write_bytes(b"PK\x05\x06 not a zip")
    kim = tmp_path / "kim"
    for skipped in (".git", "venv"):
        (kim / skipped).mkdir(parents=True)
        (kim / skipped / "grader.toml").write_text("seed = 7\n", encoding="utf-8")
    other = _zip(tmp_path / "other.zip", {"grader.toml": "seed = 7\n"})
    (kim / "linked.zip").symlink_to(other)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "grader.toml").write_text("seed = 7\n", encoding="utf-8")
    (kim / "hw").symlink_to(elsewhere)
    (tmp_path / "kim.py").write_text("x = 1\n", encoding="utf-8")
    assert held("grader.toml", [tmp_path / "bad.zip", kim, tmp_path / "kim.py"], []) is None
    (kim / "grader.toml").write_text("seed = 7\n", encoding="utf-8")
    assert held("grader.toml", [kim], []) == (str(kim), "grader.toml")


def test_a_class_folder_counts_its_students_entries_not_its_own_top_level(tmp_path: Path) -> None:
    """`batch`: each entry of the class folder is a student's; a grader.toml at the class folder's top
    level is the course's (no entry), and a hidden entry is not graded. A zip entry holding one is named."""
    cls = tmp_path / "class"
    (cls / ".old").mkdir(parents=True)
    (cls / ".old" / "grader.toml").write_text("seed = 7\n", encoding="utf-8")
    (cls / "grader.toml").write_text("seed = 7\n", encoding="utf-8")
    (cls / "lee.py").write_text("x = 1\n", encoding="utf-8")
    assert held("grader.toml", [], [cls]) is None
    zipped = _zip(cls / "kim.zip", {"kim/grader.toml": "seed = 7\n"})
    assert held("grader.toml", [], [cls]) == (str(zipped), "kim/grader.toml")
