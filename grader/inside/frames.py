"""Length-prefixed blobs: the byte framing shared by the child, the worker and the parent.

A blob is a 4-byte big-endian length followed by that many bytes: the harness's result frames (UTF-8
JSON), the control channel between the parent and the worker (a fixed sequence of blobs per message, see
docs/SANDBOX.md) and the batches between the harness and a student process. Reads go into fresh
bytearrays so that the worker can wipe what it held.
"""

from __future__ import annotations

import os
import struct

_LENGTH = struct.Struct(">I")
HEADER_BYTES = _LENGTH.size


class BlobError(Exception):
    """The other side closed the stream or announced a blob larger than allowed."""


class OversizeBlob(BlobError):
    """The other side announced a blob larger than allowed (the stream itself was in order)."""


# Buffers per writev, well under the kernel's IOV_MAX (1024).
_MAX_PARTS = 512


def write_all(fd: int, data: bytes | bytearray | memoryview) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def write_parts(fd: int, parts: list[bytes | bytearray | memoryview]) -> None:
    """Every part, in order, in as few system calls as the pipe or socket takes them whole. One write per
    message rather than one per field: the reader, woken by the first bytes, otherwise often finds the rest
    not yet written and sleeps again (two wake-ups, two context switches, per message)."""
    pending = [memoryview(p) for p in parts if len(p)]
    while pending:
        written = os.writev(fd, pending[:_MAX_PARTS])
        while pending and written >= len(pending[0]):
            written -= len(pending.pop(0))
        if written:
            pending[0] = pending[0][written:]


def write_blob(fd: int, data: bytes | bytearray | memoryview) -> None:
    write_parts(fd, blob_parts(data))


def blob_parts(data: bytes | bytearray | memoryview) -> list[bytes | bytearray | memoryview]:
    """A blob as the parts `write_parts` sends: its length, then its bytes."""
    return [_LENGTH.pack(len(data)), data]


def read_exact_into(fd: int, view: memoryview) -> bool:
    """Fill `view` from `fd`; False on a clean EOF before the first byte, BlobError on EOF midway."""
    got = 0
    while got < len(view):
        n = os.readv(fd, [view[got:]])
        if n == 0:
            if got == 0:
                return False
            raise BlobError(f"stream ended after {got} of {len(view)} bytes")
        got += n
    return True


def read_blob(fd: int, max_bytes: int) -> bytearray | None:
    """One blob as a fresh bytearray (None on a clean EOF); refuses blobs over `max_bytes`."""
    head = bytearray(HEADER_BYTES)
    if not read_exact_into(fd, memoryview(head)):
        return None
    (size,) = _LENGTH.unpack(head)
    if size > max_bytes:
        raise OversizeBlob(f"blob of {size} bytes exceeds the cap of {max_bytes}")
    buf = bytearray(size)
    if size and not read_exact_into(fd, memoryview(buf)):
        raise BlobError("stream ended before the blob body")
    return buf


def wipe(buf: bytearray | None) -> None:
    """Overwrite a buffer in place so that the worker's heap keeps no copy of a submission's data."""
    if buf is not None:
        buf[:] = bytes(len(buf))
