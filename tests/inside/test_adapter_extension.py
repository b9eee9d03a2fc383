"""The job's `ops` part extends an adapter's names and layer table without changing the family's own class."""

from __future__ import annotations

import pytest

from grader.inside.adapters import ADAPTERS
from grader.inside.adapters.extension import OpsError, with_ops
from grader.inside.adapters.layer_specs import LayerSpec
from grader.inside.adapters.layers import LayersAdapter

OPS = {
    "aliases": {"Tanh": ["Tanh", "TanhLayer"]},
    "layers": {"Tanh": {"ctor": [], "forward": [0], "returns": [0], "attrs": {}, "loss": False}},
}


def test_ops_add_aliases_and_layer_specs_to_a_subclass():
    """The extended factory knows Tanh; LayersAdapter itself is left as it was."""
    extended = with_ops(ADAPTERS["layers"], OPS)
    assert extended is not None and issubclass(extended, LayersAdapter) and extended is not LayersAdapter
    assert extended.ALIASES["Tanh"] == ("Tanh", "TanhLayer") and "Affine" in extended.ALIASES
    assert extended.SPECS["Tanh"] == LayerSpec() and "Tanh" not in LayersAdapter.SPECS
    assert "Tanh" not in LayersAdapter.ALIASES


def test_an_op_naming_a_class_the_family_knows_keeps_the_familys_spellings():
    """dlfs-advanced's ops name their class `Dropout`, which the layers family also spells `DropoutLayer`
    (MulLayer's suffix): the op's spellings come first and the family's follow, never dropped (a chapter-6
    notebook with DropoutLayer and BatchNormalizationLayer was missing_name in every case). Control: a class
    the family does not know keeps the op's spellings alone."""
    extended = with_ops(ADAPTERS["layers"], {"aliases": {"Dropout": ["Dropout"], "Tanh": ["Tanh"]}})
    assert extended is not None
    assert extended.ALIASES["Dropout"] == ("Dropout", "DropoutLayer")
    assert extended.ALIASES["Tanh"] == ("Tanh",)


def test_no_ops_leaves_the_factory_unchanged():
    """A job without ops gets the family's own adapter class."""
    assert with_ops(ADAPTERS["miniflow"], {}) is ADAPTERS["miniflow"]
    assert with_ops(None, OPS) is None


@pytest.mark.parametrize(
    "ops, message",
    [
        ({"aliases": {"Tanh": []}}, "non-empty list"),
        ({"aliases": {"Tanh": ["not a name"]}}, "not an identifier"),
        ({"layers": {"Tanh": {"ctor": ["W"]}}}, "argument positions"),
        ({"layers": {"Tanh": {"attrs": {"1": "d W"}}}}, "attribute names"),
        ({"layers": {"SimpleConvNet": {"net": ["W1", "not a key"]}}}, "net must be a list"),
        ({"layers": {"SimpleConvNet": {"net": "W1"}}}, "net must be a list"),
        ({"layers": {"Norm.stat": {"warmup": ["x1"]}}}, "warmup must be a list of argument positions"),
        ({"layers": {"Norm.stat": {"warmup_settings": {"train_flg": "yes"}}}}, "numbers or flags"),
        ({"layers": {"Norm.stat": {"read": "running mean"}}}, "must name an attribute"),
        (
            {"layers": {"Norm.stat": {"settings_by_position": "yes"}}},
            "settings_by_position must be true or false",
        ),
        ({"layers": {"Tanh": {"ctor_by_position": 1}}}, "ctor_by_position must be true or false"),
        ({"layers": {"Net": {"ctor_defaults": {"activation": ["relu"]}}}}, "strings, numbers or flags"),
        ({"layers": {"Net": {"ctor_defaults": ["activation"]}}}, "strings, numbers or flags"),
        ("Tanh", "must be an object"),
    ],
)
def test_malformed_ops_are_refused(ops, message):
    """Anything but the plain data the parent writes is refused with what was wrong."""
    with pytest.raises(OpsError, match=message):
        with_ops(ADAPTERS["layers"], ops)


def test_layer_specs_for_another_family_are_refused():
    """Layer specs only mean something to the DLFS layers adapter."""
    with pytest.raises(OpsError, match="miniflow"):
        with_ops(ADAPTERS["miniflow"], {"layers": OPS["layers"]})


def test_a_network_spec_keeps_its_params_keys_and_constructor_settings():
    """SimpleConvNet's spec (dlfs-advanced) arrives as a network: params keys in order, settings by name."""
    raw = {
        "forward": [0, 1],
        "loss": True,
        "ctor_settings": ["input_dim", "conv_param", "hidden_size", "output_size"],
        "net": ["W1", "b1", "W2", "b2", "W3", "b3"],
    }
    extended = with_ops(ADAPTERS["layers"], {"layers": {"SimpleConvNet": raw}})
    assert extended is not None
    spec = extended.SPECS["SimpleConvNet"]
    assert spec.net == ("W1", "b1", "W2", "b2", "W3", "b3")
    assert spec.ctor_settings == ("input_dim", "conv_param", "hidden_size", "output_size")
    assert extended.SPECS["Affine"].net == ()  # a layer stays a layer


def test_no_adapter_module_calls_a_private_method_of_another_module_s_class() -> None:
    """A helper an adapter module shares with another is public where it is defined: dezero_data.py called
    AdapterBase._seed_numpy (s33), a private method of base.py's class. Read from the sources: any
    `obj._name` (not through self or cls) whose `_name` is a method defined only in another module."""
    import ast
    from pathlib import Path

    import grader.inside.adapters as adapters_pkg

    folder = Path(adapters_pkg.__file__).parent
    trees = {p.name: ast.parse(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.py"))}
    defined_in = {
        name: {
            n.name
            for n in ast.walk(tree)
            if isinstance(n, ast.FunctionDef) and n.name.startswith("_") and not n.name.startswith("__")
        }
        for name, tree in trees.items()
    }
    foreign = []
    for name, tree in trees.items():
        for n in ast.walk(tree):
            if not (isinstance(n, ast.Attribute) and n.attr.startswith("_") and not n.attr.startswith("__")):
                continue
            if isinstance(n.value, ast.Name) and n.value.id in ("self", "cls"):
                continue
            if n.attr not in defined_in[name] and any(n.attr in d for d in defined_in.values()):
                foreign.append(f"{name}:{n.lineno} {ast.unparse(n)}")
    assert foreign == []
