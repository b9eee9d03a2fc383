"""Near misses: a misspelt __init__, keyword or module name, and nothing for ordinary words."""

from __future__ import annotations

from grader.inside.spelling import attribute_typo, init_typo, keyword_typo, module_typo, unmangled


def test_init_typo() -> None:
    """__int__ and _init__ are typos of __init__ only when the class has no __init__ of its own."""
    assert init_typo(["__int__", "forward"]) == "__int__"
    assert init_typo(["_init__", "backward"]) == "_init__"
    assert init_typo(["__init__", "__int__"]) is None
    assert init_typo(["forward", "backward"]) is None
    # A @dataclass's __post_init__ and a base class's __init_subclass__ are hooks Python calls, not typos
    # (sample submissions/dezero/dataclass_variable.py); a misspelling beside them still is one.
    assert init_typo(["__post_init__", "set_creator"]) is None
    assert init_typo(["__init_subclass__", "forward"]) is None
    assert init_typo(["__post_init__", "__int__"]) == "__int__"


def test_keyword_typo() -> None:
    """Swapped or replaced letters of a keyword are found; real words of another length are not."""
    assert keyword_typo("f = lamdba x: x") == ("lamdba", "lambda")
    assert keyword_typo("retrun out") == ("retrun", "return")
    assert keyword_typo("raises = 3") is None
    assert keyword_typo("self.params = params") is None
    # a builtin or a name in use is no misspelt keyword (a missing colon after `range(...)` is not `raise`)
    assert keyword_typo("for i in range(len(gxs))") is None
    assert keyword_typo("retain = retain_grad") is None
    assert keyword_typo("retrun(out)") == ("retrun", "return")  # control: still caught before a bracket
    # a word in a string or a name passed on is no keyword: a Python 2 print said "did you mean raise
    # instead of price?"
    assert keyword_typo('print "price:", int(price)') is None
    assert keyword_typo('retrun "price"') == ("retrun", "return")  # control: the code outside the string


def test_module_typo() -> None:
    """layer_navie -> layer_naive and common.layer -> common.layers; an unrelated name gets nothing."""
    known = ["layer_naive", "ch05.layer_naive", "common.layers", "common.functions"]
    assert module_typo("layer_navie", known) == "layer_naive"
    assert module_typo("common.layer", known) == "common.layers"
    assert module_typo("memory_profiler", known) is None


def test_attribute_typo() -> None:
    """numpy reads only `__array_priority__`: a Variable spelling it otherwise is named (sample
    submissions/dezero/step21_array_priorty_typo.py); the right spelling, and other array hooks, are not."""
    wanted = "__array_priority__"
    assert attribute_typo(wanted, ["__init__", "__array_priorty__", "__radd__"]) == "__array_priorty__"
    assert attribute_typo(wanted, ["_array_priority_"]) == "_array_priority_"
    assert attribute_typo(wanted, ["__array_priority__", "__array_priorty__"]) == "__array_priorty__"
    assert attribute_typo(wanted, ["__array_priority__"]) is None
    assert attribute_typo(wanted, ["__array__", "__array_ufunc__", "__array_wrap__", "__repr__"]) is None


def test_unmangled_gives_back_the_name_the_class_body_wrote() -> None:
    """`__array_priority_ = 200` in class Variable is stored as `_Variable__array_priority_`, which
    attribute_typo does not find (sample submissions/dezero/step21_array_priority_one_underscore.py);
    unmangled gives the name written back. Controls: a dunder and another class's prefix stay as they are."""
    assert attribute_typo("__array_priority__", ["_Variable__array_priority_"]) is None
    assert unmangled("Variable", "_Variable__array_priority_") == "__array_priority_"
    assert unmangled("_Var", "_Var__array_priority") == "__array_priority"
    assert unmangled("Variable", "__array_priority__") == "__array_priority__"
    assert unmangled("Variable", "_Base__array_priority_") == "_Base__array_priority_"
