"""`grader gradescope-kit`: the zip's layout, and the kit end to end in a folder laid out like /autograder.

End to end: the kit is unzipped into AG/source, `run_autograder` copied to AG/run_autograder (as Gradescope
does), a student's file put in AG/submission; `setup.sh` then runs as root (a fresh venv from the shipped
wheel, numpy and jsonschema from the package registry) and `run_autograder` runs as root with bubblewrap
unavailable: in a private mount namespace where /usr/bin/bwrap is /dev/null (not executable), so the grader's
`auto` isolation finds no bubblewrap and falls back to rlimits exactly as on Gradescope's image, which has no
bubblewrap; nothing outside that namespace changes. Where the namespace cannot be made, GRADER_ISOLATION=
rlimits forces the same fallback. results.json is validated against Gradescope's documented fields
(FACTS.md section 6).
"""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from batch.students import max_points
from install_helpers import clean_env

from grader.gradescope_kit import run_autograder_script

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "submissions" / "miniflow"
FORMATS = ["text", "html", "simple_format", "md", "ansi"]
VISIBILITIES = ["visible", "hidden", "after_due_date", "after_published"]

# Gradescope's documented results.json fields (FACTS.md section 6), and nothing else.
GRADESCOPE_TEST = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "score": {"type": "number"},
        "max_score": {"type": "number"},
        "status": {"enum": ["passed", "failed"]},
        "name": {"type": "string"},
        "name_format": {"enum": FORMATS},
        "number": {"type": "string"},
        "output": {"type": "string"},
        "output_format": {"enum": FORMATS},
        "tags": {"type": "array", "items": {"type": "string"}},
        "visibility": {"enum": VISIBILITIES},
        "extra_data": {"type": "object"},
    },
}
GRADESCOPE_RESULTS = {
    "type": "object",
    "additionalProperties": False,
    "anyOf": [{"required": ["score"]}, {"required": ["tests"]}],
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "number"},
        "output": {"type": "string"},
        "output_format": {"enum": FORMATS},
        "test_output_format": {"enum": FORMATS},
        "test_name_format": {"enum": FORMATS},
        "visibility": {"enum": VISIBILITIES},
        "stdout_visibility": {"enum": VISIBILITIES},
        "extra_data": {"type": "object"},
        "tests": {"type": "array", "items": GRADESCOPE_TEST},
        "leaderboard": {"type": "array"},
    },
}


