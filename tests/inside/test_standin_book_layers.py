"""The grader's stand-in for the book's common/layers.py (grader/standin_book/common/layers.py,
served to a job by grader/served_standins.py)
computes what the stored dlfs-advanced fixtures say, so that a lone ch07/simple_convnet.py is graded on its
own code: the fixtures' expected values are proven by the reference engine, torch and finite differences."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from module_files import load_module

REPO = Path(__file__).resolve().parents[2]
STANDIN = REPO / "grader" / "standin_book" / "common" / "layers.py"
CASES = REPO / "fixtures" / "dlfs-advanced" / "cases"
# forward keyword arguments (the rest of a fixture's settings go to the constructor)
FORWARD_SETTINGS = {"train_flg"}
# the gradients a layer keeps as attributes, by the fixture's record key
KEPT = {"dW": "dW", "db": "db", "dgamma": "dgamma", "dbeta": "dbeta"}


def _standin() -> ModuleType:
    return load_module(STANDIN, "standin_common_layers")


def _array(spec: dict) -> np.ndarray:
    return np.array(spec["data"], dtype=np.float64).reshape(spec["shape"])


@pytest.mark.parametrize(
    "fixture",
    [
        "convolution-unit",
        "convolution-stride-unit",
        "pooling-unit",
        "pooling-overlap-unit",
        "batchnorm-train-unit",
        "batchnorm-4d-unit",
    ],
)
def test_the_standin_layer_matches_the_proven_fixture(fixture: str) -> None:
    """Forward value, input gradient and kept parameter gradients of the stand-in's Convolution, Pooling and
    BatchNormalization equal the stored fixture's (was: no Convolution or Pooling in the stand-in, and a
    lone simple_convnet.py died with NameError: name 'Convolution' is not defined)."""
    case = json.loads((CASES / f"{fixture}.json").read_text())
    apply = case["steps"][0]
    inputs = {name: _array(spec) for name, spec in case["inputs"].items()}
    settings = apply.get("settings", {})
    build = {k: v for k, v in settings.items() if k not in FORWARD_SETTINGS}
    run = {k: v for k, v in settings.items() if k in FORWARD_SETTINGS}
    x, *params = (inputs[a] for a in apply["args"])
    layer = getattr(_standin(), apply["op"])(*params, **build)
    got = {"out": layer.forward(x.copy(), **run), "dx": layer.backward(inputs["dout"].copy())}
    got.update({key: getattr(layer, attr) for key, attr in KEPT.items() if key in case["expected"]})
    assert set(got) == set(case["expected"])
    for key, spec in case["expected"].items():
        np.testing.assert_allclose(got[key], _array(spec), rtol=1e-6, atol=1e-9, err_msg=f"{fixture}: {key}")
