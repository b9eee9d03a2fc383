"""The tests' own calibration (tests/calibration.py): a hang guard stretched under load, never for hours."""

from __future__ import annotations

import calibration
import pytest


@pytest.mark.parametrize(("share", "guard"), [(1.0, 300.0), (0.5, 600.0), (0.25, 1200.0), (0.05, 1200.0)])
def test_a_hang_guard_stretches_with_the_load_up_to_its_cap(
    monkeypatch: pytest.MonkeyPatch, share: float, guard: float
) -> None:
    """The samples test's 300 s guard: 300 s at a whole CPU, twice that at half a CPU, and at most 20 minutes
    however little the machine gives (MIN_SHARE, a thrashing machine: it was 6000 s)."""
    monkeypatch.setattr(calibration, "cpu_share", lambda seconds=0.5: share)
    assert calibration.hang_guard(300) == pytest.approx(guard)


def test_without_the_cap_the_least_share_stretches_the_guard_for_hours(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Control: with the cap lifted (the scaling as it was), the least share stretches the 300 s guard to
    6000 s, which the test above refuses."""
    monkeypatch.setattr(calibration, "cpu_share", lambda seconds=0.5: calibration.MIN_SHARE)
    monkeypatch.setattr(calibration, "MAX_HANG_STRETCH", float("inf"))
    assert calibration.hang_guard(300) == pytest.approx(6000)


def test_the_share_is_measured_within_its_bounds() -> None:
    """A real measurement: between the floor and a whole CPU."""
    assert calibration.MIN_SHARE <= calibration.cpu_share(0.1) <= 1.0
