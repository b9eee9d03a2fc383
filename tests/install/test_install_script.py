"""install.sh on a stock Debian/Ubuntu Python that is "externally managed" (PEP 668), as a new user runs it.

The system's /usr/bin/python3 is used (PATH=/usr/bin:/bin), with a copy of the source tree. In CI these tests
must run: a missing precondition fails there instead of skipping (.ci/run installs python3 and python3-venv).
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from install_helpers import REPO, clean_env, copy_source, ok, run

pytestmark = pytest.mark.slow
SYSTEM_PYTHON = Path("/usr/bin/python3")
SYSTEM_PATH = "/usr/bin:/bin"


def _precondition() -> str | None:
    """Why this machine cannot run the test, or None."""
    if not SYSTEM_PYTHON.exists():
        return f"no {SYSTEM_PYTHON} (Debian/Ubuntu: apt-get install python3)"
    stdlib = subprocess.run(
        [str(SYSTEM_PYTHON), "-c", "import sysconfig; print(sysconfig.get_path('stdlib'))"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if not (Path(stdlib) / "EXTERNALLY-MANAGED").is_file():
        return f"{SYSTEM_PYTHON} is not externally managed (no {stdlib}/EXTERNALLY-MANAGED)"
    if subprocess.run([str(SYSTEM_PYTHON), "-c", "import ensurepip, venv"], check=False).returncode:
        return f"{SYSTEM_PYTHON} cannot create venvs (apt-get install python3-venv)"
    return None


@pytest.fixture(scope="module", autouse=True)
def _system_python() -> None:
    why = _precondition()
    if why and os.environ.get("CI") == "true":
        pytest.fail(f"CI must run the install.sh tests: {why}")
    if why:
        pytest.skip(why)


def _install(
    repo: Path, *args: str, path: str = SYSTEM_PATH, **extra: str
) -> subprocess.CompletedProcess[str]:
    return run(["bash", str(repo / "install.sh"), *args], repo, clean_env(extra, path=path))


def test_the_premise_system_pip_refuses_to_install(tmp_path: Path) -> None:
    """Negative control: the system python3's own pip refuses any install (externally-managed-environment),
    which is what install.sh has to work around."""
    done = run(
        [str(SYSTEM_PYTHON), "-m", "pip", "install", "--no-index", "--dry-run", "numpy"],
        tmp_path,
        clean_env(path=SYSTEM_PATH),
    )
    assert done.returncode != 0
    assert "externally-managed-environment" in done.stdout + done.stderr


def readme_quick_start() -> str:
    """The README's first command, verbatim (the first sh block of its Quick start)."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    found = re.search(r"```sh\n(.+?)\n```", text[text.index("## Quick start") :], re.DOTALL)
    assert found, "README.md: no sh block in Quick start"
    return found.group(1)


_UNCOMPILED = (
    "import importlib.util, pathlib\n"
    "for p in sorted(pathlib.Path('grader').rglob('*.py')):\n"
    "    if not pathlib.Path(importlib.util.cache_from_source(str(p))).is_file(): print(p)"
)


@pytest.fixture(scope="module")
def readme_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """A fresh copy of the source, and the README's first command run there, verbatim, with no venv active.
    The grading is a share (two samples of each assignment, with the variable the README documents): every
    sample is graded by tests/samples/test_expected.py (through `grader samples`), and here all of them took
    most of the test's time."""
    repo = copy_source(tmp_path_factory.mktemp("readme") / "backprop-grader")
    command = readme_quick_start()
    assert command.startswith("./install.sh ")
    share = {"GRADER_SAMPLES_PER_ASSIGNMENT": "2"}
    return repo, ok(run(["bash", "-c", command], repo, clean_env(share, path=SYSTEM_PATH)))


