"""Numerical gradients: backward or gradient code that differentiates by finite differences.

Values cannot tell a gradient computed by backpropagation from one computed numerically: both are right. What
the source shows is how. Three signs, in the methods that compute gradients (every method of a graded class
or of a class with a backward method, every graded function, and every helper of the same file they call):

- a call to a numerical-gradient helper (`numerical_gradient`, `numerical_diff`, ...);
- in a backward method (or a helper it calls), a call to forward (`forward`, `predict`, `loss`, `self(...)`);
- a perturb-and-difference pattern: a value moved by a small step, and a difference divided by that step.

The book's own numerical tools (any function named `numerical_*`, `*gradient_check*`) are expected code and
are never scanned themselves; calling one from `backward` or `gradient` is what gets flagged.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Set
from dataclasses import dataclass, field
from typing import TypeGuard

from grader import pyparse
from grader.flags.model import Hit
from grader.flags.source import Source

BACKWARD_NAMES = frozenset({"backward", "_backward", "backward_pass", "backprop", "backpropagate"})
GRADIENT_NAMES = frozenset({"gradient", "gradients", "compute_gradient", "compute_gradients"})
FORWARD_NAMES = frozenset({"forward", "_forward", "forward_pass", "predict", "loss", "__call__"})
# The forward methods whose mere reference in backward (not a call: handed on as a value) is a sign; `loss` is
# also the value SoftmaxWithLoss keeps (`self.loss`), which a backward may read.
HANDED_FORWARD = FORWARD_NAMES - {"loss"}
NUMERICAL_CALL = re.compile(
    r"_?(numerical|numeric|num|finite_?diff(erence)?s?)_?(gradient|grad|diff|derivative|jacobian|[vj]jp)s?"
    r"(_\w*)?|approx_fprime|eval_numerical_gradient\w*"
)
EXPECTED_NUMERICAL = re.compile(r"_?numerical_\w*|\w*(gradient_check|grad_check|gradcheck|check_grad)\w*")
# Base classes followed up from a class for `self.m(...)`: an honest hierarchy is two or three deep.
MAX_BASES_WALKED = 64
SMALL_STEP = 1e-3  # finite-difference steps are 1e-4 .. 1e-7; learning rates (1e-2) stay above this
STEP_PARAMS = frozenset({"h", "eps", "epsilon", "delta", "dh", "step"})

Function = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(frozen=True)
class Scoped:
    """A function of the file that computes gradients: its name for people, and why it is in scope."""

    node: Function
    cls: str | None
    name: str
    via: str | None  # the method that calls this helper, when it is a helper

    @property
    def where(self) -> str:
        return f"{self.name} (called from {self.via})" if self.via else self.name


@dataclass(frozen=True)
class Index:
    functions: dict[str, list[Function]]
    classes: dict[str, list[ast.ClassDef]]
    # A name bound in the file to a callable's name: `ng` for `from common.gradient import numerical_gradient
    # as ng`, `g = numerical_gradient`, `g = functools.partial(numerical_gradient, f)`, `run = self.forward`,
    # `f = getattr(self, 'for' + 'ward')`. Read only at calls; anywhere in the file, whatever the scope (a
    # heuristic: an alias made in another function is taken too). Calls were matched by their own name alone,
    # so an alias hid a numerical gradient from the scan.
    aliases: dict[str, str] = field(default_factory=dict)
    tables: dict[str, dict[str, list[Function]]] = field(default_factory=dict)
    # id of each function of the file -> its nodes of the kinds the signs read (_ARITHMETIC), in the order
    # of a walk of the function (`_arithmetic`); a function missing here is walked (`arithmetic`)
    by_function: dict[int, tuple[ast.AST, ...]] = field(default_factory=dict)
    called: dict[int, tuple[ast.Call, ...]] = field(default_factory=dict)

    def arithmetic(self, node: Function) -> tuple[ast.AST, ...]:
        """Its BinOp, AugAssign and Call nodes in the order `pyparse.walk(node)` meets them."""
        if id(node) not in self.by_function:
            self.by_function[id(node)] = tuple(n for n in pyparse.walk(node) if isinstance(n, _ARITHMETIC))
        return self.by_function[id(node)]

    def calls(self, node: Function) -> tuple[ast.Call, ...]:
        """Its calls, in walk order: picked out once (the closures ask each function for them repeatedly)."""
        if id(node) not in self.called:
            self.called[id(node)] = tuple(n for n in self.arithmetic(node) if isinstance(n, ast.Call))
        return self.called[id(node)]

    def table(self, cls: str) -> dict[str, list[Function]]:
        """The methods a class of the file defines, by name: built once (a class of 4,000 methods was read
        whole for each of its 4,000 `self.forward()` calls, 10 s of the parent's CPU)."""
        if cls not in self.tables:
            table: dict[str, list[Function]] = {}
            for node in self.classes.get(cls, ()):
                for f in _defs(node.body):
                    table.setdefault(f.name, []).append(f)
            self.tables[cls] = table
        return self.tables[cls]

    def methods(self, cls: str, name: str) -> list[tuple[str, Function]]:
        """(defining class, method) for `self.name(...)` on a `cls`: the definitions of the first class that
        has one, walking the file's base classes breadth-first (what Python finds, bar rare diamonds), at
        most MAX_BASES_WALKED classes. Every definition up the whole chain, for every class of a chain of
        2,000 (230 KB), made the scan's work cubic: 400 classes cost the parent 11 s, 2,000 over 20 min."""
        seen, todo = {cls}, deque([cls])
        while todo and len(seen) <= MAX_BASES_WALKED:
            current = todo.popleft()
            found = self.table(current).get(name)
            if found:
                return [(current, f) for f in found]
            for node in self.classes.get(current, ()):
                bases = [b.id for b in node.bases if isinstance(b, ast.Name) and b.id not in seen]
                seen.update(bases)
                todo.extend(bases)
        return []


def _defs(body: Iterable[ast.stmt]) -> Iterator[Function]:
    for stmt in body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield stmt


def _module_level(body: Iterable[ast.stmt]) -> Iterator[ast.stmt]:
    """Top-level statements, looking inside `if`/`try`/`with` blocks (`if __name__ == "__main__":` too)."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, ast.With):
            yield from _module_level(stmt.body)
        elif isinstance(stmt, (ast.If, ast.For, ast.While)):
            yield from _module_level([*stmt.body, *stmt.orelse])
        elif isinstance(stmt, ast.Try):
            handlers = [s for h in stmt.handlers for s in h.body]
            yield from _module_level([*stmt.body, *handlers, *stmt.orelse, *stmt.finalbody])


def _index(src: Source) -> Index:
    functions: dict[str, list[Function]] = {}
    classes: dict[str, list[ast.ClassDef]] = {}
    for stmt in _module_level(src.tree.body):
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions.setdefault(stmt.name, []).append(stmt)
        elif isinstance(stmt, ast.ClassDef):
            classes.setdefault(stmt.name, []).append(stmt)
    return Index(functions, classes, _aliases(src), by_function=_arithmetic(src))


_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_ARITHMETIC = (ast.BinOp, ast.AugAssign, ast.Call)  # the only nodes a sign reads: most of a function is not


def _arithmetic(src: Source) -> dict[int, tuple[ast.AST, ...]]:
    """Index.by_function for every function of the file, from the scan's one walk: each BinOp, AugAssign
    and Call climbs to the functions above it. The walk is breadth-first, so the nodes under one function
    come in the file's walk in the order a walk of that function meets them; each function was walked
    again (~19 walks of a lesson file, about as long as the file's own walk) before. A function met at two
    places of a tree (a rewrite sharing a node) is left to its own walk."""
    nodes, parents = src.nodes, pyparse.walked_parents(src.tree)
    at = [i for kind in _FUNCTIONS for i in src.positions.get(kind, ())]
    if not at:
        return {}
    found: dict[int, list[ast.AST]] = {id(nodes[i]): [] for i in at}
    if len(found) != len(at):
        return {}
    functions = set(at)
    # The nearest function above each position, in one pass (the walk puts a parent before its children):
    # a node then climbs from function to function, not through every ancestor. Climbing every ancestor
    # cost a chain `x()()()...` of depth D about D*D/2 steps, a module with no def at all included (review
    # of s24-sparent: 44 such 2,900-deep lines, 0.75 s of scan before the climb, 3.9 s with it).
    above = [-1] * len(nodes)
    for i in range(1, len(nodes)):
        up = parents[i]
        above[i] = up if up in functions else above[up]
    for i in sorted(i for kind in _ARITHMETIC for i in src.positions.get(kind, ())):
        node, up = nodes[i], above[i]
        while up >= 0:
            found[id(nodes[up])].append(node)
            up = above[up]
    return {key: tuple(under) for key, under in found.items()}


_PARTIAL = frozenset({"partial", "partialmethod"})


def _const_str(node: ast.AST) -> str | None:
    """A string the source spells out, folded: `'forward'`, `'for' + 'ward'`, `f'{"for"}ward'`."""
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _const_str(node.left), _const_str(node.right)
        return left + right if left is not None and right is not None else None
    if isinstance(node, ast.JoinedStr):
        parts = [_const_str(v.value if isinstance(v, ast.FormattedValue) else v) for v in node.values]
        return None if None in parts else "".join(p for p in parts if p is not None)
    return None


def _named(node: ast.AST) -> str | None:
    """The name of what `node` refers to as a callable: `f`, `obj.f`, `getattr(obj, 'f')`,
    `functools.partial(f, ...)`, `lambda *a: f(*a)`; None for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Lambda) and isinstance(node.body, ast.Call):
        return _named(node.body.func)
    if isinstance(node, ast.Call) and node.args:
        func = _named(node.func) if isinstance(node.func, ast.Name | ast.Attribute) else None
        if func == "getattr" and len(node.args) >= 2:
            return _const_str(node.args[1])
        if func in _PARTIAL:
            return _named(node.args[0])
    return None


def _aliases(src: Source) -> dict[str, str]:
    """Name -> the name it stands for (see Index.aliases), followed through chains of aliases."""
    direct = {local: dotted.rsplit(".", 1)[-1] for local, dotted in src.imported.items()}
    for node in src.of(ast.Assign):
        if len(node.targets) != 1:
            continue
        target = node.targets[0]  # `g = ...`, or `self.g = ...` (then called as `self.g(...)`)
        local = target.id if isinstance(target, ast.Name) else target.attr if _on_self(target) else None
        named = _named(node.value)
        if local is not None and named is not None and named != local:
            direct.setdefault(local, named)
    resolved: dict[str, str] = {}
    for name in direct:  # each name walked once: a chain of 15,000 aliases cost 28 s walked from each
        path: dict[str, None] = {}
        current = name
        while current in direct and current not in resolved and current not in path:  # `a = b; b = a` ends
            path[current] = None
            current = direct[current]
        end = resolved.get(current, current)
        resolved.update(dict.fromkeys(path, end))
    return resolved


def _expected(name: str) -> bool:
    return EXPECTED_NUMERICAL.fullmatch(name) is not None


def _callee(index: Index, call: ast.Call) -> str | None:
    """The name a call calls, through the file's aliases (`ng(...)` for `ng = numerical_gradient` is a call
    of numerical_gradient) and through calls of what `_named` reads (`getattr(self, 'forward')(x)`)."""
    func = call.func
    if isinstance(func, ast.Attribute) and not _on_self(func):
        return func.attr  # `np.gradient`, `layer.forward`: the attribute's own name
    name = _named(func)
    return index.aliases.get(name, name) if name is not None else None


def _on_self(node: ast.AST) -> TypeGuard[ast.Attribute]:
    return isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self"


def _closure(index: Index, roots: Iterable[Scoped]) -> list[Scoped]:
    """The roots and every helper they call in this file (`self.m(...)` in the class, `f(...)` at module
    level), transitively; the book's numerical tools are never entered."""
    out: list[Scoped] = []
    seen: set[int] = set()
    todo = deque(r for r in roots if not _expected(r.node.name))
    while todo:
        item = todo.popleft()
        if id(item.node) in seen:
            continue
        seen.add(id(item.node))
        out.append(item)
        todo.extend(helper for _, helper in _helpers(index, item))
    return out


def _helpers(index: Index, item: Scoped) -> Iterator[tuple[ast.Call, Scoped]]:
    """The calls of `item` to functions of this file (`self.m(...)` in its class, `f(...)` at module level),
    with what they call; the book's numerical tools are never entered."""
    via = item.via or item.name
    for call in index.calls(item.node):
        func = call.func
        if _on_self(func) and item.cls and not _expected(func.attr):
            for owner, f in index.methods(item.cls, func.attr):  # `self` stays an item.cls below
                yield call, Scoped(f, item.cls, f"{owner}.{f.name}", via)
        elif isinstance(func, ast.Name) and not _expected(name := index.aliases.get(func.id, func.id)):
            yield from ((call, Scoped(f, None, f.name, via)) for f in index.functions.get(name, ()))


def _methods(
    index: Index, keep: Iterable[str] | None = None, names: frozenset[str] | None = None
) -> Iterator[Scoped]:
    for cls, nodes in index.classes.items():
        for node in nodes:
            for f in _defs(node.body):
                if (keep is None or cls in keep) and (names is None or f.name in names):
                    yield Scoped(f, cls, f"{cls}.{f.name}", None)


def _scopes(index: Index, graded: frozenset[str]) -> tuple[list[Scoped], list[Scoped]]:
    """(backward scope, gradient scope): where a forward call is a sign, and where the other signs are. The
    backward scope is part of the gradient scope."""
    backward_roots = [
        *_methods(index, names=BACKWARD_NAMES),
        *(Scoped(f, None, f.name, None) for n in BACKWARD_NAMES for f in index.functions.get(n, ())),
    ]
    with_backward = {s.cls for s in backward_roots if s.cls}
    gradient_roots = [
        *backward_roots,
        *_methods(index, names=GRADIENT_NAMES),
        *_methods(index, keep=graded | with_backward),
        *(Scoped(f, None, f.name, None) for n in graded for f in index.functions.get(n, ())),
    ]
    return _closure(index, backward_roots), _closure(index, gradient_roots)


# Libraries' numerical differentiation, by the name the file's imports resolve a call to: `np.gradient` of
# [f(x - h), f(x), f(x + h)] is a central difference with no quotient in the source, and the others take the
# function itself. Read through imports only (`self.gradient(...)`, `layer.gradient(...)` are no library).
NUMERICAL_LIBRARY = re.compile(
    r"numpy\.gradient|scipy\.misc\.(derivative|central_diff_weights)|scipy\.differentiate\.\w+"
    r"|numdifftools(\.\w+)*|jax\.test_util\.\w+"
)


def _library_call(src: Source | None, call: ast.Call) -> str | None:
    resolved = src.resolve(call.func) if src is not None else None
    if resolved is None or not resolved[1]:
        return None  # not a chain from an imported name
    return resolved[0] if NUMERICAL_LIBRARY.fullmatch(resolved[0]) else None


def _numeric_calls(index: Index, scoped: Scoped, src: Source | None = None) -> Iterator[Hit]:
    for call in index.calls(scoped.node):
        name = _library_call(src, call) or _callee(index, call)
        if name and (NUMERICAL_CALL.fullmatch(name) or NUMERICAL_LIBRARY.fullmatch(name)):
            yield Hit(
                "numerical_gradient",
                call.lineno,
                f"{scoped.where} calls {name}(): the gradient is computed numerically, not by backprop",
            )


def _forward_calls(index: Index, scoped: Scoped) -> Iterator[Hit]:
    for call in index.calls(scoped.node):
        func = call.func
        name = "self" if isinstance(func, ast.Name) and func.id == "self" else _callee(index, call)
        if name == "self" or name in FORWARD_NAMES:
            yield Hit(
                "numerical_gradient",
                call.lineno,
                f"{scoped.where} calls {name}(): backward re-runs forward, as finite differences do",
            )
        for arg in call.args:  # `slope(self.forward, x)`: forward handed to a helper (of another file)
            handed = _named(arg) if isinstance(arg, ast.Attribute | ast.Name | ast.Call) else None
            handed = index.aliases.get(handed, handed) if handed is not None else None
            if handed in HANDED_FORWARD and (not isinstance(arg, ast.Attribute) or _on_self(arg)):
                yield Hit(
                    "numerical_gradient",
                    call.lineno,
                    f"{scoped.where} hands {handed} to {_callee(index, call) or 'a call'}(): backward "
                    "re-runs forward, as finite differences do",
                )


# What a folded step may be built from besides literals: `float('1e-4')`, `np.finfo(float).eps ** 0.5`,
# `np.sqrt(...)`. A step the source computes (`H = 1 / 100000`) was no step to the scan: a finite-difference
# backward that spelled no literal at or under SMALL_STEP raised no flag and scored full marks (sample
# layers/numerical_backward_computed_step.py).
_FOLD_CALLS = {"float": float, "numpy.float64": float, "numpy.float32": float, "numpy.sqrt": None,
               "numpy.cbrt": None, "math.sqrt": None}  # fmt: skip
_ROOTS = {"numpy.sqrt": 0.5, "math.sqrt": 0.5, "numpy.cbrt": 1 / 3}
_EPS = {"numpy.finfo": 2.0**-52}  # `np.finfo(...).eps`: float64's (float32's 2**-23 is as small a step)
MAX_FOLD_DEPTH = 12  # a step is a short expression; deeper ones are not folded (and cost nothing)
MAX_LITERAL_CHARS = 32  # of a string handed to float()
LARGE = 1 / SMALL_STEP  # a product by a number this large (or more) is a division by a small step

Number = float | complex
Env = Mapping[str, Number]


def _fold(node: ast.AST, src: Source | None = None, env: Env | None = None, depth: int = 0) -> Number | None:
    """The number a short constant expression of the file evaluates to, or None: literals (complex ones too:
    a complex step is a step), + - * / ** on them, names already folded (`env`), `float('1e-4')`,
    `np.sqrt(...)`, `np.finfo(...).eps`. Evaluated in floats, never as Python ints (`10 ** 10 ** 9` is an
    overflow here, not a minute of the parent's CPU)."""
    if depth > MAX_FOLD_DEPTH:
        return None
    try:
        return _fold_node(node, src, env or {}, depth)
    except (OverflowError, ZeroDivisionError, ValueError, TypeError):
        return None


def _fold_node(node: ast.AST, src: Source | None, env: Env, depth: int) -> Number | None:
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float, complex)):
            return None
        return value if isinstance(value, complex) else float(value)
    if isinstance(node, ast.Name):
        return env.get(node.id)
    if isinstance(node, ast.Attribute) and _on_self(node):
        return env.get(f"self.{node.attr}")
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _fold(node.operand, src, env, depth + 1)
        return None if value is None else (-value if isinstance(node.op, ast.USub) else value)
    if isinstance(node, ast.BinOp):
        left, right = _fold(node.left, src, env, depth + 1), _fold(node.right, src, env, depth + 1)
        if left is None or right is None:
            return None
        return _arith(node.op, left, right)
    if src is not None and isinstance(node, ast.Attribute) and node.attr == "eps":
        call = node.value
        if isinstance(call, ast.Call) and (src.resolve(call.func) or ("", False))[0] in _EPS:
            return _EPS["numpy.finfo"]
    if src is not None and isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords:
        name = (src.resolve(node.func) or ("", False))[0]
        arg = node.args[0]
        if name in _ROOTS:
            value = _fold(arg, src, env, depth + 1)
            return None if value is None or isinstance(value, complex) else abs(value) ** _ROOTS[name]
        if name in _FOLD_CALLS:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                text = arg.value.strip()
                return float(text) if len(text) <= MAX_LITERAL_CHARS else None
            value = _fold(arg, src, env, depth + 1)
            return None if value is None or isinstance(value, complex) else float(value)
    return None


