"""grader/course_bases.py: the course packages a submission's classes are built on (parsed, never run)."""

from __future__ import annotations

import ast

from grader.course_bases import bindings, class_packages


def test_only_the_imports_that_run_when_the_module_loads_bind_a_name() -> None:
    """Module level and its if/try/with bind; a function, a class, the __main__ block and a string do not
    (review of s24-dz48, finding 1: a regex over every line read them all)."""
    source = (
        '"""Compare with DeZero:\n\nimport dezero\n"""\n'
        "import numpy as np, common.layers as L\n"
        "if '__file__' in globals():\n    from miniflow import Node\n"
        "try:\n    import cupy\nexcept ImportError:\n    from numpy import linalg\n"
        "def f():\n    import torch\n"
        "class A:\n    import json\n"
        'if __name__ == "__main__":\n    import dezero\n'
        'if "__main__" == __name__:\n    from dezero import Variable\n'
        "else:\n    from ch05 import layer_naive\n"
    )
    bound = bindings("hw.py", ast.parse(source))
    assert bound == {
        "np": ("numpy",),
        "L": ("common",),
        "Node": ("miniflow",),
        "cupy": ("cupy",),
        "linalg": ("numpy",),
        "layer_naive": ("ch05",),
    }


def test_the_else_of_a_negated_main_guard_binds_nothing_and_its_body_binds() -> None:
    """`if __name__ != "__main__":` (and `not __name__ == ...`, an `elif` after it) runs its body on import,
    never its `else` nor its `elif`: the `else`'s `import dezero` bound a name (session 36; both branches were
    read); an undecided test binds both (control)."""
    source = (
        'if __name__ != "__main__":\n    from common.layers import Affine\nelse:\n    import dezero\n'
        'if not __name__ == "__main__":\n    import numpy as np\n'
        "elif DEBUG:\n    from dezero import Variable\n"
        "if DEBUG:\n    import json\nelse:\n    import pickle\n"
    )
    bound = bindings("hw.py", ast.parse(source))
    assert bound == {"Affine": ("common",), "np": ("numpy",), "json": ("json",), "pickle": ("pickle",)}


def test_a_relative_import_resolves_against_the_files_folders() -> None:
    """`from .core import Function` in dezero/functions_conv.py is dezero's; one level up from
    mine/dezero/ is mine's; a file handed in alone has no folder to resolve against (finding 5)."""
    tree = ast.parse("from . import cuda\nfrom .core import Function\nfrom .. import other\n")
    assert bindings("dezero/functions_conv.py", tree) == {"cuda": ("dezero",), "Function": ("dezero",)}
    deeper = bindings("mine/dezero/functions_conv.py", tree)
    assert deeper["Function"] == ("mine", "dezero") and deeper["other"] == ("mine",)
    assert bindings("functions_conv.py", tree) == {}


def test_a_class_takes_the_packages_of_its_bases_its_body_and_its_own_files_base_classes() -> None:
    """Conv2d(Function) with Function from dezero.core is dezero's; Linear(Layer), whose Layer uses dezero's
    Parameter, too (the book's dezero/layers.py); a class built on nothing imported has none, and one
    deriving from itself ends."""
    files = {
        "dezero/layers.py": b"from dezero.core import Parameter\nimport numpy as np\n\n"
        b"class Layer:\n    def params(self):\n        return Parameter(np.zeros(1))\n\n"
        b"class Linear(Layer):\n    pass\n\nclass Loop(Loop):\n    pass\n",
        "conv.py": b"from dezero.core import Function\n\nclass Conv2d(Function):\n    pass\n\nclass Plain:\n"
        b"    pass\n",
    }
    found = class_packages(files)
    assert found["Conv2d"] == {"dezero"} and found["Linear"] == {"dezero", "numpy"}
    assert found["Plain"] == frozenset() and found["Loop"] == frozenset()
