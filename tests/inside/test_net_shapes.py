"""Which book fix a layer's wrongly shaped dx is told, from the layer's kind and the two shapes."""

from __future__ import annotations

from grader.inside.adapters.net_shapes import WrongShape, _book_fix

AFFINE = ("dW", "db")  # the attributes the book's Affine keeps its gradients in (layer_specs.SPECS)


def test_pooling_columns_are_told_col2im_even_when_they_have_xs_size() -> None:
    """2x2 stride-2 pooling's dcol (12, 8) has the 96 elements of x (3, 2, 4, 4): col2im, by the kind."""
    assert "col2im" in _book_fix(WrongShape("Pooling", (12, 8), (3, 2, 4, 4), "Relu"), ())
    assert "col2im" in _book_fix(WrongShape("Convolution", (48, 9), (3, 1, 6, 6), None), ("dW", "db"))


def test_a_flat_affine_dx_is_told_the_books_reshape() -> None:
    """Affine's (3, 8) for x (3, 2, 2, 2): the book's dx.reshape(*self.original_x_shape)."""
    assert "original_x_shape" in _book_fix(WrongShape("Affine", (3, 8), (3, 2, 2, 2), "Pooling"), AFFINE)


def test_no_fix_is_cited_where_the_shapes_are_not_that_mistake() -> None:
    """Negative controls: a 2-D x (Affine returning dW), or a layer of another kind: no book line."""
    assert _book_fix(WrongShape("Affine", (5, 3), (4, 5), "Relu"), AFFINE) == ""
    assert _book_fix(WrongShape("Flatten", (3, 8), (3, 2, 2, 2), "Pooling"), ()) == ""


def test_a_tuple_returned_is_told_dx_alone_and_the_books_attributes() -> None:
    """Affine.backward returning (dx, dW, db): three values, the book keeps dW and db on the layer."""
    wrong = WrongShape("Affine", "a tuple of 3 values", (5, 6), "Relu")
    assert wrong.returned == "a tuple of 3 values"
    assert "self.dW and self.db" in _book_fix(wrong, AFFINE)


def test_a_tuple_returned_names_the_attributes_of_that_layers_class() -> None:
    """BatchNormalization returning (dx, dgamma, dbeta), cs231n's way: the book keeps self.dgamma and
    self.dbeta, not Affine's self.dW and self.db; a Relu returning (dx,) is told of no parameters at all."""
    bn = _book_fix(
        WrongShape("BatchNormalization", "a tuple of 3 values", (4, 4), "Affine"), ("dgamma", "dbeta")
    )
    assert "self.dgamma and self.dbeta" in bn and "self.dW" not in bn
    assert _book_fix(WrongShape("Relu", "a tuple of 1 values", (4, 4), "Affine"), ()) == ""
