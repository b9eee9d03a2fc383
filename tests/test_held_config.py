"""grader.held_config: whether the code graded holds a copy of the working directory's config file, looked
for only where the loader reads code."""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from blocking import never_blocks

from grader.held_config import Config, held, read_config
from grader.loaders import MAX_FOLDER_ENTRIES

TEXT = "stage = 'add'\nseed = 7\n"


def _zip(path: Path, names: dict[str, str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in names.items():
            archive.writestr(name, text)
    return path


def _write(path: Path, text: str = TEXT) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _notebook(path: Path, *cells: str) -> Path:
    doc = {
        "cells": [{"cell_type": "code", "metadata": {}, "source": c, "outputs": []} for c in cells],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return _write(path, json.dumps(doc))


@pytest.fixture
def config(tmp_path: Path) -> Config:
    """The TA's ./grader.toml, the student's unpacked copy: TEXT."""
    found = read_config(_write(tmp_path / "wd" / "grader.toml"))
    assert found is not None
    return found


@pytest.fixture
def deadline() -> Iterator[None]:
    """A look that blocks (a FIFO opened for reading waits for a writer forever) fails the test."""
    with never_blocks("held()"):
        yield


def test_a_zip_entry_is_found_at_any_depth_any_case_and_with_windows_separators(
    tmp_path: Path, config: Config
) -> None:
    """A zip holds a copy of ./grader.toml at its top, deep in a folder, after a Windows tool's '\\', or
    spelled GRADER.TOML (macOS and `unzip -LL` give grader.toml: review of s23-fixuser, finding 3): each is
    found, named as the loader names it. Not found: a name only ending so, and a grader.toml whose bytes
    differ (not the file read: finding 6)."""
    for inner, shown in (
        ("grader.toml", "grader.toml"),
        ("kim/hw/grader.toml", "kim/hw/grader.toml"),
        ("kim\\grader.toml", "kim/grader.toml"),
        ("kim/GRADER.TOML", "kim/GRADER.TOML"),
        ("Grader.Toml", "Grader.Toml"),
    ):
        zipped = _zip(tmp_path / "kim.zip", {"kim/miniflow.py": "x = 1\n", inner: TEXT})
        assert held(config, [zipped], []) == (str(zipped), shown)
    other = _zip(tmp_path / "lee.zip", {"miniflow.py": "x = 1\n", "old_grader.toml": TEXT})
    differs = _zip(tmp_path / "ann.zip", {"miniflow.py": "x = 1\n", "grader.toml": TEXT + "# mine\n"})
    assert held(config, [other, differs], []) is None


def test_a_folders_file_is_found_only_with_the_same_bytes(tmp_path: Path, config: Config) -> None:
    """Finding 6: a student's grader.toml that differs from ./grader.toml (longer, or the same size with
    other bytes) is not it; a copy, in any case, at any depth, is."""
    kim = tmp_path / "kim"
    _write(kim / "miniflow.py", "x = 1\n")
    _write(kim / "hw" / "grader.toml", TEXT.replace("7", "8"))
    assert held(config, [kim], []) is None
    _write(kim / "hw" / "grader.toml", TEXT + "\n")
    assert held(config, [kim], []) is None
    _write(kim / "hw" / "grader.toml")
    assert held(config, [kim], []) == (str(kim), "hw/grader.toml")
    (kim / "hw" / "grader.toml").rename(kim / "hw" / "GRADER.TOML")
    assert held(config, [kim], []) == (str(kim), "hw/GRADER.TOML")


def test_what_the_loader_never_grades_is_not_looked_into(
    tmp_path: Path, config: Config, deadline: None
) -> None:
    """Not the code graded, so not looked into: a damaged zip, a submission that is a link (a folder or a
    zip: refused by the loader), a linked zip or folder in a folder (never followed), a FIFO named kim.zip or
    grader.toml (skipped by the loader; opening it blocked the batch forever: finding 1), .git and a real
    virtual environment, a .py file, and a zip beside a Python file (the loader grades only a folder's lone
    top-level zip: finding 2). Controls: venv/ that is no environment is read by the loader and looked into,
    and the folder's lone zip is."""
    (tmp_path / "bad.zip").write_bytes(b"PK\x05\x06 not a zip")
    kim = tmp_path / "kim"
    _write(kim / ".git" / "grader.toml")
    _write(kim / "env" / "pyvenv.cfg", "home = /usr/bin\n")
    _write(kim / "env" / "lib" / "python3.12" / "site-packages" / "grader.toml")
    other = _zip(tmp_path / "other.zip", {"grader.toml": TEXT})
    (kim / "linked.zip").symlink_to(other)
    _write(tmp_path / "elsewhere" / "grader.toml")
    (kim / "hw").symlink_to(tmp_path / "elsewhere")
    os.mkfifo(kim / "data.zip")
    os.mkfifo(kim / "Grader.toml")
    os.mkfifo(tmp_path / "fifo.zip")
    (tmp_path / "link").symlink_to(tmp_path / "elsewhere")
    (tmp_path / "link.zip").symlink_to(other)
    _write(tmp_path / "kim.py", "x = 1\n")
    _zip(kim / "old.zip", {"grader.toml": TEXT})
    _write(kim / "miniflow.py", "x = 1\n")
    graded = [tmp_path / n for n in ("bad.zip", "kim", "fifo.zip", "link", "link.zip", "kim.py")]
    assert held(config, graded, []) is None
    assert held(config, [tmp_path / "elsewhere"], []) == (str(tmp_path / "elsewhere"), "grader.toml")
    (kim / "miniflow.py").unlink()  # old.zip is now the folder's lone zip: the loader grades it
    assert held(config, [kim], []) == (str(kim), "old.zip: grader.toml")
    _write(kim / "venv" / "grader.toml")
    assert held(config, [kim], []) == (str(kim), "venv/grader.toml")


def test_a_folder_is_counted_as_the_loader_counts_it(tmp_path: Path, config: Config) -> None:
    """Past MAX_FOLDER_ENTRIES files and folders the loader refuses the folder (its code is not graded) and
    it is not looked into; hidden names are not counted (finding 5: they were, and 10,001 hidden files hid
    a copy the loader grades beside)."""
    big, hidden = tmp_path / "big", tmp_path / "hidden"
    for folder, prefix in ((big, "f"), (hidden, ".h")):
        folder.mkdir()
        for i in range(MAX_FOLDER_ENTRIES + 1):
            (folder / f"{prefix}{i:05}").touch()
        _write(folder / "hw" / "grader.toml")
    assert held(config, [big], []) is None
    assert held(config, [hidden], []) == (str(hidden), "hw/grader.toml")


def test_a_notebook_writing_a_copy_is_found_alone_in_a_folder_or_a_zip(
    tmp_path: Path, config: Config
) -> None:
    """Finding 4: a TA who ran kim.ipynb wrote its `%%writefile grader.toml` cell to ./grader.toml. Found for
    the notebook graded alone, in a folder, in a zip; not for a cell writing other bytes or another name."""
    cell = f"%%writefile grader.toml\n{TEXT}"
    alone = _notebook(tmp_path / "kim.ipynb", "x = 1\n", cell)
    assert held(config, [alone], []) == (str(alone), "%%writefile grader.toml")
    _notebook(tmp_path / "kim" / "hw" / "kim.ipynb", "x = 1\n", cell.replace("grader.toml", "GRADER.toml"))
    assert held(config, [tmp_path / "kim"], []) == (
        str(tmp_path / "kim"),
        "hw/kim.ipynb: %%writefile GRADER.toml",
    )
    zipped = _zip(tmp_path / "kim.zip", {"kim/kim.ipynb": alone.read_text(encoding="utf-8")})
    assert held(config, [zipped], []) == (str(zipped), "kim/kim.ipynb: %%writefile grader.toml")
    other = _notebook(tmp_path / "lee.ipynb", "x = 1\n", cell + "# mine\n", f"%%writefile old.toml\n{TEXT}")
    assert held(config, [other], []) is None


def test_a_class_folder_counts_its_students_entries_not_its_own_top_level(
    tmp_path: Path, config: Config
) -> None:
    """`batch`: each entry of the class folder is a student's; a grader.toml at the class folder's top
    level is the course's (no entry), and a hidden entry is not graded. A zip entry holding one is named."""
    cls = tmp_path / "class"
    _write(cls / ".old" / "grader.toml")
    _write(cls / "grader.toml")
    _write(cls / "lee.py", "x = 1\n")
    assert held(config, [], [cls]) is None
    zipped = _zip(cls / "kim.zip", {"kim/grader.toml": TEXT})
    assert held(config, [], [cls]) == (str(zipped), "kim/grader.toml")


def test_the_working_directorys_file_is_read_through_a_link(tmp_path: Path) -> None:
    """./grader.toml linked to the course's file is compared by what it links to (settings.py reads that);
    a FIFO is none (never opened)."""
    real = _write(tmp_path / "course.toml")
    (tmp_path / "grader.toml").symlink_to(real)
    assert read_config(tmp_path / "grader.toml") == Config("grader.toml", len(TEXT), TEXT.encode())
    os.mkfifo(tmp_path / "fifo.toml")
    assert read_config(tmp_path / "fifo.toml") is None


def test_a_copy_with_the_other_line_ending_is_a_copy(tmp_path: Path, config: Config) -> None:
    """A student's grader.toml converted to CRLF (`unzip -a`, git on Windows, a Windows editor) sets what
    ./grader.toml sets: it was not recognised (known since s23-fixuser2). Found in a folder and a zip, and
    an LF copy of a CRLF ./grader.toml too; not a CRLF file with another value, nor one a line longer."""
    crlf = TEXT.replace("\n", "\r\n")
    kim = tmp_path / "kim"
    _write(kim / "miniflow.py", "x = 1\n")
    (kim / "hw").mkdir()
    (kim / "hw" / "grader.toml").write_bytes(crlf.encode())
    assert held(config, [kim], []) == (str(kim), "hw/grader.toml")
    zipped = _zip(tmp_path / "kim.zip", {"kim/miniflow.py": "x = 1\n", "kim/grader.toml": crlf})
    assert held(config, [zipped], []) == (str(zipped), "kim/grader.toml")
    for wrong in (crlf.replace("7", "8"), crlf + "\r\n", crlf.replace("\r\n", "\r\r\n")):
        (kim / "hw" / "grader.toml").write_bytes(wrong.encode())
        differs = _zip(tmp_path / "lee.zip", {"miniflow.py": "x = 1\n", "grader.toml": wrong})
        assert held(config, [kim, differs], []) is None, repr(wrong)
    windows = tmp_path / "win" / "grader.toml"
    windows.parent.mkdir()
    windows.write_bytes(crlf.encode())
    crlf_config = read_config(windows)
    assert crlf_config is not None
    _write(kim / "hw" / "grader.toml")
    assert held(crlf_config, [kim], []) == (str(kim), "hw/grader.toml")


def test_the_loaders_reading_is_used_through_its_public_names() -> None:
    """held_config reads code where the loader does through the loader's public, documented functions
    (folder_entries, lone_zip, zip_name, READ_BOUNDED, code_cells), never its private helpers, which were
    free to change under it."""
    import ast

    import grader.held_config

    tree = ast.parse(Path(grader.held_config.__file__).read_text(encoding="utf-8"))
    private = sorted(
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "loaders"
        and node.attr.startswith("_")
    )
    assert private == []
