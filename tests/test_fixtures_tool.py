"""`grader fixtures build/verify`: shipped fixtures re-prove; wrong values refused or reported."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from shipped_fixtures import SHIPPED_FIXTURES

from grader import fixtures_tool as ft

pytestmark = pytest.mark.torch

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _copy(tmp_path: Path, aid: str = "miniflow") -> Path:
    dst = tmp_path / aid
    shutil.copytree(FIXTURES / aid, dst)
    return dst


def test_verify_passes_on_every_shipped_fixture():
    """Every stored fixture of the three assignments is re-proven by reference, torch, finite differences."""
    result = ft.verify()
    assert result.ok, result.summary()
    assert len(result.fixtures) == SHIPPED_FIXTURES


def test_verify_reports_one_wrong_expected_element(tmp_path):
    """A fixture copy with one wrong expected element fails, naming case, key, element and both numbers."""
    root = _copy(tmp_path)
    path = root / "cases" / "linear-unit.json"
    data = json.loads(path.read_text())
    right = data["expected"]["dW"]["data"][3]
    data["expected"]["dW"]["data"][3] = right + 1e-3
    path.write_text(json.dumps(data))
    result = ft.verify(root)
    assert not result.ok
    (bad,) = [d for d in result.disagreements()]
    assert (bad.case, bad.key, bad.index) == ("linear-unit", "dW", (1, 1))  # flat 3 of shape (3, 2)
    assert bad.first == right + 1e-3 and bad.second == right
    assert "linear-unit: dW[1, 1]: stored expected" in bad.message() and repr(right) in bad.message()
    assert all(f.agreed for f in result.fixtures if f.case != "linear-unit")


def test_verify_reports_a_fixture_that_drifted_from_its_source(tmp_path):
    """A source edited after the last build (fixture not rebuilt) is reported as drift, naming the field."""
    root = _copy(tmp_path, "dezero")
    src = json.loads((root / "sources.json").read_text())
    src["cases"][0]["inputs"]["x"]["data"] = [2.5]
    (root / "sources.json").write_text(json.dumps(src))
    result = ft.verify(root)
    bad = [d for d in result.disagreements() if d.case == "add-twice-documented"]
    assert bad and bad[0].oracles == ("stored", "sources") and "inputs" in bad[0].detail


# numpy picks its exp/log and BLAS kernels by CPU (AVX2 or AVX-512): the last bits can differ between
# the machine that built the shipped fixtures and this one. Within a machine a build is byte for byte. The
# ulps are those of the largest magnitude in the value's array: an element of a matrix product is a sum
# whose rounding is bounded by its terms, not by the (possibly cancelled) result (session 33:
# ch04-two-layer-net-gradient's dW1[12], -0.00133 in an array up to 0.2, differed by 18 of its own ulps and
# 0.14 of the array's on a machine whose BLAS summed in another order).
SHIPPED_ULPS = 4


def _same_up_to_ulps(built: object, shipped: object, where: str, scale: float = 0.0) -> None:
    if isinstance(shipped, float) and isinstance(built, float):
        ulps = abs(built - shipped) / np.spacing(max(abs(built), abs(shipped), scale))
        assert ulps <= SHIPPED_ULPS, f"{where}: built {built!r}, shipped {shipped!r} ({ulps:.0f} ulps)"
    elif isinstance(shipped, dict) and isinstance(built, dict):
        assert built.keys() == shipped.keys(), where
        for key in shipped:
            _same_up_to_ulps(built[key], shipped[key], f"{where}.{key}")
    elif isinstance(shipped, list) and isinstance(built, list):
        assert len(built) == len(shipped), where
        floats = [abs(v) for v in (*built, *shipped) if isinstance(v, float)]
        inner = max(floats, default=scale)
        for i, (b, s) in enumerate(zip(built, shipped, strict=True)):
            _same_up_to_ulps(b, s, f"{where}[{i}]", inner)
    else:
        same = type(built) is type(shipped) and built == shipped
        assert same, f"{where}: built {built!r}, shipped {shipped!r}"


def test_build_is_deterministic_and_reproduces_the_shipped_files(tmp_path):
    """Two builds from the sources write the same bytes, and what they write is the shipped fixture file: the
    same text but for the last bits of a few floats (SHIPPED_ULPS)."""
    builds = []
    for name in ("first", "second"):
        root = tmp_path / name / "dlfs-layers"
        shutil.copytree(FIXTURES / "dlfs-layers", root)
        shutil.rmtree(root / "cases")
        result = ft.build(root)
        assert result.ok, result.summary()
        assert not list((root / "cases").glob(".*.tmp"))  # atomic writes leave no temp files
        builds.append(root / "cases")
    shipped = sorted((FIXTURES / "dlfs-layers" / "cases").glob("*.json"))
    assert [p.name for p in shipped] == sorted(p.name for p in builds[0].glob("*.json"))
    for path in shipped:
        first, second = ((b / path.name).read_bytes() for b in builds)
        assert first == second, path.name
        _same_up_to_ulps(json.loads(first), json.loads(path.read_bytes()), path.name)


def test_the_shipped_comparison_sees_a_changed_value() -> None:
    """The control: a last-digit change is within the allowance, a change past it or of a non-float is not."""
    _same_up_to_ulps({"v": [0.1 + 0.2]}, {"v": [0.3]}, "ok")
    # an element small beside a large one: rounding of the array's scale passes, more than that does not
    _same_up_to_ulps({"v": [-0.0013317333959542894, 0.2]}, {"v": [-0.0013317333959542855, 0.2]}, "ok")
    changes = (
        ({"v": [0.3000001]}, {"v": [0.3]}),
        ({"v": [1]}, {"v": [1.0]}),
        ({"k": 1}, {"v": 1}),
        ({"v": [-0.0013317334, 0.2]}, {"v": [-0.0013317333959542855, 0.2]}),
        ({"v": [-0.0013317333959542894]}, {"v": [-0.0013317333959542855]}),
    )
    for built, shipped in changes:
        with pytest.raises(AssertionError):
            _same_up_to_ulps(built, shipped, "changed")


@pytest.mark.parametrize(("relative", "kept"), [(3e-16, True), (1e-13, True), (1e-9, False), (1e-6, False)])
def test_build_keeps_a_stored_file_that_differs_only_by_rounding(tmp_path, relative, kept):
    """A stored value off by rounding (another machine's last bits) is kept: the file is not rewritten, the
    summary says unchanged, and verify accepts what was kept. Off by more than verify's agreement (the
    negative controls), the file is rewritten with the rebuilt value."""
    root = _copy(tmp_path)
    path = root / "cases" / "linear-unit.json"
    data = json.loads(path.read_text())
    right = data["expected"]["dW"]["data"][3]
    data["expected"]["dW"]["data"][3] = right * (1 + relative)
    stored = json.dumps(data).encode()
    path.write_bytes(stored)
    result = ft.build(root)
    assert result.ok, result.summary()
    (mine,) = [f for f in result.fixtures if f.case == "linear-unit"]
    assert (mine.kept, mine.written) == (kept, not kept)
    assert ("linear-unit: agreed, unchanged" if kept else "linear-unit: agreed, written") in result.summary()
    if kept:
        assert path.read_bytes() == stored
        assert ft.verify(root).ok
    else:
        _same_up_to_ulps(json.loads(path.read_bytes())["expected"]["dW"]["data"][3], right, "rebuilt")


def test_build_rewrites_a_fixture_whose_input_moved_by_less_than_rounding(tmp_path):
    """Only expected values may differ by rounding: a source input moved by 3e-13 is a new case, rewritten
    (kept, verify would report drift from the source at every build)."""
    root = _copy(tmp_path)
    sources = json.loads((root / "sources.json").read_text())
    (case,) = [c for c in sources["cases"] if c["id"] == "linear-unit"]
    case["inputs"]["W"]["data"][0] += 3e-13
    (root / "sources.json").write_text(json.dumps(sources))
    result = ft.build(root)
    (mine,) = [f for f in result.fixtures if f.case == "linear-unit"]
    assert mine.written and not mine.kept
    assert ft.verify(root).ok


def test_build_refuses_a_wrong_documented_value(tmp_path):
    """A documented value that the oracles contradict is not written; both numbers named."""
    root = _copy(tmp_path, "dlfs-layers")
    shutil.rmtree(root / "cases")
    src = json.loads((root / "sources.json").read_text())
    case = next(c for c in src["cases"] if c["id"] == "buy-apple-documented")
    case["documented"]["dtax"]["printed"] = "210"
    (root / "sources.json").write_text(json.dumps(src))
    result = ft.build(root)
    assert not result.ok
    (bad,) = result.disagreements()
    assert (bad.case, bad.key, bad.first, bad.second) == ("buy-apple-documented", "dtax", "210", 200.0)
    assert not (root / "cases" / "buy-apple-documented.json").exists()
    assert (root / "cases" / "mul-unit.json").exists()  # the others are still written
    assert "NOT written" in result.summary()


def test_build_refuses_a_gradient_torch_and_finite_differences_contradict(tmp_path, monkeypatch):
    """If the reference were wrong, torch and finite differences both object and nothing is written."""
    import reference.evaluate

    real = reference.evaluate.run_case

    def broken(family, inputs, steps, **kw):
        records = real(family, inputs, steps, **kw)
        if "dx" in records and isinstance(records["dx"], np.ndarray):
            records["dx"] = records["dx"] * 1.5
        return records

    monkeypatch.setattr(reference.evaluate, "run_case", broken)
    root = _copy(tmp_path, "dlfs-layers")
    shutil.rmtree(root / "cases")
    result = ft.build(root)
    oracles = {d.oracles for d in result.disagreements() if d.key == "dx"}
    assert {("reference", "torch"), ("reference", "finite-difference")} <= oracles
    assert not (root / "cases" / "relu-unit.json").exists()
    assert (root / "cases" / "buy-apple-documented.json").exists()  # no dx there: still proven and written


@pytest.mark.parametrize(
    ("printed", "value", "agrees"),
    [
        ("2.2", 2.2 + 0.049, True),
        ("2.2", 2.2 + 0.051, False),
        ("220", 220.00000000000003, True),
        ("-3.34017280e-05", -3.3401727955540676e-05, True),
        ("-3.34017280e-05", -3.3401737e-05, False),
    ],
)
def test_documented_values_agree_to_their_printed_precision(printed, value, agrees):
    """A value agrees with its printed form within half a unit of the last printed digit, no more."""
    doc = {"k": {"printed": printed, "source": "book"}}
    problems = ft.check_documented("c", {"k": np.array(value)}, doc)
    assert (not problems) == agrees


def test_documented_none_must_be_none():
    """A documented None (DeZero y.grad without retain_grad) disagrees with an array."""
    doc = {"dy": {"printed": None, "source": "step 18"}}
    assert not ft.check_documented("c", {"dy": None}, doc)
    assert ft.check_documented("c", {"dy": np.ones(())}, doc)[0].second == "array of shape ()"


def test_run_prints_summary_and_exit_code(capsys):
    """`run("verify", id)` prints one line per fixture and a total, and returns 0 when all agree."""
    assert ft.run("verify", "dezero") == 0
    out = capsys.readouterr().out
    # 15 cases of step 18, 17 of steps 19-24, the five cases of Variable and Function, step 9's composite,
    # the two cases of steps 7-8, the 9 of steps 27 to 35, the 14 of steps 37 to 42, step 1's x.data,
    # the 3 of steps 2, 3, 12,
    # the 5 of Variable's methods (steps 38, 39), step 11's, the 3 of step 43 (Linear, Sigmoid, the two-layer
    # network), step 19's no_grad and diamond with add() and step 40's Sum over axis 1 (mutation sweep),
    # the 2 of step 44, the 2 of step 46, the 2 of step 45 and step 46's SGD over an MLP, step 40's SumTo
    # over a leading axis (session 21), step 44's Layer call returning the Variable and step 45's MLP of
    # three layers (the mutation sweep, session 22), the 6 of step 47 and step 36's double backprop
    # (session 23), the step file's own sphere, matyas, goldstein and rosenbrock (session 29)
    assert "dezero/diamond-documented: agreed" in out and "verify: 121 of 121 fixtures agreed" in out
