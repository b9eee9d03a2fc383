"""How an exception of the student's code is worded (grader/inside/failures.py)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from grader.inside.failures import (
    ErrorInfo,
    Frame,
    Raised,
    StudentFailure,
    error_info,
    from_error,
    raised_of,
)

ROOT = Path(__file__).resolve().parents[2]
WHERE = (Frame("layers.py", 7, "sigmoid", "return 1 / (1 + np.exp(-x))"),)


def _raised(code: str) -> ErrorInfo:
    try:
        exec(code, {})
    except Exception as exc:  # the exception as the student's process describes it
        return error_info(exc, "/nowhere")
    raise AssertionError("nothing raised")


def test_a_forgotten_numpy_import_says_which_import_to_add() -> None:
    """`np` undefined: Python's words, where, then the import to add (Python does not say it is one)."""
    info = _raised("np.exp(1.0)")
    assert "NameError" in info.kinds
    failure = from_error(ErrorInfo(info.description, info.kinds, WHERE), "Sigmoid applied to x")
    assert failure.code == "exception"
    assert failure.message == (
        "Sigmoid applied to x: NameError: name 'np' is not defined (layers.py line 7, in sigmoid: "
        "`return 1 / (1 + np.exp(-x))`): add `import numpy as np` at the top of the file (a notebook: in "
        "its first cell)"
    )
    assert "from collections import OrderedDict" in from_error(_raised("OrderedDict()"), "c").message


def test_another_undefined_name_gets_no_import_advice() -> None:
    """Negative controls: a name no import provides (a typo, `self` in a method without it), and an
    UnboundLocalError, keep Python's words alone."""
    for code in ("layer = Sigmod()", "self.out = 1", "def f():\n    x += 1\nf()"):
        message = from_error(_raised(code), "c").message
        assert "import" not in message and message.startswith("c: "), message


def test_a_book_helper_undefined_names_its_file_and_the_star_import() -> None:
    """cross_entropy_error undefined in common/layers.py (a student's own common/functions.py of chapter 3,
    star-imported): the book's file that defines it, the import to write, and why a star import missed it.
    softmax, a name DeZero uses too, is named so only in a file of the book's layout; negative controls: the
    same softmax in a DeZero step file, and a typo, keep Python's words alone."""
    layers = (
        Frame("common/layers.py", 80, "SoftmaxWithLoss.forward", "self.loss = cross_entropy_error(y, t)"),
    )
    info = _raised("cross_entropy_error(1, 2)")
    message = from_error(
        ErrorInfo(info.description, info.kinds, layers), "SoftmaxWithLoss applied to x"
    ).message
    assert message.endswith(
        "`self.loss = cross_entropy_error(y, t)`): cross_entropy_error is a helper of the book's "
        "common/functions.py: import it in this file (`from common.functions import cross_entropy_error`) or "
        "define it; a star import brings only what the imported file defines, so a common/functions.py of "
        "your own must define it too"
    ), message
    im2col = from_error(ErrorInfo(*_kinds(_raised("im2col(1)")), WHERE), "c").message
    assert "(`from common.util import im2col`)" in im2col
    softmax = _raised("softmax(1)")
    assert (
        "the book's common/functions.py"
        in from_error(ErrorInfo(softmax.description, softmax.kinds, layers), "c").message
    )
    step = (Frame("step47.py", 12, "Softmax.forward", "y = softmax(x)"),)
    for info, frames in ((softmax, step), (_raised("cross_entropy_eror(1)"), layers)):
        told = from_error(ErrorInfo(info.description, info.kinds, frames), "c").message
        assert "helper of the book" not in told and "import" not in told, told


def _kinds(info: ErrorInfo) -> tuple[str, tuple[str, ...]]:
    return info.description, info.kinds


def _lineless_error(tmp_path) -> BaseException:
    """An exception raised in a file under `tmp_path` from code whose instructions carry no line number, as
    Python 3.11 reports for a frame stopped by a signal between two bytecodes (tb_lineno None): the load
    budget's LoadTooLong stopping the book's step-43 training loop did so (loading.stop_of)."""
    path = tmp_path / "step43.py"
    path.write_text("def f():\n    x = 1\n    raise ValueError('stopped')\n", encoding="utf-8")
    namespace: dict = {}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
    code = namespace["f"].__code__
    units, table = len(code.co_code) // 2, bytearray()
    while units > 0:  # location entries of kind 15, "no location", for every code unit
        n = min(units, 8)
        table.append(0x80 | (15 << 3) | (n - 1))
        units -= n
    namespace["f"].__code__ = code.replace(co_linetable=bytes(table))
    try:
        namespace["f"]()
    except ValueError as exc:
        return exc
    raise AssertionError("f did not raise")


def test_a_frame_without_a_line_number_is_described_not_a_type_error(tmp_path) -> None:
    """A student frame whose tb_lineno is None is shown at the line of its function (linecache.getline(...,
    None) raised TypeError: '<=' not supported between instances of 'int' and 'NoneType', and the book's
    step-43 folder, its training loop stopped after 4 s, intermittently failed to load and scored 0)."""
    exc = _lineless_error(tmp_path)
    assert exc.__traceback__ is not None and exc.__traceback__.tb_next.tb_lineno is None  # the premise
    info = error_info(exc, str(tmp_path))
    assert [(f.path, f.line, f.function) for f in info.frames] == [("step43.py", 1, "f")]


def test_a_python_2_builtin_says_its_python_3_name() -> None:
    """MiniFlow written for Python 2.7 (`for i in xrange(len(trainables))` in sgd_update, `reduce` without
    an import): Python 3's NameError alone did not say the code is Python 2; the message names the Python 3
    spelling. Controls: a name that is no Python 2 builtin keeps Python's words alone (above)."""
    message = from_error(_raised("for i in xrange(3):\n    pass"), "sgd on ['W1']").message
    assert message.startswith("sgd on ['W1']: NameError: name 'xrange' is not defined")
    assert message.endswith("xrange is Python 2's name; Python 3 spells it range (this grader runs Python 3)")
    assert (
        "raw_input is Python 2's name; Python 3 spells it input"
        in from_error(_raised("raw_input()"), "c").message
    )
    assert "add `from functools import reduce`" in from_error(_raised("reduce(max, [1])"), "c").message


def test_a_python_2_list_habit_says_what_python_3_returns() -> None:
    """MiniFlow's topological_sort as written on Python 2, `nodes = feed_dict.keys()` then `nodes.pop(0)`:
    Python 3's "'dict_keys' object has no attribute 'pop'" did not say that keys() was a list in Python 2;
    the message says so and what to write. The same for map() indexed. Controls: an attribute a list lacks
    too (`.shape` on a dict view) and another AttributeError keep Python's words alone."""
    keys = from_error(_raised("nodes = {1: 2}.keys()\nnodes.pop(0)"), "c").message
    assert keys.startswith("c: AttributeError: 'dict_keys' object has no attribute 'pop'")
    assert keys.endswith(
        "; in Python 3 dict.keys() is a view, not the list Python 2 gave (Python 2 code?): wrap it in "
        "list(...) where a list is needed"
    )
    assert "map() returns an iterator" in from_error(_raised("map(abs, [1])[0]"), "c").message
    # DLFS's TwoLayerNet.gradient on Python 2: `layers = self.layers.values()`, an OrderedDict's, reversed
    ordered = "from collections import OrderedDict\nlayers = OrderedDict(a=1).values()\nlayers.reverse()"
    assert from_error(_raised(ordered), "c").message.endswith(
        "; in Python 3 OrderedDict.values() is a view, not the list Python 2 gave (Python 2 code?): wrap it "
        "in list(...) where a list is needed"
    )
    for code in ("{1: 2}.keys().shape", "(1).pop()"):
        assert "Python 2" not in from_error(_raised(code), "c").message


def test_a_dict_method_python_3_removed_says_its_python_3_spelling() -> None:
    """MiniFlow's topological_sort as written on Python 2, `for n, v in feed_dict.iteritems()`: Python 3's
    "'dict' object has no attribute 'iteritems'" did not say the code is Python 2; the message names the
    Python 3 spelling. Controls: an attribute no dict of Python 2 had, and iteritems on a class of the
    student's, keep Python's words alone."""
    items = from_error(_raised("{1: 2}.iteritems()"), "c").message
    assert items.startswith("c: AttributeError: 'dict' object has no attribute 'iteritems'")
    assert items.endswith("; d.iteritems() is Python 2's (Python 2 code?): Python 3 spells it d.items()")
    assert "Python 3 spells it key in d" in from_error(_raised("{1: 2}.has_key(1)"), "c").message
    for code in ("{1: 2}.shape", "class Bag:\n    pass\nBag().iteritems()"):
        assert "Python 2" not in from_error(_raised(code), "c").message


