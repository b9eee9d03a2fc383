"""Blobs on a UNIX stream socket, optionally carrying file descriptors (SCM_RIGHTS) with their header.

Used between the worker and the harness: the worker hands the harness one end of each student process's
socket. Descriptors travel with the 4-byte length header, so a reader that takes the header with recvmsg
receives them.
"""

from __future__ import annotations

import array
import socket
import struct
from collections.abc import Sequence

from .frames import BlobError

_LENGTH = struct.Struct(">I")
MAX_FDS = 4
_MAX_PARTS = 512  # well under the kernel's IOV_MAX (1024) buffers per sendmsg


def send_blob(sock: socket.socket, data: bytes | bytearray | memoryview, fds: Sequence[int] = ()) -> None:
    send_blobs(sock, [data], fds)


def send_blobs(
    sock: socket.socket, blobs: Sequence[bytes | bytearray | memoryview], fds: Sequence[int] = ()
) -> None:
    """Several blobs in one system call where the socket takes them whole (the reader wakes once);
    descriptors, if any, go with the first header. Nothing is copied: the worker wipes what it sent, and a
    joined copy would outlive the wipe in its heap."""
    parts: list[bytes | bytearray | memoryview] = []
    for blob in blobs:
        parts += [_LENGTH.pack(len(blob)), blob]
    ancillary = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))] if fds else []
    for start in range(0, len(parts), _MAX_PARTS):
        chunk = parts[start : start + _MAX_PARTS]
        sent = sock.sendmsg(chunk, ancillary)
        ancillary = []
        for part in chunk:  # what a full socket buffer left unsent
            if sent >= len(part):
                sent -= len(part)
                continue
            sock.sendall(memoryview(part)[sent:])
            sent = 0


def _recv_exact(sock: socket.socket, view: memoryview) -> None:
    got = 0
    while got < len(view):
        n = sock.recv_into(view[got:])
        if n == 0:
            raise BlobError(f"stream ended after {got} of {len(view)} bytes")
        got += n


def recv_blob(sock: socket.socket, max_bytes: int) -> tuple[bytearray | None, list[int]]:
    """One blob and the descriptors sent with it; (None, []) on a clean end of stream."""
    fds = array.array("i")
    data, ancdata, _, _ = sock.recvmsg(_LENGTH.size, socket.CMSG_SPACE(MAX_FDS * fds.itemsize))
    for level, kind, payload in ancdata:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(payload[: len(payload) - (len(payload) % fds.itemsize)])
    if not data:
        return None, list(fds)
    head = bytearray(data)
    if len(head) < _LENGTH.size:
        rest = bytearray(_LENGTH.size - len(head))
        _recv_exact(sock, memoryview(rest))
        head += rest
    (size,) = _LENGTH.unpack(head)
    if size > max_bytes:
        raise BlobError(f"blob of {size} bytes exceeds the cap of {max_bytes}")
    body = bytearray(size)
    if size:
        _recv_exact(sock, memoryview(body))
    return body, list(fds)