def _arith(op: ast.operator, left: Number, right: Number) -> Number | None:
    if isinstance(op, ast.Add):
        return left + right
    if isinstance(op, ast.Sub):
        return left - right
    if isinstance(op, ast.Mult):
        return left * right
    if isinstance(op, ast.Div):
        return left / right
    if isinstance(op, ast.Pow) and not isinstance(left, complex) and not isinstance(right, complex):
        result = left**right
        return result if isinstance(result, float) else None  # a negative base to a fraction: complex
    return None


def _small(node: ast.AST, src: Source | None = None, env: Env | None = None) -> bool:
    value = _fold(node, src, env)
    return value is not None and 0 < abs(value) <= SMALL_STEP


def _large(node: ast.AST, src: Source | None, env: Env) -> bool:
    value = _fold(node, src, env)
    return value is not None and abs(value) >= LARGE


@dataclass(frozen=True)
class Steps:
    """What the file binds to numbers: names and `self` attributes that hold a small step, those that hold
    its reciprocal (`_SPREAD = 1 / (2 * H)`: a product by it is a difference quotient), and the parameters
    of the file's functions that some call of the file hands a step (`sweep(f, x, H)` into `s`)."""

    names: frozenset[str]
    attrs: frozenset[str]
    large: frozenset[str] = frozenset()
    handed: Mapping[str, frozenset[str]] = field(default_factory=dict)
    src: Source | None = None


