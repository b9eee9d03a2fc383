"""The course modules a file handed in alone imports (grader/imported.py), read as text."""

from __future__ import annotations

from grader.imported import course_imports


def test_each_import_is_cited_at_its_own_line() -> None:
    """Lines are counted once over the file as the imports go (each counted from the file's start was
    quadratic in a file of many imports): every course import, in any form, at the line counted by hand;
    numpy and an unknown module are not course modules (control)."""
    source = (
        b"import numpy as np\n"  # 1: not a course module
        b"\n"
        b"from miniflow import *\n"  # 3
        b"import nosuchmodule\n"  # 4: not a course module
        b"if True:\n"
        b"    from layer_naive import MulLayer, AddLayer\n"  # 6
        b"import miniflow as mf\n"  # 7
    )
    found = course_imports({"nn.py": source}, ["miniflow.py", "layer_naive.py"])
    assert [(i.line, i.module, i.names, i.expected) for i in found] == [
        (3, "miniflow", (), "miniflow.py"),
        (6, "layer_naive", ("MulLayer", "AddLayer"), "layer_naive.py"),
        (7, "miniflow", (), "miniflow.py"),
    ]
    many = b"x = 1\n" * 3 + b"import miniflow\n" * 2000
    assert [i.line for i in course_imports({"nn.py": many}, ["miniflow.py"])] == list(range(4, 2004))


def test_an_import_line_of_spaces_and_an_import_without_a_space() -> None:
    """`from common.layers import` and n spaces was n * n steps of the pattern (64,000: 33 s of `grader
    check`): 2,000,000 take the linear pattern a tenth of a second and a quadratic one hours (a work bound:
    a regression never ends). `from common.layers import(Relu)`, which Python runs, is an import too."""
    modules = ["common/layers.py"]
    assert course_imports({"net.py": b"from common.layers import" + b" " * 2_000_000 + b"#\n"}, modules) == []
    found = course_imports({"net.py": b"from common.layers import(Relu)\n"}, modules)
    assert [(i.module, i.names) for i in found] == [("common.layers", ("Relu",))]