def test_ordered_and_default_dicts_removed_methods_say_their_python_3_spelling() -> None:
    """DLFS's TwoLayerNet walked with `self.layers.itervalues()` (an OrderedDict) on Python 2: Python 3 says
    "'collections.OrderedDict' object has no attribute 'itervalues'", which the plain dict's explanation did
    not match. Control: an OrderedDict's attribute no Python 2 dict had keeps Python's words alone."""
    ordered = "import collections\ncollections.OrderedDict().itervalues()"
    message = from_error(_raised(ordered), "c").message
    assert message.endswith("; d.itervalues() is Python 2's (Python 2 code?): Python 3 spells it d.values()")
    default = "import collections\ncollections.defaultdict(int).iteritems()"
    assert "Python 3 spells it d.items()" in from_error(_raised(default), "c").message
    plain = "import collections\ncollections.OrderedDict().shape"
    assert "Python 2" not in from_error(_raised(plain), "c").message


def test_a_size_computed_with_true_division_says_python_3_divides_to_a_float() -> None:
    """A chapter-7 im2col ported from Python 2, `out_h = (H + 2*pad - filter_h) / stride + 1` then
    `np.zeros((N, C, out_h, out_w))`: Python 3's "'float' object cannot be interpreted as an integer" named
    neither the size nor the `/`; the message says `/` gives a float and to use `//` (sample
    submissions/dlfs-advanced/py2_true_division.py). The same for a range, a reshape, a NumPy float and a
    slice bound. Controls: other TypeErrors about integers keep Python's words alone."""
    said = (
        "in Python 3 `/` always gives a float (Python 2 floored two ints; Python 2 code?): compute it with "
        "`//`"
    )
    assert "a size or a range is a float" in from_error(_raised("range(4 / 2)"), "c").message
    for code in (
        "import numpy as np\nout_h = (5 + 2 - 3) / 1 + 1\nnp.zeros((2, out_h))",
        "import numpy as np\nnp.arange(6).reshape(2, 6 / 2)",
        "for i in range(4 / 2):\n    pass",
        "import numpy as np\nrange(np.float64(2.0))",
        "import numpy as np\nnp.arange(9)[0:9 / 3:1]",
    ):
        message = from_error(_raised(code), "Convolution applied to x, W, b").message
        assert message.startswith("Convolution applied to x, W, b: TypeError: "), message
        assert said in message, message
    for code in ("'abc' * 1.5", "int([1])", "import numpy as np\nnp.zeros(('a', 2))", "range('a')"):
        message = from_error(_raised(code), "c").message
        assert "`/`" not in message and "Python 2" not in message, message
    # Python's words for a slice bound do not say its type: a string there is told "if", not "is a float"
    assert (
        "a slice bound is not a whole number; if it was computed with `/`"
        in from_error(_raised("[1, 2][None:'a']"), "c").message
    )


def test_the_true_division_fix_is_shown_on_the_students_own_code() -> None:
    """The `//` advice's example was a convolution's `out_h` for every file, a MiniFlow nn.py's too. It is
    now the student's own line that divides (the failing line, or at load the assignment above it of a name
    the failing line reads), else the lesson's `steps_per_epoch = m // batch_size`. Controls: `//`, `/=`,
    a `/` in a string or a comment divide nothing; an assignment of a name the line does not read is not
    shown."""
    from grader.inside import py2_errors

    assert (
        py2_errors.floored("out_h = 1 + (H + 2*pad - FH) / stride")
        == "out_h = 1 + (H + 2*pad - FH) // stride"
    )
    for line in ("n = a // b", "n /= 2", "path = 'data/x.csv'", "n = 3  # m / 2", "range(n"):
        assert py2_errors.floored(line) is None, line
    nn = ["m = X_.shape[0]\n", "batches = m / batch_size\n", "other = m / 3\n", "for j in range(batches):\n"]
    assert py2_errors.division_in_source(nn, 4) == "batches = m // batch_size"
    assert py2_errors.division_in_source(nn, 1) is None
    assert py2_errors.division_in_source(nn[:1] + nn[2:], 3) is None  # `other` is not read by the loop
    own = (Frame("conv.py", 9, "Convolution.forward", "out = np.zeros((N, (H - FH) / stride + 1))"),)
    info = ErrorInfo("TypeError: 'float' object cannot be interpreted as an integer", ("TypeError",), own)
    assert "e.g. out = np.zeros((N, (H - FH) // stride + 1))," in from_error(info, "c").message
    bare = ErrorInfo(info.description, ("TypeError",), WHERE[:0])
    lesson = from_error(bare, "c", family="miniflow").message
    assert "e.g. steps_per_epoch = m // batch_size," in lesson and "out_h" not in lesson, lesson


def test_the_true_division_example_is_the_families_course_and_the_size_not_the_scaling() -> None:
    """Review of s29-realmf: with no `/` on the student's line, a DLFS convolution (its im2col's
    `np.zeros((N, C, FH, FW, out_h, out_w))`) was shown MiniFlow's `steps_per_epoch = m // batch_size`; it is
    the book's `out_h` again, MiniFlow keeping the lesson's line. And the failing line's division outside
    every bracket is the value assigned, not the size: `W1_ = np.random.randn(n_features, n_hidden) /
    np.sqrt(n_features)` was shown floored (`// np.sqrt(...)`, a wrong fix); the `n_hidden = n_features / 2`
    above it is the example. Controls: a division inside a call's brackets on the failing line is still
    shown, and MiniFlow's example is unchanged."""
    from grader.inside import py2_errors

    im2col = (Frame("layers.py", 14, "im2col", "col = np.zeros((N, C, filter_h, filter_w, out_h, out_w))"),)
    info = ErrorInfo("TypeError: 'float' object cannot be interpreted as an integer", ("TypeError",), im2col)
    for family in ("dlfs-advanced", "dlfs-layers", "dezero"):
        said = from_error(info, "Convolution applied to x", family=family).message
        assert "e.g. out_h = (H + 2*pad - FH) // stride + 1," in said and "steps_per_epoch" not in said, said
    said = from_error(info, "c", family="miniflow").message
    assert "e.g. steps_per_epoch = m // batch_size," in said, said
    nn = [
        "n_features = X_.shape[1]\n",
        "n_hidden = n_features / 2\n",
        "W1_ = np.random.randn(n_features, n_hidden) / np.sqrt(n_features)\n",
    ]
    assert py2_errors.division_in_source(nn, 3) == "n_hidden = n_features // 2"
    # the nearest assignment of a read name that divides, past one that does not; a name rebound below its
    # division is not shown
    sized = [
        "n_hidden = 13 / 2\n",
        "n_features = X_.shape[1]\n",
        "W1_ = np.random.randn(n_features, n_hidden)\n",
    ]
    assert py2_errors.division_in_source(sized, 3) == "n_hidden = 13 // 2"
    rebound = ["n_hidden = 13 / 2\n", "n_hidden = 6\n", "W1_ = np.random.randn(13, n_hidden) * 2\n"]
    assert py2_errors.division_in_source(rebound, 3) is None
    scaled = Frame("nn.py", 3, "<module>", nn[2].strip())
    info = ErrorInfo(info.description, ("TypeError",), (scaled,))
    said = from_error(info, "c", family="miniflow").message
    assert "// np.sqrt" not in said and "e.g. steps_per_epoch = m // batch_size," in said, said
    assert py2_errors.floored("for j in range(m / b):", bracketed=True) == "for j in range(m // b):"
    assert py2_errors.floored("n = m / b", bracketed=True) is None
    assert py2_errors.floored("n = m / b") == "n = m // b"


def test_a_with_on_a_generator_says_the_decorator_is_missing() -> None:
    """DeZero's using_config written without @contextlib.contextmanager: `with no_grad():` raised "'generator'
    object does not support the context manager protocol", naming neither the decorator nor the function; the
    message says both. Controls: `with` on another object, and the decorated function, say nothing of it."""
    undecorated = (
        "def using_config(name, value):\n    yield\nwith using_config('enable_backprop', False):\n    pass"
    )
    message = from_error(_raised(undecorated), "Add applied to x, x").message
    assert message.startswith(
        "Add applied to x, x: TypeError: 'generator' object does not support the context manager protocol"
    )
    assert message.endswith(
        "a function that yields is a context manager only with @contextlib.contextmanager above its def"
    )
    assert "contextmanager" not in from_error(_raised("with 1:\n    pass"), "c").message
    decorated = (
        "import contextlib\n@contextlib.contextmanager\n" + undecorated + "\nraise ValueError('after')"
    )
    assert "contextmanager" not in from_error(_raised(decorated), "c").message


