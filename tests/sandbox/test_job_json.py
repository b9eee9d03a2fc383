"""A job's harness part as JSON: the value `json.dumps` gives, the run's shared cases encoded once."""

from __future__ import annotations

import json

from grader.sandbox import job_json

VIEW = {"id": "linear-unit", "inputs": {"X": {"shape": [1], "data": [0.5]}}, "steps": [{"do": "apply"}]}


def test_the_text_reads_back_as_the_harness_part() -> None:
    """Whatever the shape: phases shared (a tuple), built by hand (a list), alone or after other keys."""
    shared = ({"name": "visible", "cases": (VIEW,)}, {"name": "hidden", "cases": (VIEW, VIEW)})
    for harness in (
        {"family": "miniflow", "load": {"modules": ["miniflow.py"]}, "phases": shared},
        {"phases": shared},
        {"family": "dezero", "phases": [{"name": "visible", "cases": [VIEW]}]},
        {"family": "layers"},
    ):
        assert json.loads(job_json.harness_json(harness)) == json.loads(json.dumps(harness))


def test_a_runs_shared_cases_are_encoded_once() -> None:
    """Two jobs of a run (one tuple of phases): the same text object, encoded once; an equal tuple of another
    run is encoded on its own (kept by identity, never by a content that may be another's)."""
    shared = ({"name": "visible", "cases": (VIEW,)},)
    first = job_json._phases_text(shared)
    assert job_json._phases_text(shared) is first
    other = ({"name": "visible", "cases": (dict(VIEW),)},)
    assert job_json._phases_text(other) is not first and job_json._phases_text(other) == first


def test_hand_built_phases_are_encoded_every_time() -> None:
    """Negative control: a list of phases (a job built by hand, which a test may extend after a first run) is
    never kept: its later content is what is sent."""
    phases = [{"name": "visible", "cases": [VIEW]}]
    harness = {"family": "miniflow", "phases": phases}
    before = json.loads(job_json.harness_json(harness))
    phases.append({"name": "hidden", "cases": [VIEW]})
    after = json.loads(job_json.harness_json(harness))
    assert [p["name"] for p in before["phases"]] == ["visible"]
    assert [p["name"] for p in after["phases"]] == ["visible", "hidden"]


def test_only_a_few_runs_are_kept() -> None:
    for _ in range(job_json.KEPT + 3):
        job_json._phases_text(({"name": "visible", "cases": (dict(VIEW),)},))
    assert len(job_json._encoded) <= job_json.KEPT
