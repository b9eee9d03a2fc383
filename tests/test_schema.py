"""Schemas, JSON loading and the array encoding: shipped files validate, broken ones say where and what."""

from __future__ import annotations

import copy
import json
import math
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from report_builder import FLAGS, build_report
from shipped_fixtures import SHIPPED_FIXTURES

from grader import arrays
from grader.schema import (
    NO_CACHE_ENV,
    SCHEMA_DIR,
    ConfigError,
    inlined,
    load_json,
    load_schema,
    load_validated,
    validate,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MANIFESTS = sorted(FIXTURES.glob("*/manifest.json"))
FIXTURE_FILES = sorted(FIXTURES.glob("*/cases/*.json"))
SOURCES = sorted([*FIXTURES.glob("*/sources.json"), *FIXTURES.glob("*/sources/*.json")])


@pytest.fixture(autouse=True)
def _validate_for_real(monkeypatch):
    """These tests prove files valid: never take the user's cache of files validated before for it."""
    monkeypatch.setenv(NO_CACHE_ENV, "1")


def test_four_assignments_are_shipped():
    """The shipped fixtures hold exactly the four assignments, each with cases (dlfs-advanced: 13; dezero
    the nine stored for steps 20-24 and the eight cases of stages step19-step22)."""
    assert [p.parent.name for p in MANIFESTS] == ["dezero", "dlfs-advanced", "dlfs-layers", "miniflow"]
    assert len(FIXTURE_FILES) == SHIPPED_FIXTURES


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.parent.name)
def test_shipped_manifest_validates(path):
    """Every shipped manifest is valid against manifest.schema.json."""
    assert load_validated(path, "manifest")["id"] == path.parent.name


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: f"{p.parts[-3]}/{p.stem}")
def test_shipped_fixture_validates(path):
    """Every stored fixture is valid against fixture.schema.json."""
    assert load_validated(path, "fixture")["id"] == path.stem


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.parent.name)
def test_shipped_sources_validate(path):
    """Every sources.json is valid against the sources definition of fixture.schema.json."""
    assert load_validated(path, "fixture", definition="sources")["cases"]


@pytest.fixture
def manifest():
    return json.loads((FIXTURES / "miniflow" / "manifest.json").read_text())


BREAKAGES = {
    # name: (edit, JSON path in the message, what the message must offer as valid)
    "bad visibility": (
        lambda m: m["cases"][3].update(visibility="secret"),
        "$.cases[3].visibility",
        '"hidden"',
    ),
    "negative points": (lambda m: m["cases"][0].update(points=-1), "$.cases[0].points", ">= 0"),
    "misspelt key": (lambda m: m["cases"][1].update(pionts=2), "$.cases[1]", "points"),
    "missing family": (lambda m: m.pop("family"), "$", "family"),
    "unknown family": (lambda m: m.update(family="keras"), "$.family", '"dezero"'),
    "points as text": (lambda m: m["cases"][2].update(points="2"), "$.cases[2].points", "number"),
    "bad dist": (
        lambda m: m["generated"][0]["inputs"]["X"].update(dist="gauss"),
        "$.generated[0].inputs.X.dist",
        '"away_from_zero"',
    ),
    "bad step": (
        lambda m: m["generated"][0]["template"]["steps"][0].pop("op"),
        "$.generated[0].template.steps[0]",
        "op",
    ),
    "wrong version": (lambda m: m.update(schema_version=2), "$.schema_version", "exactly 1"),
    "limits too small": (lambda m: m["limits"].update(memory_mib=1), "$.limits.memory_mib", ">= 64"),
}


def test_unbroken_manifest_copy_validates(manifest):
    """Negative control for the breakages below: the untouched manifest passes."""
    validate(copy.deepcopy(manifest), "manifest", source="manifest.json")


@pytest.mark.parametrize("name", sorted(BREAKAGES))
def test_broken_manifest_names_file_path_and_what_is_valid(manifest, name):
    """A malformed manifest raises ConfigError naming the file, the JSON path and what would be valid."""
    edit, where, valid = BREAKAGES[name]
    edit(manifest)
    with pytest.raises(ConfigError) as info:
        validate(manifest, "manifest", source="courses/mf/manifest.json")
    text = str(info.value)
    assert "courses/mf/manifest.json" in text
    line = next(ln for ln in text.splitlines() if ln.strip().startswith(where + ":"))
    assert "valid:" in line and valid in line, text


def test_unknown_property_is_named(manifest):
    """A misspelt key is reported by name with the valid property names."""
    manifest["cases"][1]["pionts"] = 2
    with pytest.raises(ConfigError, match=r"unknown property 'pionts'.*valid: only the properties .*points"):
        validate(manifest, "manifest", source="m.json")