def _grader(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = clean_env({"PYTHONPATH": str(REPO)})  # this checkout's grader builds the kit
    return subprocess.run(
        [sys.executable, "-m", "grader", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900
    )


def _kit(tmp_path: Path, *args: str) -> Path:
    done = _grader("gradescope-kit", *args, "--out", str(tmp_path / "autograder.zip"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return tmp_path / "autograder.zip"


def _fake_wheel(tmp_path: Path) -> Path:
    wheel = tmp_path / "backprop_grader-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("grader/__init__.py", "")
    return wheel


def test_the_zip_has_both_scripts_executable_at_its_root_and_one_wheel(tmp_path: Path) -> None:
    """setup.sh and run_autograder at the root (where Gradescope looks), mode 0755, plus the given wheel;
    run_autograder grades the named assignment with --format gradescope into results/."""
    kit = _kit(tmp_path, "dezero", "--wheel", str(_fake_wheel(tmp_path)))
    with zipfile.ZipFile(kit) as zf:
        infos = {i.filename: i for i in zf.infolist()}
        wheel = "backprop_grader-0.1.0-py3-none-any.whl"
        assert set(infos) == {"setup.sh", "run_autograder", wheel, "seed_secret"}
        for script in ("setup.sh", "run_autograder"):
            assert stat.S_IMODE(infos[script].external_attr >> 16) == 0o755
        run = zf.read("run_autograder").decode()
    assert "ASSIGNMENT=dezero\n" in run and "STAGE=''\n" in run
    assert '--format gradescope --out "$RESULTS"' in run


def test_the_kit_ships_a_private_course_secret_kept_next_to_the_zip(tmp_path: Path) -> None:
    """The per-student seeds' secret: made next to the zip (mode 0600) the first time, shipped as
    seed_secret (mode 0600), reused by the next build there (regrades after a rebuild keep their cases);
    --seed-secret ships a given one; run_autograder passes it with the submission's metadata."""
    wheel = str(_fake_wheel(tmp_path))
    kit = _kit(tmp_path, "dezero", "--wheel", wheel)
    kept = tmp_path / "autograder.seed-secret"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600 and len(kept.read_text().strip()) == 64
    with zipfile.ZipFile(kit) as zf:
        assert stat.S_IMODE(zf.getinfo("seed_secret").external_attr >> 16) == 0o600
        assert zf.read("seed_secret") == kept.read_bytes()
        run, setup = zf.read("run_autograder").decode(), zf.read("setup.sh").decode()
    assert '--seed-secret "$SECRET" --submission-metadata "$ROOT/submission_metadata.json"' in run
    assert 'chmod 600 "$SOURCE/seed_secret"' in setup
    first = kept.read_bytes()
    with zipfile.ZipFile(_kit(tmp_path, "dezero", "--wheel", wheel)) as zf:
        assert zf.read("seed_secret") == first  # rebuilt: the same secret
    given = tmp_path / "course.secret"
    given.write_text("my-course-secret-of-enough-length\n", encoding="utf-8")
    with zipfile.ZipFile(_kit(tmp_path, "dezero", "--wheel", wheel, "--seed-secret", str(given))) as zf:
        assert zf.read("seed_secret") == b"my-course-secret-of-enough-length\n"
    given.write_text("short", encoding="utf-8")
    done = _grader("gradescope-kit", "dezero", "--wheel", wheel, "--seed-secret", str(given), cwd=tmp_path)
    assert done.returncode == 2 and "seed secret" in done.stderr


def test_the_kit_says_how_many_points_to_give_the_assignment(tmp_path: Path) -> None:
    """Gradescope shows the score out of the assignment's points, which the instructor types: the kit says
    the graded stage's full marks (summed from the manifest by the tests' own oracle), and with --stage
    that stage's."""
    from batch.students import max_points

    wheel = str(_fake_wheel(tmp_path))
    done = _grader(
        "gradescope-kit", "miniflow", "--wheel", wheel, "--out", str(tmp_path / "a.zip"), cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert f"programming assignment worth {max_points('miniflow'):g} points (stage sgd;" in done.stdout
    staged = (
        "gradescope-kit",
        "miniflow",
        "--stage",
        "linear",
        "--wheel",
        wheel,
        "--out",
        str(tmp_path / "b.zip"),
    )
    done = _grader(*staged, cwd=tmp_path)
    assert f"worth {max_points('miniflow', 'linear'):g} points (stage linear;" in done.stdout
    # linear's optional classes carry points: the kit says how a student leaving them out is counted
    assert "counted against this total scaled from the points of the tests that ran" in done.stdout
    whole = _grader(*staged[:2], "--wheel", wheel, "--out", str(tmp_path / "c.zip"), cwd=tmp_path)
    assert "scaled from" not in whole.stdout  # control: sgd has no optional class with points


def test_the_dlfs_advanced_kit_is_worth_what_it_was_before_multi_layer_net(tmp_path: Path) -> None:
    """Review of s22-adv, finding 3: MultiLayerNet optional with points at the default made every kit
    "worth 71 points" with a note on scaled totals; as feedback (0 points, as the optimizers) the default is
    the 61 points of docs/STAGES.md, with no optional class with points, so no note."""
    wheel = str(_fake_wheel(tmp_path))
    done = _grader(
        "gradescope-kit", "dlfs-advanced", "--wheel", wheel, "--out", str(tmp_path / "a.zip"), cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "programming assignment worth 61 points (stage default;" in done.stdout
    assert "scaled from" not in done.stdout


def test_an_unknown_stage_writes_no_kit_and_no_secret(tmp_path: Path) -> None:
    """The stage is checked before anything is written: the kit and a new course secret were left on disk,
    then the command failed on the stage (review of session 18)."""
    wheel = str(_fake_wheel(tmp_path))
    out = tmp_path / "k.zip"
    done = _grader(
        "gradescope-kit", "miniflow", "--stage", "bogus", "--wheel", wheel, "--out", str(out), cwd=tmp_path
    )
    assert done.returncode == 2 and "unknown stage 'bogus'" in done.stderr, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [Path(wheel).name]


def test_the_stage_is_passed_through_quoted() -> None:
    """--stage S becomes `grade --stage S`; a stage with shell characters stays one quoted word."""
    script = run_autograder_script("dezero", "step 16; rm -rf /")
    assert "STAGE='step 16; rm -rf /'\n" in script
    assert 'args+=(--stage "$STAGE")' in script
    assert "STAGE=''\n" in run_autograder_script("dezero", None)  # control: no stage, no --stage


def test_an_unknown_assignment_or_a_wrong_wheel_is_a_usage_error(tmp_path: Path) -> None:
    """Exit 2 before anything is written: an assignment id that does not exist, a --wheel that is no wheel."""
    done = _grader("gradescope-kit", "no-such", "--out", str(tmp_path / "k.zip"), cwd=tmp_path)
    assert done.returncode == 2 and "no-such" in done.stderr
    (tmp_path / "x.txt").write_text("", encoding="utf-8")
    done = _grader("gradescope-kit", "dezero", "--wheel", str(tmp_path / "x.txt"), cwd=tmp_path)
    assert done.returncode == 2 and "is not a backprop_grader-*.whl" in done.stderr
    assert not (tmp_path / "k.zip").exists() and not (tmp_path / "autograder.zip").exists()


# ---------------------------------------------------------------- end to end


# The tests that run the kit share one worker (tox.ini: --dist loadgroup), so setup.sh (a venv, pip: ~20 s)
# runs once; split over two workers, each made its own AG.
ONE_AG = pytest.mark.xdist_group("gradescope-kit")


@pytest.fixture(scope="module")
def autograder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """AG laid out like /autograder with the kit unzipped into AG/source and setup.sh run. AG is made
    world-traversable, as /autograder is: the rlimits sandbox runs the student as uid 65534, which must reach
    the venv's Python (pytest's own temporary root is private to root)."""
    build = tmp_path_factory.mktemp("kit")
    kit = _kit(build, "miniflow")
    ag = Path(tempfile.mkdtemp(prefix="autograder-", dir="/tmp"))
    try:
        ag.chmod(0o755)
        source = ag / "source"
        with zipfile.ZipFile(kit) as zf:
            zf.extractall(source)
            for info in zf.infolist():  # zipfile drops modes; Gradescope's unzip keeps them
                (source / info.filename).chmod(stat.S_IMODE(info.external_attr >> 16))
        shutil.copy2(source / "run_autograder", ag / "run_autograder")
        (ag / "results").mkdir()
        setup = subprocess.run(
            ["./setup.sh"], cwd=source, env=clean_env(), capture_output=True, text=True, timeout=1200
        )
        assert setup.returncode == 0, setup.stdout + setup.stderr
        assert "miniflow" in setup.stdout  # `grader assignments` from the installed wheel
        yield ag
    finally:
        shutil.rmtree(ag, ignore_errors=True)


def _without_bwrap() -> tuple[list[str], dict[str, str]]:
    """The prefix and environment that make bubblewrap unavailable to the command (see the module doc)."""
    hide = ["unshare", "--mount", "--propagation", "private", "sh", "-c"]
    probe = subprocess.run(
        [*hide, "mount --bind /dev/null /usr/bin/bwrap && ! test -x /usr/bin/bwrap"], capture_output=True
    )
    if probe.returncode == 0:
        return [*hide, 'mount --bind /dev/null /usr/bin/bwrap && exec "$0"'], {}
    return [], {"GRADER_ISOLATION": "rlimits"}


def _run_autograder(
    ag: Path, submission: dict[str, str] | None, metadata: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Run AG/run_autograder on these samples (name in the submission: sample file, or a Path to copy),
    with this submission_metadata.json (none when None)."""
    shutil.rmtree(ag / "submission", ignore_errors=True)
    shutil.rmtree(ag / "results")
    (ag / "results").mkdir()
    (ag / "submission_metadata.json").unlink(missing_ok=True)
    if metadata is not None:
        (ag / "submission_metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    if submission is not None:
        (ag / "submission").mkdir()
        for name, sample in submission.items():
            shutil.copy2(SAMPLES / sample, ag / "submission" / name)
    prefix, extra = _without_bwrap()
    done = subprocess.run(
        [*prefix, str(ag / "run_autograder")],
        cwd=ag,
        env=clean_env(extra),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    results: dict[str, Any] = json.loads((ag / "results" / "results.json").read_text(encoding="utf-8"))
    jsonschema.validate(results, GRADESCOPE_RESULTS)
    return results


@pytest.mark.slow
@ONE_AG
def test_the_kit_grades_a_correct_submission_with_full_marks(autograder: Path) -> None:
    """The course's correct MiniFlow file gets the manifest's full marks in a valid results.json; the run
    used the rlimits fallback as root, dropped to uid 65534 (report.json says so), as on Gradescope."""
    results = _run_autograder(autograder, {"miniflow.py": "correct.py"})
    assert sum(t["score"] for t in results["tests"]) == pytest.approx(max_points("miniflow"))
    assert all(t["status"] == "passed" for t in results["tests"])
    report = json.loads((autograder / "results" / "report.json").read_text(encoding="utf-8"))
    assert report["isolation"] == "rlimits-root-dropped"  # docs/SANDBOX.md: root drops to uid 65534


@pytest.mark.slow
@ONE_AG
def test_a_grader_failure_still_gives_the_student_a_result(autograder: Path) -> None:
    """No /autograder/submission at all (the grader exits 2): results.json still says score 0 and why."""
    results = _run_autograder(autograder, None)
    assert results["score"] == 0 and "could not grade this submission" in results["output"]


def test_the_fallback_result_keeps_the_log_from_students(tmp_path: Path) -> None:
    """When the grader itself fails, run_autograder writes its own results.json from the log; that log
    (the autograder's stdout: a traceback, paths, the grader's internals) is for staff, as the message to the
    student says, so the fallback says `stdout_visibility: hidden` as the grader's own results do, rather
    than leave it to Gradescope's setting. It is valid results.json and run_autograder exits 0. A stand-in
    grader (exit 1, a traceback) replaces the installed one: no setup.sh needed."""
    root = tmp_path / "autograder"
    bin_dir = root / "grader-venv" / "bin"
    bin_dir.mkdir(parents=True)
    (root / "submission").mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    fake = bin_dir / "grader"
    fake.write_text("#!/bin/sh\necho 'Traceback (most recent call last): internal'\nexit 1\n")
    fake.chmod(0o755)
    script = root / "run_autograder"
    script.write_text(run_autograder_script("miniflow", None))
    script.chmod(0o755)
    done = subprocess.run([str(script)], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "Traceback (most recent call last): internal" in done.stdout  # the log, for staff
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    jsonschema.validate(results, GRADESCOPE_RESULTS)
    assert results["score"] == 0 and "grader exit 1" in results["output"]
    assert results["stdout_visibility"] == "hidden" and "Traceback" not in results["output"]


def _metadata(user: int) -> dict[str, Any]:
    """Gradescope's submission_metadata.json, the fields its documentation shows."""
    return {
        "id": 700000 + user,
        "created_at": "2026-12-01T10:00:00.000000-08:00",
        "assignment": {"id": 25828, "title": "MiniFlow", "due_date": "2026-12-10T23:59:00-08:00"},
        "submission_method": "upload",
        "users": [{"email": f"s{user}@example.edu", "id": user, "name": f"Student {user}"}],
        "previous_submissions": [],
    }


@pytest.mark.slow
@ONE_AG
def test_the_kit_marks_a_broken_file_down_and_a_regrade_gives_the_same_results(autograder: Path) -> None:
    """The negative control of the full marks above: the sign-flipped MSE sample loses points and has failed
    tests, results.json valid. run_autograder twice for that student (a regrade): byte-identical
    results.json, and the same seed in report.json, made from the student's ids; another student: another
    seed. The student's results carry no seed. The course secret is root's alone after setup.sh (mode
    0600). (One test: each run of the kit is a grading in its venv, seconds of CI.)"""
    secret = autograder / "source" / "seed_secret"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600 and secret.stat().st_uid == 0
    runs = []
    for user in (1234, 1234, 5678):
        results = _run_autograder(autograder, {"miniflow.py": "mse_sign_flipped.py"}, _metadata(user))
        assert sum(t["score"] for t in results["tests"]) < max_points("miniflow")
        assert any(t["status"] == "failed" for t in results["tests"])
        report = json.loads((autograder / "results" / "report.json").read_text(encoding="utf-8"))
        runs.append((json.dumps(results, sort_keys=True), report["seed"]))
        assert report["seed_private"] is True and str(report["seed"]) not in runs[-1][0]
    assert runs[0] == runs[1]
    assert runs[2][1] != runs[0][1]


@pytest.mark.slow
@ONE_AG
def test_the_students_code_cannot_read_the_course_secret(autograder: Path, tmp_path: Path) -> None:
    """A submission whose Linear.forward raises an error holding what it could read of the secret and of
    the metadata: the messages the student sees hold neither the secret nor the file's content."""
    source = (SAMPLES / "correct.py").read_text(encoding="utf-8")
    peek = (
        "def _peek(path):\n"
        "    try:\n"
        "        return open(path).read()[:80]\n"
        "    except Exception as err:\n"
        "        return type(err).__name__\n"
        "LEAK = _peek('" + str(autograder / "source" / "seed_secret") + "')\n"
    )
    head, linear = source.split("class Linear(Node):", 1)
    raising = "    def forward(self):\n        raise RuntimeError('LEAK:' + LEAK)"
    hostile = peek + head + "class Linear(Node):" + linear.replace("    def forward(self):", raising, 1)
    sample = tmp_path / "hostile.py"
    sample.write_text(hostile, encoding="utf-8")
    results = _run_autograder(autograder, {"miniflow.py": str(sample)}, _metadata(1234))
    text = json.dumps(results)
    secret = (autograder / "source" / "seed_secret").read_text(encoding="utf-8").strip()
    assert "LEAK:" in text  # control: the error reached the student's results
    assert secret not in text and secret[:16] not in text
