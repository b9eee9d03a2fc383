"""The built wheel, installed in a fresh venv, works anywhere with no variable set (issue 12, packaging)."""

from __future__ import annotations

import fnmatch
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from install_helpers import REPO, ok, run, venv_env

from grader.sandbox import probe_bwrap

pytestmark = pytest.mark.slow
SAMPLES = REPO / "submissions" / "miniflow"


def _files_under(root: Path, patterns: tuple[str, ...]) -> set[str]:
    return {
        p.relative_to(root).as_posix()
        for pattern in patterns
        for p in root.glob(pattern)
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_the_wheel_carries_every_module_fixture_support_file_and_schema(wheel: Path) -> None:
    """Every .py of grader/ and reference/ (grader/inside included), every manifest, source, case and
    support file of fixtures/ (under grader/fixtures/) and every schema is in the wheel."""
    names = set(zipfile.ZipFile(wheel).namelist())
    wanted = _files_under(REPO, ("grader/**/*.py", "reference/**/*.py", "grader/schemas/*.json"))
    wanted |= {f"grader/fixtures/{rel}" for rel in _files_under(REPO / "fixtures", ("**/*",))}
    assert any(n.startswith("grader/fixtures/dlfs-layers/support/common/") for n in wanted)
    assert wanted - names == set()


def test_grader_assignments_from_the_wheel_outside_the_checkout(wheel_venv: Path, tmp_path: Path) -> None:
    """From a folder outside the checkout, with no GRADER_FIXTURES, the installed grader (not this
    checkout's) lists the three shipped assignments with the points their manifests add up to at their
    default stages (each stage's patterns and `extends` chain followed here with fnmatch)."""
    env = venv_env(wheel_venv)
    where = ok(run(["python", "-c", "import grader; print(grader.__file__)"], tmp_path, env)).stdout
    assert Path(where.strip()).is_relative_to(wheel_venv)
    done = ok(run(["grader", "assignments"], tmp_path, env))
    table = done.stdout.split("\n\n")[0]  # each assignment's stages follow, after a blank line
    rows = {line.split()[0]: line.split() for line in table.splitlines()[1:]}
    for ident in ("miniflow", "dezero", "dlfs-layers"):
        manifest = json.loads((REPO / "fixtures" / ident / "manifest.json").read_text(encoding="utf-8"))
        stages = {s["name"]: s for s in manifest["stages"]}
        patterns, name = [], manifest["default_stage"]
        while name:
            patterns += stages[name]["cases"]
            name = stages[name].get("extends")

        def staged(case_id: str, patterns: list[str] = patterns) -> bool:
            return any(fnmatch.fnmatchcase(case_id, p) for p in patterns)

        points = sum(c["points"] for c in manifest["cases"] if staged(c["fixture"]))
        points += sum(g["points"] * g["count"] for g in manifest["generated"] if staged(g["id"]))
        assert float(rows[ident][4]) == points, ident


def test_grader_check_from_the_wheel_runs_the_sandbox_from_the_installed_package(
    wheel_venv: Path, tmp_path: Path
) -> None:
    """`grader check` passes the course's correct file and fails a buggy one (exit 1, naming
    Sigmoid.backward); the sandbox mounts grader/inside from the venv, under bwrap where bwrap works."""
    env = venv_env(wheel_venv)
    inside = ok(
        run(
            [
                "python",
                "-c",
                "from grader.sandbox.layout import host_layout; print(host_layout().inside_dir)",
            ],
            tmp_path,
            env,
        )
    ).stdout.strip()
    assert Path(inside).is_relative_to(wheel_venv)
    shutil.copyfile(SAMPLES / "correct.py", tmp_path / "miniflow.py")
    good = ok(run(["grader", "check", "miniflow.py"], tmp_path, env))
    assert "all visible cases pass" in good.stdout
    if probe_bwrap().usable:
        # check draws no generated case, so its last line names the isolation without a seed
        assert "isolation bwrap" in good.stdout.splitlines()
    shutil.copyfile(SAMPLES / "sigmoid_from_input.py", tmp_path / "miniflow.py")
    bad = run(["grader", "check", "miniflow.py"], tmp_path, env)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "Sigmoid.backward" in bad.stdout


def test_grader_fixtures_overrides_the_packaged_copy(wheel_venv: Path, tmp_path: Path) -> None:
    """GRADER_FIXTURES names another fixtures folder, and the installed grader reads that one instead."""
    mine = shutil.copytree(REPO / "fixtures", tmp_path / "mine")
    manifest = mine / "miniflow" / "manifest.json"
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace('"title": "MiniFlow', '"title": "Our MiniFlow'),
        encoding="utf-8",
    )
    done = ok(run(["grader", "assignments"], tmp_path, venv_env(wheel_venv, {"GRADER_FIXTURES": str(mine)})))
    assert "Our MiniFlow" in done.stdout
    assert "Our MiniFlow" not in ok(run(["grader", "assignments"], tmp_path, venv_env(wheel_venv))).stdout


def test_checkout_only_commands_say_so_from_the_wheel(wheel_venv: Path, tmp_path: Path) -> None:
    """`grader samples` (the samples ship with a checkout) and `grader fixtures build` (it would rewrite
    the installed package) exit 2 with the reason, and the packaged fixtures are left untouched."""
    env = venv_env(wheel_venv)
    packaged = next(wheel_venv.glob("lib/python*/site-packages/grader/fixtures"))
    before = {p: p.read_bytes() for p in packaged.rglob("*") if p.is_file()}
    samples = run(["grader", "samples", "--out", str(tmp_path / "o")], tmp_path, env)
    assert samples.returncode == 2, samples.stdout + samples.stderr
    assert "ship with a source checkout" in samples.stderr
    build = run(["grader", "fixtures", "build", "miniflow"], tmp_path, env)
    assert build.returncode == 2, build.stdout + build.stderr
    assert "installed package's copy" in build.stderr
    assert {p: p.read_bytes() for p in packaged.rglob("*") if p.is_file()} == before
