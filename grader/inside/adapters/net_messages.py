"""What a network's failure means: a constructor parameter the grader has no value for, no gradient method, a
gradient that returns no dict of gradients or runs no forward pass of its own."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from ..failures import StudentFailure
from ..remote import Ref, RemoteFailure
from ..scale_names import names_a_weight_decay
from ..unavailable import names_a_params_pickle
from .layer_specs import LayerSpec, class_of

# Python's TypeError for a constructor parameter the grader handed nothing ("Affine.__init__() missing 1
# required positional argument: 'reg'"): a parameter of the student's own, which the case does not set. It
# ends the message: raised by the grader's own call, no line of the student's is named after it. One naming
# a line ("(net.py line 192, in TwoLayerNet.__init__: `Affine(self.params['W1'])`)") is a call the student
# wrote, missing an argument (review of s28-realdlfs, finding 1: it was told "the grader cannot know a
# value for it; give b a default").
_UNHANDED = re.compile(r"(\w+)\.__init__\(\) missing 1 required positional argument: '(\w+)'$")


def explain_unhanded(failure: StudentFailure) -> StudentFailure:
    """A failure that is Python's "X.__init__() missing 1 required positional argument: 'name'" says what it
    means here: the grader builds X as the book's scripts do and has no value for a parameter of the
    student's own (TwoLayerNet(..., reg_scale): s28-realdlfs), and what to do; a weight decay's strength is
    told its neutral value, the book's MultiLayerNet's default weight_decay_lambda=0. Only Python's words
    ending the message (`_UNHANDED`): a call on the student's own line is theirs to fix."""
    found = _UNHANDED.search(failure.message)
    if found is None:
        return failure
    cls, name = found.groups()
    value = ", 0 for a weight decay's strength, as the book's MultiLayerNet has weight_decay_lambda=0"
    value = value if names_a_weight_decay(name) else ""
    return StudentFailure(
        failure.code,
        f"{failure.message} ({cls} is built as the book's scripts build it, and this case hands no {name}: "
        f"the grader cannot know a value for it; give {name} a default{value})",
        failure.detail,
    )


def no_gradient_method(op: str, keys: Sequence[str], failure: RemoteFailure) -> None:
    """A network with no gradient method at all is most often one of chapter 4 (4.5: numerical_gradient
    alone, the loss differentiated numerically): say which method is missing and what goes there, not
    Python's AttributeError under "backward from loss"."""
    info = failure.info
    cls = op.partition(".")[0]  # "TwoLayerNet.chapter4" drives the student's TwoLayerNet
    if info is None or info.attr_name != "gradient" or info.attr_owner != cls:
        return
    how = _GRADIENT_HOW.get(
        op, "by backpropagation (self.loss(x, t), then backward through lastLayer and the layers in reverse)"
    )
    raise StudentFailure(
        "missing_name",
        f"{cls} has no method gradient(x, t), which returns the gradients of {', '.join(keys)} "
        f"{how}{_GRADIENT_ADDED.get(op, '')}",
    ) from None


# Where the book adds a network's gradient(x, t), for the message of one that has none.
_GRADIENT_ADDED = {
    "TwoLayerNet": ": chapter 5 adds it (5.7.2); numerical_gradient, chapter 4's, is not what this grades",
    "TwoLayerNet.chapter4": (
        ": the book's ch04/two_layer_net.py has it beside numerical_gradient (4.5.1); numerical_gradient, "
        "which this stage does not grade, is the numerical check of it"
    ),
}


# How a network's gradient(x, t) computes them, when it is not chapter 5's walk through the layers.
_GRADIENT_HOW = {
    "TwoLayerNet.chapter4": (
        "written out from the formulas (dy = (y - t) / batch_num, then back through W2, sigmoid_grad(a1) "
        "and W1)"
    ),
}


