"""The student's own name of a method the cases call under another accepted spelling, read by the parent from
the source (parsed, never run).

DeZero's Layer.cleargrads is looked up as cleargrads, clear_grads, cleargrad, clear_grad or zero_grad
(grader/inside/adapters/dezero.py `_CLEARGRADS`): a student whose Layer defines cleargrad, as Variable's is
named, was told "Layer.cleargrads: ... fc.cleargrads()", a method they never wrote (sample
book_step46_layer_cleargrad_no_call/). The messages name the method as the student spelt it.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

from grader import pyparse

# family -> (a method the class that also defines `owner_has` must have, its accepted spellings, owner_has)
_ACCEPTED: Mapping[str, tuple[str, tuple[str, ...], str]] = {
    "dezero": ("cleargrads", ("clear_grads", "cleargrad", "clear_grad", "zero_grad"), "params"),
}


def method_spellings(family: str, files: Mapping[str, bytes]) -> dict[str, str]:
    """{the cases' name of the method: the student's} ({"cleargrads": "cleargrad"}), or {} when the code
    spells it as the cases do, or defines no class holding it."""
    accepted = _ACCEPTED.get(family)
    if accepted is None:
        return {}
    name, others, owner_has = accepted
    python = {p: d for p, d in files.items() if p.endswith(".py")}
    # the book's spelling anywhere, or no owner: nothing to parse (most submissions)
    if any(f"def {name}(".encode() in d for d in python.values()):
        return {}
    owners = {p: d for p, d in python.items() if f"def {owner_has}(".encode() in d}
    for _, _, tree in pyparse.python_trees(owners):
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef):
                continue
            methods = {f.name for f in node.body if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))}
            spelt = next((o for o in others if o in methods), None)
            if owner_has in methods and spelt is not None:
                return {name: spelt}
    return {}
