"""grader.held_config: whether the code graded holds a copy of the working directory's config file, looked
for only where the loader reads code."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from blocking import never_blocks

from grader.held_config import CANDIDATE_SLACK_BYTES, READ_BUDGET, Config, Look, held, look, read_config
from grader.loaders import MAX_FOLDER_ENTRIES

TEXT = "stage = 'add'\nseed = 7\n"


def _zip(path: Path, names: dict[str, str], compression: int = zipfile.ZIP_STORED) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
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
    found, named as the loader names it. Not found: a name only ending so, and a grader.toml that sets more
    (not the file read: finding 6)."""
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
    differs = _zip(tmp_path / "ann.zip", {"miniflow.py": "x = 1\n", "grader.toml": TEXT + "jobs = 2\n"})
    assert held(config, [other, differs], []) is None


def test_a_folders_file_is_found_only_when_it_sets_the_same(tmp_path: Path, config: Config) -> None:
    """Finding 6, the course layout: a student's grader.toml that sets anything else than ./grader.toml (the
    same size with another seed, one more setting, a setting fewer, the same settings in a table of
    their own) is not it, and the course's file is read; a copy, in any case, at any depth, is found."""
    kim = tmp_path / "kim"
    _write(kim / "miniflow.py", "x = 1\n")
    for other in (
        TEXT.replace("7", "8"),
        TEXT + "jobs = 2\n",
        "stage = 'add'\n",
        "[grader]\n" + TEXT,
        TEXT.replace("seed = 7", "seed = '7'"),
    ):
        _write(kim / "hw" / "grader.toml", other)
        assert held(config, [kim], []) is None, other
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
    the notebook graded alone, in a folder, in a zip; not for a cell writing more settings or another name."""
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
    other = _notebook(tmp_path / "lee.ipynb", "x = 1\n", cell + "jobs = 2\n", f"%%writefile old.toml\n{TEXT}")
    assert held(config, [other], []) is None


@pytest.mark.parametrize(
    "first",
    [
        "%%file grader.toml",
        '%%writefile "grader.toml"',
        "%%writefile grader.toml -a",
        "%%file --app grader.toml",
    ],
)
def test_a_notebook_writing_a_copy_by_any_spelling_jupyter_reads_is_found(
    tmp_path: Path, config: Config, first: str
) -> None:
    """`%%file` (IPython's alias of %%writefile), a quoted name, -a after the name or a prefix of --append all
    write ./grader.toml when the TA runs the notebook: each was passed over (its name read as `"grader.toml"`,
    or the magic not known), and the student's stage and seed read. Control: a line Jupyter refuses (two
    names) writes nothing, and is no copy."""
    alone = _notebook(tmp_path / "kim.ipynb", "x = 1\n", f"{first}\n{TEXT}")
    assert held(config, [alone], []) == (str(alone), "%%writefile grader.toml")
    refused = _notebook(tmp_path / "lee.ipynb", "x = 1\n", f"%%file grader.toml other.toml\n{TEXT}")
    assert held(config, [refused], []) is None


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
    assert read_config(tmp_path / "grader.toml") == Config("grader.toml", TEXT.encode())
    os.mkfifo(tmp_path / "fifo.toml")
    assert read_config(tmp_path / "fifo.toml") is None


def _text_zip(path: Path, names: dict[str, bytes]) -> Path:
    """Entries flagged as text (internal_attr 1), which `unzip -a` converts."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in names.items():
            info = zipfile.ZipInfo(name)
            info.internal_attr = 1
            archive.writestr(info, data)
    return path