def _file_env(src: Source) -> dict[str, Number]:
    """Name (or `self.attr`) -> the number it is bound to, for bindings the file folds to one, in two passes
    (a name may be bound to a folded name bound later in the walk)."""
    env: dict[str, Number] = {}
    assigns = [
        n
        for n in src.of(ast.Assign, ast.AnnAssign)
        if isinstance(n, ast.Assign | ast.AnnAssign) and n.value is not None
    ]
    for _ in range(2):
        for node in assigns:
            assert node.value is not None
            value = _fold(node.value, src, env)
            if value is None:
                continue
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                if isinstance(t, ast.Name):
                    env[t.id] = value
                elif _on_self(t):
                    env[f"self.{t.attr}"] = value
    return env


def _file_steps(src: Source) -> Steps:
    """The names, self attributes and parameters that hold a small step anywhere in the file: a module
    constant, an assignment, a default argument, `self.h = 1e-4`, an argument of a call of the file's own
    function; and those holding a step's reciprocal."""
    env = _file_env(src)
    small = {k for k, v in env.items() if 0 < abs(v) <= SMALL_STEP}
    large = {k for k, v in env.items() if abs(v) >= LARGE}
    names = {k for k in small if not k.startswith("self.")}
    attrs = {k.removeprefix("self.") for k in small if k.startswith("self.")}
    for node in src.of(ast.arguments):
        positional = [*node.posonlyargs, *node.args]
        defaults = [None] * (len(positional) - len(node.defaults)) + list(node.defaults)
        pairs = zip([*positional, *node.kwonlyargs], [*defaults, *node.kw_defaults], strict=True)
        names.update(a.arg for a, d in pairs if d is not None and _small(d, src, env))
    steps = Steps(frozenset(names), frozenset(attrs), frozenset(large), {}, src)
    steps = _scaled_steps(src, steps)
    return dataclasses.replace(steps, handed=_handed_steps(src, steps))


