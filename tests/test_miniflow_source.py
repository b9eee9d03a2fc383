"""The MiniFlow notes' readers read each distinct file once, from the walk the static scan keeps."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader import miniflow_source, pyparse
from grader import named_keys as named_keys_module
from grader.named_keys import MAX_FOUND, named_keys
from grader.recreated_gradients import recreated

MINIFLOW = Path(__file__).resolve().parents[1] / "submissions" / "miniflow"
# a class that re-creates its dict per outbound node and keys it by a name: both readers find something
BOTH = b"""
class Sigmoid(Node):
    def backward(self):
        for n in self.outbound_nodes:
            self.gradients = {n: np.zeros_like(n.value) for n in self.inbound_nodes}
            self.gradients[self.inbound_nodes[0].name] += self.value * n.gradients[self]
"""


@pytest.fixture(autouse=True)
def _nothing_kept() -> Iterator[None]:
    miniflow_source.clear()
    yield
    miniflow_source.clear()


def _counted_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    parses: list[str] = []
    real = pyparse.parse_module

    def counted(source: bytes, filename: str = "<unknown>") -> object:
        parses.append(filename)
        return real(source, filename)

    monkeypatch.setattr(pyparse, "parse_module", counted)
    return parses


def test_a_file_handed_in_again_is_read_once_and_found_as_a_fresh_reading_finds_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same bytes in a second submission (another path) are parsed by neither reader again, and each finds
    there what it found the first time, placed at the second file's name. Control: other bytes are read."""
    first_keys, first_dicts = named_keys({"a/mf.py": BOTH}), recreated({"a/mf.py": BOTH})
    parses = _counted_parses(monkeypatch)
    again_keys, again_dicts = named_keys({"b/mf.py": BOTH}), recreated({"b/mf.py": BOTH})
    assert parses == []
    assert [k.where for k in again_keys] == ["b/mf.py line 6"]
    assert [(k.key, k.node) for k in again_keys] == [(k.key, k.node) for k in first_keys]
    assert [d.where for d in again_dicts] == ["b/mf.py line 5"]
    assert [(d.cls, d.statement, d.loop, d.whole) for d in again_dicts] == [
        (d.cls, d.statement, d.loop, d.whole) for d in first_dicts
    ]
    named_keys({"c/mf.py": BOTH + b"\n# another student\n"})
    assert parses == ["c/mf.py"]


