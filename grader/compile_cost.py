"""What compiling a student's file would cost the parent, bounded from its tree before it is compiled.

The parent compiles each submission file once for the sandbox (grader/bytecode.py), holding the interpreter
lock every lane of a batch waits on. Parsing is linear in the source, but CPython 3.11's compiler is not, in
three places measured here (python 3.11.7, one file under the pyc's 64 KiB each):

- a capture pattern of n names in a `match` case (`case [a0, a1, ...]`, `case C(a0, a1, ...)`, a mapping's
  keys) rotates each capture into place past the others: n * n instructions. 3,000 names (17 KB) took 1 s
  and 650 MB; 10,000 (60 KB) took 20 s and 5 GB;
- a call (or a class statement) of n named keyword arguments is checked for repeated names pair by pair:
  8,000 (64 KB) took 0.8 s, a class of 7,400 0.4 s;
- a name a nested scope uses from an enclosing one is passed down through every scope between: a closure
  of 4,700 names 100 lambdas deep (64 KB) took 1.6 s and 92 MB;
- a scope's qualified name spells every scope around it, and lambdas nest without brackets or indentation:
  one line of 2,900 nested lambdas (20 KB) took 1.6 s and 160 MB, and past about 1,000 the code object is too
  deeply nested to marshal (ValueError, which stopped a whole batch).

`compile_cost` over-estimates that work from the tree the parent's scans parse anyway (grader/pyparse.py):
the square of each case pattern's nodes and of each call's and class's named keywords, each scope's depth,
and for each name used inside a nested scope the scopes around it. A file over
`MAX_COMPILE_COST`, or nesting scopes deeper than `MAX_SCOPE_DEPTH`, gets no pyc from the parent: the
student's process compiles it in its own budget. Real files cost a few thousand at most.
"""

from __future__ import annotations

import ast
from collections import Counter

from grader import pyparse

# About 0.1 s of compiling at worst (nested lambdas), far above any real file (a few thousand).
# (The 17,700 files of the stdlib and site-packages here: at most 68,000, a 900 KB file of torch tests.)
MAX_COMPILE_COST = 100_000
# Scopes inside scopes: real files nest a handful; marshal refuses a code object past about 1,000.
MAX_SCOPE_DEPTH = 100

_SCOPES = (
    ast.Lambda,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
)


def _pattern_nodes(pattern: ast.pattern) -> int:
    return sum(1 for node in ast.walk(pattern) if isinstance(node, ast.pattern | ast.expr))


def _kind(node_type: type) -> int:
    """What `compile_cost` counts for a node of this type, read once per type with isinstance."""
    kind = _SCOPE if issubclass(node_type, _SCOPES) else 0
    if issubclass(node_type, ast.Call | ast.ClassDef):
        return kind | _KEYWORDS
    if issubclass(node_type, ast.Name):
        return kind | _NAME
    if issubclass(node_type, ast.match_case):
        return kind | _PATTERN
    return kind


_SCOPE, _KEYWORDS, _NAME, _PATTERN = 1, 2, 4, 8
_KINDS: dict[type, int] = {}
_AST = ast.AST


def compile_cost(tree: ast.AST) -> tuple[int, int]:
    """(an upper bound of the superlinear work compiling `tree` costs, its deepest nesting of scopes)."""
    cost = deepest = 0
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    push, pop = stack.append, stack.pop
    kinds = _KINDS
    # Every file's every node passes here (~1,800 a real file): its type's kind is looked up, not tested
    # eight ways, and its children read field by field as pyparse.walk does, not through ast's generators
    # (1.7 ms a file before, on the bench class).
    while stack:
        node, depth = pop()
        node_type = type(node)
        kind = kinds.get(node_type)
        if kind is None:
            kind = kinds[node_type] = _kind(node_type)
        if kind:
            if kind & _SCOPE:
                depth += 1
                cost += depth
                deepest = max(deepest, depth)
            if kind & _KEYWORDS:
                cost += sum(k.arg is not None for k in node.keywords) ** 2  # type: ignore[attr-defined]
            elif kind & _NAME:
                if depth > 1:
                    cost += depth - 1
            elif kind & _PATTERN:
                cost += _pattern_nodes(node.pattern) ** 2  # type: ignore[attr-defined]
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, _AST):
                push((value, depth))
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, _AST):
                        push((item, depth))
    return cost, deepest


def _surely_cheap(tree: ast.AST) -> bool:
    """Under both bounds by counting node types alone, from the walk the static scan keeps on the tree
    (pyparse.walked): with S scopes, N names and K keywords, and no `match` case, each scope is at most S
    deep, each name costs at most S, and the keywords' squares add up to at most K * K, so the cost is at
    most S*S + N*S + K*K and the nesting at most S. A real file passes (the bench's: S 29, N 197, a bound of
    ~6,500 against 100,000) and is spared `compile_cost`'s own walk (~1 ms a bench file in the parent);
    any other falls through to the exact count."""
    counts = Counter(map(type, pyparse.walked(tree)))
    scopes = names = keywords = 0
    kinds = _KINDS
    for node_type, n in counts.items():
        kind = kinds.get(node_type)
        if kind is None:
            kind = kinds[node_type] = _kind(node_type)
        if kind & _PATTERN:
            return False
        if kind & _SCOPE:
            scopes += n
        if kind & _NAME:
            names += n
        if issubclass(node_type, ast.keyword):
            keywords += n
    bound = scopes * scopes + names * scopes + keywords * keywords
    return scopes <= MAX_SCOPE_DEPTH and bound <= MAX_COMPILE_COST


def too_costly(tree: ast.AST) -> bool:
    if _surely_cheap(tree):
        return False
    cost, deepest = compile_cost(tree)
    return cost > MAX_COMPILE_COST or deepest > MAX_SCOPE_DEPTH