def test_invalid_json_gives_line_and_column(tmp_path):
    """Invalid JSON is a ConfigError with the file, line and column."""
    path = tmp_path / "manifest.json"
    path.write_text('{\n  "id": "x",\n  "title": oops\n}\n')
    with pytest.raises(ConfigError, match=r"manifest\.json: invalid JSON at line 3, column 12"):
        load_json(path)


def test_valid_json_loads(tmp_path):
    """Negative control: the same file with the value quoted parses."""
    path = tmp_path / "manifest.json"
    path.write_text('{\n  "id": "x",\n  "title": "oops"\n}\n')
    assert load_json(path) == {"id": "x", "title": "oops"}


def test_missing_file_is_a_config_error(tmp_path):
    """A missing file is a ConfigError naming it, not a traceback."""
    with pytest.raises(ConfigError, match="no such file"):
        load_json(tmp_path / "nope.json")


def test_unknown_schema_lists_valid_names():
    """Asking for a schema that does not exist lists the ones that do."""
    with pytest.raises(ConfigError, match=r"valid names: .*fixture.*manifest"):
        validate({}, "manifset", source="x")


def _bits(a: np.ndarray) -> np.ndarray:
    return a.view(np.uint64)


@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=4, max_side=4), elements=st.floats()))
def test_arrays_round_trip_float64_exactly_through_json(a):
    """encode -> JSON text -> decode gives the same float64 bits (NaN, inf and -0.0 included)."""
    back = arrays.decode(json.loads(json.dumps(arrays.encode(a), allow_nan=False)))
    assert back.dtype == np.float64 and back.shape == a.shape
    nan = np.isnan(a)
    assert np.array_equal(np.isnan(back), nan)
    assert np.array_equal(_bits(back[~nan]), _bits(a[~nan]))


def test_round_trip_control_detects_one_ulp():
    """Negative control: a value one ulp away has different bits, so the exactness check can fail."""
    a = np.array([0.1])
    assert not np.array_equal(_bits(np.nextafter(a, 1.0)), _bits(a))
    assert math.isclose(float(np.nextafter(a, 1.0)[0]), 0.1)