MATMUL_BACKWARD = (
    Frame("dezero/core.py", 120, "Variable.backward", "gxs = f.backward(*gys)"),
    Frame("dezero/functions.py", 265, "MatMul.backward", "gW = matmul(x, gy)"),
    Frame("dezero/functions.py", 270, "matmul", "return MatMul()(x, W)"),
    Frame("dezero/core.py", 190, "Function.__call__", "ys = self.forward(*xs)"),
    Frame("dezero/functions.py", 259, "MatMul.forward", "y = x.dot(W)"),
)


def test_a_forward_failing_inside_a_backward_names_the_backward_line() -> None:
    """DeZero's MatMul.backward without transposes fails in MatMul.forward, whose line is right: the message
    names the backward's line that called it (the nearest backward, not Variable.backward)."""
    info = ErrorInfo("ValueError: shapes (2,3) and (2,3) not aligned", ("ValueError",), MATMUL_BACKWARD)
    message = from_error(info, "backward from y").message
    assert (
        "(dezero/functions.py line 259, in MatMul.forward: `y = x.dot(W)`, called from dezero/functions.py "
        "line 265, in MatMul.backward: `gW = matmul(x, gy)`)" in message
    ), message


def test_a_forward_failing_on_its_own_names_no_caller() -> None:
    """Negative controls: a forward called by no backward (the forward pass), and a backward failing in its
    own line, keep the one frame."""
    forward_pass = (Frame("net.py", 3, "Net.predict", "y = layer.forward(x)"), MATMUL_BACKWARD[-1])
    own_backward = MATMUL_BACKWARD[:2]
    for frames in (forward_pass, own_backward):
        message = from_error(ErrorInfo("ValueError: bad", (), frames), "c").message
        assert "called from" not in message and message.endswith(f"`{frames[-1].source}`)"), message


LAYER_CLEARGRADS = (Frame("dezero/layers.py", 38, "Layer.cleargrads", "param.cleargrad()"),)


def test_params_yielding_a_layer_says_params_must_recurse() -> None:
    """A step-45 Layer whose params() yields `self.__dict__[name]` without recursing hands the MLP's Linear to
    `param.cleargrad()`: the message names params() and `yield from obj.params()`, not only Python's words."""
    info = ErrorInfo(
        "AttributeError: 'Linear' object has no attribute 'cleargrad'",
        ("AttributeError",),
        LAYER_CLEARGRADS,
        attr_name="cleargrad",
        attr_owner="Linear",
    )
    message = from_error(info, "cleargrads on model").message
    assert "params() yielded a Linear where a Parameter belongs" in message, message
    assert "yield from obj.params()" in message


def test_a_none_or_an_array_without_grad_is_not_blamed_on_params() -> None:
    """Negative controls: a None bias (`nobias=True`) or a bare array in the loop, a class of Python's or
    NumPy's (a dtype, an activation function kept as an attribute), and a Linear lacking .grad outside any
    loop over params(), are other mistakes: Python's words alone."""
    outside = (Frame("steps/step45.py", 9, "<module>", "print(model.l0.grad)"),)
    lowercase = [(owner, LAYER_CLEARGRADS) for owner in ("type", "function", "method", "float64")]  # review
    for owner, frames in (("NoneType", LAYER_CLEARGRADS), ("ndarray", LAYER_CLEARGRADS), ("Linear", outside),
                          *lowercase):  # fmt: skip
        info = ErrorInfo(
            f"AttributeError: '{owner}' object has no attribute 'grad'",
            ("AttributeError",),
            frames,
            attr_name="grad",
            attr_owner=owner,
        )
        assert "Layer.params must recurse" not in from_error(info, "c").message


MOMENTUM_UPDATE = (
    Frame("dezero/optimizers.py", 59, "MomentumSGD.update_one", "v -= self.lr * param.grad.data"),
)
SHARED_STATE = "ValueError: operands could not be broadcast together with shapes (3,2) (2,3) (3,2) "


def test_a_shape_error_on_an_optimizers_state_says_the_key_may_be_shared() -> None:
    """MomentumSGD keying its velocities by param.name: the MLP's two W share one, and NumPy's words on
    `v -= self.lr * param.grad.data` say only that shapes differ; the message names the state, the shared key
    and id(param), instead of NumPy's guess about gradients (a sum over the wrong axis)."""
    message = from_error(ErrorInfo(SHARED_STATE, ("ValueError",), MOMENTUM_UPDATE), "update()").message
    assert "cannot be stretched to it" not in message, message
    assert "v, the state update_one keeps per parameter" in message, message
    assert "key it by id(param)" in message


def test_a_shape_error_on_param_data_or_outside_update_one_is_not_blamed_on_state() -> None:
    """Negative controls: `param.data -= self.lr * param.grad.data` (a gradient of the wrong shape, SGD's
    line), the same state line in another method, and an error that is no shape error keep NumPy's and
    Python's words alone."""
    sgd = (Frame("dezero/optimizers.py", 44, "SGD.update_one", "param.data -= self.lr * param.grad.data"),)
    # the parameter by another name (review, session 16: `p` was told about optimizer state)
    sgd_p = (Frame("dezero/optimizers.py", 44, "SGD.update_one", "p.data -= self.lr * p.grad.data"),)
    elsewhere = (Frame("train.py", 9, "train", "v -= self.lr * param.grad.data"),)
    # a gradient with one row per sample (an axis more than the state): NumPy's clause says that, not a key
    per_sample = (
        "ValueError: non-broadcastable output operand with shape (4,) doesn't match the broadcast shape (3,4)"
    )
    for description, frames in (
        (SHARED_STATE, sgd),
        (SHARED_STATE, sgd_p),
        (SHARED_STATE, elsewhere),
        ("KeyError: 'W'", MOMENTUM_UPDATE),
        (per_sample, MOMENTUM_UPDATE),
    ):
        message = from_error(ErrorInfo(description, ("ValueError",), frames), "update()").message
        assert "id(param)" not in message, message


NO_ORDER = "TypeError: '<' not supported between instances of 'Square' and 'Square'"
HEAP_PUSH = (
    Frame("step18.py", 70, "Variable.backward", "add_func(x.creator)"),
    Frame(
        "step18.py", 54, "Variable.backward.<locals>.add_func", "heapq.heappush(funcs, (-f.generation, f))"
    ),
)


def test_a_heap_of_tuples_comparing_two_functions_says_the_generations_tied() -> None:
    """DeZero's backward queue as a heap of (-f.generation, f): the diamond's two Squares share a generation,
    and heapq compares the Squares themselves; Python's TypeError names the classes, not the tie. The message
    names the call, the tie and the counter (or __lt__)."""
    message = from_error(ErrorInfo(NO_ORDER, ("TypeError",), HEAP_PUSH), "backward from y").message
    assert message.startswith(f"backward from y: {NO_ORDER}"), message
    assert "heappush compared two Square objects: the items before them in the tuples were equal" in message
    assert "(-f.generation, next(counter), f)" in message and "define __lt__" in message
    mixed = NO_ORDER.replace("and 'Square'", "and 'Add'")
    sort = (Frame("step18.py", 60, "Variable.backward", "funcs.sort()"),)
    sorted_message = from_error(ErrorInfo(mixed, ("TypeError",), sort), "c").message
    assert "sort compared Square and Add objects" in sorted_message and "if it sorts tuples" in sorted_message


def test_a_comparison_outside_a_queue_says_nothing_of_ties() -> None:
    """Negative controls: the same TypeError on a line that neither pushes nor sorts (`if f < g:`), another
    TypeError on a heappush line, and no frame at all keep Python's words alone."""
    compare = (Frame("step18.py", 54, "Variable.backward", "if f < g:"),)
    other = "TypeError: unsupported operand type(s) for -: 'NoneType' and 'int'"
    for description, frames in ((NO_ORDER, compare), (other, HEAP_PUSH), (NO_ORDER, ())):
        message = from_error(ErrorInfo(description, ("TypeError",), frames), "c").message
        assert "counter" not in message and "__lt__" not in message, message


