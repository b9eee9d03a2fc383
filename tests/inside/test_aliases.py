"""The naming tables the parent's stage inference reads are the adapters' own."""

from __future__ import annotations

from grader.inside import aliases
from grader.inside.adapters import ADAPTERS
from grader.stage_scan import family_aliases


def test_every_adapter_grades_with_its_family_table() -> None:
    """One entry per family name of ADAPTERS, and each is the table that family's adapter grades with: an
    inference that accepted other names than grading would pick a stage grading then fails."""
    assert set(aliases.BY_FAMILY) == set(ADAPTERS)
    for family, adapter in ADAPTERS.items():
        grading, extra = aliases.BY_FAMILY[family]
        assert grading == adapter.ALIASES, family
        assert extra == getattr(adapter, "INFERENCE_ALIASES", {}), family


def test_inference_adds_the_inference_only_names() -> None:
    """MiniFlow's backward_pass stands for forward_and_backward in inference only (docs/STAGES.md); a family
    without a built-in adapter has no variants at all (negative control)."""
    miniflow = family_aliases("miniflow")
    assert miniflow["forward_and_backward"] == ("forward_and_backward", "forward_backward", "backward_pass")
    assert miniflow["Node"] == ("Node", "Layer", "Neuron")
    assert "backward_pass" not in aliases.MINIFLOW["forward_and_backward"]
    assert family_aliases("dlfs-layers")["Relu"] == (
        *("Relu", "ReLU", "ReLu", "RELU"),
        *("ReluLayer", "ReLULayer", "ReLuLayer", "RELULayer"),  # MulLayer's suffix on every layer
        "Relu_Layer",
    )
    assert family_aliases("dlfs-layers")["Affine"] == ("Affine", "AffineLayer")
    assert family_aliases("no-such-family") == {}
