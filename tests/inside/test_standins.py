"""Installing the stand-ins: cached real copies of display libraries are dropped, nothing else is."""

from __future__ import annotations

import builtins
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from grader.inside import standins


@pytest.fixture
def restored_import_state(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(sys, "meta_path", list(sys.meta_path))
    monkeypatch.setattr(sys, "modules", dict(sys.modules))
    added = [name for name in ("get_ipython", "display") if not hasattr(builtins, name)]
    yield
    for name in added:  # install() puts the notebook's builtins in place
        if hasattr(builtins, name):
            delattr(builtins, name)


@pytest.mark.usefixtures("restored_import_state")
def test_install_drops_a_cached_display_library_with_its_submodules(tmp_path: Path) -> None:
    for name in ("tqdm", "tqdm.auto", "matplotlib", "matplotlib.pyplot", "tqdmx"):
        sys.modules[name] = ModuleType(name)
    standins.install(str(tmp_path))
    assert not {"tqdm", "tqdm.auto", "matplotlib", "matplotlib.pyplot"} & set(sys.modules)
    assert "tqdmx" in sys.modules  # not a display library, only a name that starts like one
    import tqdm  # type: ignore[import-untyped]

    assert isinstance(tqdm, ModuleType) and list(tqdm.tqdm([1, 2])) == [1, 2]  # the inert one


@pytest.mark.usefixtures("restored_import_state")
def test_install_leaves_sys_modules_alone_when_no_display_library_is_cached(tmp_path: Path) -> None:
    for name in [n for n in sys.modules if n.split(".")[0] in standins.INERT_PACKAGES]:
        del sys.modules[name]
    before = dict(sys.modules)
    standins.install(str(tmp_path))
    assert sys.modules == before
