"""grader/compile_cost.py: a file the compiler would work on in more than linear time gets no pyc from the
parent, which never compiles it; real files are far under the bounds."""

from __future__ import annotations

import ast
import importlib.util
import marshal
from dataclasses import dataclass
from pathlib import Path

import pytest
from hostile_harness import honest_twin

from grader import bytecode, pyparse
from grader import compile_cost as compile_cost_module
from grader.compile_cost import MAX_COMPILE_COST, MAX_SCOPE_DEPTH, compile_cost
from grader.flags import source as flag_source
from grader.inside import lazy_annotations

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = ROOT / "submissions" / "hostile"
SAMPLES = ("bytecode_marshal_depth.py", "bytecode_compile_quadratic.py")


def _captures(n: int) -> str:
    return "match x:\n    case [" + ", ".join(f"a{i}" for i in range(n)) + "]:\n        pass\n"


def _keywords(n: int) -> str:
    return "f(" + ", ".join(f"a{i}=1" for i in range(n)) + ")\n"


def _class_keywords(n: int) -> str:
    return "class C(" + ", ".join(f"a{i}=1" for i in range(n)) + "):\n    pass\n"


def _unpacked(n: int) -> str:
    return "f(" + ", ".join(f"**a{i}" for i in range(n)) + ")\n"


def _closure(names: int, depth: int) -> str:
    """A function of `names` parameters whose innermost of `depth` nested lambdas uses them all."""
    params = ", ".join(f"a{i}" for i in range(names))
    return f"def f({params}):\n    return " + "lambda: " * depth + f"({params})\n"


def _lambdas(n: int) -> str:
    return "x = " + "lambda: " * n + "1\n"