def _scaled_steps(src: Source, steps: Steps) -> Steps:
    """Names bound to a step scaled by a value known only at run time: `h = 1e-4 * max(1.0, abs(x))`, the
    relative step of scipy's finite differences, folds to no number, and a backward using it was no
    finite difference to the scan. A product or quotient with a step is a step, and so is an array filled
    with one, `np.full_like(x, h)` (two passes, as in `_file_env`)."""
    names, attrs = set(steps.names), set(steps.attrs)
    assigns = [n for n in src.of(ast.Assign) if isinstance(n.value, (ast.BinOp, ast.Call))]
    for _ in range(2):
        current = dataclasses.replace(steps, names=frozenset(names), attrs=frozenset(attrs))
        for node in assigns:
            if isinstance(node.value, ast.BinOp) and not isinstance(node.value.op, (ast.Mult, ast.Div)):
                continue
            if _is_step(node.value, current):
                names.update(t.id for t in node.targets if isinstance(t, ast.Name))
                attrs.update(t.attr for t in node.targets if _on_self(t))
        if names == current.names and attrs == current.attrs:
            break  # nothing new: a second pass would read the same
    return dataclasses.replace(steps, names=frozenset(names), attrs=frozenset(attrs))


# Definitions of one name looked at per call: an honest file defines a name once or twice.
MAX_DEFS_PER_CALL = 8


