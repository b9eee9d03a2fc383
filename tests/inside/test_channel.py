"""Blobs and descriptors on the worker-harness socket (grader/inside/channel.py)."""

from __future__ import annotations

import os
import socket
import threading

import pytest

from grader.inside import channel
from grader.inside.frames import BlobError


@pytest.fixture
def pair():
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    yield a, b
    a.close()
    b.close()


def test_blobs_sent_together_arrive_one_by_one_in_order(pair):
    """send_blobs' blobs (an empty one included) are read back as separate blobs, in order."""
    a, b = pair
    channel.send_blobs(a, [b"first", b"", bytearray(b"third")])
    assert [channel.recv_blob(b, 100)[0] for _ in range(3)] == [b"first", b"", b"third"]


def test_more_blobs_than_one_system_call_takes(pair):
    """A phase with many cases (more blobs than sendmsg's buffer limit) still arrives whole and in order."""
    a, b = pair
    blobs = [f"frame {i}".encode() for i in range(1500)]
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.extend(bytes(channel.recv_blob(b, 100)[0]) for _ in blobs))
    reader.start()
    channel.send_blobs(a, blobs)
    reader.join(timeout=30)
    assert got == blobs


def test_a_blob_larger_than_the_socket_buffer_is_sent_whole(pair):
    """A 4 MiB blob (a job's harness part can be large) crosses a socket whose buffer is far smaller."""
    a, b = pair
    big = os.urandom(4 << 20)
    got: list[bytearray | None] = []
    reader = threading.Thread(target=lambda: got.extend(channel.recv_blob(b, 8 << 20)[0] for _ in range(2)))
    reader.start()
    channel.send_blobs(a, [b"head", big])
    reader.join(timeout=30)
    assert got == [b"head", big]


def test_descriptors_travel_with_the_first_blob(pair):
    """An fd sent with the blobs is received with the first one, and names the same open file."""
    a, b = pair
    r, w = os.pipe()
    try:
        channel.send_blobs(a, [b"spawned", b"next"], fds=[w])
        data, fds = channel.recv_blob(b, 100)
        assert data == b"spawned" and len(fds) == 1
        os.write(fds[0], b"x")
        assert os.read(r, 1) == b"x"
        os.close(fds[0])
        assert channel.recv_blob(b, 100) == (b"next", [])
    finally:
        os.close(r)
        os.close(w)


def test_oversized_blob_is_refused_and_a_closed_socket_ends_cleanly(pair):
    """A blob over the reader's cap is a BlobError; a closed peer is (None, [])."""
    a, b = pair
    channel.send_blob(a, b"x" * 101)
    with pytest.raises(BlobError, match="exceeds the cap"):
        channel.recv_blob(b, 100)
    a.close()
    b2, c = socket.socketpair()
    c.close()
    assert channel.recv_blob(b2, 100) == (None, [])
    b2.close()


def test_an_answer_announced_past_the_cap_ends_the_phase_as_oversize_a_cut_one_as_broken(pair):
    """The harness's transport leaves an answer larger than MAX_REPLY_BYTES unread ("oversize": the parent
    says it was too large), and a stream cut inside an answer is "broken" (a garbled channel)."""
    from grader.inside import frames, harness_process
    from grader.inside.remote import StudentProcessEnded

    ours, theirs = pair
    send = harness_process.transport(ours.fileno())
    theirs.sendall((harness_process.MAX_REPLY_BYTES + 1).to_bytes(frames.HEADER_BYTES, "big"))
    with pytest.raises(StudentProcessEnded) as ended:
        send(b"request")
    assert ended.value.why == "oversize"
    theirs.sendall((10).to_bytes(4, "big") + b"cut")
    theirs.shutdown(socket.SHUT_WR)
    with pytest.raises(StudentProcessEnded) as ended:
        send(b"request")
    assert ended.value.why == "broken"
