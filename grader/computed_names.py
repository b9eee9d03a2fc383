"""The book's functions a file computes without naming them, read from its parsed source (never run).

Stage inference asks whether a file "uses sigmoid" (chapter 4's TwoLayerNet is the sigmoid network): a
student who writes `z1 = 1 / (1 + np.exp(-a1))` inline, with no `sigmoid` function, uses it as much as one
who calls the book's, and was inferred chapter 5's two-layer-net, 0 of 16 for a right chapter-4 network
(sample submissions/layers/ch04_sigmoid_inline.py). Each recogniser reads one formula in the spellings
students write; the scan records the book's name for it beside the identifiers the file mentions
(grader/stage_scan.py), as `X @ W` is recorded as `__matmul__`.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from grader import pyparse


def call_name(node: ast.AST) -> str | None:
    """`exp` for `np.exp(x)`, `exp(x)`, `x.exp()`; None for anything but a call."""
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else None


def _number(node: ast.AST, value: float) -> bool:
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
        and node.value == value
    )


@dataclass(frozen=True)
class _File:
    """What the recognisers share about one file: the names bound (anywhere) to an exp of something, and to
    a sum over one (`exp_a = np.exp(a - c)`, `sum_exp_a = np.sum(exp_a)`: the book's chapter-3 softmax)."""

    exp_names: frozenset[str]
    exp_sum_names: frozenset[str]
    # id(node) -> the _NEGATED_LOG / _LOG / _REDUCED marks of its subtree, each node read once (`_contents`)
    contents: Mapping[int, int]

    def is_exp(self, node: ast.AST) -> bool:
        return call_name(node) == "exp" or (isinstance(node, ast.Name) and node.id in self.exp_names)

    def is_exp_sum(self, node: ast.AST) -> bool:
        if isinstance(node, ast.Name):
            return node.id in self.exp_sum_names
        if call_name(node) != "sum":
            return False
        assert isinstance(node, ast.Call)
        over = [*node.args, *([node.func.value] if isinstance(node.func, ast.Attribute) else [])]
        return any(self.is_exp(sub) for arg in over for sub in ast.walk(arg))


def _file(tree: ast.AST, nodes: Iterable[ast.AST]) -> _File:
    assigned = [(n.targets, n.value) for n in nodes if isinstance(n, ast.Assign)]
    exp_names = {
        t.id
        for targets, value in assigned
        if call_name(value) == "exp"
        for t in targets
        if isinstance(t, ast.Name)
    }
    partial = _File(frozenset(exp_names), frozenset(), {})
    sums = {
        t.id
        for targets, value in assigned
        if call_name(value) == "sum" and partial.is_exp_sum(value)
        for t in targets
        if isinstance(t, ast.Name)
    }
    return _File(partial.exp_names, frozenset(sums), _contents(tree))


# What a subtree holds that the cross-entropy recogniser asks about, as bits: a negated log (`_negates_log`),
# a log, a sum or mean
_NEGATED_LOG, _LOG, _REDUCED = 1, 2, 4
_REDUCERS = frozenset({"sum", "mean"})


def _own_marks(node: ast.AST, marks: Mapping[int, int]) -> int:
    """The node's own marks, its children's already in `marks`."""
    name = call_name(node)
    log, reduced = name == "log", name in _REDUCERS
    negated_log = _negates_log(node, marks)
    return (_NEGATED_LOG if negated_log else 0) | (_LOG if log else 0) | (_REDUCED if reduced else 0)


def _negates_log(node: ast.AST, marks: Mapping[int, int]) -> bool:
    """`-<an expression with a log>`, or `-t * <a log>` (either order, `-1 * ...` too): a minus elsewhere in
    the statement (`np.log(np.sum(np.exp(x), axis=-1))`, `x[-1]`) negates no log."""
    if _negated(node):
        assert isinstance(node, ast.UnaryOp)
        return bool(marks[id(node.operand)] & _LOG)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        sides = ((node.left, node.right), (node.right, node.left))
        return any(_negated(a) and marks[id(b)] & _LOG for a, b in sides)
    return False


def _negated(node: ast.AST) -> bool:
    return isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub)


def _contents(tree: ast.AST) -> dict[int, int]:
    """Each node's marks with its subtree's, children before parents (no recursion): a walk of every valued
    node's subtree read a chain of 2,000 nested lambdas (`f = lambda: lambda: ... 0`, one 16 KB line) in 10 s
    of the parent's CPU (session 38)."""
    marks: dict[int, int] = {}
    pending: list[tuple[ast.AST, bool]] = [(tree, False)]
    while pending:
        node, children_done = pending.pop()
        if children_done:
            own = _own_marks(node, marks)
            for child in ast.iter_child_nodes(node):
                own |= marks[id(child)]
            marks[id(node)] = own
        else:
            pending.append((node, True))
            pending.extend((child, False) for child in ast.iter_child_nodes(node))
    return marks


def _sigmoid(node: ast.AST, file: _File) -> bool:
    """`1 / (1 + np.exp(-x))`, `np.exp(x) / (1 + np.exp(x))`, `1 / (1 + math.e ** -x)`, `expit(x)`,
    `0.5 * (1 + np.tanh(0.5 * x))`."""
    if call_name(node) == "expit":
        return True
    if not isinstance(node, ast.BinOp):
        return False
    if (
        isinstance(node.op, ast.Div)
        and isinstance(node.right, ast.BinOp)
        and isinstance(node.right.op, ast.Add)
    ):
        sides = (node.right.left, node.right.right)
        one_plus_exp = any(_number(s, 1) for s in sides) and any(file.is_exp(s) or _e_power(s) for s in sides)
        return one_plus_exp and (_number(node.left, 1) or file.is_exp(node.left))
    if isinstance(node.op, ast.Mult) and any(_number(s, 0.5) for s in (node.left, node.right)):
        other = node.right if _number(node.left, 0.5) else node.left
        return isinstance(other, ast.BinOp) and any(call_name(s) == "tanh" for s in (other.left, other.right))
    return False