def _handed_steps(src: Source, steps: Steps) -> dict[str, frozenset[str]]:
    """Function name -> its parameters that a call in the file passes a step: `_sweep(layer, x, dout, H)`
    makes `_sweep`'s fifth parameter a step whatever it is called (only h/eps/delta... were)."""
    defs: dict[str, list[Function]] = {}
    for node in src.of(ast.FunctionDef, ast.AsyncFunctionDef):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            defs.setdefault(node.name, []).append(node)
    out: dict[str, set[str]] = {}
    for call in src.of(ast.Call):
        func = call.func
        name = (
            func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
        )
        if name not in defs:
            continue
        stepped = [i for i, a in enumerate(call.args) if _is_step(a, steps)]
        keywords = {k.arg for k in call.keywords if k.arg is not None and _is_step(k.value, steps)}
        if not stepped and not keywords:
            continue
        for f in defs[name][:MAX_DEFS_PER_CALL]:
            positional = [a.arg for a in [*f.args.posonlyargs, *f.args.args]]
            if isinstance(func, ast.Attribute) and positional[:1] in (["self"], ["cls"]):
                positional = positional[1:]  # `self.m(a, H)` / `obj.m(a, H)`: the first is the instance
            got = out.setdefault(name, set())
            got.update(positional[i] for i in stepped if i < len(positional))
            got.update(keywords)
    return {k: frozenset(v) for k, v in out.items()}


