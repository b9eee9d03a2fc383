"""Length-prefixed blobs written in as few system calls as the pipe takes (grader/inside/frames.py)."""

from __future__ import annotations

import os
import threading

import pytest

from grader.inside import frames


def _drain(fd: int, out: bytearray) -> threading.Thread:
    def run() -> None:
        while chunk := os.read(fd, 1 << 16):
            out.extend(chunk)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _write_and_read(parts: list[bytes]) -> bytes:
    r, w = os.pipe()
    got = bytearray()
    reader = _drain(r, got)
    try:
        frames.write_parts(w, parts)
    finally:
        os.close(w)
        reader.join()
        os.close(r)
    return bytes(got)


def test_parts_arrive_whole_and_in_order_past_the_pipe_capacity() -> None:
    """Four MiB through a 64 KiB pipe: every write is partial, and the rest of a part is sent after it."""
    parts = [bytes([i % 251]) * (i * 997 % 300_000) for i in range(40)]
    assert sum(map(len, parts)) > 4 * (1 << 16)
    assert _write_and_read(parts) == b"".join(parts)


def test_more_parts_than_one_writev_takes() -> None:
    """2,000 parts (the kernel takes at most 1,024 buffers a call) and empty ones among them."""
    parts = [str(i).encode() if i % 3 else b"" for i in range(2000)]
    assert _write_and_read(parts) == b"".join(parts)


def test_a_blob_reads_back_as_written() -> None:
    r, w = os.pipe()
    try:
        frames.write_blob(w, b"x" * 1000)
        frames.write_blob(w, b"")
        assert frames.read_blob(r, 1 << 20) == b"x" * 1000
        assert frames.read_blob(r, 1 << 20) == b""
    finally:
        os.close(w)
        os.close(r)


def test_a_message_is_one_system_call(monkeypatch: pytest.MonkeyPatch) -> None:
    """A blob (its length and its bytes) leaves in one writev: a reader woken by the length used to find the
    bytes not yet written, and slept again."""
    calls: list[int] = []
    real = os.writev

    def counted(fd: int, buffers: list[memoryview]) -> int:
        calls.append(len(buffers))
        return real(fd, buffers)

    monkeypatch.setattr(os, "writev", counted)
    r, w = os.pipe()
    try:
        frames.write_blob(w, b"payload")
        assert calls == [2]
        assert frames.read_blob(r, 100) == b"payload"
    finally:
        os.close(w)
        os.close(r)