# What `unzip -a` (Info-ZIP 6.0) makes of a text entry, measured on this machine: the student's file and the
# ./grader.toml a TA unpacked from it.
UNZIP_A = {
    "crlf": (b"stage = 'add'\r\nseed = 7\r\n", TEXT.encode()),
    "lone CR": (b"stage = 'add'\rseed = 7\r", TEXT.encode()),
    "CRLF and Ctrl-Z": (b"stage = 'add'\r\nseed = 7\r\n\x1a", TEXT.encode()),
    "Ctrl-Z padding": (b"stage = 'add'\n\x1a\x1a\x1aseed = 7\n" + b"\x1a" * 200_000, TEXT.encode()),
    "CR, Ctrl-Z, LF": (b"stage = 'add'\r\x1a\nseed = 7\n", b"stage = 'add'\n\nseed = 7\n"),
}


@pytest.mark.parametrize("kind", UNZIP_A)
def test_a_copy_with_other_line_endings_or_ctrl_z_is_a_copy(tmp_path: Path, kind: str) -> None:
    """A student's grader.toml as `unzip -a` (git on Windows, a Windows editor) converts it sets what the
    ./grader.toml unpacked from it sets: only CRLF was recognised, so a lone-CR file or a trailing Ctrl-Z
    (which `unzip -a` drops, every one) had the student's stage and seed read (review of s24-user, finding 1).
    Found in a folder and in a zip, each way round (./grader.toml the converted file, or the original)."""
    stored, unpacked = UNZIP_A[kind]
    if shutil.which("unzip"):  # the table is what unzip -a does, where it is installed
        out = tmp_path / "unzipped"
        out.mkdir()
        zipped = _text_zip(tmp_path / "k.zip", {"grader.toml": stored})
        subprocess.run(["unzip", "-q", "-a", str(zipped)], cwd=out, check=True)
        assert (out / "grader.toml").read_bytes() == unpacked
    for wd_text, theirs in ((unpacked, stored), (stored, unpacked)):
        wd = tmp_path / "wd" / "grader.toml"
        wd.parent.mkdir(exist_ok=True)
        wd.write_bytes(wd_text)
        config = read_config(wd)
        assert config is not None
        kim = tmp_path / "kim"
        _write(kim / "miniflow.py", "x = 1\n")
        (kim / "hw").mkdir(exist_ok=True)
        (kim / "hw" / "grader.toml").write_bytes(theirs)
        assert held(config, [kim], []) == (str(kim), "hw/grader.toml")
        zipped = _text_zip(tmp_path / "kim.zip", {"kim/miniflow.py": b"x = 1\n", "kim/grader.toml": theirs})
        assert held(config, [zipped], []) == (str(zipped), "kim/grader.toml")


def test_only_the_same_text_is_a_copy_not_the_same_settings(tmp_path: Path, config: Config) -> None:
    """Review of s24-fixuser, finding 5: "the same TOML document" counted a student's `stage = 'add'  #
    mine` (or `seed = 7.0`: Python's 7.0 == 7) as a copy of a course file setting the same, refusing whole
    batches, while no tool we know makes such a change. Only `unzip -a`'s conversions make a copy now.
    Controls: the CRLF copy is one; a CRLF file with another value, a setting longer, a lone-CR other file,
    are not."""
    kim = tmp_path / "kim"
    _write(kim / "miniflow.py", "x = 1\n")
    (kim / "hw").mkdir()
    for other in (
        b'seed=7   # mine\r\nstage = "add"\r\n',
        b"# caf\xe9\nstage = 'add'\nseed = 7\n",
        b"stage = 'add'  # mine\nseed = 7\n",
        b"stage = 'add'\nseed = 7.0\n",
    ):
        (kim / "hw" / "grader.toml").write_bytes(other)
        assert held(config, [kim], []) is None, other
    crlf = TEXT.replace("\n", "\r\n")
    (kim / "hw" / "grader.toml").write_bytes(crlf.encode())
    assert held(config, [kim], []) == (str(kim), "hw/grader.toml")
    for wrong in (crlf.replace("7", "8"), crlf + "jobs = 2\r\n", "stage = 'add'\rseed = 8\r"):
        (kim / "hw" / "grader.toml").write_bytes(wrong.encode())
        differs = _text_zip(tmp_path / "lee.zip", {"miniflow.py": b"x = 1\n", "grader.toml": wrong.encode()})
        assert held(config, [kim, differs], []) is None, repr(wrong)


