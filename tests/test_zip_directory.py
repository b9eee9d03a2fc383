"""A zip's end records are read without parsing its central directory, where zipfile itself reads them, and
the loader refuses a huge directory before zipfile ever parses it."""

from __future__ import annotations

import io
import struct
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from grader import loaders
from grader.loaders import MAX_ZIP_ENTRIES, SubmissionError, load_submission
from grader.zip_directory import NotAZip, read_directory

EOCD = struct.Struct("<4sHHHHIIH")
LOCATOR = struct.Struct("<4sIQI")
EOCD64 = struct.Struct("<4sQHHIIQQQQ")


def _real_zip(files: dict[str, bytes], comment: bytes = b"") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
        zf.comment = comment
    return buf.getvalue()


def _eocd(entries: int, size: int, offset: int = 0, comment: bytes = b"") -> bytes:
    return EOCD.pack(
        b"PK\x05\x06", 0, 0, min(entries, 0xFFFF), min(entries, 0xFFFF), size, offset, len(comment)
    )


def _forged(entries: int, cd_size: int) -> bytes:
    """A small real zip whose end record is replaced by one declaring `entries` in `cd_size` bytes: what a
    50 MB archive listing a million entries declares, in under a kilobyte."""
    body = _real_zip({"a.py": b"x = 1\n"})[: -EOCD.size]
    return body + _eocd(entries, min(cd_size, 0xFFFFFFFF))


def _forged_zip64(entries: int, cd_size: int) -> bytes:
    body = _real_zip({"a.py": b"x = 1\n"})[: -EOCD.size]
    record = EOCD64.pack(b"PK\x06\x06", EOCD64.size - 12, 45, 45, 0, 0, entries, entries, cd_size, 0)
    locator = LOCATOR.pack(b"PK\x06\x07", 0, len(body), 1)
    return body + record + locator + _eocd(0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF)


def _read(data: bytes):  # type: ignore[no-untyped-def]
    return read_directory(io.BytesIO(data), len(data))


def test_reads_what_a_real_zip_declares() -> None:
    """The count and size of a zip written by zipfile, with and without a comment."""
    for comment in (b"", b"made by hand"):
        data = _real_zip({"a.py": b"1", "b/c.py": b"2", "d.py": b"3"}, comment)
        directory = _read(data)
        assert directory.entries == 3 and directory.disks == 1
        assert directory.size == sum(46 + len(n) for n in ("a.py", "b/c.py", "d.py"))


def test_reads_zip64_records() -> None:
    """With a zip64 locator and record, their 64-bit values win, as in zipfile."""
    directory = _read(_forged_zip64(1_000_000, 53_000_000))
    assert (directory.entries, directory.size) == (1_000_000, 53_000_000)


def test_finds_the_record_where_zipfile_does() -> None:
    """A forged end record hidden in the comment is the one zipfile would use (the last signature): read
    that one too, so the check and zipfile never disagree."""
    data = _real_zip({"a.py": b"1"}, comment=b"x" + _eocd(1_000_000, 50_000_000))
    assert _read(data).entries == 0xFFFF  # the forged one (16-bit field), not the real 1
    with pytest.raises(zipfile.BadZipFile):
        zipfile.ZipFile(io.BytesIO(data))  # zipfile, too, went for the forged record


def test_not_a_zip() -> None:
    """No end record at all: NotAZip."""
    with pytest.raises(NotAZip):
        _read(b"not a zip at all")


@pytest.mark.parametrize("forge", [_forged, _forged_zip64])
def test_million_entry_directory_refused_fast_and_small(  # type: ignore[no-untyped-def]
    tmp_path: Path, forge, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An archive declaring a million entries (53 MB of directory) is refused as too_large, naming the count
    and the limit, having read only the archive's tail (at most 64 KiB and its records), parsed no directory,
    and taken a few hundred KB of memory (work bounds: this machine's timings are too noisy to assert)."""
    path = tmp_path / "million.zip"
    path.write_bytes(forge(1_000_000, 53_000_000))
    read: list[int] = []

    class Counted(io.BufferedReader):
        def read(self, size: int | None = -1) -> bytes:
            data = super().read(size)
            read.append(len(data))
            return data

    def counted(fh, size):  # type: ignore[no-untyped-def]
        return read_directory(Counted(io.FileIO(fh.fileno(), closefd=False)), size)

    def parsed(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("zipfile parsed the directory")

    monkeypatch.setattr(loaders, "read_directory", counted)
    monkeypatch.setattr(loaders.zipfile, "ZipFile", parsed)
    tracemalloc.start()
    with pytest.raises(SubmissionError) as err:
        load_submission(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert err.value.code == "too_large" and f"limit {MAX_ZIP_ENTRIES:,} entries" in err.value.message
    assert 0 < sum(read) <= 0xFFFF + 22 + 20 + 56 and peak < 512 * 1024, (read, peak)


def test_real_directory_over_the_entry_cap_is_refused_before_parsing(tmp_path: Path) -> None:
    """A genuine archive of 12,000 empty files (built with struct, 1 MB) is refused on its end record."""
    local, central = io.BytesIO(), io.BytesIO()
    for i in range(12_000):
        name = f"f{i}.py".encode()
        offset = local.tell()
        local.write(struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, 0, 0, 0, 0, 0, 0, len(name), 0) + name)
        central.write(
            struct.pack(
                "<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0, 0, 0, 0, 0, 0, 0, len(name), 0, 0, 0, 0, 0, offset
            )
            + name
        )
    body = local.getvalue() + central.getvalue()
    data = body + _eocd(12_000, len(central.getvalue()), len(local.getvalue()))
    assert len(zipfile.ZipFile(io.BytesIO(data)).infolist()) == 12_000  # a valid archive, for zipfile too
    path = tmp_path / "many.zip"
    path.write_bytes(data)
    with pytest.raises(SubmissionError) as err:
        load_submission(path)
    assert err.value.code == "too_large" and "12,000 entries" in err.value.message


def test_multi_part_archive_refused(tmp_path: Path) -> None:
    """A zip64 locator naming several disks: refused as bad_archive (a multi-part archive)."""
    data = bytearray(_forged_zip64(3, 150))
    at = len(data) - EOCD.size - LOCATOR.size
    data[at : at + LOCATOR.size] = LOCATOR.pack(b"PK\x06\x07", 0, 0, 3)
    path = tmp_path / "parts.zip"
    path.write_bytes(bytes(data))
    with pytest.raises(SubmissionError) as err:
        load_submission(path)
    assert err.value.code == "bad_archive" and "multi-part" in err.value.message


def test_ordinary_zip_still_loads(tmp_path: Path) -> None:
    """Negative control: a normal archive with a comment passes the end-record check and loads."""
    path = tmp_path / "ok.zip"
    path.write_bytes(_real_zip({"layers.py": b"x = 1\n", "common/functions.py": b"y = 2\n"}, b"comment"))
    assert sorted(load_submission(path).files) == ["common/functions.py", "layers.py"]
