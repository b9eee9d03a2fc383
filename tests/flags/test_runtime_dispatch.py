"""grader/flags/runtime.py `runtime_flags`: the judged runners' and memory maps' rules asked only about the
nodes that name a library the file imports, with every hit of the rules asked about every node, in order."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.flags import memmaps, runners, runtime
from grader.flags.model import Hit
from grader.flags.source import Source, Unscannable, local_module_names, parse

ROOT = Path(__file__).resolve().parents[2]
CORPUS = sorted(
    p for d in ("submissions", "fixtures", "reference", "grader", "tests") for p in (ROOT / d).rglob("*.py")
)


def _sources() -> Iterator[Source]:
    """Each file as the scan reads it, once a distinct (text, local module names): the samples copy book files
    into many folders, and what the rules see is the text and the names, never the folder."""
    seen: set[tuple[bytes, frozenset[str]]] = set()
    for path in CORPUS:
        rel = str(path.relative_to(ROOT))
        text, local = path.read_bytes(), local_module_names([rel])
        if (text, local) in seen:
            continue
        seen.add((text, local))
        try:
            src = parse(rel, text, local)
        except Unscannable:
            continue
        if src is not None:
            yield src


def _every_node(src: Source, forbidden: dict[str, str]) -> Iterator[Hit]:
    """The loop before the library test: both rules asked about every call, name and attribute."""
    judged = runners.FileRunners.of(src)
    if runtime._imports_module(src, "optparse"):
        yield from runtime._optparse_runners(src)
    for node in src.nodes:
        for check in runtime.CHECKS.get(type(node), ()):
            yield from check(src, node, forbidden)
        if isinstance(node, (ast.Call, ast.Name, ast.Attribute)):
            yield from judged.hits(src, node)
            yield from memmaps.hits(src, node, judged.called)


@pytest.fixture(scope="module")
def corpus() -> list[Source]:
    return list(_sources())


def test_the_corpus_holds_library_names_both_rules_flag(corpus):
    """The comparison below means something: the corpus has files the two rules flag (read up to the first
    file of each)."""
    assert len(corpus) > 500
    judged = mapped = False
    for src in corpus:
        file_runners = runners.FileRunners.of(src)
        for node in src.of(ast.Call):
            judged = judged or any(file_runners.hits(src, node))
            mapped = mapped or any(memmaps.hits(src, node, file_runners.called))
        if judged and mapped:
            break
    assert judged and mapped


def test_every_files_hits_are_those_of_the_rules_asked_about_every_node(corpus):
    """Over every sample, fixture, reference, grader and test file: the same hits in the same order."""
    forbidden = {"torch": "autodiff_library"}
    differ = [
        s.path for s in corpus if list(runtime.runtime_flags(s, forbidden)) != list(_every_node(s, forbidden))
    ]
    assert differ == []


def test_a_node_passed_over_names_no_library():
    """`self.np.load`, a local `np`, a submission's own module: not a library's name; `np.load` is."""
    text = b"import numpy as np\nimport helpers\nnp.load(f)\nhelpers.np.load(f)\nself.np.load(f)\n"
    src = parse("m.py", text, frozenset({"m", "helpers"}))
    assert src is not None
    calls = [n for n in src.nodes if isinstance(n, ast.Call)]
    assert [src.library_name(c.func) for c in calls] == ["numpy.load", None, None]


def test_names_imported_bare_are_still_asked_about():
    """`from numpy import memmap` and `from pickle import loads`, called and not: flagged by both rules as by
    the old loop (the corpus holds no bare `memmap` left uncalled; skipping Name nodes fails here)."""
    text = (
        b"from numpy import memmap\nfrom pickle import loads\n"
        b"m = memmap('f', mode='r+')\nloads(data)\nn = memmap\n"
    )
    src = parse("m.py", text, frozenset({"m"}))
    assert src is not None
    hits = list(runtime.runtime_flags(src, {}))
    assert hits == list(_every_node(src, {}))
    assert [(h.code, h.line) for h in hits] == [("native_code", 3), ("dynamic_code", 4), ("native_code", 5)]
