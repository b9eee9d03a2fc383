"""The per-student seed on Gradescope (grader/gradescope_seed.py, `grader grade --seed-secret ...`).

A regrade re-runs the autograder on the same submission: its generated cases, and so its results.json, must
not change; two students must get different generated inputs; metadata that is missing or garbled falls
back to a random seed (with a warning in the log) instead of failing the run; the student's results never
show a seed made this way (the grader's public code would replay their hidden cases with it).
"""

from __future__ import annotations

import hmac
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from batch.students import MINIFLOW_BROKEN, grader, report

from grader.assignments import load_assignment
from grader.cases import cases_for_run
from grader.gradescope_seed import derive, read_secret, student_key, student_seed
from grader.schema import ConfigError

SECRET = b"course-secret-0123456789abcdef"
ALICE = {
    "id": 900001,
    "created_at": "2026-12-01T10:00:00.000000-08:00",
    "assignment": {"id": 25828, "title": "MiniFlow", "course_id": 1234},
    "submission_method": "upload",
    "users": [{"email": "alice@example.edu", "id": 1234, "name": "Alice"}],
    "previous_submissions": [],
}


def _metadata(tmp_path: Path, doc: Any, name: str = "submission_metadata.json") -> Path:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return path


def _with(**changes: Any) -> dict[str, Any]:
    return {**ALICE, **changes}


# ---------------------------------------------------------------- the derivation


def test_the_seed_is_an_hmac_of_the_assignment_and_users_under_the_secret(tmp_path: Path) -> None:
    """Oracle: HMAC-SHA256 computed here with the standard library, top 63 bits. Fields that change on a
    resubmission (submission id, time, previous submissions) leave it as it was."""
    key = "assignment=25828;users=1234"
    mac = hmac.new(SECRET, b"backprop-grader per-student seed v1\0" + key.encode(), "sha256")
    want = int.from_bytes(mac.digest()[:8], "big") >> 1
    assert student_key(ALICE) == key
    assert student_seed(_metadata(tmp_path, ALICE), SECRET).seed == want
    later = _with(id=900002, created_at="2026-12-02T09:00:00-08:00", previous_submissions=[{"score": 3.0}])
    assert student_seed(_metadata(tmp_path, later), SECRET).seed == want
    assert 0 <= want < 2**63


def test_students_assignments_and_secrets_each_change_the_seed() -> None:
    """Another student, another assignment, another course secret: another seed. A group's order does not
    matter (Gradescope may list its members in any order)."""
    bob = _with(users=[{"id": 5678, "name": "Bob"}])
    other_assignment = _with(assignment={"id": 25829})
    seeds = {
        derive(SECRET, str(student_key(ALICE))),
        derive(SECRET, str(student_key(bob))),
        derive(SECRET, str(student_key(other_assignment))),
        derive(b"another-course-secret-xxxxxxxx", str(student_key(ALICE))),
    }
    assert len(seeds) == 4
    group = _with(users=[{"id": 1234}, {"id": 5678}])
    swapped = _with(users=[{"id": 5678}, {"id": "1234"}])
    assert student_key(group) == student_key(swapped) == "assignment=25828;users=1234,5678"


def test_two_students_get_different_generated_inputs() -> None:
    """The seeds of two students draw different inputs for every generated case of the assignment."""
    assignment = load_assignment("miniflow")
    bob = _with(users=[{"id": 5678}])
    runs = [
        cases_for_run(assignment, derive(SECRET, str(student_key(who))), include=("hidden",))
        for who in (ALICE, bob)
    ]
    generated = [[c for c in run if c.generated] for run in runs]
    assert generated[0] and [c.id for c in generated[0]] == [c.id for c in generated[1]]
    for a, b in zip(*generated, strict=True):
        assert a.inputs.keys() == b.inputs.keys()
        assert any(not np.array_equal(a.inputs[k], b.inputs[k]) for k in a.inputs), a.id


@pytest.mark.parametrize(
    "doc",
    [
        "",
        "{not json",
        "\udcff",
        "[]",
        "null",
        {},
        _with(users=[]),
        _with(users=[{"name": "no id"}]),
        _with(users=[{"id": True}]),
        _with(users=[{"id": "12,34"}]),
        # a lone surrogate JSON can spell (`"\\ud800"`) but UTF-8 cannot encode: HMAC raised
        # UnicodeEncodeError and the run ended as the autograder's failure
        '{"assignment": {"id": "\\ud800"}, "users": [{"id": 5}]}',
        '{"assignment": {"id": 7}, "users": [{"id": "a\\udfff"}]}',
        _with(users="1234"),
        _with(assignment=None),
        _with(assignment={"id": None}),
        "[" * 100_000,
        '{"assignment": {"id": 1}, "users": [{"id": "\\udcff"}]}',  # an id no UTF-8 holds: was a crash
    ],
    ids=lambda d: repr(d)[:30],
)
def test_garbled_metadata_falls_back_and_says_why(tmp_path: Path, doc: Any) -> None:
    """No seed (the caller draws a random one) and a reason naming the file: never an exception."""
    path = tmp_path / "submission_metadata.json"
    path.write_bytes(
        doc.encode("utf-8", "surrogateescape") if isinstance(doc, str) else json.dumps(doc).encode()
    )
    chosen = student_seed(path, SECRET)
    assert chosen.seed is None and str(path) in chosen.source