def _params(node: Function) -> set[str]:
    """Parameters called h/eps/delta...: a step handed in by the caller."""
    args = node.args
    return {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs] if a.arg in STEP_PARAMS}


# The operators spelled as numpy calls: `np.add(x, h)` moves x, `np.divide(d, h)` divides d by h,
# `np.full_like(x, h)` is an array of steps (its fill value is the argument at index 1).
_MOVES = frozenset({"numpy.add", "numpy.subtract"})
_DIVIDES = frozenset({"numpy.divide", "numpy.true_divide"})
_MULTIPLIES = frozenset({"numpy.multiply"})
_FILLED = frozenset({"numpy.full", "numpy.full_like"})


def _numpy_call(node: ast.AST, steps: Steps, names: frozenset[str]) -> list[ast.expr]:
    """The positional arguments of a call of one of `names` (read through the file's imports), or []."""
    if steps.src is None or not isinstance(node, ast.Call) or len(node.args) < 2:
        return []
    resolved = steps.src.resolve(node.func)
    return list(node.args) if resolved is not None and resolved[0] in names else []


Memo = dict[str, dict[int, bool]]  # kind ("step", "reciprocal") -> id of a node -> what it was found to be
# How a node is made of its parts (any or all of them must be), or what a leaf is.
Parts = tuple[Callable[[Iterable[bool]], bool], list[ast.AST]] | bool


