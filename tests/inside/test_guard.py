"""The forbidden-import hook: a module and its submodules are refused, nothing else."""

from __future__ import annotations

import pytest

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