def not_a_grads_dict(op: str, keys: Sequence[str], grads: Ref, items: Sequence[Ref] | None) -> StudentFailure:
    """A network's gradient(x, t) that returned something else than the dict of gradients the book's training
    loop reads (`grad[key]` for each params key, train_neuralnet.py). None is a missing return; a tuple or
    list of the arrays (`return dW1, db1, dW2, db2`) is a wrong return type, not a TODO (it was coded
    not_implemented, "returned tuple, expected a dict"); a tuple holding the dict (`return grads, loss`) is
    told to return the dict alone, not to build one (review of s27-realdlfs, finding 3)."""
    cls = class_of(op)
    if grads.is_none:
        return StudentFailure(
            "not_implemented", f"{cls}.gradient returned None: a missing `return`, or a TODO?"
        )
    book = ", ".join(f"grads[{key!r}]" for key in keys)
    what = (
        f"a {grads.type_name} of {len(items)} value{'' if len(items) == 1 else 's'}"
        if items is not None
        else f"a {grads.type_name}"
    )
    dicts = [i for i, item in enumerate(items or ()) if item.kind == "dict"]
    fix = (
        f"its value {dicts[0] + 1} is a dict: return that dict alone (return grads; a loss the training loop "
        "wants it asks network.loss(x, t) for)"
        if len(dicts) == 1
        else "so build grads = {} and return it"
    )
    return StudentFailure(
        "exception",
        f"{cls}.gradient returned {what}, where it must return a dict of the gradients keyed like "
        f"self.params ({book}): the training loop reads grad[key] for each key (train_neuralnet.py: "
        f"network.params[key] -= learning_rate * grad[key]), {fix}",
    )


def without_forward(op: str, failure: RemoteFailure, specs: Mapping[str, LayerSpec]) -> StudentFailure:
    """A gradient(x, t) that fails on a None is most often one that never ran its forward pass: the grader
    calls it on a fresh batch with no loss(x, t) before it (as train_neuralnet.py does), and the error itself
    points into SoftmaxWithLoss.backward (`self.t` is None), where nothing is wrong. Say so, as a question."""
    if failure.code != "exception" or "NoneType" not in failure.message or _after_the_loss(failure, specs):
        return failure
    return StudentFailure(
        "exception",
        f"{failure.message}. {op}.gradient(x, t) was called on a fresh batch with no loss(x, t) before it, "
        "as train_neuralnet.py calls it: does it start with its own forward pass (self.loss(x, t)), as the "
        "book's does?",
        failure.detail,
    )


def _after_the_loss(failure: RemoteFailure, specs: Mapping[str, LayerSpec]) -> bool:
    """The None met in the backward of a graded layer that is not a loss layer (`self.col` in
    Convolution.backward): the loss layer's backward ran first without error, so the gradient did run its
    forward pass, and asking whether it starts with self.loss(x, t) misled (s32, sample
    dlfs-advanced/conv_col_not_kept.py: the book's SimpleConvNet.gradient was asked)."""
    frames = failure.info.frames if failure.info is not None else ()
    owner, _, method = frames[-1].function.rpartition(".") if frames else ("", "", "")
    spec = specs.get(owner)  # the assignment's layers (dlfs-advanced's hold Convolution)
    return method == "backward" and spec is not None and not spec.loss


# Python's words for a file that is not there, quoting its name
_NO_SUCH_FILE = re.compile(r"FileNotFoundError: \[Errno 2\] No such file or directory: '([^']+)'")


def explain_params_file(failure: StudentFailure) -> StudentFailure:
    """A network that opens its trained weights while a case builds or runs it (`self.load_params()` in
    `__init__`, ch07's params.pkl): the file is not in the submission, and Python's FileNotFoundError read
    like a data set the grader forgot. Say what the file is and why no case needs it (s29-realdlfs), in few
    words: the report keeps 600 characters of a message, Python's own and its line first."""
    found = _NO_SUCH_FILE.search(failure.message)
    if found is None or not names_a_params_pickle(found.group(1)):
        return failure
    return StudentFailure(
        failure.code,
        f"{failure.message}. That is a pickled parameters file (trained weights), not in the submission: no "
        "case needs it, as the grader sets each case's own weights; load it after building the network "
        "(network.load_params(), as the book's ch07 scripts do), not while the network is built or run",
        failure.detail,
    )
