"""Run a command as root of a new user namespace mapping only ids 0 to N-1 onto themselves, as a container
with a user namespace does (rootless Podman and Docker, Docker's userns-remap and Kubernetes' hostUsers:
false map 65,536 ids; LXD and Incus 1,000,000,000): test support.

    python userns_like.py N -- COMMAND ...

Needs root (the parent writes the child's maps). Exits with UNSUPPORTED when the kernel refuses the namespace.
"""

from __future__ import annotations

import ctypes
import os
import sys

CLONE_NEWUSER = 0x10000000
UNSUPPORTED = 77


def main(argv: list[str]) -> int:
    split = argv.index("--")
    count, command = int(argv[0]), argv[split + 1 :]
    libc = ctypes.CDLL(None, use_errno=True)
    go_r, go_w = os.pipe()
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(go_w)
        os.close(ready_r)
        if libc.unshare(CLONE_NEWUSER) != 0:
            os._exit(UNSUPPORTED)
        os.write(ready_w, b"u")
        os.close(ready_w)
        if os.read(go_r, 1) != b"g":
            os._exit(UNSUPPORTED)
        os.setresgid(0, 0, 0)
        os.setresuid(0, 0, 0)
        os.execvp(command[0], command)
    os.close(go_r)
    os.close(ready_w)
    if os.read(ready_r, 1) == b"u":
        for name in ("uid_map", "gid_map"):
            with open(f"/proc/{pid}/{name}", "w") as f:
                f.write(f"0 0 {count}\n")
        os.write(go_w, b"g")
    os.close(go_w)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