def _patched(path: Path, name: str, patch: Callable[[bytearray, zipfile.ZipInfo], None]) -> Path:
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        patch(data, archive.getinfo(name))
    path.write_bytes(bytes(data))
    return path


def _bad_crc(data: bytearray, info: zipfile.ZipInfo) -> None:
    """The entry's CRC, in its local header and in the directory, made wrong by one bit."""
    crc, wrong = info.CRC.to_bytes(4, "little"), (info.CRC ^ 1).to_bytes(4, "little")
    assert data.count(crc) == 2
    data[:] = data.replace(crc, wrong)


def _other_local_name(data: bytearray, info: zipfile.ZipInfo) -> None:
    """The local header names the entry otherwise than the directory (`zipfile` refuses to open it)."""
    at = info.header_offset + 30
    assert data[at : at + 4] == b"data"
    data[at : at + 4] = b"DATA"


def _damaged_deflate(data: bytearray, info: zipfile.ZipInfo) -> None:
    """The deflate stream's first bytes made an invalid block (zlib.error when read)."""
    at = info.header_offset + 30 + len(info.filename)
    data[at : at + 3] = b"\xff\xff\xff"


BROKEN = {"bad CRC": _bad_crc, "local name": _other_local_name, "damaged deflate": _damaged_deflate}
REASONS = {"bad CRC": "BadZipFile", "local name": "BadZipFile", "damaged deflate": "error"}  # zlib.error


@pytest.mark.parametrize("damage", BROKEN)
def test_a_broken_entry_never_hides_a_copy_after_it(tmp_path: Path, config: Config, damage: str) -> None:
    """Review of s24-fixuser, findings 1 and 2: a damaged data/grader.toml placed first in kim.zip (2 MiB of
    Ctrl-Z with a bad CRC, or a local header naming it otherwise) ended the look at its error, so the
    student's real copy after it went unseen (here the damaged entry is smaller than the copy, so it is read
    first however the entries are ordered) and their stage and seed were read (/tmp/s24-fixuser/hc
    kim_badcrc.zip, kim_name.zip: `grade` exit 0); damaged deflate data raised zlib.error, which nothing
    caught (kim_zlib.zip: `batch` internal error). Each entry's failure is its own: the copy after it is
    found; alone, the damaged entry is named as one that could not be compared (never "no copy", unsaid)."""
    zipped = _zip(
        tmp_path / "kim.zip",
        {"miniflow.py": "x = 1\n", "data/grader.toml": "\x1a" * 8, "grader.toml": TEXT},
        zipfile.ZIP_DEFLATED,
    )
    _patched(zipped, "data/grader.toml", BROKEN[damage])
    assert held(config, [zipped], []) == (str(zipped), "grader.toml")
    bad = {"miniflow.py": "x = 1\n", "data/grader.toml": "\x1a" * (2 << 20)}
    alone = _zip(tmp_path / "lee.zip", bad, zipfile.ZIP_DEFLATED)
    _patched(alone, "data/grader.toml", BROKEN[damage])
    found = look(config, [alone], [])
    assert found.copy is None and found.unread is not None
    assert found.unread[:2] == (str(alone), "data/grader.toml")
    assert found.unread[2].startswith(f"cannot be read ({REASONS[damage]}: "), found.unread


