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


def test_the_tensor_functions_helpers_are_the_books_names() -> None:
    """Steps 37 to 41: BroadcastTo, SumTo and MatMul are called through broadcast_to, sum_to and matmul (the
    class name in lower case, broadcastto, is no name of the book's), and a step naming the helper finds
    its class; the others stay the class in lower case (negative control)."""
    assert [aliases.dezero_helper(c) for c in ("BroadcastTo", "SumTo", "MatMul")] == [
        "broadcast_to",
        "sum_to",
        "matmul",
    ]
    assert [aliases.dezero_class(h) for h in ("broadcast_to", "sum_to", "matmul")] == [
        "BroadcastTo",
        "SumTo",
        "MatMul",
    ]
    assert (
        aliases.dezero_helper("Reshape"),
        aliases.dezero_class("sum"),
        aliases.dezero_class("Transpose"),
    ) == (
        "reshape",
        "Sum",
        "Transpose",
    )
