"""An assignment's own ops module, end to end (docs/EXTENDING.md): the Tanh example outside the repository,
built and verified by the three oracles, then a correct and a buggy student file graded in the sandbox."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader import fixtures_tool as ft
from grader.assignments import load_assignment
from grader.cases import cases_for_run
from grader.pipeline import RunPlan, build_job, grade_paths
from grader.reports import validate
from grader.reports.views import as_dict
from grader.sandbox import SandboxPool, probe_bwrap
from grader.schema import ConfigError

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "docs" / "examples" / "tanh"
SEED = 14
ISOLATIONS = [
    "rlimits",
    pytest.param(
        "bwrap",
        marks=pytest.mark.skipif(not probe_bwrap().usable, reason=f"bwrap unusable: {probe_bwrap().reason}"),
    ),
]
HINT = "Tanh.backward uses the input x (1 - x**2)"


def _outside(tmp_path: Path, family: str) -> Path:
    """The example's assignment folder copied outside the repository, its ops module beside the manifest."""
    root = tmp_path / f"tanh-{family}"
    shutil.copytree(EXAMPLE / family, root)
    shutil.copy(EXAMPLE / "ops.py", root / "ops.py")
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("extension")
    roots = {family: _outside(tmp, family) for family in ("miniflow", "layers")}
    for root in roots.values():
        result = ft.build(root)
        assert result.ok, result.summary()
    return roots


def _students(tmp: Path) -> dict[str, dict[str, Path]]:
    """Student files per family: MiniFlow's is the course file with the student's Tanh appended."""
    course = (REPO / "submissions" / "miniflow" / "correct.py").read_text()
    out: dict[str, dict[str, Path]] = {"miniflow": {}, "layers": {}}
    for name in ("miniflow_tanh", "miniflow_tanh_from_input"):
        path = tmp / f"{name}.py"
        path.write_text(course + (EXAMPLE / "students" / f"{name}.py").read_text())
        out["miniflow"][name] = path
    for name in ("layers_correct", "layers_tanh_from_input"):
        out["layers"][name] = EXAMPLE / "students" / f"{name}.py"
    return out


@pytest.mark.torch
def test_build_proves_every_record_by_the_three_oracles(built: dict[str, Path]) -> None:
    """Each input gradient of the example is proven by reference, torch and finite differences."""
    for family, root in built.items():
        for case in ("tanh-unit", "tanh-graph"):
            stored = json.loads((root / "cases" / f"{case}.json").read_text())
            for key, oracles in stored["provenance"].items():
                want = ["reference", "torch"] if key in ("value", "out", "cost", "loss") else None
                assert oracles == (want or ["reference", "torch", "finite-difference"]), (family, case, key)


@pytest.mark.torch
def test_verify_passes_and_catches_a_wrong_stored_value(built: dict[str, Path], tmp_path: Path) -> None:
    """Verify agrees on the built example; one element changed in a copy is reported."""
    for root in built.values():
        assert ft.verify(root).ok
    copy = tmp_path / "copy"
    shutil.copytree(built["layers"], copy)
    path = copy / "cases" / "tanh-unit.json"
    data = json.loads(path.read_text())
    data["expected"]["dx"]["data"][0] += 1e-3
    path.write_text(json.dumps(data))
    bad = ft.verify(copy).disagreements()
    assert [(d.case, d.key, d.index) for d in bad] == [("tanh-unit", "dx", (0, 0))]


@pytest.mark.torch
def test_build_refuses_an_op_whose_torch_forward_disagrees(tmp_path: Path) -> None:
    """A torch forward that is not the numpy forward's function: nothing written, the key named."""
    root = _outside(tmp_path, "miniflow")
    ops = root / "ops.py"
    ops.write_text(ops.read_text().replace("return torch.tanh(x)", "return torch.sigmoid(x)"))
    result = ft.build(root)
    assert not result.ok
    assert not (root / "cases" / "tanh-unit.json").exists()
    assert any(d.oracles == ("reference", "torch") and d.key == "value" for d in result.disagreements())


@pytest.mark.torch
def test_build_refuses_a_vjp_that_is_not_the_forwards_derivative(tmp_path: Path) -> None:
    """A wrong vjp is caught (torch and finite differences disagree with it): nothing written."""
    root = _outside(tmp_path, "layers")
    ops = root / "ops.py"
    ops.write_text(ops.read_text().replace("return (g * (1.0 - y * y),)", "return (g * (1.0 - y),)"))
    result = ft.build(root)
    assert not result.ok and not (root / "cases").exists()
    pairs = {d.oracles for d in result.disagreements()}
    assert ("reference", "torch") in pairs and ("reference", "finite-difference") in pairs


def test_a_module_that_imports_torch_is_refused(tmp_path: Path) -> None:
    """Rule 5: an ops module importing torch at module level would put torch on the grading path (checked in a
    fresh interpreter, where torch is not imported yet)."""
    root = _outside(tmp_path, "miniflow")
    (root / "ops.py").write_text("import torch\n" + (root / "ops.py").read_text())
    code = (
        "from grader.assignments import load_assignment\n"
        "from grader.extension import extension_of\n"
        "from grader.schema import ConfigError\n"
        f"a = load_assignment({str(root)!r}, require_fixtures=False)\n"
        "try:\n    extension_of(a)\nexcept ConfigError as err:\n    print(err)\n"
    )
    run = [sys.executable, "-c", code]
    out = subprocess.run(run, capture_output=True, text=True, timeout=120, check=True)
    assert "imports torch at module level" in out.stdout and "$.ops_module" in out.stdout


