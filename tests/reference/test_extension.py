"""reference.extension: an ops module is checked, its mistakes qualified, and only plain data leaves it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from reference.evaluate import run_case
from reference.extension import REGISTERED, ExtensionError, load_extension

MODULE = """
import numpy as np
from reference.extension import ExtensionOp, LayerBuild, Mistake

def cube(x):
    return x ** 3

def cube_vjp(g, x, *, y):
    return (3.0 * x ** 2 * g,)

def cube_torch(torch, x):
    return x ** 3

OPS = [ExtensionOp(
    name="cube", forward=cube, vjp=cube_vjp, torch_forward=cube_torch,
    classes={"dezero": ("Cube",), "layers": ("CubeLayer", "Cube3")},
    layer=LayerBuild(),
    mistakes=(
        Mistake("cube_missing_three", "Cube.backward forgets the 3.", lambda g, x, *, y: (x ** 2 * g,)),
        Mistake("cube_as_square", "Cube.forward squares.", forward=lambda x: x ** 2),
    ),
)]
"""


def _module(tmp_path: Path, text: str = MODULE, name: str = "ops.py") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_dezero_finds_an_op_as_class_or_helper(tmp_path: Path) -> None:
    """DeZero steps may name the class or its lower-case helper; both reach the op (27 and 27 at x = 3)."""
    ext = load_extension(_module(tmp_path), source="course-a")
    assert ext.classes("dezero") == {"Cube": "cube", "cube": "cube"}
    for op in ("Cube", "cube"):
        steps = [
            {"do": "apply", "op": op, "args": ["x"], "out": "y"},
            {"do": "backward", "of": "y"},
            {"do": "record", "key": "y", "value_of": "y"},
            {"do": "record", "key": "dx", "grad_of": "x"},
        ]
        got = run_case("dezero", {"x": np.array(3.0)}, steps, extension=ext)
        assert (float(got["y"]), float(got["dx"])) == (27.0, 27.0)


def test_mistakes_are_qualified_and_registered_for_the_judge(tmp_path: Path) -> None:
    """Mistake keys carry the assignment id; a forward-only mistake changes the value, a vjp one the grad."""
    ext = load_extension(_module(tmp_path), source="course-b")
    assert sorted(ext.mutations) == ["course-b:cube_as_square", "course-b:cube_missing_three"]
    assert set(ext.mutations) <= set(REGISTERED)
    steps = [
        {"do": "apply", "op": "cube", "args": ["x"], "out": "y"},
        {"do": "backward", "of": "y"},
        {"do": "record", "key": "y", "value_of": "y"},
        {"do": "record", "key": "dx", "grad_of": "x"},
    ]
    x = {"x": np.array(2.0)}
    wrong_grad = run_case("dezero", x, steps, extension=ext, mutation="course-b:cube_missing_three")
    wrong_value = run_case("dezero", x, steps, extension=ext, mutation="course-b:cube_as_square")
    assert (float(wrong_grad["y"]), float(wrong_grad["dx"])) == (8.0, 4.0)
    assert (float(wrong_value["y"]), float(wrong_value["dx"])) == (4.0, 12.0)


def test_sandbox_view_is_names_and_positions(tmp_path: Path) -> None:
    """The adapter's view: accepted names per class (DeZero: helpers too) and the layer's positions."""
    ext = load_extension(_module(tmp_path), source="course-c")
    assert ext.sandbox_view("dezero") == {"aliases": {"Cube": ["Cube"], "cube": ["cube"]}, "layers": {}}
    layers = ext.sandbox_view("layers")
    assert layers["aliases"] == {"CubeLayer": ["CubeLayer", "Cube3"]}
    assert layers["layers"]["CubeLayer"] == {
        "ctor": [],
        "forward": [0],
        "returns": [0],
        "attrs": {},
        "loss": False,
    }
    assert ext.sandbox_view("miniflow") == {"aliases": {}, "layers": {}}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("OPS = [", "OPS = [] and ["), "defines no OPS"),
        (('name="cube"', 'name="mul"'), "'mul' is not a new identifier"),
        (('classes={"dezero"', 'classes={"keras"'), "classes\\['keras'\\]"),
        (("layer=LayerBuild(),", ""), "has a DLFS class but no `layer=LayerBuild"),
        (("import numpy as np", "import numpy as np\nraise RuntimeError('boom')"), "RuntimeError: boom"),
    ],
)
def test_a_broken_module_is_refused_with_what_is_wrong(tmp_path: Path, change: tuple[str, str], message: str):
    """Negative controls: each defect of an ops module is an ExtensionError naming it."""
    text = MODULE.replace(*change)
    assert text != MODULE
    with pytest.raises(ExtensionError, match=message):
        load_extension(_module(tmp_path, text, f"broken_{abs(hash(change))}.py"))