def test_an_entry_that_cannot_be_compared_is_named_not_counted_as_a_copy(
    tmp_path: Path, config: Config
) -> None:
    """Review of s24-fixuser, finding 3: a bzip2 entry `# my own notes` and one padded past the read
    budget with Ctrl-Z counted as copies (never read), and stopped the whole class's batch with "holds a copy
    of it". Neither is read to its end, neither is a copy: each is named as unread, why included. Controls:
    the same bzip2 zip without grader.toml (nothing to say), a bzip2 one beside a readable copy (the copy
    wins), and a file longer than ./grader.toml by more than CANDIDATE_SLACK_BYTES of text (not a copy, not
    read to its end, nothing unsettled)."""
    bz = tmp_path / "bz.zip"
    with zipfile.ZipFile(bz, "w", compression=zipfile.ZIP_BZIP2) as archive:
        archive.writestr("miniflow.py", "x = 1\n")
        archive.writestr("grader.toml", "# my own notes\n")
    assert held(config, [bz], []) is None
    why = "stored with bzip2, which is never inflated here"
    assert look(config, [bz], []) == Look(unread=(str(bz), "grader.toml", why))
    with zipfile.ZipFile(tmp_path / "bz_none.zip", "w", compression=zipfile.ZIP_BZIP2) as archive:
        archive.writestr("miniflow.py", "x = 1\n")
    assert look(config, [tmp_path / "bz_none.zip"], []) == Look()
    with zipfile.ZipFile(bz, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("kim/grader.toml", TEXT)
    assert look(config, [bz], []) == Look(copy=(str(bz), "kim/grader.toml"))
    padded = tmp_path / "pad.zip"
    with zipfile.ZipFile(padded, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("grader.toml", b"seed = 1\n" + b"\x1a" * READ_BUDGET)
    assert held(config, [padded], []) is None
    unread = look(config, [padded], []).unread
    assert unread is not None and unread[:2] == (str(padded), "grader.toml") and "MiB read" in unread[2]
    kim = tmp_path / "kim"
    _write(kim / "miniflow.py", "x = 1\n")
    (kim / "grader.toml").write_bytes(TEXT.encode() + b"\x1a" * READ_BUDGET)  # a copy, past the budget
    assert look(config, [kim], []).unread == (str(kim), "grader.toml", unread[2])
    long = tmp_path / "long.zip"
    with zipfile.ZipFile(long, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("grader.toml", TEXT + "#" * (CANDIDATE_SLACK_BYTES + len(TEXT)))
    assert look(config, [long], []) == Look()


def test_grade_refuses_and_batch_warns_for_a_file_that_cannot_be_compared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Review of s24-fixuser, findings 2 and 3, through settings.resolve as `grade` and `batch` call it: a
    class holding kim.zip whose notes/grader.toml has damaged deflate data stopped the batch with an internal
    error (zlib.error), and one whose grader.toml is bzip2 `# my own notes` with "holds a copy of it" (exit
    2). Now `batch` reads the course's file and warns the TA, naming the entry, why, and --config; `grade` of
    that zip from kim's unpacked folder refuses ./grader.toml with the same account and the way out.
    Controls: a readable copy in the class still refuses the batch; a class without it warns of nothing."""
    from grader.schema import ConfigError
    from grader.settings import resolve

    course = tmp_path / "course"
    cls = course / "class"
    _write(cls / "lee.py", "x = 1\n")
    _write(course / "grader.toml", "# course settings\n" + TEXT)
    monkeypatch.chdir(course)
    assert resolve({}, environ={}, classes=["class"])["stage"] == "add"
    assert capsys.readouterr().err == ""
    damaged = _zip(
        cls / "kim.zip", {"miniflow.py": "x = 1\n", "notes/grader.toml": "x" * 5000}, zipfile.ZIP_DEFLATED
    )
    _patched(damaged, "notes/grader.toml", _damaged_deflate)
    with zipfile.ZipFile(cls / "ann.zip", "w", compression=zipfile.ZIP_BZIP2) as archive:
        archive.writestr("miniflow.py", "x = 1\n")
        archive.writestr("grader.toml", "# my own notes\n")
    resolved = resolve({}, environ={}, classes=["class"])
    assert (resolved["stage"], resolved["seed"]) == ("add", 7)
    warned = capsys.readouterr().err
    assert warned.startswith(
        "warning: grader.toml in the working directory sets seed, stage, and the code graded holds a file "
        "of its name that could not be compared with it (class/ann.zip: grader.toml: stored with bzip2, "
        "which is never inflated here), and 1 other submission(s) hold one too; read as the course's file"
    ), warned
    assert "--config naming the course's file by its absolute path" in warned, warned
    for zipped, why in ((damaged, "cannot be read (error: "), (cls / "ann.zip", "stored with bzip2")):
        kim = tmp_path / zipped.stem
        _write(kim / "grader.toml", TEXT)
        monkeypatch.chdir(kim)
        with pytest.raises(ConfigError) as err:
            resolve({}, environ={}, graded=[f"../course/class/{zipped.name}"])
        assert "holds a file of its name that could not be compared with it" in str(err.value), err.value
        assert f"(../course/class/{zipped.name}: " in str(err.value) and why in str(err.value), err.value
        assert f"--config {kim / 'grader.toml'}" in str(err.value), err.value
    monkeypatch.chdir(course)
    _zip(cls / "bob.zip", {"miniflow.py": "x = 1\n", "hw/grader.toml": "# course settings\n" + TEXT})
    with pytest.raises(ConfigError, match=r"holds a copy of it \(class/bob\.zip: hw/grader\.toml\)"):
        resolve({}, environ={}, classes=["class"])


def test_candidates_are_read_within_one_budget_per_submission(
    tmp_path: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review of s24-fixuser, finding 4 (bomb.py): entries of 64 MiB of Ctrl-Z and an `x` (deflated to
    65 KB each) were each read whole, 16.9 s for five; now READ_BUDGET bytes in all per submission. And a
    notebook's 20 MB `%%writefile grader.toml` cell was parsed as TOML (2-8 s): now told apart by its length.
    Candidates are read the smallest first, so padded decoys cannot spend the budget before a copy.
    Counted, not timed: the bytes read out of the bomb's entries stay within READ_BUDGET (and a chunk each);
    the notebook cell's 20 MB never reach `unzipped`, whose regular expressions ran on them."""
    import grader.held_config as held_config

    read: list[int] = []
    entry_chunks = held_config._entry_chunks

    def counted(archive: zipfile.ZipFile, info: zipfile.ZipInfo):  # type: ignore[no-untyped-def]
        for chunk in entry_chunks(archive, info):
            read.append(len(chunk))
            yield chunk

    compared: list[int] = []
    unzipped = held_config.unzipped

    def measured(data: bytes) -> bytes:
        compared.append(len(data))
        return unzipped(data)

    monkeypatch.setattr(held_config, "_entry_chunks", counted)
    monkeypatch.setattr(held_config, "unzipped", measured)
    bomb = tmp_path / "bomb.zip"
    pad = b"\x1a" * (64 * 1024 * 1024 - 1) + b"x"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("miniflow.py", "x = 1\n")
        for i in range(3):
            archive.writestr(f"d{i}/grader.toml", pad)
    del pad
    assert held(config, [bomb], []) is None
    # three entries of 64 MiB, read whole before; now the budget, and one chunk each past it (read, then
    # found over the budget)
    assert 0 < sum(read) <= READ_BUDGET + 3 * max(read)
    # decoys that would spend the budget, placed first, never hide the copy after them: the smallest first
    decoys = {f"{d}/grader.toml": "\x1a" * READ_BUDGET for d in "ab"}
    zipped = _zip(tmp_path / "kim.zip", {**decoys, "z/grader.toml": TEXT}, zipfile.ZIP_DEFLATED)
    assert held(config, [zipped], []) == (str(zipped), "z/grader.toml")
    for name, text in {**decoys, "z/grader.toml": TEXT}.items():
        _write(tmp_path / "kim" / name, text)
    assert held(config, [tmp_path / "kim"], []) == (str(tmp_path / "kim"), "z/grader.toml")
    cell = "%%writefile grader.toml\nx = '" + "a" * (20 * 1024 * 1024) + "'\n"
    notebook = _notebook(tmp_path / "kim.ipynb", "x = 1\n", cell)
    compared.clear()
    assert held(config, [notebook], []) is None
    assert max(compared, default=0) < 1024 * 1024  # the cell's 20 MB told apart by its length alone


def test_a_submissions_notebooks_are_read_within_the_loaders_caps_together(
    tmp_path: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A zip of 330 KB holding 20 notebooks of 16 MiB of `[],` (each under MAX_NOTEBOOK_BYTES, which was
    checked one by one) cost the look 58 s of the parent's CPU, before a batch graded anyone; the loader
    refuses such a zip on the notebooks' bytes together, and on their JSON values together. Counted: past
    either cap a notebook is neither inflated nor parsed; those within them are read (control)."""
    import grader.held_config as held_config
    import grader.loaders as loaders

    inflated: list[str] = []
    read_entry = held_config._read_entry
    monkeypatch.setattr(
        held_config,
        "_read_entry",
        lambda archive, info: inflated.append(info.filename) or read_entry(archive, info),
    )
    parsed: list[int] = []
    real = json.loads
    monkeypatch.setattr(loaders.json, "loads", lambda text, **kw: parsed.append(1) or real(text, **kw))
    cell = {"cell_type": "code", "metadata": {}, "source": "x = 1\n", "outputs": []}
    plain = json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    monkeypatch.setattr(loaders, "MAX_NOTEBOOK_BYTES", 3 * len(plain))
    zipped = _zip(tmp_path / "kim.zip", {f"nb{i}.ipynb": plain for i in range(5)}, zipfile.ZIP_DEFLATED)
    assert held(config, [zipped], []) is None
    assert inflated == ["nb0.ipynb", "nb1.ipynb", "nb2.ipynb"] and len(parsed) == 3  # the cap's worth
    monkeypatch.undo()
    monkeypatch.setattr(loaders.json, "loads", lambda text, **kw: parsed.append(1) or real(text, **kw))
    lists = plain[:-1] + ', "x": [' + "[]," * (loaders.MAX_NOTEBOOK_VALUES // 3) + "[]]}"  # two thirds
    zipped = _zip(tmp_path / "lee.zip", {f"nb{i}.ipynb": lists for i in range(3)}, zipfile.ZIP_DEFLATED)
    parsed.clear()
    assert held(config, [zipped], []) is None
    assert len(parsed) == 1  # the first alone is under MAX_NOTEBOOK_VALUES; with the second, over


@pytest.mark.parametrize(
    ("kind", "writer", "filler"),
    [("zip", "a.ipynb", "b.ipynb"), ("folder", "a-b/writer.ipynb", "a/filler.ipynb")],
    ids=["a zip in archive order", "a folder in path order"],
)
def test_past_the_values_cap_the_look_reads_the_notebooks_the_loader_reads(
    tmp_path: Path, config: Config, kind: str, writer: str, filler: str
) -> None:
    """Two notebooks of two thirds of MAX_NOTEBOOK_VALUES each beside a .py: the loader reads the first in its
    order (loaders.notebook_order: `writer`'s, whose cell writes the copy) and notes the other as not
    graded. The look read them in another order: a zip's in archive order (`filler` stored first), a
    folder's as folder_entries sorts paths (`a/` before `a-b/`), and so read `filler` alone and missed the
    copy the loader makes. The oracle is the loader itself: its files hold the copy, its note names
    `filler`."""
    from grader.loaders import MAX_NOTEBOOK_VALUES, load_submission

    padding = '"x": [' + "[]," * (MAX_NOTEBOOK_VALUES // 3) + "[]]"  # two thirds of the cap
    plain = _notebook(tmp_path / "plain.ipynb", "x = 1\n").read_text(encoding="utf-8")
    cell = f"%%writefile grader.toml\n{TEXT}"
    written = _notebook(tmp_path / "kim.ipynb", cell).read_text(encoding="utf-8")
    texts = {filler: plain[:-1] + ", " + padding + "}", writer: written[:-1] + ", " + padding + "}"}
    texts["main.py"] = "x = 1\n"
    if kind == "zip":
        graded = _zip(tmp_path / "kim.zip", texts, zipfile.ZIP_DEFLATED)  # `filler` first in the archive
    else:
        for rel, text in texts.items():
            _write(tmp_path / "kim" / rel, text)
        graded = tmp_path / "kim"
    loaded = load_submission(graded)
    copy = os.path.join(os.path.dirname(writer), "grader.toml")  # beside the notebook, as Jupyter writes it
    assert loaded.files[copy].decode() == TEXT, sorted(loaded.files)
    left = os.path.basename(filler)  # in the loader's note (which names its path)
    assert any(left in note and "not graded" in note for note in loaded.notes), loaded.notes
    assert held(config, [graded], []) == (str(graded), f"{writer}: %%writefile grader.toml")


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


def _unicode_path(name: str, unpacked: str) -> zipfile.ZipInfo:
    """An entry `name` whose Info-ZIP Unicode Path extra field (0x7075: version 1, the CRC-32 of the entry's
    own name, the UTF-8 name) says `unpacked`: the name unzip gives the file it writes."""
    info = zipfile.ZipInfo(name)
    field = b"\x01" + zlib.crc32(name.encode()).to_bytes(4, "little") + unpacked.encode()
    info.extra = (0x7075).to_bytes(2, "little") + len(field).to_bytes(2, "little") + field
    return info


@pytest.mark.parametrize("compression", [zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2])
def test_a_zip_entry_unzipped_as_grader_toml_is_found(
    tmp_path: Path, config: Config, compression: int
) -> None:
    """Session 24 (s24-hunt2, ported): zipfile of 3.11, and so the loader, names an entry by its own name,
    where unzip names the file it writes by the entry's Unicode Path extra field: kim.zip's `zz.txt` carrying
    `grader.toml` was unzipped as kim/grader.toml, and `cd kim && grader grade miniflow ../kim.zip` read kim's
    stage and seed. Found, named both ways (bzip2: named, not compared); not found when the field names
    another file or the bytes differ."""

    def zipped(name: str, unpacked: str, text: str = TEXT) -> Path:
        path = tmp_path / f"{len(list(tmp_path.iterdir()))}.zip"
        with zipfile.ZipFile(path, "w", compression) as archive:
            archive.writestr("miniflow.py", "x = 1\n")
            archive.writestr(_unicode_path(name, unpacked), text, compress_type=compression)
        return path

    for unpacked in ("grader.toml", "kim\\GRADER.toml"):
        kim = zipped("zz.txt", unpacked)
        shown = unpacked.replace("\\", "/")
        found = look(config, [kim], [])
        named = found.copy if compression == zipfile.ZIP_DEFLATED else found.unread
        assert named is not None and f"zz.txt (unzipped as {shown})" in str(named), found
    other = look(config, [zipped("zz.txt", "notes.txt")], [])
    assert other.copy is None and other.unread is None
    if compression == zipfile.ZIP_DEFLATED:
        assert held(config, [zipped("zz.txt", "grader.toml", TEXT + "#")], []) is None
        if shutil.which("unzip"):  # the premise, where unzip is installed: it writes the field's name
            out = tmp_path / "out"
            subprocess.run(["unzip", "-q", str(zipped("zz.txt", "grader.toml")), "-d", str(out)], check=True)
            assert (out / "grader.toml").read_text(encoding="utf-8") == TEXT
            assert not (out / "zz.txt").exists()


@pytest.mark.parametrize(
    "first",
    [
        "%%writefile grader.toml" + " " * 20_000,  # IPython strips trailing blanks: read before any cap
        "%%writefile " + "-a " * 6000 + "grader.toml",  # over the line cap: not read, not "writes nothing"
        "%%writefile grader.toml\x0cx = 1",  # IPython ends the line at \x0c (str.splitlines)
        "%%writefile grader.toml\rx = 1",
        "%%writefile grader.toml\u2028x = 1",
        "In [1]: %%writefile grader.toml",  # IPython strips the prompt
        ">>> %%writefile grader.toml",
        "    %%writefile grader.toml",  # and dedents the cell
        "%%writefile $cfg",  # and expands the line
        "%%file {cfg}",
    ],
    ids=["blanks", "dash-a", "ff", "cr", "u2028", "in-prompt", "prompt", "indent", "dollar", "brace"],
)
def test_a_cell_jupyter_may_run_as_writing_the_config_is_never_passed_over(
    tmp_path: Path, config: Config, first: str
) -> None:
    """Each cell writes ./grader.toml when the TA runs the notebook (IPython 8.12.3, review of s25-huntin,
    findings 1 and 2): each was passed over as writing nothing or another file. Now it is a copy or a file
    that cannot be compared (grade refuses, batch warns). Controls: a cell writing another file, and one
    with no magic, are neither."""
    notebook = _notebook(tmp_path / "kim.ipynb", "x = 1\n", f"{first}\n{TEXT}")
    found = look(config, [notebook], [])
    assert found.copy is not None or found.unread is not None, first
    if found.copy is None:
        assert found.unread is not None and found.unread[:2] == (str(notebook), "kim.ipynb: cell 2")
    for other in ("%%writefile layers.py", "print('%%writefile grader.toml')", "%%writefile grader.toml.bak"):
        clean = _notebook(tmp_path / "lee.ipynb", "x = 1\n", f"{other}\n{TEXT}")
        assert look(config, [clean], []) == Look(), other


def test_writefile_lines_past_the_notebooks_budget_are_unread_when_they_name_the_config(
    tmp_path: Path, config: Config
) -> None:
    """71 cells of a 15 KB `%%writefile -a` line spend the loader's 1 MiB budget; the plain `%%writefile
    grader.toml` after them, which IPython runs, was read as writing nothing. Control: with 60 pad cells
    (within budget) it is read and found as the copy."""
    pad = "%%writefile -a " + " ".join(["-a"] * 5000) + " pad.py\nx = 1\n"
    last = f"%%writefile grader.toml\n{TEXT}"
    spent = look(config, [_notebook(tmp_path / "kim.ipynb", *[pad] * 71, last)], [])
    assert spent.copy is None and spent.unread is not None and spent.unread[1] == "kim.ipynb: cell 72"
    within = look(config, [_notebook(tmp_path / "lee.ipynb", *[pad] * 60, last)], [])
    assert within.copy is not None


def test_the_writefile_lines_of_a_submissions_notebooks_share_the_loaders_one_budget(
    tmp_path: Path, config: Config
) -> None:
    """The loader reads the `%%writefile` lines of all of a submission's notebooks within one budget
    (loaders.MAX_WRITEFILE_CHARS); past it a line writes nothing. held_config gave each notebook a budget of
    its own, so a second notebook's `%%writefile grader.toml` was "held in the code graded" where the
    loader had graded no such file (red team, session 36). Both read it through one function now."""
    from grader.loaders import MAX_WRITEFILE_CHARS, load_submission

    long_line = "%%writefile " + "-a " * 4000 + "spent.txt"  # about 12 KB of the budget a line
    spend = [f"{long_line}\nx = 1\n" for _ in range(MAX_WRITEFILE_CHARS // len(long_line) + 1)]
    _notebook(tmp_path / "kim" / "a.ipynb", *spend)
    _notebook(tmp_path / "kim" / "b.ipynb", f"%%writefile grader.toml\n{TEXT}")
    _write(tmp_path / "kim" / "main.py", "x = 1\n")
    loaded = load_submission(tmp_path / "kim")
    assert "grader.toml" not in loaded.files, sorted(loaded.files)  # the loader's reading: none written
    assert held(config, [tmp_path / "kim"], []) is None
