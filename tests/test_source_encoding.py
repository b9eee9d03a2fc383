"""Python files saved as UTF-16 with a byte-order mark are read as UTF-8, with a note
(grader/source_encoding.py)."""

from __future__ import annotations

from pathlib import Path

from grader.loaders import load_submission
from grader.source_encoding import as_utf8

SOURCE = "class MulLayer:\r\n    pass  # 곱셈 계층\r\n"


def test_utf16_with_a_bom_either_way_round_becomes_utf8_with_a_note() -> None:
    """PowerShell's `>` writes UTF-16 LE with a BOM, some editors BE: both are the same text in UTF-8."""
    for codec in ("utf-16", "utf-16-be"):
        raw = SOURCE.encode(codec) if codec == "utf-16" else b"\xfe\xff" + SOURCE.encode(codec)
        files, notes = as_utf8({"ch05/layer_naive.py": raw})
        assert files == {"ch05/layer_naive.py": SOURCE.encode("utf-8")}
        assert notes == (
            "note: ch05/layer_naive.py is saved as UTF-16 (PowerShell's `>` and Notepad's \"Unicode\" write "
            "it), which Python cannot run; it was graded as the same text in UTF-8: save it as UTF-8",
        )


def test_other_files_and_undecodable_ones_are_left_as_they_are() -> None:
    """Negative controls: UTF-8, shift_jis and a data file keep their bytes; a .py that starts like UTF-16
    but does not decode (an odd number of bytes) is left for Python to report."""
    files = {
        "a.py": SOURCE.encode("utf-8"),
        "b.py": "# 乗算レイヤ\n".encode("shift_jis"),
        "data.txt": SOURCE.encode("utf-16"),
        "broken.py": b"\xff\xfec\x00l\x00a",
    }
    assert as_utf8(files) == (files, ())


def test_the_loader_hands_the_sandbox_utf8(tmp_path: Path) -> None:
    """load_submission: the file's bytes are UTF-8 and the note is in the submission's notes (the digest is of
    what is graded)."""
    path = tmp_path / "layer_naive.py"
    path.write_bytes(SOURCE.encode("utf-16"))
    loaded = load_submission(path)
    assert loaded.files["layer_naive.py"] == SOURCE.encode("utf-8")
    assert any("is saved as UTF-16" in note for note in loaded.notes)


def test_utf32_with_a_bom_either_way_round_is_utf32_not_utf16() -> None:
    """UTF-32 LE's mark (FF FE 00 00) begins with UTF-16 LE's: it was read as UTF-16 into text with a NUL
    after every character, noted as "saved as UTF-16", then refused for NUL bytes. Both byte orders are read
    as UTF-32, noted as such; a UTF-32 file cut short (not a multiple of 4 bytes) is left for Python."""
    for raw in (SOURCE.encode("utf-32"), b"\x00\x00\xfe\xff" + SOURCE.encode("utf-32-be")):
        files, notes = as_utf8({"layers.py": raw})
        assert files == {"layers.py": SOURCE.encode("utf-8")}
        assert len(notes) == 1 and notes[0].startswith("note: layers.py is saved as UTF-32 (")
        assert "UTF-16" not in notes[0] and notes[0].endswith("save it as UTF-8")
    cut = {"cut.py": SOURCE.encode("utf-32")[:-2]}
    assert as_utf8(cut) == (cut, ())