def _e_power(node: ast.AST) -> bool:
    """`math.e ** -x`, `np.e ** -x`, `e ** -x`."""
    if not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow)):
        return False
    base = node.left
    return (isinstance(base, ast.Attribute) and base.attr == "e") or (
        isinstance(base, ast.Name) and base.id == "e"
    )


def _softmax(node: ast.AST, file: _File) -> bool:
    """`np.exp(a) / np.sum(np.exp(a))`, the book's `exp_a / sum_exp_a`, `e / e.sum(axis=1, keepdims=True)`."""
    return (
        isinstance(node, ast.BinOp)
        and isinstance(node.op, ast.Div)
        and file.is_exp(node.left)
        and file.is_exp_sum(node.right)
    )


# The statements whose value is one formula (a return, an assignment, a lambda's body).
_VALUED = (ast.Return, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr, ast.Lambda)


def _cross_entropy(node: ast.AST, file: _File) -> bool:
    """A negated sum or mean over a log: `-np.sum(t * np.log(y + 1e-7)) / batch_size`,
    `np.sum(-t * np.log(y))`, `-np.log(y[np.arange(n), t] + 1e-7).mean()`. The minus negates the log (or
    a factor of a product with it): any minus in the statement beside a log and a sum counted, and the
    log-sum-exp `np.log(np.sum(np.exp(x), axis=-1))` was cross entropy for its `-1`."""
    if not isinstance(node, _VALUED):
        return False
    value = node.body if isinstance(node, ast.Lambda) else getattr(node, "value", None)
    if value is None:
        return False
    everything = _NEGATED_LOG | _LOG | _REDUCED
    return file.contents[id(value)] & everything == everything


def _relu(node: ast.AST, file: _File) -> bool:
    """`np.maximum(0, x)`, `np.maximum(x, 0)`, `np.where(x > 0, x, 0)`, `x * (x > 0)`,
    `np.clip(x, 0, None)`."""
    name = call_name(node)
    if name == "maximum":
        assert isinstance(node, ast.Call)
        return any(_number(a, 0) for a in node.args)
    if name == "where":
        assert isinstance(node, ast.Call)
        return len(node.args) == 3 and _positive(node.args[0], node.args[1]) and _number(node.args[2], 0)
    if name == "clip":
        assert isinstance(node, ast.Call)
        return any(_number(a, 0) for a in node.args) or any(
            k.arg in ("a_min", "min") and _number(k.value, 0) for k in node.keywords
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        return _positive(node.right, node.left) or _positive(node.left, node.right)
    return False


def _positive(node: ast.AST, of: ast.AST) -> bool:
    """`node` is `of > 0` (or `0 < of`, `of >= 0`): a mask of where `of` is positive."""
    if not (isinstance(node, ast.Compare) and len(node.ops) == 1):
        return False
    op, left, right = node.ops[0], node.left, node.comparators[0]
    return (isinstance(op, ast.Gt | ast.GtE) and _number(right, 0) and _same(left, of)) or (
        isinstance(op, ast.Lt | ast.LtE) and _number(left, 0) and _same(right, of)
    )


def _same(a: ast.AST, b: ast.AST) -> bool:
    """The two trees are one formula (ast.dump's equality, positions aside), read pair by pair up to the first
    difference: ast.dump of the left side at each `*` of a chain `x * (x > 0) * (x > 0) ...` (600 terms a
    line, 8 lines, 54 KB) cost the parent 31 s of CPU (session 38), and recursed past the stack at 2,000."""
    pending: list[tuple[object, object]] = [(a, b)]
    while pending:
        x, y = pending.pop()
        if type(x) is not type(y):
            return False
        if isinstance(x, ast.AST):
            pending.extend((getattr(x, f, None), getattr(y, f, None)) for f in x._fields)
        elif isinstance(x, list):
            assert isinstance(y, list)
            if len(x) != len(y):
                return False
            pending.extend(zip(x, y, strict=True))
        elif x != y:
            return False
    return True


# The nodes a recogniser reads: a formula, a call, a statement holding one.
_READ = (ast.BinOp, ast.Call, *_VALUED)

# The book's name -> what recognises its formula in one node.
RECOGNISERS: dict[str, Callable[[ast.AST, _File], bool]] = {
    "sigmoid": _sigmoid,
    "softmax": _softmax,
    "cross_entropy_error": _cross_entropy,
    "relu": _relu,
}


def read_by(identifiers: Iterable[str]) -> bool:
    """Whether any of `identifiers` (an assignment's `detect` and `absent` names) is one RECOGNISERS records,
    compared without case as `detect` is: only then can a file's formulas change what its stage is read
    as. Reading them cost 2 to 5 ms a file (the cross-entropy rule walks every statement's value), paid
    on every file of every assignment where only the DLFS chapter-4 stage asks for them (session 38)."""
    return any(i.lower() in RECOGNISERS for i in identifiers)


def computed_names(tree: ast.AST) -> set[str]:
    """The names of RECOGNISERS whose formula the tree computes somewhere."""
    nodes = [n for n in pyparse.walked(tree) if isinstance(n, _READ)]
    file = _file(tree, nodes)
    found: set[str] = set()
    for name, recognises in RECOGNISERS.items():
        if any(recognises(n, file) for n in nodes):
            found.add(name)
    return found
