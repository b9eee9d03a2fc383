"""Run a command as a root container without CAP_SYS_ADMIN would (Docker's default profile): test support.

    python container_like.py [--world-readable-python] [--as-user UID] [--namespaces-allowed]
        [--pivot-root-refused] [--bind SOURCE TARGET ...] -- COMMAND ...

Installs a seccomp filter that answers EPERM to unshare, setns, mount, umount2, pivot_root and the new mount
API, then execs COMMAND. With --world-readable-python it first makes the interpreter, numpy and the grader's
runtime reachable for every user, as they are in such containers where the grader runs (/usr/bin/python3, a
venv under /opt): in a mount namespace of its own, where only this process and COMMAND see it, a mode-755
tmpfs covers the first directory above each that others cannot enter (/root for the interpreter here; .tox/
for numpy under tox) and each is bound back in. Nothing of the host changes. With --as-user UID the
command runs as that user (and group, no supplementary groups): an ordinary user, as a CI runner would be.
With --namespaces-allowed no filter is installed: an ordinary user of a machine that lets users make
namespaces (a student's laptop), no container. With --pivot-root-refused the filter refuses pivot_root alone:
a root host where the namespaces are had but the private root cannot be built (the worker's scratch then a
folder of the host's disk). Each --bind SOURCE TARGET binds the folder SOURCE onto the existing folder TARGET
in that mount namespace (numpy installed in a folder other users cannot enter, as in tox's .tox/).
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import struct
import sys

CLONE_NEWNS = 0x00020000
MS_BIND, MS_REC, MS_PRIVATE = 4096, 16384, 1 << 18
# x86_64: unshare, setns, mount, umount2, pivot_root, open_tree, move_mount, fsopen, fsconfig, fsmount,
# fspick, mount_setattr.
REFUSED = (272, 308, 165, 166, 155, 428, 429, 430, 431, 432, 433, 442)
PIVOT_ROOT = 155
libc = ctypes.CDLL(None, use_errno=True)
_unshared = False


def _check(what: str, result: int) -> None:
    if result != 0:
        raise OSError(ctypes.get_errno(), f"{what} failed")


def _first_closed_ancestor(path: str) -> str | None:
    parts = path.strip("/").split("/")
    for i in range(1, len(parts) + 1):
        ancestor = "/" + "/".join(parts[:i])
        if not os.stat(ancestor).st_mode & 0o001:
            return ancestor
    return None


def _worker_reads() -> list[str]:
    """What the dropped worker reads: the interpreter's prefix, numpy (tox's venv, in .tox/ of mode 700, when
    the tests run under tox) and the grader's runtime, found as grader/sandbox/layout.py finds them."""
    numpy = importlib.util.find_spec("numpy")
    inside = importlib.util.find_spec("grader.inside")
    assert numpy and numpy.submodule_search_locations and inside and inside.submodule_search_locations
    numpy_dir = os.path.realpath(next(iter(numpy.submodule_search_locations)))
    found = [sys.base_prefix, numpy_dir, numpy_dir + ".libs", next(iter(inside.submodule_search_locations))]
    return [os.path.realpath(p) for p in found if os.path.isdir(p)]


def _own_mount_namespace() -> None:
    """A mount namespace of this process's own (once), so that no mount below shows on the host."""
    global _unshared
    if not _unshared:
        _check("unshare", libc.unshare(CLONE_NEWNS))
        _check("mount --make-rprivate /", libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None))
        _unshared = True


def bind(source: str, target: str) -> None:
    """`source` seen at `target` too (an existing folder), in this process's mount namespace alone."""
    _own_mount_namespace()
    _check(f"bind {target}", libc.mount(source.encode(), target.encode(), None, MS_BIND, None))


def make_python_world_readable() -> None:
    """Each closed folder above what the worker reads covered by a 755 tmpfs; what it reads bound back."""
    closed: dict[str, list[str]] = {}
    for path in _worker_reads():
        ancestor = _first_closed_ancestor(path)
        if ancestor is not None:
            closed.setdefault(ancestor, []).append(path)
    if closed:
        _own_mount_namespace()
    for ancestor, paths in sorted(closed.items()):
        fds = {path: os.open(path, os.O_PATH) for path in sorted(paths, key=len)}
        _check("mount tmpfs", libc.mount(b"tmpfs", ancestor.encode(), b"tmpfs", 0, b"mode=0755"))
        for path, fd in fds.items():
            os.makedirs(path, mode=0o755, exist_ok=True)
            source = f"/proc/self/fd/{fd}".encode()
            _check(f"bind {path}", libc.mount(source, path.encode(), None, MS_BIND, None))
            os.close(fd)


def refuse_namespaces(refused: tuple[int, ...] = REFUSED) -> None:
    ld_nr, jeq, ret = 0x20, 0x15, 0x06
    code = [(ld_nr, 0, 0, 0)]
    for nr in refused:
        code += [(jeq, 0, 1, nr), (ret, 0, 0, 0x00050000 | 1)]  # SECCOMP_RET_ERRNO | EPERM
    code.append((ret, 0, 0, 0x7FFF0000))  # SECCOMP_RET_ALLOW
    program = b"".join(struct.pack("=HBBI", *ins) for ins in code)
    buf = ctypes.create_string_buffer(program, len(program))
    fprog = ctypes.create_string_buffer(struct.pack("=HxxxxxxQ", len(code), ctypes.addressof(buf)))
    _check("PR_SET_SECCOMP", libc.prctl(22, 2, ctypes.c_ulong(ctypes.addressof(fprog)), 0, 0))


def main(argv: list[str]) -> None:
    split = argv.index("--")
    if "--world-readable-python" in argv[:split]:
        make_python_world_readable()
    options = argv[:split]
    for i, option in enumerate(options):
        if option == "--bind":
            bind(options[i + 1], options[i + 2])
    if "--pivot-root-refused" in argv[:split]:
        refuse_namespaces(refused=(PIVOT_ROOT,))
    elif "--namespaces-allowed" not in argv[:split]:
        refuse_namespaces()
    if "--as-user" in argv[:split]:
        uid = int(argv[argv.index("--as-user") + 1])
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    command = argv[split + 1 :]
    os.execv(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
