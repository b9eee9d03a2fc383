"""Single-change variants of a Python source: the standard mutation operators, applied one site at a time.

Each operator is a function `(node, context) -> list[(replacement, description)]` registered in OPERATORS
under a stable name; `mutants(source)` walks the module once per site and yields one `Mutant` per
replacement, with the class (or top-level function) it sits in, so that blame can be checked against it.
Only code that is graded is mutated: module-level demo code (`if __name__ == "__main__":`), docstrings and the
functions listed in `NOT_GRADED` are left alone.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass

# What the assignments do not grade (no case calls them): mutating them would only measure our drivers.
NOT_GRADED = frozenset(
    {
        "TwoLayerNet.accuracy",
        "TwoLayerNet.numerical_gradient",
        "TwoLayerNet.predict",  # graded through loss/gradient; a separate entry would double-count
        "numerical_gradient",
        "Model.plot",  # DeZero step 45: draws the graph with graphviz; no case calls it
        "MultiLayerNetExtend.accuracy",  # chapter 6: no case calls them (session 24)
        "MultiLayerNetExtend.numerical_gradient",
    }
)
NOT_GRADED_TOP = frozenset({"numerical_gradient"})


@dataclass(frozen=True)
class Mutant:
    """One single-change variant: where (owner, function, line), what (operator, description), the source."""

    family: str
    sample: str
    index: int
    operator: str
    owner: str  # the class, or the top-level function, the change sits in
    function: str  # "Linear.backward", "topological_sort"
    line: int
    description: str
    source: str

    @property
    def name(self) -> str:
        return f"{self.sample.removesuffix('.py').replace('/', '.')}-m{self.index:03d}"


Replacement = tuple[ast.AST | None, str]
Operator = Callable[[ast.AST], list[Replacement]]

_ARITH_SWAPS: dict[type, tuple[type, ...]] = {
    ast.Add: (ast.Sub,),
    ast.Sub: (ast.Add,),
    ast.Mult: (ast.Div, ast.Add),
    ast.Div: (ast.Mult,),
    ast.Pow: (ast.Mult,),
    ast.MatMult: (ast.Mult,),
    ast.FloorDiv: (ast.Div,),
}
_CMP_SWAPS: dict[type, type] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
}
_SYMBOL = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**", ast.MatMult: "@",
    ast.FloorDiv: "//", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==",
    ast.NotEq: "!=", ast.Is: "is", ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in",
}  # fmt: skip


def arithmetic(node: ast.AST) -> list[Replacement]:
    """`a + b` -> `a - b`, `*` -> `/` or `+`, ... (also in `x += y`)."""
    if isinstance(node, ast.BinOp | ast.AugAssign):
        out: list[Replacement] = []
        for new in _ARITH_SWAPS.get(type(node.op), ()):
            m = copy.copy(node)
            m.op = new()
            out.append((m, f"{_SYMBOL[type(node.op)]} -> {_SYMBOL[new]}"))
        return out
    return []


def comparison(node: ast.AST) -> list[Replacement]:
    """`x <= 0` -> `x < 0`, `is None` -> `is not None`, ..."""
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _CMP_SWAPS:
        new = _CMP_SWAPS[type(node.ops[0])]
        m = copy.copy(node)
        m.ops = [new()]
        return [(m, f"{_SYMBOL[type(node.ops[0])]} -> {_SYMBOL[new]}")]
    return []


def constant(node: ast.AST) -> list[Replacement]:
    """A number c -> c + 1 (0 -> 1, 1 -> 0 and 2 -> 1 for the usual small ones), True <-> False."""
    if not isinstance(node, ast.Constant):
        return []
    v = node.value
    if isinstance(v, bool):
        return [(ast.Constant(not v), f"{v} -> {not v}")]
    if isinstance(v, int | float):
        new = {0: 1, 1: 0, 2: 1}.get(v, v + 1) if v in (0, 1, 2) else v * 2 if v else 1
        new = type(v)(new)
        return [(ast.Constant(new), f"{v!r} -> {new!r}")]
    return []


def unary_minus(node: ast.AST) -> list[Replacement]:
    """`-x` -> `x`; a returned value `return e` -> `return -e`."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return [(node.operand, "drop unary minus")]
    if isinstance(node, ast.Return) and node.value is not None and not isinstance(node.value, ast.Tuple):
        if isinstance(node.value, ast.Constant | ast.Name) and not _is_arrayish(node.value):
            return []
        m = copy.copy(node)
        m.value = ast.UnaryOp(ast.USub(), node.value)
        return [(m, "negate the returned value")]
    return []