def test_a_sort_of_pythons_own_types_or_of_objects_is_no_tie_of_tuples() -> None:
    """A sort comparing a generation left None with an int is another mistake (no tie, nothing of __lt__),
    and a sort of the objects themselves (MiniFlow's `sorted(feed_dict.keys())`) was told "the items before
    them in the tuples were equal", which no tuple was (review). Now Python's types get Python's words alone,
    and a sort of objects is told both readings: a key, or a counter if it sorts tuples."""
    none_int = "TypeError: '<' not supported between instances of 'NoneType' and 'int'"
    by_key = (Frame("step18.py", 54, "Variable.backward", "funcs.sort(key=lambda x: x.generation)"),)
    message = from_error(ErrorInfo(none_int, ("TypeError",), by_key), "backward from y").message
    assert "counter" not in message and "__lt__" not in message and "tie" not in message, message
    inputs = NO_ORDER.replace("'Square'", "'Input'")
    keys = (Frame("miniflow.py", 12, "topological_sort", "for n in sorted(feed_dict.keys()):"),)
    message = from_error(ErrorInfo(inputs, ("TypeError",), keys), "topological_sort").message
    assert "sorted compared two Input objects, and a class without __lt__ has no order" in message, message
    assert "the items before them in the tuples were equal" not in message


def test_a_heap_of_closures_tied_is_a_tie_though_function_is_pythons_type() -> None:
    """Python's own types are no tie (the case above), except functions and methods: micrograd-style
    `_backward` closures pushed as (-generation, fn) tie on a generation and have no order. The one way the
    queue's set of Python's types differs from failures.PLAIN_TYPES; its control, two dicts, stays Python's
    words alone."""
    functions = NO_ORDER.replace("'Square'", "'function'")
    message = from_error(ErrorInfo(functions, ("TypeError",), HEAP_PUSH), "backward from y").message
    assert "heappush compared two function objects: the items before them in the tuples were equal" in message
    dicts = NO_ORDER.replace("'Square'", "'dict'")
    message = from_error(ErrorInfo(dicts, ("TypeError",), HEAP_PUSH), "backward from y").message
    assert "counter" not in message and "tie" not in message, message


def test_pythons_own_types_are_the_builtins_modules() -> None:
    """The three sets of Python's types (a node's gradients dict, a Layer's params(), a queue's tie) come
    from one source: every class the builtins module holds is in it, an exception class too (a Layer's
    params() yielding a ValueError was told to recurse into it: it had a hand-kept list of ten names)."""
    import builtins

    from grader.inside.failures import PLAIN_TYPES

    assert {n for n, v in vars(builtins).items() if isinstance(v, type)} <= PLAIN_TYPES
    info = ErrorInfo(
        "AttributeError: 'ValueError' object has no attribute 'grad'",
        ("AttributeError",),
        LAYER_CLEARGRADS,
        attr_name="grad",
        attr_owner="ValueError",
    )
    assert "Layer.params must recurse" not in from_error(info, "c").message


def test_weakref_output_attribute_is_explained() -> None:
    """step 16's `y.grad = None` over step 17's weakref outputs: the clause says to call the reference."""
    from grader.inside import python_errors

    clause = python_errors.explain("AttributeError: 'weakref.ReferenceType' object has no attribute 'grad'")
    assert clause is not None and "weakref.ref(output)" in clause and "y().grad = None" in clause
    assert python_errors.explain("AttributeError: 'Variable' object has no attribute 'grad'") is None


def test_weakref_function_attribute_says_the_creator_stays_strong() -> None:
    """`self.creator = weakref.ref(func)` (a weak creator, sed on submissions/dezero/correct.py): reading
    y.creator.inputs met the reference, and the clause said "output().inputs for output in f.outputs",
    nonsense for a Function. A Function's attribute says the creator must stay a strong reference; a
    Variable's keeps the outputs wording (control); the dead reference backward meets says so too."""
    from grader.inside import python_errors

    for attr in ("inputs", "outputs", "backward", "forward"):
        clause = python_errors.explain(
            f"AttributeError: 'weakref.ReferenceType' object has no attribute '{attr}'"
        )
        assert clause is not None and "creator must stay a strong reference" in clause, clause
        assert "for output in f.outputs" not in clause, clause
    for attr in ("grad", "data", "creator", "generation"):
        clause = python_errors.explain(
            f"AttributeError: 'weakref.ReferenceType' object has no attribute '{attr}'"
        )
        assert clause is not None and f"output().{attr} for output in f.outputs" in clause, clause
        assert "strong reference" not in clause, clause
    gone = python_errors.explain("TypeError: weak object has gone away")
    assert gone is not None and "self.creator = func" in gone, gone
    assert python_errors.explain("TypeError: 'NoneType' object is not callable") is None


def test_a_weak_reference_lacking_a_graded_method_is_no_missing_method() -> None:
    """A weak creator (sample step18_weak_creator.py): a unit case's `y.creator.backward(gy)` met the
    reference and was told "class ReferenceType has no backward() method; write ReferenceType.backward",
    a method on Python's class. Now Python's words and the weakref clause; control: a student's class
    lacking backward() is still not_implemented."""
    for owner in ("ReferenceType", "weakref"):
        info = ErrorInfo(
            "AttributeError: 'weakref.ReferenceType' object has no attribute 'backward'",
            ("AttributeError",),
            (),
            attr_name="backward",
            attr_owner=owner,
        )
        failure = from_error(info, "backward from y")
        assert failure.code == "exception" and "write ReferenceType" not in failure.message, failure.message
        assert "creator must stay a strong reference" in failure.message, failure.message
    square = ErrorInfo(
        "AttributeError: 'Square' object has no attribute 'backward'",
        ("AttributeError",),
        (),
        attr_name="backward",
        attr_owner="Square",
    )
    assert from_error(square, "backward from y").code == "not_implemented"


def test_a_numpy_function_on_a_variable_names_the_students_own_function() -> None:
    """np.cos(x) with x a Variable in a Function's backward (Sin.backward at step 34, sample
    book_step35_sin_np_cos/): the clause says np.cos got a Variable, to call the student's own cos(x) from
    step 32, that np.cos(x.data) drops the graph, and that before step 32 x.data is the fix (review sample
    exp_backward_no_data.py). Controls: raised in a forward (Function.__call__ passing Variables,
    fwd_variables.py) or with no frame, only NumPy's head; another object type, only what NumPy needs;
    another TypeError, no clause."""
    from grader.inside import python_errors

    numpy_words = (
        "TypeError: loop of ufunc does not support argument 0 of type {} which has no callable cos method"
    )
    sin = (Frame("dezero/functions.py", 12, "Sin.backward", "gx = gy * np.cos(x)"),)
    said = from_error(ErrorInfo(numpy_words.format("Variable"), ("TypeError",), sin), "backward from y")
    assert "np.cos() got a Variable" in said.message and "your own cos(x)" in said.message
    assert "np.cos(x.data) would compute the value but drop that graph" in said.message
    assert "Before step 32 a backward computes on arrays" in said.message
    forward = (Frame("core.py", 126, "Cos.forward", "y = np.cos(x)"),)
    for frames in (forward, ()):
        head = from_error(ErrorInfo(numpy_words.format("Variable"), ("TypeError",), frames), "Cos applied")
        assert head.message.endswith(
            "np.cos() got a Variable, not an ndarray: NumPy's functions compute on arrays only"
        )
    other = python_errors.explain(numpy_words.format("Node"))
    assert other is not None and "got a Node" in other and "dezero" not in other
    assert (
        python_errors.explain("TypeError: unsupported operand type(s) for *: 'NoneType' and 'float'") is None
    )


def test_arithmetic_on_a_weak_reference_says_to_call_it() -> None:
    """`y = self.outputs[0]` then `y * y` (Tanh.backward, sample book_step35_tanh_weakref_not_called/): the
    clause says the operator got a weak reference and names y = self.outputs[0](). Control: a TypeError
    between two other types gets none."""
    from grader.inside import python_errors

    words = "TypeError: unsupported operand type(s) for *: '{}' and '{}'"
    clause = python_errors.explain(words.format("weakref.ReferenceType", "weakref.ReferenceType"))
    assert clause is not None and "the operator * got a weak reference" in clause
    assert "y = self.outputs[0]()" in clause
    assert python_errors.explain(words.format("float", "weakref")) is not None
    assert python_errors.explain(words.format("NoneType", "float")) is None


