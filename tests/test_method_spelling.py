"""grader/method_spelling.py: a method the cases call under another accepted spelling, as spelt."""

from __future__ import annotations

from grader.method_spelling import method_spellings

LAYER = b"""
class Layer:
    def params(self):
        yield from ()

    def %s(self):
        for param in self.params():
            param.cleargrad()
"""


def test_a_layer_cleargrad_is_named_as_spelt() -> None:
    """A Layer (the class defining params) whose cleargrads is spelt cleargrad: messages say cleargrad."""
    files = {"dezero/layers.py": LAYER % b"cleargrad"}
    assert method_spellings("dezero", files) == {"cleargrads": "cleargrad"}


def test_the_book_spelling_or_no_layer_changes_nothing() -> None:
    """Controls: the book's cleargrads, a Variable's cleargrad with no params() beside it, another family."""
    assert method_spellings("dezero", {"dezero/layers.py": LAYER % b"cleargrads"}) == {}
    variable = b"class Variable:\n    def cleargrad(self):\n        self.grad = None\n"
    assert method_spellings("dezero", {"dezero/core.py": variable}) == {}
    assert method_spellings("layers", {"dezero/layers.py": LAYER % b"cleargrad"}) == {}
    assert method_spellings("dezero", {"dezero/layers.py": b"def params(:\n"}) == {}  # unparsable
