"""An accuracy that takes np.argmax along axis 0: what that does, said with what came back.

The book's chapter-4 TwoLayerNet.accuracy with `np.argmax(y, axis=0)` and `np.argmax(t, axis=0)` (over the
batch, not over each sample's classes) gives 0 for class labels where 2 of 3 are right, and the hint said
the accuracy "is all zeros: TwoLayerNet.accuracy never computes it", which sent the student looking for a
missing line (s33's finding, fixed in session 34). When the parent's own parse of the program finds such a
call in the method a wrong record came from (never the student's process's claim), the hint says the axis
mistake, with the record's got and expected values. A known mistake that already says axis 0 is kept.
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Mapping, Sequence

from grader import pyparse
from grader.judge.diagnose import Finding
from grader.judge.results import CaseResult, Check, rechecked

_METHODS = ("accuracy",)  # the methods whose argmax should run over the classes (axis 1)
_SAID = "axis 0"  # a hint that says it already (the known mistake accuracy_argmax_axis0)
_ARRAY_MODULE = "get_array_module"  # DeZero's cuda.get_array_module: NumPy's module where there is no GPU


def axis0_methods(files: Mapping[str, bytes]) -> tuple[str, ...]:
    """`Class.accuracy` for each class of the program whose accuracy calls argmax with axis 0."""
    out: dict[str, None] = {}
    for _, _, tree in pyparse.python_trees(files):
        modules = _numpy_names(tree)
        for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
            for item in cls.body:
                if (
                    isinstance(item, ast.FunctionDef)
                    and item.name in _METHODS
                    and _argmax_axis0(item, modules)
                ):
                    out[f"{cls.name}.{item.name}"] = None
    return tuple(out)


def _numpy_names(tree: ast.Module) -> frozenset[str]:
    """The names the file binds NumPy to (`import numpy as np`), with the usual two, and those DeZero's idiom
    binds to the array module, NumPy without a GPU (`xp = cuda.get_array_module(y)`): `xp.argmax(y, 0)` was
    read as the array method, its axis taken from y."""
    bound = (
        a.asname or a.name
        for n in ast.walk(tree)
        if isinstance(n, ast.Import)
        for a in n.names
        if a.name == "numpy"
    )
    return frozenset({"np", "numpy", *bound, *_array_module_names(tree)})


def _array_module_names(tree: ast.Module) -> set[str]:
    """Names bound to get_array_module(...): `xp = cuda.get_array_module(x)`, `xp = get_array_module(x)`."""
    return {
        target.id
        for n in ast.walk(tree)
        if isinstance(n, ast.Assign) and _calls(n.value, _ARRAY_MODULE)
        for target in n.targets
        if isinstance(target, ast.Name)
    }


def _calls(node: ast.expr, name: str) -> bool:
    """Whether `node` is a call of `name`, plain or as an attribute (`cuda.get_array_module(x)`)."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    return (func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)) == name


def _argmax_axis0(function: ast.FunctionDef, modules: frozenset[str]) -> bool:
    for node in ast.walk(function):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name != "argmax":
            continue
        # the axis is np.argmax(a, axis)'s second argument, but the array method's first: y.argmax(0)
        method = isinstance(func, ast.Attribute) and not (
            isinstance(func.value, ast.Name) and func.value.id in modules
        )
        at = 0 if method else 1
        axis = next((k.value for k in node.keywords if k.arg == "axis"), None)
        axis = axis if axis is not None or len(node.args) <= at else node.args[at]
        if isinstance(axis, ast.Constant) and axis.value == 0 and type(axis.value) is int:
            return True
    return False


def told(results: Sequence[CaseResult], methods: Sequence[str]) -> tuple[CaseResult, ...]:
    """`results`, each wrong record of such a method said as the axis mistake."""
    if not methods:
        return tuple(results)
    return tuple(rechecked(r, lambda c: _check(c, methods)) for r in results)


def _check(check: Check, methods: Sequence[str]) -> Check:
    if check.passed or check.method not in methods:
        return check
    if check.diagnosis is not None and _SAID in check.diagnosis.hint:
        return check
    said = check.message.split("\n", 1)[0].split(" (absolute difference", 1)[0]
    hint = (
        f"{said}: {check.method} calls np.argmax with axis=0, over the batch (one index per column), not "
        "over each sample's classes: axis=1 gives one predicted class per sample (and one label per row "
        "of a one-hot t) to compare"
    )
    return dataclasses.replace(check, diagnosis=Finding("wrong_forward", hint, check.method))