def test_a_weak_reference_met_on_a_line_reading_inputs_names_the_inputs() -> None:
    """self.inputs = [weakref.ref(x) ...] (review sample weak_inputs/): `gy * x1` in Mul.backward and
    `x.grad` in Variable.backward met a weak input, and the clause named the outputs; it now says the inputs
    are weak and to keep self.inputs = inputs. Controls: Tanh's `1 - y * y` keeps the outputs' advice; a line
    reading both is told both."""
    product = "TypeError: unsupported operand type(s) for *: 'float' and 'weakref.ReferenceType'"
    cases = {
        ("Mul.backward", "return gy * x1, gy * x0", product): "keeps its inputs as weak references",
        (
            "Variable.backward",
            "if x.grad is None:",
            "AttributeError: 'weakref.ReferenceType' object has no attribute 'grad'",
        ): "keeps its inputs as weak references",
        ("Tanh.backward", "gx = gy * (1 - y * y)", product): "y = self.outputs[0]()",
        ("Mul.backward", "gx = x * y", product): "keep its inputs strong (self.inputs = inputs)",
    }
    for (function, source, words), phrase in cases.items():
        kinds = (words.split(":")[0],)
        info = ErrorInfo(words, kinds, (Frame("core.py", 9, function, source),))
        message = from_error(info, "backward from y").message
        assert phrase in message, message
        if "x1" in source:
            assert "outputs[0]()" not in message, message


def test_an_attribute_missing_inside_setattr_names_super_init_and_super_setattr() -> None:
    """'Linear' object has no attribute '_params' raised in Layer.__setattr__ (sample
    book_step44_linear_no_super_init/): the clause names both causes, a subclass __init__ without
    super().__init__() and a __setattr__ that stores nothing. Control: the same error raised in a method that
    is not __setattr__ gets no such clause."""
    frames = (
        Frame("dezero/layers.py", 48, "Linear.__init__", "self.W = Parameter(None, name='W')"),
        Frame("dezero/layers.py", 16, "Layer.__setattr__", "self._params.add(name)"),
    )
    words = "AttributeError: 'Linear' object has no attribute '_params'"
    info = ErrorInfo(words, ("AttributeError",), frames, attr_name="_params", attr_owner="Linear")
    message = from_error(info, "building L.Linear(4)").message
    assert "Layer.__setattr__ runs for every self.name = value" in message
    assert "Linear.__init__ does not call super().__init__() first" in message
    assert "super().__setattr__(name, value)" in message
    elsewhere = ErrorInfo(words, ("AttributeError",), frames[:1], attr_name="_params", attr_owner="Linear")
    assert "__setattr__" not in from_error(elsewhere, "building L.Linear(4)").message
    # the object lacking the attribute is not self: a set read as a list in __setattr__ (review sample
    # l44_append/), and a line that does not read self.<attr>
    append = (frames[0], Frame("dezero/layers.py", 16, "Layer.__setattr__", "self._params.append(name)"))
    words = "AttributeError: 'set' object has no attribute 'append'"
    info = ErrorInfo(words, ("AttributeError",), append, attr_name="append", attr_owner="set")
    assert "super().__init__()" not in from_error(info, "building L.Linear(4)").message
    other = (frames[0], Frame("dezero/layers.py", 16, "Layer.__setattr__", "registry._params.add(name)"))
    words = "AttributeError: 'Registry' object has no attribute '_params'"
    info = ErrorInfo(words, ("AttributeError",), other, attr_name="_params", attr_owner="Registry")
    assert "super().__init__()" not in from_error(info, "building L.Linear(4)").message


def test_a_method_refused_by_a_constructor_names_a_missing_property() -> None:
    """Variable(W.T) with T a plain method (sample book_step41_t_not_property/): the clause says a method
    reached the constructor, as a property without @property, and names T's when a frame reads .T. Controls:
    without .T in the frames the T advice is left out; a refused float gets no such clause."""
    frames = (
        Frame("dezero/functions.py", 161, "MatMul.backward", "gx = matmul(gy, W.T)"),
        Frame(
            "dezero/core.py",
            31,
            "Variable.__init__",
            "raise TypeError('{} is not supported'.format(type(data)))",
        ),
    )
    info = ErrorInfo("TypeError: <class 'method'> is not supported", ("TypeError",), frames)
    message = from_error(info, "backward from y").message
    assert "a method, not a value, reached the constructor" in message and "@property def T(self)" in message
    plain = ErrorInfo("TypeError: <class 'method'> is not supported", ("TypeError",), frames[1:])
    said = from_error(plain, "backward from y").message
    assert "reached the constructor" in said and "def T" not in said
    number = ErrorInfo("TypeError: <class 'float'> is not supported", ("TypeError",), frames)
    assert "reached the constructor" not in from_error(number, "backward from y").message


def test_an_in_place_shape_error_in_a_forward_pass_keeps_to_the_shapes() -> None:
    """MiniFlow's Linear quiz loop left in a matrix Linear.forward (`self.value += x * w`): NumPy's in-place
    error is said as the in-place rule alone, not a gradient's guesses ("a gradient has the shape of the
    value it belongs to", a sum over the wrong axis). Controls: the same errors in a backward, and in a
    forward a backward called (DeZero's MatMul.backward computing matmul), keep the guesses."""
    wider = (
        "ValueError: non-broadcastable output operand with shape (1,) doesn't match the broadcast shape (2,)"
    )
    axis = "ValueError: operands could not be broadcast together with shapes (2,) (4,) (2,) "
    forward = (Frame("miniflow.py", 98, "Linear.forward", "self.value += x * w"),)
    backward = (Frame("miniflow.py", 110, "Linear.backward", "self.gradients[b] += np.sum(g, axis=1)"),)
    called = (
        Frame("step41.py", 80, "MatMul.backward", "gx = matmul(gy, W.T)"),
        Frame("step41.py", 70, "MatMul.forward", "y += x.dot(W)"),
    )
    for description, guess in ((wider, "a gradient has the shape"), (axis, "a sum over the wrong axis")):
        told = from_error(ErrorInfo(description, ("ValueError",), forward), "backward from cost").message
        assert "an in-place operation (+=, -=, *=, /=) keeps the shape of the array on its left" in told, told
        assert "gradient" not in told.split("`self.value += x * w`)")[1] and "axis" not in told, told
        for frames in (backward, called):
            kept = from_error(ErrorInfo(description, ("ValueError",), frames), "c").message
            assert guess in kept, kept


def test_a_variable_wrapped_in_variable_names_the_line_that_wrapped_it() -> None:
    """`x.grad = Variable(gx)` from step 32 on, gx a Variable already: the student's step-9 TypeError named
    Variable.__init__ alone; the clause names Variable.backward's line and says to keep gx as it is. A float
    refused, or another class refused, gets none of it. The forward side and comprehension frames are
    graded with real frames (tests/inside/test_adapter_dezero.py)."""
    init = Frame(
        "dezero/core.py", 30, "Variable.__init__", "raise TypeError('{} is not supported'.format(type(data)))"
    )
    backward = (
        Frame("dezero/core.py", 96, "Variable.backward", "x.grad = Variable(gx)  # 미분값도 Variable로"),
        init,
    )
    own = "TypeError: <class 'dezero.core.Variable'> is not supported"
    told = from_error(ErrorInfo(own, ("TypeError",), backward), "backward from y", family="dezero").message
    assert "a Variable reached Variable()" in told and "line 96: `x.grad = Variable(gx)" in told, told
    assert "keep them as they are (x.grad = gx)" in told, told
    for description in (
        "TypeError: <class 'float'> is not supported",
        "TypeError: <class 'core.Parameter'> is not supported",
    ):
        other = from_error(ErrorInfo(description, ("TypeError",), backward), "c", family="dezero").message
        assert "reached Variable()" not in other, other
    alone = from_error(ErrorInfo(own, ("TypeError",), (init,)), "c", family="dezero").message
    assert "reached Variable()" not in alone, alone


def test_a_class_refusing_itself_is_told_as_dezeros_variable_to_dezero_students_only() -> None:
    """The clause is DeZero's (step 9's check, Variable and as_variable): a MiniFlow Linear whose own
    __init__ refuses a Linear (inbound nodes not in a list) was told to use as_variable (review of s22-real2,
    finding 3). Only the DeZero family's errors get it; the same frames told to DeZero are the control."""
    init = Frame(
        "miniflow.py", 12, "Linear.__init__", "raise TypeError(f'inbound must be a list, got {type(x)}')"
    )
    caller = Frame("nn.py", 30, "build_graph", "l2 = Linear(l1, W2, b2)")
    error = ErrorInfo(
        "TypeError: inbound must be a list, got <class 'miniflow.Linear'>", ("TypeError",), (caller, init)
    )
    for family in ("miniflow", "layers", ""):
        message = from_error(error, "building the graph", family=family).message
        assert "reached Linear()" not in message and "as_variable" not in message, (family, message)
    assert "a Linear reached Linear()" in from_error(error, "building the graph", family="dezero").message


