"""The bwrap command line: the isolation flags are there and nothing of the repo is mounted."""

from __future__ import annotations

from pathlib import Path

from grader.sandbox.bwrap import bwrap_command
from grader.sandbox.layout import host_layout

REPO = Path(__file__).resolve().parents[2]


def test_isolation_flags_present() -> None:
    """Every flag DESIGN.md requires for a root host is on the command line."""
    cmd = bwrap_command(host_layout())
    for flag in ("--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--new-session",
                 "--clearenv"):  # fmt: skip
        assert flag in cmd
    assert cmd[cmd.index("--uid") + 1] == "65534" and cmd[cmd.index("--cap-drop") + 1] == "ALL"
    python = cmd[cmd.index("--") + 1 :]
    assert python[1:5] == ["-s", "-P", "-S", "-B"] and "PYTHONHASHSEED" in cmd


def test_only_inside_is_mounted_from_the_repo() -> None:
    """No source of a bind is the repo or above grader/inside (numpy excepted: under tox the virtualenv,
    and with it numpy, lives in the repo's .tox/); site-packages is masked by a tmpfs."""
    layout = host_layout()
    cmd = bwrap_command(layout)
    sources = [Path(cmd[i + 1]) for i, a in enumerate(cmd) if a in ("--ro-bind", "--bind", "--ro-bind-try")]
    numpy = {Path(layout.numpy_dir), *([Path(layout.numpy_libs)] if layout.numpy_libs else [])}
    from_repo = [s for s in sources if (s == REPO or REPO in s.parents) and s not in numpy]
    assert from_repo == [layout.inside_dir]
    assert cmd[cmd.index(str(layout.site_packages)) - 1] == "--tmpfs"
    assert "--bind" not in cmd  # nothing is mounted writable


def test_test_runner_is_mounted_only_on_request() -> None:
    """The fake runner is bound only when a test asks for it (production never passes runner_file)."""
    assert not any("test_runner" in a for a in bwrap_command(host_layout()))
    assert any("test_runner" in a for a in bwrap_command(host_layout(), runner_file=Path(__file__)))


def test_every_python_package_directory_is_masked() -> None:
    """Every site-packages and dist-packages directory of the host's Pythons (/usr/lib/python3/dist-packages
    included, which the bind of /usr would show) is covered by an empty tmpfs."""
    from grader.inside.masked import masked_dirs

    layout = host_layout()
    cmd = bwrap_command(layout)
    tmpfs = {cmd[i + 1] for i, a in enumerate(cmd) if a == "--tmpfs"}
    expected = set(masked_dirs(str(layout.base_prefix)))
    assert expected and expected <= tmpfs
    for d in ("/usr/lib/python3/dist-packages",):
        assert d in tmpfs or not Path(d).is_dir()


def test_the_scratch_size_sizes_bwraps_tmp() -> None:
    """The pool's scratch size is /tmp's --size (512 MiB by default), and the worker is told it too."""
    for mib in (512, 64):
        cmd = bwrap_command(host_layout(), **({} if mib == 512 else {"scratch_mib": mib}))
        size = cmd.index("--size")
        assert cmd[size + 1] == str(mib * 1024 * 1024) and cmd[size + 2 : size + 4] == ["--tmpfs", "/tmp"]
        assert cmd[cmd.index("GRADER_SCRATCH_MIB") + 1] == str(mib)