def _is_arrayish(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id in {"dx", "gx", "gy", "out", "y", "dout", "grad"}


def pair_swap(node: ast.AST) -> list[Replacement]:
    """`return a, b` -> `return b, a`."""
    if isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple) and len(node.value.elts) == 2:
        a, b = node.value.elts
        if ast.dump(a) == ast.dump(b):
            return []
        m = copy.copy(node)
        m.value = ast.Tuple([b, a], ast.Load())
        return [(m, "swap the returned pair")]
    return []


def drop_transpose(node: ast.AST) -> list[Replacement]:
    """`W.T` -> `W`."""
    if isinstance(node, ast.Attribute) and node.attr == "T" and isinstance(node.ctx, ast.Load):
        return [(node.value, "drop .T")]
    return []


def axis_keyword(node: ast.AST) -> list[Replacement]:
    """`axis=0` -> removed / `axis=1`; `keepdims=X` -> removed / flipped."""
    if not isinstance(node, ast.Call):
        return []
    out: list[Replacement] = []
    for i, kw in enumerate(node.keywords):
        if kw.arg not in ("axis", "keepdims"):
            continue
        removed = copy.copy(node)
        removed.keywords = node.keywords[:i] + node.keywords[i + 1 :]
        out.append((removed, f"remove {kw.arg}="))
        if isinstance(kw.value, ast.Constant):
            v = kw.value.value
            new = (not v) if kw.arg == "keepdims" else (1 if v == 0 else 0)
            changed = copy.copy(node)
            changed.keywords = [
                *node.keywords[:i],
                ast.keyword(kw.arg, ast.Constant(new)),
                *node.keywords[i + 1 :],
            ]
            out.append((changed, f"{kw.arg}={v!r} -> {kw.arg}={new!r}"))
    return out


def augassign_to_assign(node: ast.AST) -> list[Replacement]:
    """`x += y` -> `x = y` (and `x = x + y` -> `x = y`)."""
    if isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Add):
        return [(ast.Assign([_as_store(node.target)], node.value, lineno=node.lineno), "+= -> =")]
    if (
        isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.value, ast.BinOp)
        and isinstance(node.value.op, ast.Add)
        and ast.dump(_as_load(node.targets[0])) == ast.dump(node.value.left)
    ):
        m = copy.copy(node)
        m.value = node.value.right
        return [(m, "x = x + y -> x = y")]
    return []


def _as_store(target: ast.expr) -> ast.expr:
    t = copy.deepcopy(target)
    t.ctx = ast.Store()  # type: ignore[attr-defined]
    return t


def _as_load(target: ast.expr) -> ast.expr:
    t = copy.deepcopy(target)
    if hasattr(t, "ctx"):
        t.ctx = ast.Load()
    return t


def delete_statement(node: ast.AST) -> list[Replacement]:
    """A statement -> `pass` (not a def, a class, an import, or a docstring)."""
    skip = (ast.FunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom, ast.Pass, ast.Return)
    if isinstance(node, ast.stmt) and not isinstance(node, skip):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            return []
        return [(ast.Pass(lineno=node.lineno), "delete the statement")]
    return []


