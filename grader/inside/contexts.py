"""Where a case stopped, as the harness words it at the head of a message and the parent reads it back.

The harness (in the sandbox) prefixes an error with the step it was taking; the parent's blame tells a load
that stopped apart from a case that failed by that prefix. One spelling for both sides, in a module both
import cheaply.
"""

from __future__ import annotations

import re

LOADING = "loading the submission"

# The exit code of a student process whose answering loop failed (grader/inside/worker.py): reading or writing
# its channel to the grader raised, as when the student's code closed or redirected file descriptor 3. The
# student's own code cannot raise there (every call of theirs runs inside the loop's try).
CHANNEL_FAILED_EXIT = 1


def at_load(message: str) -> bool:
    """A message the harness wrote while it loaded the submission or looked up its classes."""
    return message.startswith(f"{LOADING}: ")


# A backward pass that raised after a consumer handed down a gradient of another shape than its value's
# (grader/inside/adapters/miniflow.py `_check_gradient_shapes`): the message names that consumer's class
# first, and blame names it, not "how gradients are combined".
_UPSTREAM_SHAPE = ".backward set gradients["


def upstream_shape(op: str, arg: str) -> str:
    """The head of the message naming `op` as the consumer that set gradients[arg] to the wrong shape."""
    return f"{op}{_UPSTREAM_SHAPE}{arg}] to shape"


def upstream_shape_class(message: str) -> str | None:
    """The class `upstream_shape` named at the head of `message`, or None."""
    head, found, _ = message.partition(_UPSTREAM_SHAPE)
    return head if found and head.isidentifier() else None


# The head of a message of an error raised in MiniFlow's update step (grader/inside/program.py `_context` of
# an `sgd` step: "sgd on ['W1', 'b1']: TypeError ..."): blame names sgd_update, not "how gradients are
# combined", for a case that stopped there.
_SGD_STEP = "sgd on "


# The frame a message names (program.py: "(nn.py line 273, in sgd_update: `...`)") when the error was raised
# in the update's own code, not in the call (the call's TypeError names no frame of the student's).
_UPDATE_FRAME = re.compile(r", in (sgd_update|update|step): ")


# Causes the MiniFlow adapter found before the node whose error stopped a pass (grader/inside/adapters/
# miniflow.py `_check_order`, `_check_matrix_values`): blame names them, not "how gradients are combined".
SORT_LEFT_OUT = "topological_sort(feed_dict) left out "
MATRIX_VALUE = ".forward stored a numpy.matrix in "
_MATRIX_CLASS = re.compile(r"\. (\w+)\.forward stored a numpy\.matrix in ")


# An error raised in the sort itself (`G.has_key(n)`, Python 2's): blame said "look at how gradients are
# combined" beside the message naming topological_sort's line (s26-realmf, sample sort_has_key.py).
_SORT_FRAME = ", in topological_sort: "
# What the sort returned could not be listed (grader/inside/adapters/miniflow.py `_sorted`): a None.
SORT_RETURNED = "topological_sort(feed_dict) returned "
# A node the sort listed before one it is built from (grader/inside/adapters/miniflow.py `_check_order`).
SORT_PUT = "topological_sort(feed_dict) put the "


# What the MiniFlow adapter adds to an error of gradients keyed by a node's name (`self.gradients[n.name]`):
# blame says that, not "did not finish" or the bare KeyError (s30-realmf, sample gradients_by_name.py).
KEYED_BY_NAME = (
    "MiniFlow keys a node's gradients by the node itself "
    "(self.gradients[n] for each inbound node n, n.gradients[self] read from each consumer), as sgd_update's "
    "t.gradients[t] reads them"
)


# How the MiniFlow adapter places an error raised in a node's forward while a backward step ran the whole pass
# (`_in_forward_half`, `_forward_all`): "Sigmoid.forward, during the forward half of ..., before any backward
# ran (backward from cost): ...". Blame names that forward, not "how gradients are combined".
BEFORE_ANY_BACKWARD = "before any backward"
# Said of such an error on a None: the pass's order or an inbound forward, not the raising forward's own code.
NONE_IN_FORWARD = "a value it read was still None"
FORWARD_CALL = "a node's forward call"
# Linear in the message's length (it is the student's process's text, up to 20,000 characters, read in the
# parent): a class name is tried from the start of a word only, and the words between ", during " and
# BEFORE_ANY_BACKWARD are the adapter's, bounded (an unbounded `\w+` and `[^:]*?` took seconds a message).
_FORWARD_HALF = re.compile(
    rf"(?<!\w)(\w+\.forward|{FORWARD_CALL}), (?:during|run) [^:]{{0,120}}?{BEFORE_ANY_BACKWARD}"
)


# An error raised in the driver's own code (Python 2's `for i in xrange(len(graph))` in forward_and_backward):
# blame said "look at how gradients are combined" though the unit cases pass and the message names the
# driver's line (s32). The raising frame only, the one right after "(": a node's backward raising is
# "called from ... in forward_and_backward", which is no fault of the driver's.
_DRIVER_FRAME = re.compile(
    r"\((?:(?!called from)[^()\n]){0,300} line \d+, in (forward_and_backward|forward_pass|backward_pass): "
)


def earlier_cause(message: str) -> str | None:
    """The code a message says made a case fail before any gradient (`topological_sort`, `Linear.forward`),
    or the driver that raised itself (`forward_and_backward`), or None."""
    if any(said in message for said in (SORT_LEFT_OUT, _SORT_FRAME, SORT_PUT)) or message.startswith(
        SORT_RETURNED
    ):
        return "topological_sort"
    found = _MATRIX_CLASS.search(message)
    if found:
        return f"{found.group(1)}.forward"
    forward = _FORWARD_HALF.search(message)
    if forward is None:
        driver = _DRIVER_FRAME.search(message)  # after the placed forward half, which says more
        return None if driver is None else driver.group(1)
    if forward.group(1) == FORWARD_CALL or NONE_IN_FORWARD in message:
        return "the forward pass"
    return forward.group(1)


def in_sgd_step(message: str) -> bool:
    """Whether an errored case stopped in the update step's own code (sgd_update or an optimizer class's
    update) with the gradients there: a KeyError there is a trainable the backward pass gave no gradient
    (review of s25-realmf: forward_and_backward skipping the Inputs was blamed on sgd_update)."""
    if not message.startswith(_SGD_STEP):
        return False
    _, _, error = message.partition(": ")
    return not error.startswith("KeyError") and _UPDATE_FRAME.search(message) is not None


# Ends the warning of a file the loader checked without running it (its required names were found elsewhere):
# the parent (grader/judge/stages.py) never sends a student to such a file for a class that was not graded.
NOT_RUN_NOTE = "(this file was not needed for grading and was not run)"


# DeZero's `np.array(a) * x` computed by numpy element by element (no __array_priority__, step 21:
# grader/inside/adapters/dezero.py `_array_first`): an operator's dispatch, not a backward pass; blame says
# so, where it said "look at how gradients are combined".
ARRAY_FIRST = "returned a numpy array, not a Variable: numpy computed it"


def array_first(message: str) -> bool:
    return ARRAY_FIRST in message


# DeZero's Layer.params() yielding what is not a parameter (`yield obj.params()`, `yield name`: grader/inside/
# adapters/dezero.py `_odd_param`): cleargrads and every optimizer's update meet it, and blame named MLP,
# SGD and MomentumSGD, whose code is right.
PARAMS_YIELDED = "Layer.params() yielded"


def params_yielded(message: str) -> bool:
    return PARAMS_YIELDED in message