LEFTOVER_DEBUGGER = """
import sys
sys.path.insert(0, {root!r})
from grader.inside.failures import error_info, from_error
def backward():
    {stop}
    return 1
try:
    backward()
except BaseException as exc:
    print(from_error(error_info(exc, "/nowhere"), "Sigmoid.backward").message)
"""


@pytest.mark.parametrize("stop", ["breakpoint()", "import pdb; pdb.set_trace()"])
def test_a_debugger_left_in_is_told_as_the_stop_it_is(stop: str) -> None:
    """A breakpoint() left in a correct file: the debugger reads no command (stdin at its end, as while
    grading) and quits by raising BdbQuit, which the student read as a bare `BdbQuit (... line 143, in
    Sigmoid.backward)`, 15 / 43 (review of s23-hunt, 8): the message says a breakpoint stopped the run."""
    script = LEFTOVER_DEBUGGER.format(root=str(ROOT), stop=stop)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONBREAKPOINT"}
    out = subprocess.run(
        [sys.executable, "-c", script], stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env
    )
    message = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else out.stderr
    assert message.startswith("Sigmoid.backward: a breakpoint() or pdb.set_trace() stopped the run"), message
    assert "(BdbQuit); remove the breakpoint from the graded code" in message, message


def test_an_op_init_reading_an_unfed_value_is_told_the_graph_comes_first() -> None:
    """A MiniFlow Linear.__init__ preallocating from its inputs' values (np.zeros((X.value.shape[0], ...)))
    raised "'NoneType' object has no attribute 'shape'" at every stage, which reads as the grader's fault:
    the graph is built before feed_dict (review of s24-fixmut, lin_init_shape.py). Negative controls: the
    same error in forward, an error in __init__ not on None, and another family keep their words."""
    info = _raised("None.shape")
    init = (Frame("miniflow.py", 88, "Linear.__init__", "self.value = np.zeros((X.value.shape[0], 1))"),)
    forward = (Frame("miniflow.py", 95, "Linear.forward", "X.value.shape"),)
    note = "the graph is built before feed_dict: an Input's value is None until topological_sort feeds it"
    told = from_error(ErrorInfo(info.description, info.kinds, init), "Linear applied to X", family="miniflow")
    assert told.message.startswith("Linear applied to X: AttributeError: 'NoneType' object"), told.message
    assert note in told.message, told.message
    in_forward = from_error(ErrorInfo(info.description, info.kinds, forward), "c", family="miniflow")
    other = _raised("[].shape")
    not_none = from_error(ErrorInfo(other.description, other.kinds, init), "c", family="miniflow")
    dezero = from_error(ErrorInfo(info.description, info.kinds, init), "c", family="dezero")
    for message in (in_forward.message, not_none.message, dezero.message):
        assert note not in message, message


def test_a_dezero_backward_failing_on_none_says_gy_may_come_from_elsewhere() -> None:
    """Mul.backward multiplying a None gy (an Add.backward after it returned nothing, sample
    submissions/dezero/step24_add_no_return.py) was Python's words alone on a right Mul.backward. DeZero's
    note says where a None gy comes from; controls: Variable.backward, a line without gy, another family."""
    where = (Frame("step24.py", 157, "Mul.backward", "return gy * x1, gy * x0"),)
    error = "TypeError: unsupported operand type(s) for *: 'NoneType' and 'float'"
    info = ErrorInfo(error, ("TypeError",), where, gy_none=True)
    message = from_error(info, "backward from y", family="dezero").message
    assert "if gy is None here, Mul.backward is not at fault" in message
    assert "a `return` missing?" in message
    # retain_grad is step 18's: code of steps 7 to 17, told of it, looked for what it has not (review of
    # s26-realdz, finding 4)
    assert "or, from step 18 on, when Variable.backward cleared it first" in message
    # the message is cut at 600 characters: the note's last clause survives a longer path (it was cut)
    far = (Frame("homework/dezero_step24_final_version.py", 157, "Mul.backward", where[0].source),)
    long_path = ErrorInfo(error, ("TypeError",), far, gy_none=True)
    assert from_error(long_path, "backward from y", family="dezero").message.endswith("never its inputs')")
    driver = (Frame("step24.py", 80, "Variable.backward", "gxs = f.backward(*gys) * gy"),)
    no_gy = (Frame("step24.py", 157, "Mul.backward", "return self.x1 * 2"),)
    for frames, family in ((driver, "dezero"), (no_gy, "dezero"), (where, "layers")):
        other = ErrorInfo(info.description, info.kinds, frames, gy_none=True)
        assert "is not at fault" not in from_error(other, "c", family=family).message
    own_operand = ErrorInfo(info.description, info.kinds, where)  # gy was a real gradient
    assert "is not at fault" not in from_error(own_operand, "c", family="dezero").message


def test_variable_backward_adding_a_none_gx_says_where_it_came_from() -> None:
    """step18_retain_clears_inputs.py's Add cases ended with Python's "unsupported operand type(s) for +:
    'float' and 'NoneType'" at Variable.backward's `x.grad = x.grad + gx`: Add.backward passed on the None its
    output's grad had become. With None among the gys that Variable.backward handed the function, the note
    says so; controls: no None gy (the student's own gx), a line without gx, another family."""
    where = (Frame("step18.py", 70, "Variable.backward", "x.grad = x.grad + gx"),)
    error = "TypeError: unsupported operand type(s) for +: 'float' and 'NoneType'"
    message = from_error(ErrorInfo(error, ("TypeError",), where, gy_none=True), "b", family="dezero").message
    assert "gx is None: gys, the grads of the function's outputs, held None" in message, message
    assert message.endswith("never its inputs')"), message
    other_line = (Frame("step18.py", 71, "Variable.backward", "funcs.append(x.creator)"),)
    for info, family in (
        (ErrorInfo(error, ("TypeError",), where), "dezero"),
        (ErrorInfo(error, ("TypeError",), other_line, gy_none=True), "dezero"),
        (ErrorInfo(error, ("TypeError",), where, gy_none=True), "layers"),
    ):
        assert "gx is None" not in from_error(info, "b", family=family).message


def test_the_none_gx_note_names_the_function_that_passed_gy_on() -> None:
    """The note said "Add.backward passes gy on" whichever function's backward handed the None on: it names
    the class of Variable.backward's `f` at the time (a student's Identity here), read from the traceback, and
    survives the wire; control: without a function, no class is named."""

    class Identity:
        def backward(self, gy: object) -> object:
            return gy

    class Variable:  # the book's loop, at a function whose backward passed a None gy on
        grad = 1.0

        def backward(self) -> None:
            f = Identity()
            gys = [None]
            gx = f.backward(*gys)
            self.grad = self.grad + gx  # type: ignore[operator]

    try:
        Variable().backward()
    except TypeError as exc:
        info = ErrorInfo.from_wire(error_info(exc, "/").to_wire())
    else:
        raise AssertionError("no TypeError")
    assert info.backward_of == "Identity"
    where = (Frame("step18.py", 70, "Variable.backward", "x.grad = x.grad + gx"),)
    told = ErrorInfo(info.description, info.kinds, where, gy_none=True, backward_of=info.backward_of)
    message = from_error(told, "b", family="dezero").message
    assert "held None (Identity.backward passed gy on)" in message, message
    assert "Add.backward" not in message, message
    unnamed = ErrorInfo(info.description, info.kinds, where, gy_none=True)
    assert "held None (its backward passed gy on)" in from_error(unnamed, "b", family="dezero").message


def test_gy_none_is_read_from_the_failing_backward_itself() -> None:
    """Square.backward's `2 * self.x * gy` with self.x never stored (sample
    submissions/dezero/step09_square_x_unset.py) was told 'if gy is None here, Square.backward is not at
    fault' though gy was the unit case's own array: only a None gy in that backward's frame says so."""

    class Square:
        x = None

        def backward(self, gy: object) -> object:
            return 2 * self.x * gy  # type: ignore[operator]

    class Mul:
        def backward(self, *gys: object) -> object:
            return gys[0] * 3.0  # type: ignore[operator]

    def raised(call: Callable[[], object]) -> ErrorInfo:
        try:
            call()
        except TypeError as exc:
            return error_info(exc, "/")
        raise AssertionError("no TypeError")

    assert not raised(lambda: Square().backward(np.ones(2))).gy_none
    assert raised(lambda: Square().backward(None)).gy_none
    assert raised(lambda: Mul().backward(None)).gy_none
    assert ErrorInfo.from_wire(raised(lambda: Mul().backward(None)).to_wire()).gy_none

    class Variable:  # the book's loop: gys a list of the outputs' grads
        def backward(self) -> None:
            gys = [None]
            gx = gys[0]
            self.grad = 1.0 + gx  # type: ignore[operator]

    assert raised(lambda: Variable().backward()).gy_none

    class Filled:  # control: the gys list holds no None, the None gx is the function's own (no `return`)
        def backward(self) -> None:
            gys = [1.0]
            gx = None
            self.grad = gys[0] + gx  # type: ignore[operator]

    assert not raised(lambda: Filled().backward()).gy_none