def _read(node: ast.AST, known: dict[int, bool], parts: Callable[[ast.AST], Parts]) -> bool:
    """`parts` evaluated over `node`'s subtree bottom up, without recursion (a chain of 900 operators on one
    line is 900 frames deep), each node once per `known`: one per scoped function makes a chain of n
    operators cost n, not n * n (every BinOp `_differences` walks re-read its whole subtree: cost_mult.py
    took 35 s)."""
    stack: list[tuple[ast.AST, Parts | None]] = [(node, None)]
    while stack:
        top, got = stack.pop()
        if id(top) in known:
            continue
        if got is None:
            got = parts(top)
            if isinstance(got, bool):
                known[id(top)] = got
                continue
            stack.append((top, got))  # again once its parts are known: they are popped first
            stack.extend((kid, None) for kid in got[1] if id(kid) not in known)
            continue
        assert not isinstance(got, bool)
        how, kids = got
        known[id(top)] = how(known[id(kid)] for kid in kids)
    return known[id(node)]


def _is_step(node: ast.AST, steps: Steps, names: Set[str] | None = None, memo: Memo | None = None) -> bool:
    """`memo`: one per scoped function (whose `names` are fixed), else this call's own."""
    known = {} if memo is None else memo.setdefault("step", {})
    if id(node) in known:
        return known[id(node)]
    names = steps.names if names is None else names
    return _read(node, known, lambda n: _step_parts(n, steps, names))


def _step_parts(node: ast.AST, steps: Steps, names: Set[str]) -> Parts:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        node = node.operand
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div)):  # 2 * h, h / 2
        return any, [node.left, node.right]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):  # h + h
        return all, [node.left, node.right]
    filled = _numpy_call(node, steps, _FILLED)
    if filled:
        return all, [filled[1]]
    if isinstance(node, ast.Name):
        return node.id in names
    if isinstance(node, ast.Attribute):
        return _on_self(node) and node.attr in steps.attrs
    return _small(node, steps.src)


def _is_reciprocal(node: ast.AST, steps: Steps, memo: Memo) -> bool:
    """A step's reciprocal: a name bound to one, or a number of at least LARGE (`* 5e4` is `/ (2 * 1e-5)`)."""
    known = memo.setdefault("reciprocal", {})
    if id(node) in known:
        return known[id(node)]
    return _read(node, known, lambda n: _reciprocal_parts(n, steps))


def _reciprocal_parts(node: ast.AST, steps: Steps) -> Parts:
    if isinstance(node, ast.Name):
        return node.id in steps.large
    if isinstance(node, ast.Attribute) and _on_self(node):
        return f"self.{node.attr}" in steps.large
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        return any, [node.left, node.right]
    return _large(node, steps.src, {})


