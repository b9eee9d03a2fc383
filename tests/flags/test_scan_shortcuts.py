"""grader/flags: work whose answer is fixed, done once. The annotation writes' walk of each assignment target
skipped in a file with no node naming `__annotations__`; the memory maps' makers and the judged runners'
patterns matched once a name. Each with the hits of the rule as it was (the oracle, written here), and a
count that fails without the shortcut."""

from __future__ import annotations

import ast
import fnmatch
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.flags import memmaps, runners, runtime
from grader.flags.model import Hit
from grader.flags.scan import scan_submission
from grader.flags.source import Source, Unscannable, local_module_names, parse

ROOT = Path(__file__).resolve().parents[2]
LESSON = ROOT / "submissions" / "miniflow" / "correct.py"


def _source(text: bytes, rel: str = "m.py") -> Source:
    src = parse(rel, text, local_module_names([rel]))
    assert src is not None
    return src


def _walked_annotation_writes(node: ast.AST) -> list[Hit]:
    """The rule before the shortcut: every part of every target of an assignment or a del looked at."""
    if isinstance(node, ast.Assign | ast.Delete):
        targets = node.targets
    elif isinstance(node, ast.AugAssign | ast.AnnAssign):
        targets = [node.target]
    else:
        return []
    written = any(runtime._is_annotations(part) for target in targets for part in ast.walk(target))
    return [Hit("dynamic_code", getattr(node, "lineno", 0), runtime._ANNOTATIONS_WRITTEN)] if written else []


def _corpus() -> Iterator[Source]:
    """Each sample file once a distinct text, then the writes below."""
    seen: set[bytes] = set()
    for path in sorted((ROOT / "submissions").rglob("*.py")):
        text = path.read_bytes()
        if text in seen:
            continue
        seen.add(text)
        try:
            src = parse(path.name, text, local_module_names([path.name]))
        except Unscannable:
            continue
        if src is not None:
            yield src
    for text in WRITERS:
        yield _source(text)


# Writes of __annotations__ the samples do not hold (tests/flags/test_runtime.py's)
WRITERS = (
    b"class C:\n    x: int = 1\nC.__annotations__[k] = int\n",
    b"x = 1\nvars(C)['__annotations__'][k] = int\n",
    b"class C:\n    __annotations__[k] = int\n",
    b"x = 1\nf.__annotations__ = {'g': s}\n",
    b"del f.__annotations__['g']\n",
    b"x = 1\nf.__annotations__ |= {'g': s}\n",
)


@pytest.fixture(scope="module")
def corpus() -> list[Source]:
    return list(_corpus())


def test_every_assignments_annotation_hits_are_the_walks(corpus):
    """Over the samples and a few writes of tests/flags/test_runtime.py: each assignment's hits as the walk
    of its targets gives them, in files that write __annotations__ (the comparison means something) and in
    files that never name them."""
    kinds = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)
    writers = 0
    for src in corpus:
        for node in src.of(*kinds):
            targets = node.targets if isinstance(node, ast.Assign | ast.Delete) else [node.target]  # type: ignore[attr-defined]
            expected = _walked_annotation_writes(node)
            writers += bool(expected)
            assert list(runtime._annotation_writes(src, node, targets)) == expected, (src.path, node.lineno)
    assert writers >= len(WRITERS) + 2


def test_a_file_naming_no_annotations_walks_no_target(monkeypatch):
    """The lesson file (dozens of assignments, no `__annotations__` anywhere): its runtime rules walk none of
    its targets (every one was walked before). A file that names them still walks its targets."""
    walked: list[ast.AST] = []
    real_walk = ast.walk

    def counting_walk(node: ast.AST) -> Iterator[ast.AST]:
        walked.append(node)
        return real_walk(node)

    lesson = _source(LESSON.read_bytes())
    assert len(lesson.of(ast.Assign)) > 20
    monkeypatch.setattr(ast, "walk", counting_walk)
    list(runtime.runtime_flags(lesson, {}))
    assert walked == []
    naming = _source(LESSON.read_bytes() + b"\nhints = Node.__annotations__\n")
    list(runtime.runtime_flags(naming, {}))
    assert len(walked) > 20


def test_two_files_differing_in_one_name_get_their_own_flags():
    """What is kept is keyed by everything read: a file written `__annotations__` right after one that is
    not (its tree's answer kept), and `np.memmap` after `np.zeros` (the name's answer kept), are flagged."""
    base = b"import numpy as np\nclass C:\n    pass\n"
    assert scan_submission({"a.py": base + b"C.__doc__ = 'x'\n"}) == ()
    flags = scan_submission({"a.py": base + b"C.__annotations__ = {'x': int}\n"})
    assert [(f.code, f.line) for f in flags] == [("dynamic_code", 4)]
    assert scan_submission({"a.py": base + b"m = np.zeros(3)\n"}) == ()
    flags = scan_submission({"a.py": base + b"m = np.memmap('f', mode='r+')\n"})
    assert [(f.code, f.line) for f in flags] == [("native_code", 4)]


def _library_names(corpus: list[Source]) -> set[str]:
    names = set()
    for src in corpus:
        for node in src.of(ast.Name, ast.Attribute):
            dotted = src.library_name(node)
            if dotted is not None:
                names.add(dotted)
    return names


def test_the_kept_answers_are_the_patterns(corpus):
    """Every library name the corpus reads (and the makers' and loaders' own): the memory maps' rule and
    whether a runner is judged, as the patterns match them one by one."""
    names = _library_names(corpus) | set(memmaps.MAKERS) | set(runners.LOADERS) | {"numpy.core.memmap.memmap"}
    assert len(names) > 100
    for dotted in sorted(names):
        rule = next((r for p, r in memmaps.MAKERS.items() if fnmatch.fnmatchcase(dotted, p)), None)
        assert memmaps._maker_rule(dotted) == rule, dotted
        judged = (
            dotted in runners.RUNNERS
            or dotted in runners.TEXT_OBJECTS
            or dotted in runners.FILE_LOADERS
            or any(fnmatch.fnmatchcase(dotted, p) for p in runners.LOADERS)
        )
        assert runners.judged(dotted) == judged, dotted


def test_a_name_is_matched_against_the_patterns_once(monkeypatch):
    """The lesson file's runtime rules read again (another file of the same names): no pattern matched the
    second time (~140 matches a lesson file each time before)."""
    matched: list[tuple[str, str]] = []
    real = fnmatch.fnmatchcase

    def counting(name: str, pattern: str) -> bool:
        matched.append((name, pattern))
        return real(name, pattern)

    monkeypatch.setattr(fnmatch, "fnmatchcase", counting)
    list(runtime.runtime_flags(_source(LESSON.read_bytes()), {}))
    matched.clear()
    list(runtime.runtime_flags(_source(LESSON.read_bytes() + b"\n# another student's\n"), {}))
    assert matched == []