def _refuse_compiling(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on the parent's compile() fails the test (a module global shadows the builtin)."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the parent compiled a file too costly to compile")

    monkeypatch.setattr(bytecode, "compile", refuse, raising=False)


@pytest.mark.parametrize("name", SAMPLES)
def test_the_hostile_samples_are_never_compiled_in_the_parent(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Samples hostile/bytecode_*.py (graded normally, expected.json): the parent gives them no pyc and never
    compiles them (bytecode_marshal_depth's pyc raised ValueError out of the job builder and stopped a
    batch; bytecode_compile_quadratic's 1,000 captures cost the parent 0.1 s, 10,000 cost 20 s and 5 GB)."""
    source = (HOSTILE / name).read_bytes()
    assert len(source) <= bytecode.MAX_COMPILED_SOURCE  # under the size cap: only its cost keeps it out
    _refuse_compiling(monkeypatch)
    assert bytecode.pyc(source, "miniflow.py") is None
    assert bytecode.pyc_files({"miniflow.py": source}) == {}


@pytest.mark.parametrize("name", SAMPLES)
def test_their_honest_twins_get_a_pyc(name: str) -> None:
    """Control: the same lesson classes without the attack are compiled in the parent as before: a pyc in
    PEP 552's checked-hash layout (magic, flags, the source's hash) whose code is Python's own compile, as the
    submission's loader compiles (annotations never evaluated: grader/inside/lazy_annotations.py)."""
    twin = honest_twin((HOSTILE / name).read_text()).encode()
    pyc = bytecode.pyc(twin, "miniflow.py")
    assert pyc is not None
    assert pyc[:4] == importlib.util.MAGIC_NUMBER and pyc[8:16] == importlib.util.source_hash(twin)
    flags = lazy_annotations.FLAGS
    assert marshal.loads(pyc[16:]) == compile(twin, "miniflow.py", "exec", flags=flags, dont_inherit=True)


@pytest.mark.parametrize(
    ("source", "superlinear"),
    [
        (_captures(1_000), True), (_captures(20), False), (_keywords(1_000), True), (_keywords(50), False),
        (_class_keywords(1_000), True), (_class_keywords(50), False), (_unpacked(1_000), False),
    ],
    ids=["1000-captures", "20-captures", "1000-keywords", "50-keywords", "1000-class-keywords",
         "50-class-keywords", "1000-unpacked"],
)  # fmt: skip
def test_capture_patterns_and_keyword_calls_cost_their_square(source: str, superlinear: bool) -> None:
    """A case pattern of n captures and a call or class statement of n named keywords each cost about n * n
    (a class's were missed: 7,400 took the parent 0.4 s and got a pyc, review): 1,000 are over the bound, a
    few dozen far under it; `**a` unpackings are never compared pairwise (1,000 compile in milliseconds)."""
    cost, deepest = compile_cost(ast.parse(source))
    assert (cost > MAX_COMPILE_COST) is superlinear, cost
    assert deepest == (1 if source.startswith("class") else 0)


def test_nested_scopes_are_bounded_by_depth() -> None:
    """1,000 nested lambdas are past the depth bound (marshal refuses them); 20 are not."""
    assert compile_cost(ast.parse(_lambdas(1_000)))[1] == 1_000 > MAX_SCOPE_DEPTH
    assert compile_cost(ast.parse(_lambdas(20))) == (sum(range(21)), 20)


def test_names_a_deep_closure_passes_down_cost_the_scopes_between() -> None:
    """4,700 names used 99 lambdas deep took the compiler 1.6 s and 92 MB (passed down through each scope):
    over the bound, though its nesting is under the depth bound (review); a shallow closure is not."""
    cost, deepest = compile_cost(ast.parse(_closure(4_700, 99)))
    assert cost > MAX_COMPILE_COST and deepest == 100 <= MAX_SCOPE_DEPTH
    assert compile_cost(ast.parse(_closure(50, 3)))[0] < MAX_COMPILE_COST / 100


@dataclass(frozen=True)
class _Corpus:
    """Every Python file of the samples (hostile ones included), the reference engine and the grader, parsed
    once for the module: one tree a distinct text (samples repeat a book file in many folders, and the same
    bytes cost the same), with its files' names; `too_deep`: the names of the texts too deep to parse."""

    trees: tuple[tuple[frozenset[str], ast.AST], ...]
    too_deep: frozenset[str]
    files: int


@pytest.fixture(scope="module")
def corpus() -> _Corpus:
    names: dict[bytes, set[str]] = {}
    files = 0
    for path in (p for f in ("submissions", "reference", "grader") for p in ROOT.glob(f"{f}/**/*.py")):
        names.setdefault(path.read_bytes(), set()).add(path.name)
        files += 1
    trees: list[tuple[frozenset[str], ast.AST]] = []
    too_deep: set[str] = set()
    for text, its_names in names.items():
        try:
            trees.append((frozenset(its_names), ast.parse(text)))
        except (SyntaxError, ValueError):
            continue  # samples that do not parse, on purpose
        except RecursionError:
            too_deep |= its_names
    return _Corpus(tuple(trees), frozenset(too_deep), files)


def test_real_files_are_far_under_the_bounds(corpus: _Corpus) -> None:
    """Every sample submission (the hostile bytecode ones aside), the reference engine and the grader itself
    cost under a tenth of the bound and nest scopes under a tenth of the depth."""
    assert corpus.files > 100 and corpus.too_deep <= set(SAMPLES)
    real = [(names, tree) for names, tree in corpus.trees if names - set(SAMPLES)]
    assert len(real) > 100
    for names, tree in real:
        cost, deepest = compile_cost(tree)
        assert cost < MAX_COMPILE_COST / 10 and deepest < MAX_SCOPE_DEPTH / 10, (sorted(names), cost, deepest)


def _cost_as_defined(tree: ast.AST) -> tuple[int, int]:
    """compile_cost's rules read off ast's own traversal, node by node with isinstance: the oracle the
    per-type lookup and field-by-field walk of grader/compile_cost.py must agree with."""
    scopes = (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.ListComp, ast.SetComp)
    scopes += (ast.DictComp, ast.GeneratorExp)
    cost = deepest = 0
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, scopes):
            depth += 1
            cost += depth
            deepest = max(deepest, depth)
        if isinstance(node, ast.Call | ast.ClassDef):
            cost += sum(k.arg is not None for k in node.keywords) ** 2
        elif isinstance(node, ast.Name) and depth > 1:
            cost += depth - 1
        elif isinstance(node, ast.match_case):
            pattern = ast.walk(node.pattern)
            cost += sum(1 for n in pattern if isinstance(n, ast.pattern | ast.expr)) ** 2
        stack.extend((child, depth) for child in ast.iter_child_nodes(node))
    return cost, deepest


def test_the_fast_walk_costs_what_the_rules_say(corpus: _Corpus) -> None:
    """Every Python file of the samples (hostile ones included), the reference engine and the grader and the
    generated shapes above cost exactly what the rules, read node by node off ast's traversal, give."""
    generated = [_captures(300), _keywords(300), _class_keywords(300), _unpacked(300), _lambdas(150)]
    generated.append(_closure(200, 30))
    trees = [*(ast.parse(s) for s in generated), *(tree for _, tree in corpus.trees)]
    assert len(trees) > 300
    for tree in trees:
        assert compile_cost(tree) == _cost_as_defined(tree)


def _all_trees(corpus: _Corpus) -> list[ast.AST]:
    """The generated shapes (each at a size under and over the bounds) and every Python file of the samples
    (hostile ones included), the reference engine and the grader."""
    generated = [_captures(20), _captures(1_000), _keywords(50), _keywords(1_000), _class_keywords(50)]
    generated += [_class_keywords(1_000), _unpacked(1_000), _lambdas(20), _lambdas(1_000)]
    generated += [_closure(50, 3), _closure(4_700, 99)]
    return [*(ast.parse(s) for s in generated), *(tree for _, tree in corpus.trees)]


def test_a_file_surely_cheap_by_its_node_counts_is_under_both_bounds(corpus: _Corpus) -> None:
    """`too_costly`'s shortcut (the node counts' bound) never passes a file the exact count refuses, and
    takes every real file: the bound is an upper bound, and the costly shapes all fall through to the
    exact count (which refuses them)."""
    trees = _all_trees(corpus)
    assert len(trees) > 300
    cheap = 0
    for tree in trees:
        cost, deepest = compile_cost(tree)
        if compile_cost_module._surely_cheap(tree):
            cheap += 1
            assert cost <= MAX_COMPILE_COST and deepest <= MAX_SCOPE_DEPTH, (cost, deepest)
        assert compile_cost_module.too_costly(tree) == (cost > MAX_COMPILE_COST or deepest > MAX_SCOPE_DEPTH)
    assert cheap > 300  # the real files
    for source in (_captures(1_000), _keywords(1_000), _class_keywords(1_000), _lambdas(1_000)):
        assert not compile_cost_module._surely_cheap(ast.parse(source))
    assert not compile_cost_module._surely_cheap(ast.parse(_closure(4_700, 99)))


def test_a_real_file_is_not_walked_again_for_its_compile_cost(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bench-sized real file (the scan walked it already: pyparse.walked) gets its pyc without
    compile_cost's own walk of the tree (~1 ms a file of the parent's main thread before); a file whose
    counts are over the bound still gets the exact count (the control)."""
    calls: list[ast.AST] = []
    exact = compile_cost_module.compile_cost
    monkeypatch.setattr(compile_cost_module, "compile_cost", lambda tree: calls.append(tree) or exact(tree))
    real = (ROOT / "reference" / "miniflow.py").read_bytes()
    walks: list[ast.AST] = []
    walk = pyparse.walk_with_parents  # the scan's walk (pyparse.walked)
    monkeypatch.setattr(pyparse, "walk_with_parents", lambda tree: walks.append(tree) or walk(tree))
    assert flag_source.parse("miniflow.py", real, frozenset()) is not None
    assert bytecode.pyc(real, "miniflow.py") is not None
    assert calls == [] and len(walks) == 1  # the scan's walk, kept on the tree for the pyc
    assert bytecode.pyc(_keywords(1_000).encode(), "miniflow.py") is None
    assert len(calls) == 1
