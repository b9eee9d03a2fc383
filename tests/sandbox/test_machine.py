"""What this machine lacks to start a sandbox worker, said in one line with what to do
(grader/sandbox/machine.py): here, a bwrap that stops before the worker's Python runs (no user namespaces)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import grader.sandbox.pool as pool_module
from grader.sandbox import SandboxPool

from .helpers import FAKE_RUNNER

# What bubblewrap prints where the kernel allows no unprivileged user namespace (Debian's wording); exit 1
NO_USERNS = (
    "bwrap: No permissions to creating new namespace, likely because the kernel does not allow "
    "non-privileged user namespaces. On e.g. debian this can be enabled with "
    "'sysctl kernel.unprivileged_userns_clone=1'."
)


def _program(folder: Path, name: str, says: str = NO_USERNS) -> str:
    """A program called `name` that says `says` on its stderr and exits 1, as bwrap does there."""
    path = folder / name
    path.write_text(f'#!/bin/sh\necho "{says}" >&2\nexit 1\n', encoding="utf-8")
    path.chmod(0o755)
    return str(path)


def _as_bwrap(monkeypatch: pytest.MonkeyPatch, program: str) -> None:
    monkeypatch.setattr(pool_module, "BWRAP", program)  # "installed"
    monkeypatch.setattr(pool_module, "bwrap_command", lambda *a, **k: [program])


def test_a_bwrap_without_user_namespaces_is_the_machines_to_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--isolation bwrap` where bwrap cannot make its namespaces: a MachineError (a setting: the usage exit)
    quoting bwrap's own line and saying what to do, never "a sandbox worker did not start ... its stderr"."""
    _as_bwrap(monkeypatch, _program(tmp_path, "bwrap"))
    with pytest.raises(pool_module.MachineError) as raised:
        SandboxPool(1, "bwrap", runner_file=FAKE_RUNNER)
    said = str(raised.value)
    assert raised.value.config
    assert said.startswith("bubblewrap cannot make a sandbox here (bwrap: No permissions to creating new")
    assert "allow unprivileged user namespaces" in said and "--isolation auto" in said
    assert "\n" not in said and "its stderr" not in said


def test_auto_falls_back_with_bwraps_own_words(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`auto` there: the fallback, its note quoting bwrap's line (not the advice to choose auto)."""
    _as_bwrap(monkeypatch, _program(tmp_path, "bwrap"))
    with SandboxPool(1, "auto", runner_file=FAKE_RUNNER) as pool:
        assert pool.isolation == ("rlimits-root-dropped" if os.geteuid() == 0 else "rlimits-unprivileged")
        assert f"bwrap is installed but unusable here: {NO_USERNS}" in pool.notes


def test_control_the_same_words_from_another_program_are_no_machines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Control: the same stderr from a worker that is not bwrap stays the sandbox's failure (SandboxError,
    not MachineError): only bwrap's own account of its start is read as the machine's."""
    _as_bwrap(monkeypatch, _program(tmp_path, "python3"))
    with pytest.raises(pool_module.SandboxError) as raised:
        SandboxPool(1, "bwrap", runner_file=FAKE_RUNNER)
    assert not isinstance(raised.value, pool_module.MachineError)
    assert "requested but is unusable here" in str(raised.value)


# bwrap's other accounts of a user namespace it could not have: the same setting, the same advice
OTHER_NO_USERNS = (
    "bwrap: Creating new namespace failed: No space left on device",
    "bwrap: setting up uid map: Permission denied",
)
# bwrap's lines that are no namespace setting (a path of the grader's layout missing here, a program it
# cannot run): "allow unprivileged user namespaces" would be untrue (real bwrap says the first for a
# --ro-bind of a missing source)
NOT_NAMESPACES = (
    "bwrap: Can't find source path /nonexistent-python-home: No such file or directory",
    "bwrap: execvp /usr/bin/python3: No such file or directory",
)


@pytest.mark.parametrize("says", OTHER_NO_USERNS)
def test_bwraps_other_words_for_no_user_namespace_are_the_machines_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, says: str
) -> None:
    """The ENOSPC of user.max_user_namespaces = 0 and an LSM's refused uid map: BwrapRefused with its line."""
    _as_bwrap(monkeypatch, _program(tmp_path, "bwrap", says))
    with pytest.raises(pool_module.BwrapRefused) as raised:
        SandboxPool(1, "bwrap", runner_file=FAKE_RUNNER)
    assert raised.value.why == says


@pytest.mark.parametrize("says", NOT_NAMESPACES)
def test_control_bwraps_other_failures_are_not_told_to_allow_user_namespaces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, says: str
) -> None:
    """Control: bwrap stopping for a reason that is no user namespace stays the sandbox's failure, with
    bwrap's line in its stderr, never "allow unprivileged user namespaces" (session 28 said that of any
    "bwrap: ..." line)."""
    _as_bwrap(monkeypatch, _program(tmp_path, "bwrap", says))
    with pytest.raises(pool_module.SandboxError) as raised:
        SandboxPool(1, "bwrap", runner_file=FAKE_RUNNER)
    assert not isinstance(raised.value, pool_module.MachineError)
    said = str(raised.value)
    assert "requested but is unusable here" in said and says in said
    assert "user namespaces" not in said