def test_the_readme_first_command_sets_up_a_venv_and_grades_the_samples(
    readme_run: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    """No venv active: the README's first command, verbatim, creates .venv with the system python3,
    installs the runtime only (no torch, no pytest), says how to activate it, and grades the samples into a
    gradebook per shipped assignment; a second install.sh run reuses .venv."""
    repo, done = readme_run
    assert "install: creating the virtual environment .venv with Python 3" in done.stdout
    assert "'. .venv/bin/activate'" in done.stdout
    for assignment in ("miniflow", "dezero", "dlfs-layers", "dlfs-advanced"):
        gradebook = repo / "out" / "samples" / assignment / "gradebook.csv"
        assert len(gradebook.read_text(encoding="utf-8").splitlines()) == 1 + 2, assignment
    cfg = (repo / ".venv" / "pyvenv.cfg").read_text(encoding="utf-8")
    assert "home = /usr/bin" in cfg.splitlines()
    python = str(repo / ".venv" / "bin" / "python")
    # the sandbox's worker runs `python -B`: a module no install compiled is compiled again by every worker
    uncompiled = ok(run([python, "-c", _UNCOMPILED], repo, clean_env(path=SYSTEM_PATH))).stdout.split()
    assert not uncompiled, f"install.sh left {len(uncompiled)} modules without bytecode: {uncompiled[:5]}"
    for missing in ("torch", "pytest"):
        probe = run([python, "-c", f"import {missing}"], repo, clean_env(path=SYSTEM_PATH))
        assert probe.returncode != 0, f"{missing} was installed: the default install is the runtime only"

    again = ok(_install(repo, "grader", "check", "submissions/miniflow/correct.py"))
    assert "using the existing virtual environment .venv" in again.stdout
    assert "creating" not in again.stdout
    assert "all visible cases pass" in again.stdout


def test_install_uses_an_active_venv_and_creates_no_other(
    readme_run: tuple[Path, subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    """With a virtual environment active, install.sh installs this copy's grader into it and leaves no .venv
    behind. The active one is the .venv the README's command made in another copy (the system python3's,
    numpy and jsonschema already in it: a venv and its runtime installed once, not twice); its grader
    command is removed first, so it is there after only if this install made it."""
    mine = readme_run[0] / ".venv"
    repo = copy_source(tmp_path / "backprop-grader")
    (mine / "bin" / "grader").unlink()
    done = ok(_install(repo, "grader", "--version", path=f"{mine}/bin:{SYSTEM_PATH}", VIRTUAL_ENV=str(mine)))
    assert f"using the active virtual environment {mine}" in done.stdout
    assert done.stdout.splitlines()[-1].startswith("backprop-grader ")
    assert (mine / "bin" / "grader").is_file()
    probe = [str(mine / "bin" / "python"), "-c", "import grader; print(grader.__file__)"]
    where = ok(run(probe, tmp_path, clean_env(path=SYSTEM_PATH))).stdout.strip()
    assert Path(where).is_relative_to(repo), f"the active venv's grader is {where}, not this copy's"
    assert not (repo / ".venv").exists()


def test_a_venv_redirect_file_is_explained_not_overwritten(tmp_path: Path) -> None:
    """A file named .venv (tox's PEP 832 redirect) stops install.sh with what to do, before installing."""
    repo = copy_source(tmp_path / "backprop-grader")
    (repo / ".venv").write_text(".tox/tests\n", encoding="utf-8")
    done = _install(repo)
    assert done.returncode == 1
    assert ".venv exists and is not a folder" in done.stderr
    assert (repo / ".venv").read_text(encoding="utf-8") == ".tox/tests\n"


def test_help_and_unknown_options(tmp_path: Path) -> None:
    """--help prints the usage (exit 0); an unknown option exits 1 naming the valid ones."""
    repo = copy_source(tmp_path / "backprop-grader")
    shown = ok(_install(repo, "--help"))
    assert "./install.sh [--dev] [COMMAND [ARG...]]" in shown.stdout
    assert "https://download.pytorch.org/whl/cpu" in shown.stdout
    bad = _install(repo, "--fast")
    assert bad.returncode == 1
    assert "unknown option --fast (valid: --dev, --help" in bad.stderr