def test_math_exp_on_an_array_says_to_use_np_exp() -> None:
    """`math.exp(-x)` on an array: Python's "converted to Python scalars" alone named neither math nor np
    (s26-realmf, sample miniflow/sigmoid_math_exp.py); the error on a line without math gets no clause."""
    info = _raised("import math, numpy; math.exp(-numpy.ones(2))")
    line = (Frame("miniflow.py", 9, "Sigmoid._sigmoid", "return 1. / (1. + math.exp(-x))"),)
    told = from_error(ErrorInfo(info.description, info.kinds, line), "backward from cost").message
    clause = "math.exp takes one number and got an array: use np.exp, which computes element by element"
    assert told.endswith(f"; {clause} on a whole array")
    other = (Frame("miniflow.py", 9, "Sigmoid._sigmoid", "return float(x)"),)
    assert "math.exp" not in from_error(ErrorInfo(info.description, info.kinds, other), "c").message


def test_math_on_an_array_never_names_a_numpy_function_that_does_not_exist() -> None:
    """`math.erf(x)` (a GELU from its formula) was told "use np.erf", which numpy lacks (review of
    s26-realmf): every math function the clause may name is checked against numpy itself."""
    import math

    import numpy

    info = _raised("import math, numpy; math.exp(-numpy.ones(2))")
    for name in (n for n in dir(math) if not n.startswith("_") and callable(getattr(math, n))):
        line = (Frame("layers.py", 9, "GELU.forward", f"return 0.5 * x * (1 + math.{name}(x))"),)
        told = from_error(ErrorInfo(info.description, info.kinds, line), "forward").message
        assert f"math.{name} takes one number and got an array" in told
        assert (f"use np.{name}," in told) == hasattr(numpy, name), name


def test_a_method_misspelt_on_a_base_class_is_named_there() -> None:
    """book_step46_cleargrad_plural's "'Parameter' object has no attribute 'cleargrad'" named neither the
    class that holds the typo (Variable, Parameter's base) nor the typo: the clause names both; a typo in the
    object's own class says that class; a name the book's classes do not use (controls) says nothing."""
    base = "class Variable:\n    def cleargrads(self): pass\nclass Parameter(Variable): pass\n"
    info = _raised(base + "Parameter().cleargrad()")
    assert (info.attr_near, info.attr_near_in) == ("cleargrads", "Variable")
    assert ErrorInfo.from_wire(info.to_wire()).attr_near_in == "Variable"
    said = from_error(info, "cleargrads on fc", family="dezero").message
    assert said.endswith(
        "Parameter inherits from Variable, which defines cleargrads, not cleargrad: rename "
        "Variable.cleargrads to cleargrad"
    ), said
    own = from_error(_raised(base + "Variable().cleargrad()"), "c", family="dezero").message
    assert own.endswith("Variable defines cleargrads, not cleargrad: rename it cleargrad"), own
    other = _raised("class A:\n    def colour(self): pass\nA().color()")
    assert other.attr_near is None and "rename" not in from_error(other, "c", family="dezero").message


def test_a_misspelt_call_of_a_book_method_is_not_told_to_rename_the_right_definition() -> None:
    """Review of s27-realdz, finding 1: a Layer.cleargrads calling `param.cleargrads()` on a Parameter whose
    base Variable defines the book's cleargrad was told "rename Variable.cleargrad to cleargrads", breaking
    every Variable case that passed: the call is the typo. Same for Layer's cleargrads read as cleargrad.
    Control: Variable.cleargrads (the typo is the definition) keeps the rename."""
    variable = "class Variable:\n    def cleargrad(self): pass\nclass Parameter(Variable): pass\n"
    said = from_error(_raised(variable + "Parameter().cleargrads()"), "c", family="dezero").message
    assert said.endswith(
        "Parameter inherits cleargrad from Variable, the book's name, not cleargrads: the call is misspelt, "
        "call cleargrad() there"
    ), said
    assert "rename" not in said
    layer = "class Layer:\n    def cleargrads(self): pass\n"
    said = from_error(_raised(layer + "Layer().cleargrad()"), "c", family="dezero").message
    assert said.endswith(
        "Layer defines cleargrads, the book's name, not cleargrad: the call is misspelt, "
        "call cleargrads() there"
    ), said
    plural = "class Variable:\n    def cleargrads(self): pass\nclass Parameter(Variable): pass\n"
    said = from_error(_raised(plural + "Parameter().cleargrad()"), "c", family="dezero").message
    assert said.endswith("rename Variable.cleargrads to cleargrad"), said


_COURSE_STUB = """
class Node:
    def forward(self):
        raise NotImplemented{call}


class Add(Node):
    def foward(self):
        self.value = 15


Add().forward()
"""


@pytest.mark.parametrize("call", ["", "()"])
def test_the_course_raise_not_implemented_is_told_as_an_unoverridden_stub(tmp_path, call: str) -> None:
    """The Add quiz's Node.forward is `raise NotImplemented`: Python 3 refuses it with a TypeError
    ("exceptions must derive from BaseException"), which named neither the stub nor Add's misspelt `foward`;
    it is read as the NotImplementedError it stands for (sample add_quiz_foward_typo.py). Control: any other
    TypeError."""
    path = tmp_path / "add_quiz.py"
    path.write_text(_COURSE_STUB.format(call=call))
    try:
        exec(compile(path.read_text(), str(path), "exec"), {})
    except TypeError as exc:
        info = error_info(exc, str(tmp_path))
    failure = from_error(info, "reading forward value of f")
    assert failure.code == "not_implemented"
    assert "class Add defines foward() but not forward()" in failure.message
    assert "raise NotImplemented, a TypeError in Python 3" in failure.message
    other = _raised("raise 3")  # a TypeError of the same words from another line: Python's own words stay
    assert "NotImplementedError" not in other.kinds
    assert from_error(other, "c").code == "exception"


_NO_DICT = "class Node:\n    pass\nclass MSE(Node):\n    pass\n"


@pytest.mark.parametrize(
    ("code", "noted"),
    [
        (
            _NO_DICT + "MSE().gradients[1] = 2",
            True,
        ),  # the Add quiz's Node kept: MSE.backward writes into nothing
        ("trainables = [1]\ntrainables.gradients[1]", False),  # sgd_update's `trainables.gradients[t]`
        ("x = None\nx.gradients", False),
        ("import numpy as np\nnp.zeros(2).gradients", False),
        ("import numpy as np\nnp.float64(1).gradients", False),
    ],
)
def test_the_missing_gradients_dict_note_is_said_of_nodes_only(code: str, noted: bool) -> None:
    """ "MSE has no gradients dict: set self.gradients = {} in Node.__init__" is said of the student's node;
    of a list, None or an array it was wrong advice (review of s28-realmf: `trainables.gradients[t]` in
    sgd_update was told "list has no gradients dict ... in Node.__init__")."""
    said = from_error(_raised(code), "sgd on ['W']", family="miniflow").message
    assert ("has no gradients dict" in said) is noted, said


def test_an_array_method_on_a_plain_list_says_numpys_function_takes_lists() -> None:
    """The MiniFlow Linear quiz feeds plain lists: `inputs.dot(weights)` raised "'list' object has no
    attribute 'dot'" alone (sample submissions/miniflow/linear_quiz_list_dot.py). The message says a list has
    no array method and np.dot takes lists. Controls: a list lacking a node's attribute (`.value`) and a
    dict lacking `.dot` keep Python's words alone."""
    message = from_error(_raised("[1, 2].dot([3, 4])"), "reading forward value of f").message
    assert "a Python list has no .dot, a NumPy array's method" in message, message
    assert "np.dot(a, ...) takes a list as well as an array" in message
    assert "np.transpose(a) takes a tuple" in from_error(_raised("(1, 2).T"), "c").message
    for code in ("[1, 2].value", "{}.dot"):
        assert "NumPy array's method" not in from_error(_raised(code), "c").message