def dot_arguments(node: ast.AST) -> list[Replacement]:
    """`np.dot(a, b)` -> `np.dot(b, a)`, `a @ b` -> `b @ a`."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("dot", "matmul")
        and len(node.args) == 2
    ):
        m = copy.copy(node)
        m.args = [node.args[1], node.args[0]]
        return [(m, f"swap the arguments of {node.func.attr}")]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
        return [(ast.BinOp(node.right, ast.MatMult(), node.left), "swap the operands of @")]
    return []


def attribute_swap(node: ast.AST, siblings: tuple[str, ...] = ()) -> list[Replacement]:
    """`self.x` -> `self.y` where both are attributes the same class reads (MulLayer's x and y, ...)."""
    if not (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
        and isinstance(node.ctx, ast.Load)
        and node.attr in siblings
    ):
        return []
    out: list[Replacement] = []
    for other in siblings:
        if other != node.attr:
            m = copy.copy(node)
            m.attr = other
            out.append((m, f"self.{node.attr} -> self.{other}"))
    return out


OPERATORS: dict[str, Operator] = {
    "arithmetic": arithmetic,
    "comparison": comparison,
    "constant": constant,
    "unary_minus": unary_minus,
    "pair_swap": pair_swap,
    "drop_transpose": drop_transpose,
    "axis_keyword": axis_keyword,
    "augassign_to_assign": augassign_to_assign,
    "delete_statement": delete_statement,
    "dot_arguments": dot_arguments,
    "attribute_swap": attribute_swap,
}


def _data_attributes(cls: ast.ClassDef) -> tuple[str, ...]:
    """The data attributes a class's own methods assign on self (MulLayer's x and y), in order."""
    seen: dict[str, None] = {}
    for n in ast.walk(cls):
        if (
            isinstance(n, ast.Attribute)
            and isinstance(n.value, ast.Name)
            and n.value.id == "self"
            and isinstance(n.ctx, ast.Store)
        ):
            seen[n.attr] = None
    return tuple(seen)


def _graded_functions(
    tree: ast.Module, owners: frozenset[str] | None = None
) -> Iterator[tuple[str, str, ast.FunctionDef, tuple[str, ...]]]:
    """(owner, qualified name, function, sibling attributes) for every graded function of the module (of the
    classes and top-level functions in `owners` only, when given)."""
    for top in tree.body:
        if owners is not None and getattr(top, "name", None) not in owners:
            continue
        if isinstance(top, ast.ClassDef):
            siblings = _data_attributes(top)
            for f in top.body:
                if isinstance(f, ast.FunctionDef) and f"{top.name}.{f.name}" not in NOT_GRADED:
                    yield top.name, f"{top.name}.{f.name}", f, siblings
        elif isinstance(top, ast.FunctionDef) and top.name not in NOT_GRADED_TOP:
            yield top.name, top.name, top, ()


def _sites(func: ast.FunctionDef) -> Iterator[ast.AST]:
    """Every node of a function's body, docstring excluded, nested functions included."""
    body = func.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    for stmt in body:
        yield from ast.walk(stmt)


class _Replace(ast.NodeTransformer):
    def __init__(self, target: ast.AST, replacement: ast.AST | None) -> None:
        self.target, self.replacement = target, replacement

    def visit(self, node: ast.AST) -> ast.AST | None:
        if node is self.target:
            return self.replacement
        return super().visit(node)


def mutants(family: str, sample: str, source: str, owners: frozenset[str] | None = None) -> list[Mutant]:
    """Every single-change variant of `source` whose text differs from the original, in a stable order (of
    the classes and top-level functions in `owners` only, when given)."""
    tree = ast.parse(source)
    original = ast.unparse(tree)
    out: list[Mutant] = []
    seen: set[str] = {original}
    for owner, qualname, func, siblings in list(_graded_functions(tree, owners)):
        around = _Around.of(tree, original, func)
        for site in list(_sites(func)):
            for op_name, operator in OPERATORS.items():
                if op_name == "attribute_swap":
                    replacements = attribute_swap(site, siblings)
                else:
                    replacements = operator(site)
                for replacement, description in replacements:
                    if replacement is not None:
                        ast.copy_location(replacement, site)
                    text = around.text(site, replacement)
                    if text in seen:
                        continue
                    seen.add(text)
                    line = getattr(site, "lineno", func.lineno)
                    out.append(
                        Mutant(family, sample, len(out), op_name, owner, qualname, line, description, text)
                    )
    return out


@dataclass(frozen=True)
class _Around:
    """One top-level class or function of a module and the module's unparsed text around it: a variant of
    it is the text before, its own unparsed text, the text after. Unparsing the whole module for each
    variant made dlfs-advanced's 874 variants cost over 20 s (the text is the same: `ast.unparse` writes each
    top-level statement with no context but a blank line before a def or class)."""

    top: ast.stmt
    before: str
    after: str

    @classmethod
    def of(cls, tree: ast.Module, original: str, func: ast.FunctionDef) -> _Around:
        """Around the top-level function, or the class holding the method, `func` (`original`: the module's
        text; a shadowing twin of the same name is another statement)."""
        index = next(
            i for i, t in enumerate(tree.body) if t is func or any(f is func for f in getattr(t, "body", ()))
        )
        top = tree.body[index]
        before = ast.unparse(ast.Module(body=tree.body[:index], type_ignores=[]))
        before += "\n\n" if before else ""
        own = ast.unparse(top)
        assert original.startswith(before + own), (ast.unparse(top)[:80], "unparsed differently alone")
        return cls(top, before, original[len(before) + len(own) :])

    def text(self, site: ast.AST, replacement: ast.AST | None) -> str:
        """The module's text with `site` (a node of this definition) replaced, the tree left as it was."""
        mutated = _Replace(site, replacement).visit(self.top)
        text = ast.unparse(ast.fix_missing_locations(mutated))
        _Replace(replacement, site).visit(self.top)  # put the original back
        return self.before + text + self.after
