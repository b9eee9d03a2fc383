"""grader/ordering_attribute.py: DeZero's generation read by its role (set from the creator's plus one, and
what backward orders functions by), whatever its name; the stage scan and the generation cases read it so."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.assignments import load_assignment
from grader.cases import cases_for_run
from grader.ordering_attribute import ordering_attributes, ordering_attributes_of
from grader.pipeline import RunPlan, grade_one
from grader.sandbox import SandboxPool
from grader.stage_scan import infer

DEZERO = Path(__file__).resolve().parents[1] / "submissions" / "dezero"
SETTER = (
    "class Variable:\n"
    "    def set_creator(self, func):\n"
    "        self.creator = func\n"
    "        self.depth = func.depth + 1\n"
)


def _found(*sources: str) -> list[str]:
    return ordering_attributes(ast.parse(s) for s in sources)


@pytest.mark.parametrize(
    "orders",
    [
        "funcs.sort(key=lambda f: f.depth)",  # the book's
        "funcs = sorted(funcs, key=lambda f: f.depth)",
        "heapq.heappush(funcs, (-f.depth, id(f), f))",  # students' heapq (FACTS.md)
        "bisect.insort(funcs, f, key=lambda g: g.depth)",
        "class Function:\n    def __lt__(self, other):\n        return self.depth > other.depth",
    ],
)
def test_an_attribute_set_from_the_creators_and_ordering_backward_is_the_ordering_one(orders: str) -> None:
    """Both roles, in one file or two (core.py sets it, another sorts by it)."""
    assert _found(SETTER + orders) == ["depth"]
    assert _found(SETTER, orders) == ["depth"]


@pytest.mark.parametrize(
    "source",
    [
        SETTER,  # set from the creator's, never ordered by
        SETTER.replace("func.depth + 1", "func.depth") + "funcs.sort(key=lambda f: f.depth)",  # no + 1
        SETTER.replace("func.depth + 1", "self.depth + 1") + "funcs.sort(key=lambda f: f.depth)",  # its own
        SETTER + "funcs.sort(key=lambda f: f.name)\nprint(f.depth)",  # ordered by another attribute
        SETTER + "heapq.heappush(funcs, f)\nprint(f.depth)",  # the heap entry does not read it
    ],
)
def test_one_role_alone_is_not_the_ordering_attribute(source: str) -> None:
    """Negative controls: a counter set from another object's plus one, or a sort key, is not enough."""
    assert _found(source) == []


def test_the_books_names_are_not_sent_again() -> None:
    """The adapter reads generation, priority and gen on any code: only another name is sent with the job
    (`ordering`)."""
    book = (DEZERO / "step17.py").read_bytes()
    assert ordering_attributes([ast.parse(book)]) == ["generation"]
    assert ordering_attributes_of({"step17.py": book}) == []
    assert ordering_attributes_of({"step17.py": (DEZERO / "step17_depth_named.py").read_bytes()}) == ["depth"]


@pytest.mark.parametrize("name", ["depth", "level", "rank", "gen"])
def test_a_step16_file_naming_generation_otherwise_is_inferred_step16(name: str) -> None:
    """step16_stage.py with `generation` renamed was inferred step14 (the detect asked for generation or
    priority): its diamond and generation cases never ran. Control: the same file with the sort removed (no
    ordering, the attribute only counted) stays step14."""
    source = (DEZERO / "step16_stage.py").read_bytes().replace(b"generation", name.encode())
    assignment = load_assignment("dezero")
    found = infer(assignment, {"step16.py": source})
    assert found is not None and found.stage == "step16", found
    unsorted = source.replace(b"funcs.sort(key=lambda x: x.%s)" % name.encode(), b"pass")
    assert unsorted != source
    found = infer(assignment, {"step16.py": unsorted})
    assert found is not None and found.stage == "step14", found


@pytest.fixture(scope="module")
def pool() -> Iterator[SandboxPool]:
    with SandboxPool(jobs=1) as p:
        yield p


def test_the_generation_cases_read_the_attribute_in_its_role(pool: SandboxPool) -> None:
    """step17_depth_named.py's generation cases errored, "Variable a has no attribute generation"
    (missing_name), where its depth is the book's generation: they pass now (as step17.py's, the control)."""
    assignment = load_assignment("dezero")
    wanted = {"generation-unit", "variable-generation-unit"}
    cases = [c for c in cases_for_run(assignment, 1, stage="step17") if c.id in wanted]
    plan = RunPlan.create(assignment, 1, cases, stage="step17")
    for sample in ("step17.py", "step17_depth_named.py"):
        report = grade_one(plan, DEZERO / sample, pool).report
        statuses = {c.case_id: c.status for c in report.cases}
        assert statuses == dict.fromkeys(wanted, "passed"), (sample, statuses)