def test_every_shipped_schema_is_a_valid_draft_2020_12_schema():
    """Each grader/schemas/*.schema.json passes the metaschema (the grader skips this check at run time)."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    paths = sorted(SCHEMA_DIR.glob("*.schema.json"))
    assert len(paths) >= 4
    for path in paths:
        Draft202012Validator.check_schema(json.loads(path.read_text(encoding="utf-8")))
    with pytest.raises(SchemaError):  # control: a broken schema is refused
        Draft202012Validator.check_schema({"type": "no-such-type"})


def _counting_validate(monkeypatch) -> list[str]:
    import grader.schema

    calls: list[str] = []
    real = grader.schema.validate

    def counting(data, schema_name, **kw):
        calls.append(schema_name)
        real(data, schema_name, **kw)

    monkeypatch.setattr(grader.schema, "validate", counting)
    return calls


def test_a_file_validated_once_is_not_validated_again(tmp_path, monkeypatch):
    """With a cache folder, the second load of unchanged bytes skips validation; changed bytes, another schema
    or GRADER_NO_VALIDATION_CACHE validate again (the key is schemas + schema name + the file's bytes)."""
    monkeypatch.delenv(NO_CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    calls = _counting_validate(monkeypatch)
    manifest = tmp_path / "manifest.json"
    manifest.write_bytes(MANIFESTS[0].read_bytes())
    load_validated(manifest, "manifest")
    load_validated(manifest, "manifest")
    assert calls == ["manifest"]
    manifest.write_bytes(MANIFESTS[0].read_bytes() + b"\n")  # same data, other bytes: validated again
    load_validated(manifest, "manifest")
    assert calls == ["manifest", "manifest"]
    monkeypatch.setenv(NO_CACHE_ENV, "1")
    load_validated(manifest, "manifest")
    assert calls == ["manifest"] * 3


def test_an_invalid_file_is_never_remembered(tmp_path, monkeypatch):
    """A manifest that fails validation fails again on every load: only successes enter the cache."""
    monkeypatch.delenv(NO_CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    data = json.loads(MANIFESTS[0].read_text(encoding="utf-8"))
    data["cases"][0]["points"] = -1
    bad = tmp_path / "manifest.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    for _ in range(2):
        with pytest.raises(ConfigError, match=r"cases\[0\]\.points"):
            load_validated(bad, "manifest")


_LOCKED_CACHE_PROBE = """
import os, sys
import hashlib  # noqa: F401  (likewise: grader.schema imports it where it hashes, after the switch)
import jsonschema  # noqa: F401  (imported before the switch: its folder may be root's)
from grader.schema import load_validated
if os.geteuid() == 0:
    os.setresgid(65534, 65534, 65534)
    os.setresuid(65534, 65534, 65534)
print(load_validated(sys.argv[1], "manifest")["id"])
"""


def test_a_cache_the_user_cannot_enter_only_costs_the_time():
    """Session 22: a cache folder this user may not enter (HOME left at /root by `runuser -u ta`, or a cache
    made by another account): Python 3.11's is_file() raised PermissionError, and every command said
    "internal error, please report it". The file is validated as without a cache. Control: the same child
    with a cache folder it may enter."""
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as name:
        top = Path(name)
        top.chmod(0o755)
        locked = top / "locked"
        (locked / "backprop-grader" / "validated").mkdir(parents=True)
        manifest = top / "manifest.json"
        manifest.write_bytes(MANIFESTS[0].read_bytes())
        manifest.chmod(0o644)
        expected = json.loads(MANIFESTS[0].read_text(encoding="utf-8"))["id"]
        argv = [sys.executable, "-c", _LOCKED_CACHE_PROBE, str(manifest)]
        env = {**os.environ, "XDG_CACHE_HOME": str(locked)}
        env.pop(NO_CACHE_ENV, None)
        for mode, why in ((0o777, "a cache it may enter"), (0o000 if os.geteuid() != 0 else 0o700, "locked")):
            locked.chmod(mode)
            try:
                done = subprocess.run(argv, capture_output=True, text=True, timeout=60, cwd="/", env=env)
            finally:
                locked.chmod(0o755)
            assert done.returncode == 0 and done.stdout.strip() == expected, (why, done.stdout + done.stderr)


def _breakages(document: dict) -> list[dict]:
    """A report broken in one place each, every place under a definition the schema refers to."""
    broken = []
    for where, change in (
        (("cases", 0), lambda c: c.update(status="passing")),  # a case's status outside the enum
        (("cases", 0, "checks", 0), lambda c: c.pop("key")),  # a check without its key
        (("cases", 0, "checks", 0, "diagnosis"), lambda d: d.update(code="no_such_code")),
        (("staff", "flags", 0), lambda f: f.update(line="3")),  # a flag's line as text
        (("blame", 0), lambda b: b.update(extra=1)),  # a property the schema does not know
        (("cases", 0, "diagnosis"), lambda d: d.update(code=None)),
    ):
        doc = copy.deepcopy(document)
        node = doc
        for part in where:
            node = node[part]
        change(node)
        broken.append(doc)
    return broken


def test_the_inlined_report_schema_refers_to_nothing_and_judges_as_the_schema_does():
    """Report validation inlines the schema's definitions (grader/reports/validate.py: a third of a large
    report's validation was resolving them): no $ref is left, and a report and six copies broken under six
    definitions get the same errors, at the same paths, from both; every broken copy has one."""
    from jsonschema import Draft202012Validator

    schema = load_schema("report")
    assert '"$ref"' in json.dumps(schema) and '"$ref"' not in json.dumps(inlined(schema))

    def errors(validator: Draft202012Validator, doc: dict) -> list[tuple[list, str]]:
        return sorted((list(map(str, e.absolute_path)), e.message) for e in validator.iter_errors(doc))

    original, flat = Draft202012Validator(schema), Draft202012Validator(inlined(schema))
    document = build_report(flags=FLAGS).to_dict()
    assert errors(original, document) == errors(flat, document) == []
    for doc in _breakages(document):
        assert errors(original, doc) == errors(flat, doc) != []


def test_a_definition_that_refers_to_itself_keeps_its_reference():
    """A recursive definition (a tree of nodes) is inlined once and refers to itself below: the walk ends,
    and a bad leaf deep in the tree is still refused."""
    from jsonschema import Draft202012Validator

    tree = {
        "$defs": {
            "node": {
                "type": "object",
                "properties": {
                    "value": {"type": "integer"},
                    "kids": {"type": "array", "items": {"$ref": "#/$defs/node"}},
                },
            }
        },
        "type": "object",
        "properties": {"root": {"$ref": "#/$defs/node"}},
    }
    flat = inlined(tree)
    assert flat["properties"]["root"]["properties"]["kids"]["items"] == {"$ref": "#/$defs/node"}
    validator = Draft202012Validator(flat)
    assert validator.is_valid({"root": {"value": 1, "kids": [{"value": 2, "kids": [{"value": 3}]}]}})
    assert not validator.is_valid({"root": {"value": 1, "kids": [{"value": 2, "kids": [{"value": "3"}]}]}})