def test_each_numpy_function_advised_for_a_lists_array_method_takes_a_list() -> None:
    """Review of s29-realmf: "np.flatten(a, ...) takes a list" (NumPy has no np.flatten) and "np.astype(a,
    ...) takes a list" (it refuses one) were advised. The oracle is NumPy itself: each function a message
    advises, for every method the clause knows, is called on a list and a tuple (its `...` given a value)."""
    from grader.inside import python_errors

    filled = {"np.dot": "a", "np.reshape": "-1", "np.transpose": "(1, 0)", "np.asarray": "dtype=float"}
    for method in python_errors._ARRAY_METHODS.split("|"):
        for kind, value in (("list", [[1.0, 2.0], [3.0, 4.0]]), ("tuple", ((1.0, 2.0), (3.0, 4.0)))):
            message = from_error(_raised(f"{value!r}.{method}"), "c").message
            call = re.search(r"(np\.\w+)\(a(?:, \.\.\.|, dtype=\.\.\.)?\) takes a " + kind, message)
            assert call is not None, message
            text = call.group(0).removesuffix(f" takes a {kind}")
            text = text.replace("dtype=...", filled.get(call.group(1), "")).replace(
                "...", filled.get(call.group(1), "0")
            )
            eval(text, {"np": np, "a": value})  # raises if NumPy's function refuses the list


IM2COL_SWAPPED = (
    Frame("conv.py", 170, "Convolution.forward", "col = im2col(x, FH, FW, self.pad, self.stride)"),
    Frame("common/util.py", 32, "im2col", "out_h = (H + 2 * pad - filter_h) // stride + 1"),
)


def test_a_helper_of_another_file_failing_names_the_line_that_called_it() -> None:
    """The book's im2col called with pad and stride swapped fails in common/util.py's right line (the
    grader's support copy): the message names the student's call too (review of s30-realdlfs)."""
    info = ErrorInfo(
        "ZeroDivisionError: integer division or modulo by zero", ("ZeroDivisionError",), IM2COL_SWAPPED
    )
    message = from_error(info, "Convolution applied to x, W, b").message
    assert (
        "(common/util.py line 32, in im2col: `out_h = (H + 2 * pad - filter_h) // stride + 1`, called from "
        "conv.py line 170, in Convolution.forward: `col = im2col(x, FH, FW, self.pad, self.stride)`)"
        in message
    ), message


def test_a_helper_called_from_its_own_file_or_a_method_failing_names_no_caller() -> None:
    """Negative controls: a helper called by a function of its own file, and a method of another file (its
    class is the one blamed), keep the one frame."""
    same_file = (Frame("common/util.py", 80, "col2im", "x = im2col(y, 1, 1)"), IM2COL_SWAPPED[1])
    method = (IM2COL_SWAPPED[0], Frame("common/layers.py", 9, "Relu.forward", "out = x.copy()"))
    for frames in (same_file, method):
        message = from_error(ErrorInfo("ValueError: bad", (), frames), "c").message
        assert "called from" not in message and message.endswith(f"`{frames[-1].source}`)"), message


def test_the_exception_a_failure_states_travels_as_fields_never_as_the_student_processs() -> None:
    """from_error sets the exception its message states as fields (type, the raw file and line, the function);
    an adapter's rewording raised while handling it keeps them while its message still states it, the type
    alone once the frame is cut away, none once the exception is not named; the dict a student process sends
    never carries them (the harness adds them to the frame only)."""
    frame = Frame("nn.py", 12, "Linear.backward", "raise RuntimeError(s)", "nn.py", 12)
    forged = "ValueError: x (other.py line 3, in Other.backward: `y`)"
    info = ErrorInfo(f"RuntimeError: {forged}", (), (frame,), type="RuntimeError")
    failure = from_error(info, "backward from f")
    assert failure.raised == Raised("RuntimeError", "nn.py", 12, "Linear.backward")
    assert "raised" not in failure.to_dict() and failure.for_frame(failure.raised)["raised"] == [
        "RuntimeError", "nn.py", 12, "Linear.backward"
    ]  # fmt: skip

    def reworded(message: str) -> StudentFailure:
        try:
            try:
                raise failure
            except StudentFailure:
                raise StudentFailure("exception", message) from None
        except StudentFailure as said:
            return said

    kept = reworded(f"{failure.message}; and a clause")
    assert raised_of(kept, kept.__context__) == failure.raised
    cut = reworded(f"Python said: {failure.message[:40]}")
    assert raised_of(cut, cut.__context__) == Raised("RuntimeError")
    gone = reworded("the layer handed back nothing")
    assert raised_of(gone, gone.__context__) is None


@pytest.mark.parametrize("function", ["गणना", "x·y", "Net.<locals>.<lambda>", "<module>"])
def test_a_place_python_can_name_travels_and_one_the_parent_refuses_does_not(function: str) -> None:
    """A frame's function as Python names it (Unicode identifiers, combining marks included) travels with its
    file and line; a claim of the student's process the parent would refuse (a line of 0 or below, a name of
    no Python form) leaves the type alone, never a field that spoils the phase (review of s31-trust: a helper
    named `गणना` cost a file every case as "Sent malformed results")."""
    from grader.sandbox.raised import shaped

    def sent(name: str, at: int) -> list[object]:
        frame = Frame("nn.py", at, name, "raise ValueError(s)", "nn.py", at)
        info = ErrorInfo("ValueError: s", (), (frame,), type="ValueError")
        raised = Raised.of(info)
        assert raised is not None
        shaped(raised.to_wire())  # the parent takes it: no protocol violation
        return raised.to_wire()

    assert sent(function, 3) == ["ValueError", "nn.py", 3, function]
    for name, at in ((function, 0), (function, -4), ("f(x)", 3), ("a b", 3), ("", 3)):
        assert sent(name, at) == ["ValueError", "", 0, ""], (name, at)


def _sent(function: str) -> list[object]:
    """The `raised` fields a frame of nn.py line 3 in `function` travels as, taken by the parent's check."""
    from grader.sandbox.raised import shaped

    frame = Frame("nn.py", 3, function, "raise ValueError(s)", "nn.py", 3)
    raised = Raised.of(ErrorInfo("ValueError: s", (), (frame,), type="ValueError"))
    assert raised is not None
    shaped(raised.to_wire())  # the parent takes it: no protocol violation
    return raised.to_wire()


def test_a_function_name_over_the_bound_travels_cut_and_marked_with_its_place() -> None:
    """Review32: a function name longer than raised_shape.MAX_FUNCTION_CHARS (200) kept the type alone, and
    the blame named no place. Cut at a dot, its first parts that fit then `<truncated>`, it travels with its
    file and line; a first part that alone is too long is cut to its head; a name of exactly 200 characters
    travels whole; one of no Python form is still refused, cut or not."""
    long_class = "Linear" + "X" * 240
    nested = "Linear.backward" + ".<locals>.helper" * 20
    assert len(nested) > 200
    cut = _sent(nested)
    assert cut[:3] == ["ValueError", "nn.py", 3] and len(str(cut[3])) <= 200
    # 188 characters of room before ".<truncated>": 15 + 10 x 16 + 9, and ".helper" no longer fits
    assert cut[3] == "Linear.backward" + ".<locals>.helper" * 10 + ".<locals>.<truncated>"
    assert _sent(long_class) == ["ValueError", "nn.py", 3, long_class[:188] + ".<truncated>"]
    exact = "f" * 200
    assert _sent(exact) == ["ValueError", "nn.py", 3, exact]
    assert _sent("a b" * 100) == ["ValueError", "", 0, ""]


def test_a_failed_load_states_its_type_at_the_head_only() -> None:
    """The type a load failure states is read where the wording puts it, before the exception's own text:
    a RuntimeError whose text names a ValueError is a RuntimeError; a load failure worded otherwise, or of
    another code, states none."""
    from grader.inside.failures import load_raised

    head = "loading the submission: RuntimeError: ValueError: x (other.py line 3, in Other.backward: `y`)"
    assert load_raised(StudentFailure("exception", head)) == Raised("RuntimeError")
    for code, message in (
        ("exception", "loading the submission: the file calls np.asscalar (AttributeError: gone)"),
        ("exception", "backward from f: ValueError: x"),
        ("syntax_error", "loading the submission: SyntaxError: invalid syntax"),
    ):
        assert load_raised(StudentFailure(code, message)) is None, message
