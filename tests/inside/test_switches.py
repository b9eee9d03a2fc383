"""Module-level switches kept at load (grader/inside/switches.py)."""

from __future__ import annotations

from typing import Any

from grader.inside import switches
from grader.inside.remote import Session


class _NoNames:
    def get(self, name: str) -> Any:
        raise AssertionError(f"asked for {name!r} with no switch wanted")


def test_nothing_wanted_sends_nothing() -> None:
    """A family without switches (MiniFlow, DLFS) leaves the load's queued lookups queued: they go with the
    first case, which reports a student's error among them (sample harness_unanswered_lookup.py)."""
    sent: list[bytes] = []

    def transport(request: bytes) -> bytes | None:
        sent.append(request)
        return None

    session = Session(transport)
    queued = session.lookup("Add")
    assert switches.keep(session, _NoNames(), ()) == ()  # type: ignore[arg-type]
    assert sent == [] and not queued.answered
