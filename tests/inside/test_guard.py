"""The forbidden-import hook: a module and its submodules are refused, nothing else."""

from __future__ import annotations

import importlib
import sys
import types

import pytest

from grader.inside import guard
from grader.inside.guard import ImportGuard


@pytest.mark.parametrize(
    ("name", "blocked"),
    [
        ("torch", True),
        ("torch.nn.functional", True),
        ("torchvision", False),  # a prefix of the text is not a parent package
        ("tensorflow", False),  # only tensorflow.keras is forbidden below
        ("tensorflow.keras", True),
        ("tensorflow.keras.layers", True),
        ("numpy", False),
    ],
)
def test_blocks_forbidden_packages_and_their_submodules(name: str, blocked: bool) -> None:
    """Forbidden: the named package and everything under it."""
    assert ImportGuard(["torch", "tensorflow.keras", ""]).blocks(name) is blocked


def test_no_forbidden_names_blocks_nothing() -> None:
    """An assignment that forbids nothing refuses nothing."""
    assert not ImportGuard([]).blocks("torch")


@pytest.fixture
def clean_meta_path(monkeypatch):
    monkeypatch.setattr(sys, "meta_path", list(sys.meta_path))


def test_install_drops_cached_forbidden_modules_and_keeps_the_rest(monkeypatch, clean_meta_path) -> None:
    """A forbidden package already imported (with a submodule) is dropped from sys.modules, so that the next
    import meets the guard; a module that only shares a prefix stays."""
    for name in ("fakeforbidden", "fakeforbidden.sub", "fakeforbiddenish"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    guard.install(["fakeforbidden"])
    assert "fakeforbidden" not in sys.modules and "fakeforbidden.sub" not in sys.modules
    assert "fakeforbiddenish" in sys.modules
    with pytest.raises(guard.ForbiddenImport):
        importlib.import_module("fakeforbidden")


def test_install_drops_a_forbidden_submodule_of_an_allowed_package(monkeypatch, clean_meta_path) -> None:
    monkeypatch.setitem(sys.modules, "fakeallowed", types.ModuleType("fakeallowed"))
    monkeypatch.setitem(sys.modules, "fakeallowed.bad", types.ModuleType("fakeallowed.bad"))
    guard.install(["fakeallowed.bad"])
    assert "fakeallowed" in sys.modules and "fakeallowed.bad" not in sys.modules
