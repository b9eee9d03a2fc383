"""The parent's reader of a worker's replies (grader/sandbox/pool.py `_Reader`): blobs however the pipe cuts
them, a missed deadline and a closed pipe."""

from __future__ import annotations

import os
import struct
import threading
import time

import pytest

from grader.sandbox.pool import _Reader, _WorkerLost

_LENGTH = struct.Struct(">I")


def _blob(data: bytes) -> bytes:
    return _LENGTH.pack(len(data)) + data


def test_blobs_written_at_once_or_byte_by_byte_read_the_same() -> None:
    blobs = [b"meta", b"", b"x" * 200_000, b"tail"]
    stream = b"".join(map(_blob, blobs))
    for step in (len(stream), 1, 7, 65_536):
        r, w = os.pipe()

        def feed(w: int = w, step: int = step) -> None:
            for start in range(0, len(stream), step):
                os.write(w, stream[start : start + step])
            os.close(w)

        writer = threading.Thread(target=feed)
        writer.start()
        reader = _Reader(r)
        deadline = time.monotonic() + 30
        assert [reader.blob(1 << 20, deadline) for _ in blobs] == blobs
        writer.join()
        os.close(r)


def test_a_blob_over_the_cap_is_a_lost_worker() -> None:
    r, w = os.pipe()
    os.write(w, _blob(b"y" * 100))
    with pytest.raises(_WorkerLost, match="announced 100 bytes"):
        _Reader(r).blob(99, time.monotonic() + 5)
    os.close(r)
    os.close(w)


def test_a_closed_pipe_midway_is_a_lost_worker() -> None:
    r, w = os.pipe()
    os.write(w, _LENGTH.pack(10) + b"abc")
    os.close(w)
    with pytest.raises(_WorkerLost, match="closed its output"):
        _Reader(r).blob(100, time.monotonic() + 5)
    os.close(r)


def test_a_silent_worker_misses_the_deadline() -> None:
    r, w = os.pipe()
    with pytest.raises(_WorkerLost, match="deadline"):
        _Reader(r).blob(100, time.monotonic() + 0.05)
    os.close(r)
    os.close(w)


def test_a_large_blob_is_read_in_pieces_of_at_most_a_mebibyte(monkeypatch: pytest.MonkeyPatch) -> None:
    """A result near RESULT_CAP_BYTES (32 MiB): each os.read asked for everything still missing, and
    os.read allocates what it is asked for before the pipe hands over its 64 KiB, so a 32 MiB buffer was
    made and shrunk again for every piece (the reader before `_Reader` asked for 1 MiB at most)."""
    import grader.sandbox.pool as pool

    asked: list[int] = []
    real = os.read

    def read(fd: int, n: int) -> bytes:
        asked.append(n)
        return real(fd, n)

    monkeypatch.setattr(pool.os, "read", read)
    data = b"z" * (3 << 20)
    r, w = os.pipe()
    writer = threading.Thread(target=lambda: (os.write(w, _blob(data)), os.close(w)))
    writer.start()
    assert _Reader(r).blob(4 << 20, time.monotonic() + 30) == data
    writer.join()
    os.close(r)
    assert asked and max(asked) <= 1 << 20
