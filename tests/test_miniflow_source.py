"""The MiniFlow notes' readers read each distinct file once, from the walk the static scan keeps."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from grader import miniflow_source, pyparse
from grader.named_keys import named_keys
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
    assert [k.where for k in named_keys(files)] == ["mf.py line 6"]
    assert walks == []


def test_the_kept_readings_are_bounded_by_count_and_by_their_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """At most KEPT_FILES readings and KEPT_CHARS characters of quoted code, the oldest out first."""
    monkeypatch.setattr(miniflow_source, "KEPT_FILES", 3)
    for i in range(5):
        named_keys({"mf.py": BOTH + f"# {i}\n".encode()})
    assert miniflow_source.held()[0] == 3
    monkeypatch.setattr(miniflow_source, "KEPT_CHARS", 40)
    miniflow_source.clear()
    long_key = b"g.gradients[" + b"x" * 60 + b".name] = 1\n"
    assert named_keys({"mf.py": long_key})  # found, but its reading (over 40 characters) is never kept
    assert miniflow_source.held() == (0, 0)
    named_keys({"mf.py": b"g.gradients[a.name] = 1\n"})
    count, chars = miniflow_source.held()
    assert count == 1 and 0 < chars <= 40