def test_missing_metadata_falls_back(tmp_path: Path) -> None:
    chosen = student_seed(tmp_path / "absent.json", SECRET)
    assert chosen.seed is None and "cannot be read" in chosen.source


def test_a_short_or_missing_secret_is_refused(tmp_path: Path) -> None:
    """The secret is what makes the seed unguessable: a few characters, or none, is a configuration error."""
    short = tmp_path / "short"
    short.write_text("abc\n", encoding="utf-8")
    for path in (short, tmp_path / "absent"):
        with pytest.raises(ConfigError, match="seed secret"):
            read_secret(path)
    good = tmp_path / "good"
    good.write_text("  " + SECRET.decode() + "\n", encoding="utf-8")
    assert read_secret(good) == SECRET  # surrounding whitespace is not part of it


# ---------------------------------------------------------------- `grader grade`, as run_autograder runs it


def _grade(tmp_path: Path, out: str, metadata: Path, *extra: str, env: dict[str, str] | None = None) -> Path:
    secret = tmp_path / "seed_secret"
    secret.write_bytes(SECRET + b"\n")
    sub = tmp_path / "eve.py"
    sub.write_text(MINIFLOW_BROKEN["mse_sign_flipped"], encoding="utf-8")
    args = ["grade", "miniflow", str(sub), "--format", "gradescope", "--out", str(tmp_path / out)]
    args.append("--staff-view")  # as run_autograder passes it: Gradescope's log is staff's
    done = grader(
        *args, "--seed-secret", str(secret), "--submission-metadata", str(metadata), *extra, env=env
    )
    assert done.returncode == 0, done.stderr
    (tmp_path / out / "log").write_text(done.stdout + done.stderr, encoding="utf-8")
    return tmp_path / out


def _results(out: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((out / "results.json").read_text(encoding="utf-8"))
    return doc


@pytest.mark.slow
def test_a_regrade_gives_the_same_results_json_and_another_student_other_cases(tmp_path: Path) -> None:
    """Graded twice with the same metadata: byte-identical results.json (no execution_time: hidden cases
    ran) and the same seed in the staff report; a second student: another seed. The student's results
    show no seed (summary or extra_data); the log, which is staff's, says where it came from."""
    metadata = _metadata(tmp_path, ALICE)
    first, again = _grade(tmp_path, "first", metadata), _grade(tmp_path, "again", metadata)
    assert (first / "results.json").read_bytes() == (again / "results.json").read_bytes()
    seed = report(first)["seed"]
    assert seed == report(again)["seed"] == derive(SECRET, "assignment=25828;users=1234")
    assert report(first)["seed_private"] is True
    bob = _grade(tmp_path, "bob", _metadata(tmp_path, _with(users=[{"id": 5678}]), "bob.json"))
    assert report(bob)["seed"] != seed
    results = _results(first)
    assert str(seed) not in json.dumps(results)
    assert results["extra_data"]["seed"] is None
    assert "a regrade draws the same ones" in results["output"]
    assert f"seed {seed}: per student" in (first / "log").read_text(encoding="utf-8")
    # without --staff-view (a log a student may read) the seed, which replays the hidden cases, is not said
    quiet = grader(
        "grade", "miniflow", str(tmp_path / "eve.py"), "--out", str(tmp_path / "quiet"), "--seed-secret",
        str(tmp_path / "seed_secret"), "--submission-metadata", str(metadata),
    )  # fmt: skip
    assert quiet.returncode == 0 and report(tmp_path / "quiet")["seed"] == seed, quiet.stderr
    assert str(seed) not in quiet.stdout + quiet.stderr and "seed: per student" in quiet.stderr


@pytest.mark.slow
def test_garbled_metadata_is_graded_with_a_random_seed_and_a_warning(tmp_path: Path) -> None:
    """Not a crash: graded (exit 0) with a random seed, shown as before; the log warns staff."""
    out = _grade(tmp_path, "out", _metadata(tmp_path, "{garbled"))
    assert "WARNING: random seed, not regrade-stable" in (out / "log").read_text(encoding="utf-8")
    doc = report(out)
    assert "seed_private" not in doc and isinstance(doc["seed"], int)
    assert f"Seed: `{doc['seed']}`" in _results(out)["output"]


@pytest.mark.slow
def test_a_given_seed_wins_over_the_per_student_one(tmp_path: Path) -> None:
    """GRADER_SEED (or --seed) replays a run exactly, as documented: the per-student seed steps aside."""
    out = _grade(tmp_path, "out", _metadata(tmp_path, ALICE), env={"GRADER_SEED": "7"})
    assert report(out)["seed"] == 7 and "seed_private" not in report(out)


def test_the_secret_and_the_metadata_go_together(tmp_path: Path) -> None:
    """One without the other is a usage error (exit 2), as is a secret too short to keep the seed secret."""
    sub = tmp_path / "a.py"
    sub.write_text("x = 1\n", encoding="utf-8")
    done = grader("grade", "miniflow", str(sub), "--out", str(tmp_path / "o"), "--submission-metadata", "m")
    assert done.returncode == 2 and "--seed-secret" in done.stderr
    short = tmp_path / "s"
    short.write_text("abc", encoding="utf-8")
    args = ("--seed-secret", str(short), "--submission-metadata", "m")
    done = grader("grade", "miniflow", str(sub), "--out", str(tmp_path / "o"), *args)
    assert done.returncode == 2 and "seed secret" in done.stderr