def test_a_file_that_does_not_parse_is_tried_once_by_each_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Python 2 file is passed over by each reader, tried once by each however often it is handed in (the
    parse cache answers the second reader's try)."""
    parses = _counted_parses(monkeypatch)
    broken = {"mf.py": b"print 'hello'\n"}
    assert named_keys(broken) == () and recreated(broken) == ()
    assert named_keys({"b.py": broken["mf.py"]}) == () and recreated(broken) == ()
    assert parses == ["mf.py", "mf.py"]


def test_named_keys_reads_the_walk_the_static_scan_keeps_on_the_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    """Once the scan has walked a file's tree (pyparse.walked), reading its named keys walks nothing again.
    Control: the keys are found (correct.py keys by the node: none; the keyed sample: its lines)."""
    files = {"mf.py": BOTH, "correct.py": (MINIFLOW / "correct.py").read_bytes()}
    for rel, data in files.items():
        pyparse.walked(pyparse.parse_module(data, rel))  # what the static scan's Source does
    walks: list[object] = []
    monkeypatch.setattr(pyparse, "walk", lambda node: walks.append(node) or [node])
    monkeypatch.setattr(pyparse, "walk_with_parents", lambda node: walks.append(node) or ([node], [-1]))
    asked: list[ast.AST] = []
    real = named_keys_module._named_keys
    monkeypatch.setattr(named_keys_module, "_named_keys", lambda node: asked.append(node) or real(node))
    assert [k.where for k in named_keys(files)] == ["mf.py line 6"]
    assert walks == []
    # only the Subscript and Assign nodes are asked (a reader walking the tree itself, by ast.walk too, asks
    # every node): counted by ast.walk here, the test's own oracle
    kinds = (ast.Subscript, ast.Assign)
    wanted = [n for data in files.values() for n in ast.walk(ast.parse(data)) if isinstance(n, kinds)]
    assert len(asked) == len(wanted) and all(isinstance(n, kinds) for n in asked)


def test_the_kept_readings_are_bounded_by_count_and_by_their_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """At most KEPT_FILES readings and KEPT_BYTES of memory (the order they leave in: the test below)."""
    monkeypatch.setattr(miniflow_source, "KEPT_FILES", 3)
    for i in range(5):
        named_keys({"mf.py": BOTH + f"# {i}\n".encode()})
    assert miniflow_source.held()[0] == 3
    monkeypatch.setattr(miniflow_source, "KEPT_BYTES", 400)
    miniflow_source.clear()
    long_key = b"g.gradients[" + b"x" * 200 + b".name] = 1\n"
    assert named_keys({"mf.py": long_key})  # found, but its reading (over 400 bytes) is never kept
    assert miniflow_source.held() == (0, 0)
    named_keys({"mf.py": b"g.gradients[a.name] = 1\n"})
    count, size = miniflow_source.held()
    assert count == 1 and 0 < size <= 400


def _one_file(i: int) -> dict[str, bytes]:
    return {"mf.py": BOTH + f"# student {i}\n".encode()}


def test_the_reading_least_recently_read_is_the_one_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two kept at most: A and B read, A read again, then C: B is dropped, A and C are still kept (a hit
    makes a reading the newest). Controls: B is parsed again; neither A nor C is."""
    monkeypatch.setattr(miniflow_source, "KEPT_FILES", 2)
    a, b, c = _one_file(1), _one_file(2), _one_file(3)
    for files in (a, b, a, c):
        named_keys(files)
    parses = _counted_parses(monkeypatch)
    named_keys(a)
    named_keys(c)
    assert parses == []
    named_keys(b)
    assert parses == ["mf.py"]


def test_the_bytes_held_are_those_of_the_readings_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bounded by their memory, readings dropped give their bytes back: after ten readings of which three
    fit, the store holds exactly three readings' bytes, and the newest is still answered without a parse
    (the count never drifts up until every reading is dropped)."""
    named_keys(_one_file(0))
    _, weight = miniflow_source.held()
    miniflow_source.clear()
    monkeypatch.setattr(miniflow_source, "KEPT_BYTES", 3 * weight)
    for i in range(10):
        assert named_keys(_one_file(i))
    assert miniflow_source.held() == (3, 3 * weight)
    parses = _counted_parses(monkeypatch)
    named_keys(_one_file(9))
    assert parses == []


def _names(data: bytes, tree: ast.Module) -> tuple[str, ...]:
    return tuple(type(node).__name__ for node in tree.body)


def test_a_parse_failing_for_the_callers_stack_is_tried_again_on_the_next_reading(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A RecursionError (or MemoryError) of the parse is of that call's stack and memory, not of the bytes:
    the file is passed over that once and never kept as unreadable. Control: the next reading reads it."""
    real, failing = pyparse.parse_module, [RecursionError, MemoryError]

    def parse(source: bytes, filename: str = "<unknown>") -> ast.Module:
        if failing:
            raise failing.pop(0)()
        return real(source, filename)

    monkeypatch.setattr(pyparse, "parse_module", parse)
    files = {"mf.py": b"import numpy as np\nclass Linear: pass\n"}
    assert list(miniflow_source.readings(files, _names)) == []
    assert list(miniflow_source.readings(files, _names)) == []
    assert miniflow_source.held() == (0, 0)
    read = ("Import", "ClassDef")
    assert list(miniflow_source.readings(files, _names)) == [("mf.py", files["mf.py"], read)]


def test_a_readers_own_failure_reaches_its_caller_and_is_never_kept() -> None:
    """A reader raising (a SyntaxError or ValueError of its own, not the parse's) fails its caller, as it did
    before readings were kept: not a file passed over, and not kept (the next reading calls the reader
    again). Control: the reader's second call reads the file."""
    calls: list[int] = []

    def reader(data: bytes, tree: ast.Module) -> tuple[str, ...]:
        calls.append(1)
        if len(calls) == 1:
            raise ValueError("the reader's own")
        return _names(data, tree)

    files = {"mf.py": b"x = 1\n"}
    with pytest.raises(ValueError, match="the reader's own"):
        list(miniflow_source.readings(files, reader))
    assert miniflow_source.held() == (0, 0)
    assert list(miniflow_source.readings(files, reader)) == [("mf.py", files["mf.py"], ("Assign",))]
    assert len(calls) == 2


def test_a_reading_is_weighed_by_the_memory_it_holds_not_its_characters() -> None:
    """A 235 KB file of 24 nested keys quoting one literal of 60,000 emoji: its reading is 2.9 million
    characters but ~11 MiB (4 bytes a character), kept for the rest of the batch when weighed by characters
    under a bound of 4 Mi. Weighed by its memory it is over KEPT_BYTES: found, never kept."""
    key = "(" + '"' + "\U0001f600" * 60_000 + '"' + ",).name"
    for _ in range(MAX_FOUND - 1):
        key = f"(self.gradients[{key}],).name"
    assert len(named_keys({"mf.py": f"g.gradients[{key}] = 1\n".encode()})) == MAX_FOUND
    assert miniflow_source.held() == (0, 0)
