"""Python's own errors on code a decorator short of right, said as that mistake.

DeZero's `using_config` is a generator function made a context manager by `@contextlib.contextmanager`;
without the decorator, `with no_grad():` raises "'generator' object does not support the context manager
protocol", which names neither the decorator nor the function (sample
submissions/dezero/step20_no_contextmanager.py).
Each explainer reads the exception's text (the student's process's claim: text only, never trusted for more
than a sentence) and returns one clause to append, or None.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .numpy_errors import first_clause, pattern_clause

_NOT_A_CONTEXT_MANAGER = re.compile(r"'(generator)' object does not support the context manager protocol")
# Step 17 keeps a Function's outputs as weakref.ref objects; a line written for step 16's plain list
# (`y.grad = None` for y in f.outputs, `output.grad`) meets the reference, not the Variable (sample
# submissions/dezero/step18_weakref_not_called.py).
WEAKREF_ATTRIBUTE = re.compile(r"'weakref(?:\.ReferenceType)?' object has no attribute '(\w+)'")
# Hashing or comparing a reference whose object is gone: a `self.creator = weakref.ref(func)` (weak creator)
# keeps nothing alive, and backward's `f not in seen_set` meets the dead reference.
_WEAK_GONE = re.compile(r"(weak object has gone away)")

# Which object the reference stood for, by the attribute asked of it: a Variable's (step 17 keeps a
# Function's outputs weak) or a Function's (a creator made weak too). Another attribute: the outputs wording,
# the one step 17 asks for.
FUNCTION_ATTRIBUTES = frozenset({"inputs", "outputs", "backward", "forward"})


def _weakref_clause(attr: str) -> str:
    if attr in FUNCTION_ATTRIBUTES:
        return (
            f"a weak reference has no {attr}: a Function is reached through a weak reference, but only a "
            "Function's outputs are weak (step 17, weakref.ref(output)); a Variable's creator must stay a "
            "strong reference (self.creator = func), or the Function is gone before backward reaches it"
        )
    return (
        f"a weak reference has no {attr}: Function.__call__ keeps its outputs as weakref.ref(output) "
        f"(step 17), so call one to reach its Variable, as the book does: output().{attr} for output in "
        "f.outputs, and y().grad = None for y in f.outputs"
    )


# NumPy's function on an object that is not an array: np.cos(x) with x a DeZero Variable (numpy looks for a
# method of that name on the object). Said here from NumPy's words alone (the head); what to write instead
# depends on where it was called: failures.py adds it for a backward (sample book_step35_sin_np_cos/).
UFUNC_ON_OBJECT = re.compile(
    r"loop of ufunc does not support argument \d+ of type (\w+) which has no callable (\w+) method"
)


def _ufunc_on_object(message: str) -> str | None:
    found = UFUNC_ON_OBJECT.search(message)
    if found is None:
        return None
    kind, name = found.groups()
    return f"np.{name}() got a {kind}, not an ndarray: NumPy's functions compute on arrays only"


# Arithmetic on a weak reference: Tanh.backward's `y = self.outputs[0]` without the call (the book's line is
# `y = self.outputs[0]()`, step 35), then `1 - y * y` (sample book_step35_tanh_weakref_not_called/).
WEAKREF_OPERAND = re.compile(r"unsupported operand type\(s\) for ([^:]+): '([\w.]+)' and '([\w.]+)'")


def _weakref_operand(message: str) -> str | None:
    found = WEAKREF_OPERAND.search(message)
    if found is None or not any(t.startswith("weakref") for t in found.groups()[1:]):
        return None
    return (
        f"the operator {found.group(1).strip()} got a weak reference, not the Variable it points to: "
        "Function.__call__ keeps its outputs as weakref.ref(output) (step 17), so call it to reach the "
        "Variable, as the book does: y = self.outputs[0]()"
    )


# An array's method called on a plain list: the MiniFlow Linear quiz feeds lists (inputs [6, 14, 3]), and
# `inputs.dot(weights)` raised Python's "'list' object has no attribute 'dot'" alone (s29-realmf).
_ARRAY_METHODS = "dot|T|shape|reshape|sum|mean|transpose|flatten|astype|max|min"
_ARRAY_METHOD_ON_LIST = re.compile(rf"'(list|tuple)' object has no attribute '({_ARRAY_METHODS})'")
# NumPy's function for a method whose function is not np.<method>(a, ...) taking a list: there is no
# np.flatten, and np.astype refuses a list ("Input should be a NumPy array"): both were advised (review of
# s29-realmf). Each suggestion is run on a list by tests/inside/test_failures.py.
_NUMPY_FUNCTION = {
    "T": "np.transpose(a)",
    "shape": "np.shape(a)",
    "flatten": "np.ravel(a)",
    "astype": "np.asarray(a, dtype=...)",
}


def _array_method_on_list(message: str) -> str | None:
    found = _ARRAY_METHOD_ON_LIST.search(message)
    if found is None:
        return None
    kind, method = found.groups()
    call = _NUMPY_FUNCTION.get(method, f"np.{method}(a, ...)")
    return (
        f"a Python {kind} has no .{method}, a NumPy array's method: the value is a plain {kind} here; "
        f"{call} takes a {kind} as well as an array, or make it one with np.array(...)"
    )


EXPLAINERS: tuple[Callable[[str], str | None], ...] = (
    _ufunc_on_object,
    _array_method_on_list,
    _weakref_operand,
    pattern_clause(
        _NOT_A_CONTEXT_MANAGER,
        lambda _: (
            "a `with` statement got a generator: the function it calls (using_config, no_grad) yields, and "
            "a function that yields is a context manager only with @contextlib.contextmanager above its def"
        ),
    ),
    pattern_clause(WEAKREF_ATTRIBUTE, _weakref_clause),
    pattern_clause(
        _WEAK_GONE,
        lambda _: (
            "the object of a weak reference is gone, nothing else kept it alive: only a Function's outputs "
            "are kept weak (step 17); a Variable's creator must stay a strong reference (self.creator = func)"
        ),
    ),
)


def explain(message: str) -> str | None:
    """One clause that says which Python mistake `message` likely comes from, or None."""
    return first_clause(EXPLAINERS, message)
