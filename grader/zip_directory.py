"""What a zip's end-of-central-directory record declares, read without parsing the central directory.

`zipfile.ZipFile` reads and parses the whole central directory before anyone can look at it: a 50 MB archive
listing a million entries cost 20 s and 500 MB in the parent. This module reads only the archive's tail (at
most 64 KiB + 98 bytes), finds the records exactly where `zipfile` looks for them (the last EOCD signature in
the tail, the zip64 locator and record just before it), and returns what they declare, so that the loader can
refuse on entry count and directory size first.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import BinaryIO

_EOCD = struct.Struct(
    "<4sHHHHIIH"
)  # signature, disk, cd disk, entries on disk, entries, cd size, offset, comment
_LOCATOR = struct.Struct("<4sIQI")  # signature, disk of the zip64 EOCD, its offset, number of disks
_EOCD64 = struct.Struct(
    "<4sQHHIIQQQQ"
)  # signature, size, versions, disks, entries on disk, entries, size, offset
_EOCD_SIG, _LOCATOR_SIG, _EOCD64_SIG = b"PK\x05\x06", b"PK\x06\x07", b"PK\x06\x06"
_MAX_COMMENT = 0xFFFF


class NotAZip(ValueError):
    """No end-of-central-directory record where zipfile would look for one."""


@dataclass(frozen=True)
class Directory:
    entries: int
    size: int  # bytes of the central directory, as declared (what zipfile would read and parse)
    disks: int  # more than 1: a multi-part archive


def read_directory(fh: BinaryIO, file_size: int) -> Directory:
    """The central directory's declared entry count and size (zip64 values when present)."""
    tail_start = max(file_size - _MAX_COMMENT - _EOCD.size, 0)
    fh.seek(tail_start)
    tail = fh.read(file_size - tail_start)
    at = _eocd_offset(tail)
    _, disk, cd_disk, _, entries, size, _, _ = _EOCD.unpack_from(tail, at)
    disks = max(disk, cd_disk) + 1
    locator_at = tail_start + at - _LOCATOR.size
    if locator_at < 0:
        return Directory(entries, size, disks)
    fh.seek(locator_at)
    sig, locator_disk, _, total_disks = _LOCATOR.unpack(fh.read(_LOCATOR.size))
    if sig != _LOCATOR_SIG:
        return Directory(entries, size, disks)
    disks = max(disks, total_disks, locator_disk + 1)
    record_at = locator_at - _EOCD64.size  # where zipfile reads it: right before the locator
    if record_at < 0:
        return Directory(entries, size, disks)
    fh.seek(record_at)
    record = _EOCD64.unpack(fh.read(_EOCD64.size))
    if record[0] != _EOCD64_SIG:
        return Directory(entries, size, disks)
    return Directory(record[7], record[8], max(disks, record[4] + 1, record[5] + 1))


def _eocd_offset(tail: bytes) -> int:
    # zipfile first tries a record with no comment at the very end, then the last signature in the tail.
    end = len(tail) - _EOCD.size
    if end >= 0 and tail[end : end + 4] == _EOCD_SIG and tail[-2:] == b"\x00\x00":
        return end
    at = tail.rfind(_EOCD_SIG)
    if at < 0 or at + _EOCD.size > len(tail):
        raise NotAZip("no end-of-central-directory record")
    return at