def test_a_module_without_ops_or_with_a_taken_name_is_refused(tmp_path: Path) -> None:
    """No OPS list, or an op named like a built-in one: a ConfigError naming the module and what is valid."""
    root = _outside(tmp_path, "miniflow")
    (root / "ops.py").write_text("X = 1\n")
    with pytest.raises(ConfigError, match="defines no OPS"):
        cases_for_run(load_assignment(root, require_fixtures=False), SEED)
    root2 = _outside(tmp_path / "b", "miniflow")
    text = (root2 / "ops.py").read_text().replace('name="course_tanh"', 'name="sigmoid"')
    (root2 / "ops.py").write_text(text)
    with pytest.raises(ConfigError, match="'sigmoid' is not a new identifier"):
        cases_for_run(load_assignment(root2, require_fixtures=False), SEED)


def test_the_job_carries_names_and_layer_specs_only(built: dict[str, Path]) -> None:
    """What enters the sandbox is class names and argument positions: no code, no expected values."""
    assignment = load_assignment(built["layers"])
    plan = RunPlan.create(assignment, SEED, cases_for_run(assignment, SEED))
    job = build_job(plan, _fake_submission(built["layers"]))
    assert job["harness"]["ops"] == {
        "aliases": {"Tanh": ["Tanh", "TanhLayer"]},
        "layers": {"Tanh": {"ctor": [], "forward": [0], "returns": [0], "attrs": {}, "loss": False}},
    }
    assert "expected" not in json.dumps(job["harness"]["ops"])


def _fake_submission(root: Path):  # type: ignore[no-untyped-def]
    from grader.loaders import load_submission

    return load_submission(EXAMPLE / "students" / "layers_correct.py")


def _grade(root: Path, students: dict[str, Path], isolation: str) -> Iterator[tuple[str, dict]]:
    assignment = load_assignment(root)
    plan = RunPlan.create(assignment, SEED, cases_for_run(assignment, SEED))
    with SandboxPool(jobs=2, isolation=isolation) as pool:
        for graded in grade_paths(plan, sorted(students.items()), pool):
            report = as_dict(graded.report)
            validate(report, "report")
            yield graded.student, report


@pytest.mark.slow
@pytest.mark.torch
@pytest.mark.parametrize("isolation", ISOLATIONS)
def test_correct_and_buggy_students_are_graded_through_the_sandbox(
    built: dict[str, Path], tmp_path: Path, isolation: str
) -> None:
    """The correct Tanh scores full marks; the one taking the derivative from the input fails the Tanh
    gradients with the ops module's own hint, in both families."""
    students = _students(tmp_path)
    for family, root in built.items():
        reports = dict(_grade(root, students[family], isolation))
        good, bad = sorted(reports)  # "..._correct"/"..._tanh" sorts before "..._tanh_from_input"
        assert reports[good]["score"] == reports[good]["max_score"] == 4, reports[good]
        cases = {c["id"]: c for c in reports[bad]["cases"]}
        assert {c["status"] for c in cases.values()} == {"failed"}
        unit = cases["tanh-unit"]
        assert [c["key"] for c in unit["checks"] if not c["passed"]] == ["dx"]
        assert unit["diagnosis"]["code"] == "wrong_derivative" and HINT in unit["diagnosis"]["hint"]
        assert cases["tanh-graph"]["diagnosis"]["code"] == "wrong_derivative"
        assert 0 < reports[bad]["score"] < 4


def test_a_broken_ops_module_is_not_remembered_by_the_process(tmp_path: Path) -> None:
    """Is an ops module's failure cached per process, poisoning the next grading in it? No (s38): the
    parent keeps only a module that loaded (reference/extension.py `_LOADED`), so the same path, fixed,
    loads in the same process; and the sandbox builds each job's adapter from that job's own `ops` (never
    kept), so a job whose ops are refused leaves the next job's, and the family's own class, as they were.
    Control: the broken module is refused each time it is asked for, not only the first."""
    from grader.extension import extension_of, sandbox_ops
    from grader.inside.adapters import ADAPTERS
    from grader.inside.adapters.extension import OpsError, with_ops

    root = _outside(tmp_path, "layers")
    good = (root / "ops.py").read_text()
    (root / "ops.py").write_text("X = 1\n")
    for _ in range(2):
        with pytest.raises(ConfigError, match="defines no OPS"):
            extension_of(load_assignment(root, require_fixtures=False))
    (root / "ops.py").write_text(good)
    assignment = load_assignment(root, require_fixtures=False)
    assert extension_of(assignment) is not None
    family = ADAPTERS[assignment.family]
    before = dict(family.ALIASES)
    with pytest.raises(OpsError):
        with_ops(family, {"aliases": {"Tanh": "not a list"}})
    extended = with_ops(family, sandbox_ops(assignment))
    assert extended is not None and extended is not family and issubclass(extended, family)
    assert before == family.ALIASES and before != extended.ALIASES