def _moves_by_step(node: ast.AST, steps: Steps, names: Set[str], memo: Memo) -> bool:
    """`x + h`, `x - eps`, `x[i] += h`: a value moved by a small step."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
        return _is_step(node.left, steps, names, memo) or _is_step(node.right, steps, names, memo)
    if isinstance(node, ast.AugAssign) and isinstance(node.op, (ast.Add, ast.Sub)):
        return _is_step(node.value, steps, names, memo)
    return any(_is_step(a, steps, names, memo) for a in _numpy_call(node, steps, _MOVES)[:2])


def _divides_by_step(
    node: ast.AST, steps: Steps, names: Set[str], memo: Memo
) -> TypeGuard[ast.BinOp | ast.Call]:
    """`... / (2 * h)`, `... / eps`, `... * INV_2H`, `np.divide(..., h)`: a difference quotient."""
    divided = _numpy_call(node, steps, _DIVIDES)
    if divided:
        return _is_step(divided[1], steps, names, memo)
    multiplied = _numpy_call(node, steps, _MULTIPLIES)[:2]
    if multiplied:
        return any(_is_reciprocal(a, steps, memo) for a in multiplied)
    if not isinstance(node, ast.BinOp):
        return False
    if isinstance(node.op, ast.Div):
        return _is_step(node.right, steps, names, memo)
    if isinstance(node.op, ast.Mult):
        return _is_reciprocal(node.left, steps, memo) or _is_reciprocal(node.right, steps, memo)
    return False


def _differences(index: Index, scoped: Scoped, steps: Steps) -> Iterator[Hit]:
    names = steps.names | _params(scoped.node) | steps.handed.get(scoped.node.name, frozenset())
    perturbs: ast.AST | None = None
    quotient: ast.BinOp | ast.Call | None = None
    memo: Memo = {}
    for node in index.arithmetic(scoped.node):  # the only nodes either sign can be
        if perturbs is None and _moves_by_step(node, steps, names, memo):
            perturbs = node
        if _divides_by_step(node, steps, names, memo) and (quotient is None or node.lineno < quotient.lineno):
            quotient = node
    if perturbs is not None and quotient is not None:
        moved = getattr(perturbs, "lineno", 0)
        yield Hit(
            "numerical_gradient",
            quotient.lineno,
            f"{scoped.where} moves a value by a small step (line {moved}) and divides a difference by it: "
            "finite differences",
        )


def _via_helper(
    scoped: Scoped, helpers: Iterable[tuple[ast.Call, Scoped]], flagged: Mapping[int, Hit]
) -> Hit | None:
    """A call to a helper of this file that was itself flagged: the caller gets its own pointer."""
    for call, helper in helpers:
        if id(helper.node) in flagged:
            return Hit(
                "numerical_gradient",
                call.lineno,
                f"{scoped.where} calls {helper.name}(), which computes gradients numerically "
                f"(line {flagged[id(helper.node)].line})",
            )
    return None


def numerical_flags(src: Source, graded: frozenset[str]) -> Iterator[Hit]:
    """At most one flag per function: the clearest sign it shows (a numerical helper called, then a
    difference quotient, then forward re-run from backward, then a call to a flagged helper of the file);
    one pointer per function is what staff need."""
    index = _index(src)
    backward, gradient = _scopes(index, graded)
    in_backward = {id(s.node) for s in backward}
    steps = _file_steps(src)
    flagged: dict[int, Hit] = {}
    for scoped in gradient:
        signs = [
            _numeric_calls(index, scoped, src),
            _differences(index, scoped, steps),
            _forward_calls(index, scoped) if id(scoped.node) in in_backward else iter(()),
        ]
        first = next((hit for sign in signs for hit in sign), None)
        if first:
            flagged[id(scoped.node)] = first
    # Callers of flagged helpers, then their callers, each function looked at again only when a helper it
    # calls was just flagged: rounds over every function made a chain of n helpers cost n rounds of n.
    helpers = {id(s.node): tuple(_helpers(index, s)) for s in gradient}
    callers: dict[int, list[Scoped]] = {}
    for scoped in gradient:
        for _, helper in helpers[id(scoped.node)]:
            callers.setdefault(id(helper.node), []).append(scoped)
    todo = deque(flagged)
    while todo:
        for scoped in callers.get(todo.popleft(), ()):
            found = (
                None if id(scoped.node) in flagged else _via_helper(scoped, helpers[id(scoped.node)], flagged)
            )
            if found:
                flagged[id(scoped.node)] = found
                todo.append(id(scoped.node))
    yield from flagged.values()
