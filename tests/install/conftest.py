"""Session fixtures of the install tests: a wheel built from a copy of the source, a fresh venv holding it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from install_helpers import clean_env, copy_source, ok, run


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """backprop-grader built as a wheel with pip, from a copy (pip builds inside the source folder)."""
    out = tmp_path_factory.mktemp("wheel")
    src = copy_source(tmp_path_factory.mktemp("src") / "backprop-grader")
    ok(
        run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", str(src), "-w", str(out)],
            src,
            clean_env(),
        )
    )
    (built,) = out.glob("backprop_grader-*.whl")
    return built


@pytest.fixture(scope="session")
def wheel_venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv (no system site-packages) with the wheel and its dependencies installed, nothing else: the
    course template's setup-command installs tox into it (tests/install/test_course_template.py), so a
    setup-command that did not would fail there, and nothing here uses pytest."""
    venv = tmp_path_factory.mktemp("venv") / "env"
    ok(run([sys.executable, "-m", "venv", str(venv)], venv.parent, clean_env()))
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    ok(run([*pip, str(wheel)], venv.parent, clean_env()))
    return venv
