"""The generated class: exact mix, distinct files, each variant differing from the correct one as intended."""

from __future__ import annotations

import ast
from collections import Counter

import pytest


@pytest.fixture(scope="module")
def subs(bench_tools):
    """bench.submissions (bench/ is a top-level folder, not an installed package)."""
    return bench_tools.module("submissions")


def test_every_block_of_twenty_has_the_documented_mix(subs):
    """Each block of 20 students holds MIX's counts exactly: 10 correct, 1 slow, 1 crash, 1 syntax error..."""
    drawn = subs.kinds(60, seed=3)
    for start in range(0, 60, 20):
        assert Counter(drawn[start : start + 20]) == Counter(subs.MIX)


def test_same_seed_same_class_and_another_seed_another_order(subs):
    """The draw is reproducible from its seed (negative control: a different seed reorders it)."""
    assert subs.kinds(40, 1) == subs.kinds(40, 1)
    assert subs.kinds(40, 1) != subs.kinds(40, 2)


def test_only_the_syntax_error_variant_fails_to_parse(subs):
    """Every variant is valid Python except `syntax_error`, which ast.parse rejects."""
    for kind in subs.VARIANTS:
        text = subs.source(kind, "00001")
        if kind == "syntax_error":
            with pytest.raises(SyntaxError):
                ast.parse(text)
        else:
            ast.parse(text)


def test_each_mistake_changes_the_correct_source(subs):
    """Every variant but `correct` differs from the correct source for the same student."""
    correct = subs.source("correct", "7")
    for kind in subs.VARIANTS:
        assert (subs.source(kind, "7") == correct) == (kind == "correct")


def test_write_class_writes_distinct_files(subs, tmp_path):
    """n files named student_NNNNN.py, no two byte-identical, counted by kind."""
    counts = subs.write_class(tmp_path, 25, seed=1)
    files = sorted(tmp_path.iterdir())
    assert [f.name for f in files[:2]] == ["student_00000.py", "student_00001.py"]
    assert len(files) == 25 == sum(counts.values())
    assert len({f.read_bytes() for f in files}) == 25
